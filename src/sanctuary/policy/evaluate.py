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
import functools
import uuid
from collections.abc import Callable, Iterable
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
    construct,
)
from sanctuary.policy.facts import ALWAYS, Facts, derive, group_of
from sanctuary.policy.load import Pack, Rule, RuleException

_set = object.__setattr__
RANK = {"allow": 1, "allow_redacted": 2, "escalate": 3, "deny": 4}
DATA_ACTIONS = frozenset({"disclose_information", "system_access", "notify_release"})
WHOLE_ACTION = "*"  # the target of a request that names no data
DEFAULT_RULE = "default.no_permitting_rule"
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_EXACT = -1  # in _Chain.days: a boundary is near this day, compute the interval exactly
# Every field is set on every decision, so all decisions share one (never mutated) fields-set:
# a set of eleven names is a 1.2 kB allocation, more than the rest of a memoised decision.
# pydantic copies it before changing it (model_copy), and frozen models cannot be assigned to.
_DECISION_FIELDS = set(Decision.model_fields)


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


@dataclass(frozen=True, eq=False)
class _Chain:
    packs: tuple[Pack, ...]
    home_state: str | None
    bounds: list[float]  # instants at which the law in force changes, sorted
    refs: tuple[PackRef, ...]
    # The interval of every instant of a (wall-clock) day, by the day's ordinal, for days with no
    # boundary near them (``interval``); filled as days are asked about.
    days: dict[int, int] = field(default_factory=dict)

    def interval(self, at: dt.datetime) -> int:
        """The position of ``at`` among the boundaries (how many are at or before it).

        ``timestamp()`` of an aware datetime costs a call to its tzinfo, a tenth of a decision,
        so most days are answered from the wall-clock date alone: a UTC offset is less than a
        day, so every instant whose wall clock reads day ``d`` lies strictly between the starts
        of days d-1 and d+2 (UTC). When no boundary lies in between, they all share one
        interval. The rare day near a boundary is computed exactly, every time."""
        day = at.toordinal()
        interval = self.days.get(day)
        if interval is None:
            start = (day - _EPOCH_ORDINAL - 1) * 86_400
            interval = bisect.bisect_right(self.bounds, start)
            near = interval < len(self.bounds) and self.bounds[interval] < start + 3 * 86_400
            if near:
                interval = _EXACT
            if len(self.days) < 100_000:  # bounded: one entry per calendar day asked about
                self.days[day] = interval
        if interval == _EXACT:
            return bisect.bisect_right(self.bounds, at.timestamp())
        return interval


PlanKey = tuple[_Chain, int, str, str]  # chain, law-in-force interval, action, responder kind


@dataclass(frozen=True, eq=False)
class _Plan:
    rules: tuple[tuple[int, Rule], ...]  # (position of the rule's pack in the chain, rule)
    groups: frozenset[str]  # the fact groups to derive for these rules (and their exceptions)
    # The memo key of a request under this plan (``_key_function``); set once the plan is made.
    key: Callable[[Request, dt.datetime], tuple[Any, ...]] = field(init=False, repr=False)


@dataclass(frozen=True, slots=True)
class _Outcome:
    decision: str
    allowed: tuple[str, ...]
    withheld: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    reasons: tuple[Reason, ...]
    exceptions: tuple[ExceptionOutcome, ...]


class Engine:
    """Decides requests under a set of packs.

    A decision's verdict and explanation are a pure function of (plan, targets, which of the
    plan's conditions and exceptions held), so they are assembled once per such signature and
    shared; and since facts are a pure function of a few request fields (``_key_function``), a
    request like one already decided skips derivation and evaluation too.
    ``memo=False`` turns both off (the cold path; a differential test keeps the two paths
    equal). Caches are bounded; the engine is safe to share between threads.
    """

    MEMO_LIMIT = 200_000

    def __init__(self, packs: dict[str, Pack], *, memo: bool = True) -> None:
        self.packs = packs
        self.memo = memo
        self._chains: dict[str, _Chain] = {}
        self._plans: dict[PlanKey, _Plan] = {}
        self._outcomes: dict[tuple[Any, ...], _Outcome] = {}
        self._requests: dict[tuple[Any, ...], tuple[_Outcome, PurposeAssessment]] = {}
        self._parts = _Parts()

    # -- the chain and the law in force -------------------------------------------------------
    def chain(self, jurisdiction: str) -> tuple[Pack, ...]:
        """The packs that govern ``jurisdiction``, outermost first (``us``, ``us-ca``, …)."""
        return self._chain(jurisdiction).packs

    def _chain(self, jurisdiction: str) -> _Chain:
        cached = self._chains.get(jurisdiction)
        if cached is not None:
            return cached
        state, _, rest = jurisdiction.partition("/")
        country = state.split("-")[0]
        prefixes = [country] + ([state] if state != country else [])
        path = state
        for part in rest.split("/") if rest else []:
            path = f"{path}/{part}"
            prefixes.append(path)
        packs = tuple(self.packs[p] for p in prefixes if p in self.packs)
        if not packs:
            raise JurisdictionError(
                f"no policy pack governs `{jurisdiction}`",
                help=f"packs loaded: {', '.join(sorted(self.packs))}",
                location="jurisdiction",
            )
        bounds = sorted(set().union(*(p.boundaries() for p in packs)))
        home = state.split("-")[1].upper() if "-" in state else None
        refs = tuple(construct(PackRef, id=p.id, version=p.version) for p in packs)
        chain = self._chains[jurisdiction] = _Chain(packs, home, bounds, refs)
        return chain

    def _plan_key(self, request: Request, at: dt.datetime) -> PlanKey:
        """What selects a plan: the chain, the law-in-force interval of ``at`` (between two
        boundaries the rules in force cannot change, so it stands for ``at``), the action and the
        responder kind."""
        chain = self._chains.get(request.jurisdiction) or self._chain(request.jurisdiction)
        return (chain, chain.interval(at), request.action, request.responder.kind)

    def _new_plan(self, key: PlanKey, at: dt.datetime) -> _Plan:
        """Select, once, the rules of the chain in force at ``at`` that can apply to the key's
        action and responder, and cache them under ``key`` (``_plan_key``)."""
        chain, _, action, responder = key
        rules = tuple(
            (i, rule)
            for i, pack in enumerate(chain.packs)
            for rule in pack.rules
            if rule.in_force(at.astimezone(pack.timezone).date())
            and (rule.actions is None or action in rule.actions)
            and (rule.responders is None or responder in rule.responders)
        )
        reads = {"immigration_enforcement", "purpose.category"}
        for _, rule in rules:
            reads.update(rule.when.facts)
            for exception in rule.exceptions:
                reads.update(exception.when.facts)
        groups = frozenset(ALWAYS | {group_of(f) for f in reads})
        plan = self._plans[key] = _Plan(rules, groups)
        object.__setattr__(plan, "key", _key_function(plan))
        return plan

    # -- deciding -----------------------------------------------------------------------------
    def decide(self, request: Request, at: dt.datetime | None = None) -> Decision:
        """Decide ``request`` under the law in force at ``at`` (default: its time, else now)."""
        when = at or request.time or dt.datetime.now(dt.UTC)
        if request.action in DATA_ACTIONS and not request.data:
            raise RequestError(
                f"`{request.action}` asks for data: name the categories in `data`", location="data"
            )
        plan_key = self._plan_key(request, when)
        plan = self._plans.get(plan_key) or self._new_plan(plan_key, when)
        chain = plan_key[0]
        key = plan.key(request, when) if self.memo else None
        known = self._requests.get(key) if key is not None else None
        if known is None:
            facts = derive(request, when, chain.home_state, plan.groups)
            targets = tuple(sorted(set(request.data))) or (WHOLE_ACTION,)
            known = (self._outcome(plan, facts, targets), self._parts.purpose(facts))
            if key is not None:
                if len(self._requests) >= self.MEMO_LIMIT:
                    self._requests.clear()
                self._requests[key] = known
        outcome, purpose = known
        # What `model.construct` does, inlined: this is the hot path of every decision.
        decision = Decision.__new__(Decision)
        values = {
            "request_id": request.id or f"req-{uuid.uuid4()}",
            "decision": outcome.decision,
            # Shared, not copied: the tuples and the parts in them are immutable.
            "allowed_data": outcome.allowed,
            "withheld_data": outcome.withheld,
            "obligations": outcome.obligations,
            "reasons": outcome.reasons,
            "exceptions": outcome.exceptions,
            "purpose_assessment": purpose,
            "packs": chain.refs,
            "at": when,
            "ledger": None,
        }
        _set(decision, "__dict__", values)
        _set(decision, "__pydantic_fields_set__", _DECISION_FIELDS)
        _set(decision, "__pydantic_extra__", None)
        _set(decision, "__pydantic_private__", None)
        return decision

    def _outcome(self, plan: _Plan, facts: Facts, targets: tuple[str, ...]) -> _Outcome:
        signature = _evaluate_conditions(plan.rules, facts, targets)
        key = (plan, targets, signature, facts.immigration_enforcement)
        outcome = self._outcomes.get(key) if self.memo else None
        if outcome is None:
            trace = _trace(plan.rules, targets, signature)
            outcome = _assemble(self._parts, facts, targets, trace)
            if self.memo:
                if len(self._outcomes) >= self.MEMO_LIMIT:
                    self._outcomes.clear()
                self._outcomes[key] = outcome
        return outcome

    def decide_many(
        self, requests: Iterable[Request], at: dt.datetime | None = None
    ) -> list[Decision]:
        return [self.decide(r, at) for r in requests]


def _key_function(plan: _Plan) -> Callable[[Request, dt.datetime], Any]:
    """The memo key of a request under ``plan``: the plan, and every request field that the fact
    groups the plan derives are derived from. The plan stands for the jurisdiction, the
    law-in-force interval, the action and the responder kind; time counts only through the
    subject group (the TRUST look-back windows count from the day of ``at``, when convictions are
    given). Fields of groups the plan never derives are left out, so requests that differ only
    there share a decision.

    Anything that ``facts.derive`` reads for these groups must be here: ``test_policy_memo.py``
    checks, on random requests, that memoised and cold decisions are the same."""
    groups = plan.groups
    process, subject, context = "process" in groups, "subject" in groups, "context" in groups

    # One flat function, no calls: the key is computed on every decision, and a Python call
    # costs as much as building a small tuple.
    def key(request: Request, at: dt.datetime) -> tuple[Any, ...]:
        requester = request.requester
        agreements, members, data = requester.agreements, requester.members, request.data
        lp = request.legal_process if process else None
        cx = request.context if context else None
        sj = request.subject if subject else None
        if sj is not None:
            consent, convictions = sj.consent, sj.convictions
            subject_key: tuple[Any, ...] | None = (
                sj.in_custody,
                sj.victim_or_witness,
                None if consent is None else (consent.to, consent.written),
                sj.sex_offender_registrant,
                tuple(
                    [
                        (c.code, c.class_, c.date, c.held_to_answer, c.prop47_reduced)
                        for c in convictions
                    ]
                )
                if convictions
                else (),
                at.date() if convictions else None,
            )
        else:
            subject_key = None
        return (
            plan, tuple(data) if data else (),
            requester.agency, requester.state, requester.on_behalf_of,
            tuple(agreements) if agreements else (), tuple(members) if members else (),
            request.purpose, request.purpose_category,
            None if lp is None else (lp.type, lp.form, lp.signed_by_judge, lp.names_subject),
            None if cx is None else (
                cx.information_publicly_available, cx.exigent_circumstances,
                cx.recipient_attests_no_immigration_use, cx.discovered_during_unrelated_activity,
                # facts read only whether there is a case number: each case is new
                bool(cx.case_number and cx.case_number.strip()),
            ),
            subject_key,
        )  # fmt: skip

    return key


# What evaluating one rule's condition and exceptions came to (an entry of a signature):
NOT_APPLICABLE = -1  # the rule covers none of the targets, or its condition does not hold
# an int k >= 0: the condition holds and exceptions 0..k were checked; exception k applied,
#   or, if k equals the number of exceptions, none applied and the rule votes;
# a str: the condition raised this type of error (the rule votes protectively).
Signature = tuple[int | str, ...]


def _evaluate_conditions(
    plan: tuple[tuple[int, Rule], ...], facts: Facts, targets: tuple[str, ...]
) -> Signature:
    """Evaluate the plan's conditions and exceptions on ``facts``: one entry per rule.

    This is the only place conditions run. Everything else in a decision (votes, verdicts,
    reasons, obligations) follows from the signature and the targets (``_trace``), without facts.
    """
    whole = targets == (WHOLE_ACTION,)
    signature: list[int | str] = []
    for _, rule in plan:
        if rule.data is not None and (whole or rule.data.isdisjoint(targets)):
            signature.append(NOT_APPLICABLE)
            continue
        try:
            holds = rule.when.test(facts)
        except Exception as err:  # a broken rule is never skipped: it votes protectively
            signature.append(type(err).__name__)
            continue
        signature.append(_first_exception(rule, facts) if holds else NOT_APPLICABLE)
    return tuple(signature)


def _first_exception(rule: Rule, facts: Facts) -> int:
    """The position of the first of ``rule``'s exceptions that holds, or their number if none."""
    for position, exception in enumerate(rule.exceptions):
        try:
            if exception.when.test(facts):
                return position
        except Exception:  # an exception that cannot be evaluated does not lift a rule
            continue
    return len(rule.exceptions)


def _trace(
    plan: tuple[tuple[int, Rule], ...], targets: tuple[str, ...], signature: Signature
) -> _Trace:
    """The votes, exception outcomes and obligations that a signature stands for."""
    trace = _Trace(votes={t: [] for t in targets})
    for (pack_index, rule), entry in zip(plan, signature, strict=True):
        if entry == NOT_APPLICABLE:
            continue
        covered = targets if rule.data is None else tuple(t for t in targets if t in rule.data)
        if isinstance(entry, str):
            _vote_error(trace, rule, pack_index, covered, entry)
            continue
        for position in range(min(entry + 1, len(rule.exceptions))):
            applied = position == entry
            trace.exceptions.append(_exception_outcome(rule, rule.exceptions[position], applied))
        if entry == len(rule.exceptions):
            _vote(trace, rule, pack_index, covered)
    return trace


def _evaluate(plan: tuple[tuple[int, Rule], ...], facts: Facts, targets: tuple[str, ...]) -> _Trace:
    """The trace of evaluating ``plan`` on ``facts`` (for tools that inspect the votes)."""
    return _trace(plan, targets, _evaluate_conditions(plan, facts, targets))


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
    trace: _Trace, rule: Rule, pack_index: int, covered: tuple[str, ...], error: str
) -> None:
    effect = "deny" if rule.effect == "deny" else "escalate"
    message = f"condition failed to evaluate ({error}); voted {effect}"
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


class _Parts:
    """The immutable pieces decisions are assembled from, built once and shared.

    Reasons, exception outcomes, obligations and purpose assessments repeat across decisions; they
    are frozen models, so each distinct one is constructed once per engine. Caches are bounded.
    """

    LIMIT = 200_000

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], Any] = {}

    def get(self, key: tuple[Any, ...], build: Any) -> Any:
        value = self.cache.get(key)
        if value is None:
            if len(self.cache) >= self.LIMIT:
                self.cache.clear()
            value = self.cache[key] = build()
        return value

    def reason(self, rule: Rule, effect: str, data: tuple[str, ...], error: str | None) -> Reason:
        def build() -> Reason:
            return construct(
                Reason,
                rule=rule.id,
                citation=rule.citation,
                effect=effect,
                summary=rule.summary,
                pack=rule.pack,
                status=rule.status,
                data=list(data) if data else None,
                error=error,
            )

        return self.get(("reason", rule.id, effect, data, error), build)

    def default_reason(self, data: tuple[str, ...], immigration: bool) -> Reason:
        summary = (
            "No provision permits this for an immigration-enforcement purpose: nothing is shared."
            if immigration
            else "No provision in force permits this; Sanctuary shares only on a positive allow."
        )

        def build() -> Reason:
            return construct(
                Reason,
                rule=DEFAULT_RULE,
                citation="Sanctuary default: deny unless a provision allows (docs/packs.md step 6)",
                effect="deny",
                summary=summary,
                pack="sanctuary",
                status="verified",
                data=list(data) if data else None,
                error=None,
            )

        return self.get(("default", data, immigration), build)

    def obligation(self, spec: tuple[tuple[str, Any], ...]) -> Obligation:
        def build() -> Obligation:
            values: dict[str, Any] = {"to": None, "categories": None, "note": None}
            values.update((k, list(v) if isinstance(v, tuple) else v) for k, v in spec)
            return construct(Obligation, **values)

        return self.get(("obligation", spec), build)

    def purpose(self, facts: Facts) -> PurposeAssessment:
        assessment = facts.evidence

        def build() -> PurposeAssessment:
            return construct(
                PurposeAssessment,
                declared=facts.purpose__declared,
                assessed=assessment.category,
                governing=facts.purpose__category,
                score=assessment.score,
                evidence=[
                    construct(Evidence, text=s.text, start=s.start, end=s.end, signal=s.signal)
                    for s in assessment.evidence
                ],
            )

        key = ("purpose", facts.purpose__declared, facts.purpose__category, assessment)
        return self.get(key, build)


@functools.cache
def _exception_outcome(rule: Rule, exception: RuleException, applied: bool) -> ExceptionOutcome:
    """One outcome per (exception, applied): they are immutable and shared between decisions."""
    why = exception.summary if applied else f"`{exception.when.source}` does not hold"
    return construct(
        ExceptionOutcome,
        rule=rule.id,
        exception=exception.id,
        citation=exception.citation,
        applied=applied,
        why=why,
    )


def _assemble(parts: _Parts, facts: Facts, targets: tuple[str, ...], trace: _Trace) -> _Outcome:
    """The decision's verdict and explanation, from the votes of one evaluation."""
    whole = targets == (WHOLE_ACTION,)
    verdicts: dict[str, str] = {}
    deciding: dict[tuple[Rule, str, str | None], list[str]] = {}
    undecided: list[str] = []
    for target in targets:
        winners = _winners(trace.votes[target])
        verdicts[target] = winners[0].effect if winners else "deny"
        for vote in winners:
            deciding.setdefault((vote.rule, vote.effect, vote.error), []).append(target)
        if not winners:
            undecided.append(target)
    reasons = [
        parts.reason(rule, effect, () if whole else tuple(data), error)
        for (rule, effect, error), data in deciding.items()
    ]
    if undecided:
        data = () if whole else tuple(undecided)
        reasons.append(parts.default_reason(data, facts.immigration_enforcement))
    obligation_rules = [rule for rule, _, _ in deciding] + trace.obligation_rules
    reasons.extend(parts.reason(rule, "obligate", (), None) for rule in trace.obligation_rules)
    outcome, allowed, withheld = _combine(verdicts, bool(trace.redact))
    return _Outcome(
        decision=outcome,
        allowed=() if whole else tuple(allowed),
        withheld=() if whole else tuple(withheld),
        obligations=tuple(_obligations(parts, obligation_rules, trace, outcome)),
        reasons=tuple(reasons),
        exceptions=tuple(trace.exceptions),
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


def _obligations(parts: _Parts, rules: list[Rule], trace: _Trace, outcome: str) -> list[Obligation]:
    specs = [spec for rule in rules for spec in _obligation_specs(rule)]
    if outcome == "allow_redacted" and trace.redact:
        specs.append((("type", "redact"), ("categories", tuple(sorted(trace.redact)))))
    if outcome == "escalate":
        specs.append((("type", "counsel_review"),))
    unique = dict.fromkeys(specs)  # first occurrence wins, order kept
    return [parts.obligation(spec) for spec in unique]


@functools.cache
def _obligation_specs(rule: Rule) -> tuple[tuple[tuple[str, Any], ...], ...]:
    """``rule``'s obligations as hashable specs (lists become tuples), computed once per rule."""
    return tuple(
        tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in spec.items())
        for spec in rule.obligations
    )
