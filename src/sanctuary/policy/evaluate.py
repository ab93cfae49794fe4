"""Evaluate a request against the packs of its jurisdiction chain: the decision and its reasons.

The semantics are those of docs/packs.md ("How a decision is made"); this module is their one
implementation for single decisions. In short: per target (data category, or the action), the
strongest vote of the applicable rules over all packs wins (deny > escalate > allow_redacted >
allow), except that a federal ``floor`` allow sets aside stricter votes of later packs; a target no
rule decided is denied; a rule that errors votes deny or escalate and is never skipped.

Speed comes from planning, not cleverness: the rules that can apply to a (chain, law-in-force
interval, action, responder kind) are selected once and cached, so a decision evaluates only the
handful of compiled conditions that matter.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sanctuary.errors import JurisdictionError, RequestError
from sanctuary.model import (
    Decision,
    Evidence,
    ExceptionOutcome,
    Obligation,
    PackRef,
    PurposeAssessment,
    Reason,
    Request,
)
from sanctuary.policy.facts import Facts, derive
from sanctuary.policy.load import Pack, Rule

RANK = {"allow": 1, "allow_redacted": 2, "escalate": 3, "deny": 4}
DATA_ACTIONS = frozenset({"disclose_information", "system_access", "notify_release"})
WHOLE_ACTION = "*"  # the target of a request that names no data
DEFAULT_RULE = "default.no_permitting_rule"


@dataclass(slots=True)
class _Vote:
    rank: int
    effect: str
    rule: Rule
    pack_index: int
    error: str | None = None


@dataclass
class _Trace:
    """What happened while evaluating one request: votes per target, exceptions, obligations."""

    votes: dict[str, list[_Vote]]
    exceptions: list[ExceptionOutcome] = field(default_factory=list)
    obligation_rules: list[Rule] = field(default_factory=list)
    redact: set[str] = field(default_factory=set)


class Engine:
    """Decides requests under a set of packs. Thread-safe: plans are immutable once cached."""

    def __init__(self, packs: dict[str, Pack]) -> None:
        self.packs = packs
        self._chains: dict[str, tuple[Pack, ...]] = {}
        self._plans: dict[tuple[Any, ...], tuple[tuple[int, Rule], ...]] = {}
        self._boundaries: dict[tuple[str, ...], list[dt.date]] = {}

    # -- the chain and the law in force -------------------------------------------------------
    def chain(self, jurisdiction: str) -> tuple[Pack, ...]:
        """The packs that govern ``jurisdiction``, outermost first (``us``, ``us-ca``, …)."""
        cached = self._chains.get(jurisdiction)
        if cached is not None:
            return cached
        prefixes: list[str] = []
        state, _, rest = jurisdiction.partition("/")
        country = state.split("-")[0]
        prefixes.append(country)
        if state != country:
            prefixes.append(state)
        path = state
        for part in rest.split("/") if rest else []:
            path = f"{path}/{part}"
            prefixes.append(path)
        chain = tuple(self.packs[p] for p in prefixes if p in self.packs)
        if not chain:
            raise JurisdictionError(
                f"no policy pack governs `{jurisdiction}`",
                help=f"packs loaded: {', '.join(sorted(self.packs))}",
                location="jurisdiction",
            )
        self._chains[jurisdiction] = chain
        return chain

    def plan(
        self, chain: tuple[Pack, ...], at: dt.datetime, action: str, responder: str
    ) -> tuple[tuple[int, Rule], ...]:
        """The rules of ``chain`` in force at ``at`` that can apply to this action and responder."""
        key_ids = tuple(p.id for p in chain)
        days = tuple(at.astimezone(p.timezone).date() for p in chain)
        bounds = self._boundaries.get(key_ids)
        if bounds is None:
            bounds = sorted(set().union(*(p.boundaries() for p in chain)))
            self._boundaries[key_ids] = bounds
        # Within one interval between boundaries the rules in force cannot change.
        interval = tuple(bisect.bisect_right(bounds, d) for d in days)
        key = (key_ids, interval, action, responder)
        plan = self._plans.get(key)
        if plan is None:
            plan = tuple(
                (i, rule)
                for i, (pack, day) in enumerate(zip(chain, days, strict=True))
                for rule in pack.rules
                if rule.in_force(day)
                and (rule.actions is None or action in rule.actions)
                and (rule.responders is None or responder in rule.responders)
            )
            self._plans[key] = plan
        return plan

    # -- deciding -----------------------------------------------------------------------------
    def decide(self, request: Request, at: dt.datetime | None = None) -> Decision:
        """Decide ``request`` under the law in force at ``at`` (default: its time, else now)."""
        when = at or request.time or dt.datetime.now(dt.UTC)
        if request.action in DATA_ACTIONS and not request.data:
            raise RequestError(
                f"`{request.action}` asks for data: name the categories in `data`", location="data"
            )
        chain = self.chain(request.jurisdiction)
        facts = derive(request, when, _home_state(request.jurisdiction))
        targets = tuple(sorted(set(request.data))) or (WHOLE_ACTION,)
        plan = self.plan(chain, when, request.action, request.responder.kind)
        trace = _evaluate(plan, facts, targets)
        return _decision(request, when, chain, facts, targets, trace)

    def decide_many(
        self, requests: Iterable[Request], at: dt.datetime | None = None
    ) -> list[Decision]:
        return [self.decide(r, at) for r in requests]


def _home_state(jurisdiction: str) -> str | None:
    head = jurisdiction.split("/")[0]
    return head.split("-")[1].upper() if "-" in head else None


def _evaluate(plan: tuple[tuple[int, Rule], ...], facts: Facts, targets: tuple[str, ...]) -> _Trace:
    trace = _Trace(votes={t: [] for t in targets})
    whole = targets == (WHOLE_ACTION,)
    for pack_index, rule in plan:
        if rule.data is None:
            covered = targets
        elif whole:
            continue
        else:
            covered = tuple(t for t in targets if t in rule.data)
            if not covered:
                continue
        try:
            holds = rule.when.test(facts)
        except Exception as err:  # a broken rule is never skipped: it votes protectively
            _vote_error(trace, rule, pack_index, covered, err)
            continue
        if not holds or _excepted(rule, facts, trace):
            continue
        _vote(trace, rule, pack_index, covered)
    return trace


def _excepted(rule: Rule, facts: Facts, trace: _Trace) -> bool:
    """Whether one of ``rule``'s exceptions holds; records every exception checked."""
    for exception in rule.exceptions:
        try:
            applied = bool(exception.when.test(facts))
        except Exception:
            applied = False  # an exception that cannot be evaluated does not lift a rule
        why = exception.summary if applied else f"`{exception.when.source}` does not hold"
        trace.exceptions.append(
            ExceptionOutcome.model_construct(
                rule=rule.id,
                exception=exception.id,
                citation=exception.citation,
                applied=applied,
                why=why,
            )
        )
        if applied:
            return True
    return False


def _vote(trace: _Trace, rule: Rule, pack_index: int, covered: tuple[str, ...]) -> None:
    if rule.effect == "obligate":
        trace.obligation_rules.append(rule)
        return
    for target in covered:
        effect = "deny" if target in rule.withhold else rule.effect
        trace.votes[target].append(_Vote(RANK[effect], effect, rule, pack_index))
    if rule.effect == "allow_redacted":
        trace.redact.update(rule.redact)


def _vote_error(
    trace: _Trace, rule: Rule, pack_index: int, covered: tuple[str, ...], err: Exception
) -> None:
    effect = "deny" if rule.effect == "deny" else "escalate"
    message = f"condition failed to evaluate ({type(err).__name__}); voted {effect}"
    for target in covered:
        trace.votes[target].append(_Vote(RANK[effect], effect, rule, pack_index, message))


def _winners(votes: list[_Vote]) -> list[_Vote]:
    """The votes that decide one target: the strongest, after a floor has set aside later packs."""
    floors = [v.pack_index for v in votes if v.rule.floor and v.rank <= RANK["allow_redacted"]]
    if floors:
        floor = min(floors)
        votes = [v for v in votes if not (v.pack_index > floor and v.rank > RANK["allow_redacted"])]
    if not votes:
        return []
    top = max(v.rank for v in votes)
    return [v for v in votes if v.rank == top]


def _decision(
    request: Request,
    at: dt.datetime,
    chain: tuple[Pack, ...],
    facts: Facts,
    targets: tuple[str, ...],
    trace: _Trace,
) -> Decision:
    verdicts: dict[str, str] = {}
    reasons: dict[str, Reason] = {}
    for target in targets:
        winners = _winners(trace.votes[target])
        verdicts[target] = winners[0].effect if winners else "deny"
        for vote in winners:
            _add_reason(reasons, vote.rule, vote.effect, target, vote.error)
        if not winners:
            _add_default_reason(reasons, target, facts)
    for rule in trace.obligation_rules:
        _add_reason(reasons, rule, "obligate", None, None)

    outcome, allowed, withheld = _combine(verdicts, bool(trace.redact))
    obligations = _obligations(reasons, trace, chain, outcome)
    return Decision.model_construct(
        request_id=request.id or f"req-{uuid.uuid4()}",
        decision=outcome,
        allowed_data=[] if targets == (WHOLE_ACTION,) else allowed,
        withheld_data=[] if targets == (WHOLE_ACTION,) else withheld,
        obligations=obligations,
        reasons=list(reasons.values()),
        exceptions=trace.exceptions,
        purpose_assessment=_purpose(facts),
        packs=[PackRef.model_construct(id=p.id, version=p.version) for p in chain],
        at=at,
        ledger=None,
    )


def _combine(verdicts: dict[str, str], redact: bool) -> tuple[str, list[str], list[str]]:
    values = set(verdicts.values())
    if "escalate" in values:
        return "escalate", [], sorted(verdicts)
    allowed = sorted(t for t, v in verdicts.items() if v in ("allow", "allow_redacted"))
    withheld = sorted(t for t, v in verdicts.items() if v == "deny")
    if not allowed:
        return "deny", [], withheld
    if withheld or redact or "allow_redacted" in values:
        return "allow_redacted", allowed, withheld
    return "allow", allowed, withheld


def _add_reason(
    reasons: dict[str, Reason], rule: Rule, effect: str, target: str | None, error: str | None
) -> None:
    key = f"{rule.id}|{effect}"
    existing = reasons.get(key)
    if existing is not None:
        if target and target != WHOLE_ACTION and existing.data is not None:
            existing.data.append(target)
        return
    reasons[key] = Reason.model_construct(
        rule=rule.id,
        citation=rule.citation,
        effect=effect,
        summary=rule.summary,
        pack=f"{rule.pack}",
        status=rule.status,
        data=[target] if target and target != WHOLE_ACTION else None,
        error=error,
    )


def _add_default_reason(reasons: dict[str, Reason], target: str, facts: Facts) -> None:
    summary = (
        "No provision permits this for an immigration-enforcement purpose, so nothing is shared."
        if facts.immigration_enforcement
        else "No provision in force permits this; Sanctuary shares only on a positive allow."
    )
    reasons.setdefault(
        DEFAULT_RULE,
        Reason.model_construct(
            rule=DEFAULT_RULE,
            citation="Sanctuary default: deny unless a provision allows (docs/packs.md, step 6)",
            effect="deny",
            summary=summary,
            pack="sanctuary",
            status="verified",
            data=[] if target != WHOLE_ACTION else None,
            error=None,
        ),
    )
    reason = reasons[DEFAULT_RULE]
    if target != WHOLE_ACTION and reason.data is not None:
        reason.data.append(target)


def _obligations(
    reasons: dict[str, Reason], trace: _Trace, chain: tuple[Pack, ...], outcome: str
) -> list[Obligation]:
    by_id = {rule.id: rule for pack in chain for rule in pack.rules}
    seen: set[tuple[Any, ...]] = set()
    result: list[Obligation] = []

    def add(spec: dict[str, Any]) -> None:
        key = (spec["type"], spec.get("to"), tuple(spec.get("categories") or ()))
        if key not in seen:
            seen.add(key)
            result.append(
                Obligation.model_construct(**{"to": None, "categories": None, "note": None, **spec})
            )

    for reason in reasons.values():
        rule = by_id.get(reason.rule)
        if rule is not None:
            for spec in rule.obligations:
                add(spec)
    if outcome == "allow_redacted" and trace.redact:
        add({"type": "redact", "categories": sorted(trace.redact)})
    if outcome == "escalate":
        add({"type": "counsel_review"})
    return result


def _purpose(facts: Facts) -> PurposeAssessment:
    assessment = facts.evidence
    return PurposeAssessment.model_construct(
        declared=facts.purpose__declared,
        assessed=assessment.category,
        governing=facts.purpose__category,
        score=assessment.score,
        evidence=[
            Evidence.model_construct(text=s.text, start=s.start, end=s.end, signal=s.signal)
            for s in assessment.evidence
        ],
    )
