"""Findings: which rows of an audit the jurisdiction's pack finds, and why — SQL and Python twins.

A finding is not a verdict of its own: it is a **trigger** (what the row shows: an immigration
purpose, a federal searcher, no reason…) *and* a rule of the audited jurisdiction's chain that
applies to the row and makes it unlawful. The chain's rules for the audit's one target
(``system_access`` to ``alpr_reads`` by ``law_enforcement``) are compiled to SQL
(``sanctuary.policy.sql``); a finding names the first of its **candidate** rules that voted:

- for the immigration and agency findings: the deny/escalate rules whose condition reads one of
  the finding's key facts (a federal floor ``allow`` from an outer pack sets later votes aside, as
  in single decisions);
- for ``missing_reason``: the rules that applied and oblige a ``record`` (the access log must
  state the purpose: Civ. Code 1798.90.52), obligate rules first;
- for ``missing_case_number``: the deny/escalate rules that read ``context.has_case_number``.

So a jurisdiction whose pack has no such rule produces no such finding (under ``us-ca`` no rule
requires a case number for plate-reader searches, so ``missing_case_number`` never fires there).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sanctuary.audit.mapping import ACTION, DATA, RESPONDER, PurposeInfo
from sanctuary.policy.facts import Facts
from sanctuary.policy.load import Pack, Rule
from sanctuary.policy.sql import fact_column, render, rule_applies, rules_for

__all__ = [
    "FINDINGS",
    "FindingSpec",
    "Plan",
    "finding_rows_py",
    "findings_sql",
    "plan_for",
    "votes_sql",
]

Row = dict[str, Any]
Py = Callable[[Facts, Row, PurposeInfo], Any]

IMM_KEYS = frozenset(
    {"immigration_enforcement", "purpose.immigration", "purpose.category", "purpose.assessed",
     "purpose.declared"}
)  # fmt: skip
AUTH_KEYS = frozenset(
    {"immigration_agency_involved", "immigration_enforcement", "on_behalf_of.kind",
     "on_behalf_of.present", "requester.kind"}
)  # fmt: skip
REQ_KEYS = frozenset(
    {"requester.public_agency_in_state", "requester.in_state", "requester.federal",
     "requester.kind", "requester.state"}
)  # fmt: skip
VOTES = frozenset({"deny", "escalate"})
# A stable id: the same finding of the same source row has the same id in every run and engine.
FINDING_ID_SQL = (
    "'f-' || substr(md5(concat_ws(chr(31), file, coalesce(sheet, ''), "
    "CAST(src_row AS VARCHAR), src, finding)), 1, 16)"
)


def finding_id(file: str, sheet: str | None, row: int, src: str, finding: str) -> str:
    """The Python twin of ``FINDING_ID_SQL``."""
    key = "\x1f".join([file, sheet or "", str(row), src, finding])
    return "f-" + hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass(frozen=True)
class FindingSpec:
    name: str
    srcs: tuple[str, ...]
    keys: frozenset[str]  # facts whose rules the finding is attributed to; empty: `record` rules
    trigger_sql: str
    trigger_py: Py
    evidence_sql: str
    evidence_py: Py
    confidence_sql: str
    confidence_py: Py


def _f(fact: str) -> str:
    return fact_column(fact)


def _declared_governs(f: Facts) -> bool:
    return f.purpose__declared is not None and f.purpose__declared == f.purpose__category


_DECLARED_SQL = f"({_f('purpose.declared')} IS NOT NULL AND {_f('purpose.declared')} = {_f('purpose.category')})"  # noqa: E501
_FED_ORG_SQL = "(NOT own AND org_kind = 'federal_immigration')"
_OUT_SQL = f"(org_state IS NOT NULL AND NOT {_f('requester.in_state')})"


def _fed_org(r: Row) -> bool:
    return not r["own"] and r["org_kind"] == "federal_immigration"


def _missing_evidence(row: Row, p: PurposeInfo) -> str:
    if row["reason_redacted"]:
        return "reason redacted in the release (***)"
    return "no reason given" if p.empty else "placeholder: " + row["reason_key"]


def _partner_evidence(f: Facts, row: Row) -> str:
    org = row["org"] or ""
    if f.requester__federal or row["org_kind"] in ("private", "foreign"):
        return f"partner: {org} ({row['org_kind']})"
    return f"partner: {org} (state {row['org_state']})"


FINDINGS: tuple[FindingSpec, ...] = (
    FindingSpec(
        "immigration_purpose", ("access",), IMM_KEYS,
        _f("purpose.immigration"), lambda f, r, p: f.purpose__immigration,
        f"CASE WHEN {_DECLARED_SQL} THEN 'dropdown: ' || offense_category "
        "ELSE 'reason: ' || reason_key END",
        lambda f, r, p: ("dropdown: " + r["offense_category"]) if _declared_governs(f)
        else "reason: " + r["reason_key"],
        f"CASE WHEN {_DECLARED_SQL} THEN 0.95 WHEN {_f('purpose.category')} = "
        "'civil_immigration_enforcement' THEN 0.85 ELSE 0.8 END",
        lambda f, r, p: 0.95 if _declared_governs(f)
        else 0.85 if f.purpose__category == "civil_immigration_enforcement" else 0.8,
    ),
    FindingSpec(
        "immigration_authority", ("access",), AUTH_KEYS,
        _f("immigration_agency_involved"), lambda f, r, p: f.immigration_agency_involved,
        f"CASE WHEN {_FED_ORG_SQL} THEN 'org: ' || org ELSE 'reason: ' || reason_key END",
        lambda f, r, p: ("org: " + r["org"]) if _fed_org(r) else "reason: " + r["reason_key"],
        f"CASE WHEN {_FED_ORG_SQL} THEN 0.95 ELSE 0.8 END",
        lambda f, r, p: 0.95 if _fed_org(r) else 0.8,
    ),
    FindingSpec(
        "federal_agency", ("access",), REQ_KEYS,
        _f("requester.federal"), lambda f, r, p: f.requester__federal,
        "'org: ' || coalesce(org, '') || ' (' || org_kind || ')'",
        lambda f, r, p: f"org: {r['org'] or ''} ({r['org_kind']})",
        "0.9", lambda f, r, p: 0.9,
    ),
    FindingSpec(
        "out_of_state_agency", ("access",), REQ_KEYS,
        f"(NOT own AND NOT {_f('requester.federal')} AND {_OUT_SQL})",
        lambda f, r, p: not r["own"] and not f.requester__federal and r["org_state"] is not None
        and not f.requester__in_state,
        "'org: ' || coalesce(org, '') || ' (state ' || org_state || ')'",
        lambda f, r, p: f"org: {r['org'] or ''} (state {r['org_state']})",
        "0.85", lambda f, r, p: 0.85,
    ),
    FindingSpec(
        "missing_reason", ("access",), frozenset(),
        "(p_empty OR p_placeholder)", lambda f, r, p: p.empty or p.placeholder,
        "CASE WHEN reason_redacted THEN 'reason redacted in the release (***)' "
        "WHEN p_empty THEN 'no reason given' ELSE 'placeholder: ' || reason_key END",
        lambda f, r, p: _missing_evidence(r, p),
        "CASE WHEN reason_redacted THEN 0.5 WHEN p_empty THEN 1.0 ELSE 0.9 END",
        lambda f, r, p: 0.5 if r["reason_redacted"] else 1.0 if p.empty else 0.9,
    ),
    FindingSpec(
        "missing_case_number", ("access",), frozenset({"context.has_case_number"}),
        f"NOT {_f('context.has_case_number')}", lambda f, r, p: not f.context__has_case_number,
        "'no case number'", lambda f, r, p: "no case number",
        "1.0", lambda f, r, p: 1.0,
    ),
    FindingSpec(
        "immigration_hotlist", ("hotlist",), IMM_KEYS | AUTH_KEYS,
        f"({_f('purpose.immigration')} OR {_f('immigration_agency_involved')})",
        lambda f, r, p: f.purpose__immigration or f.immigration_agency_involved,
        "'hotlist: ' || reason_key", lambda f, r, p: "hotlist: " + r["reason_key"],
        "0.85", lambda f, r, p: 0.85,
    ),
    FindingSpec(
        "unlawful_sharing_partner", ("sharing",), REQ_KEYS,
        f"(NOT own AND ({_f('requester.federal')} OR org_kind IN ('private', 'foreign') "
        f"OR {_OUT_SQL}))",
        lambda f, r, p: not r["own"] and (f.requester__federal or r["org_kind"] in
        ("private", "foreign") or (r["org_state"] is not None and not f.requester__in_state)),
        f"CASE WHEN {_f('requester.federal')} OR org_kind IN ('private', 'foreign') THEN "
        "'partner: ' || coalesce(org, '') || ' (' || org_kind || ')' ELSE "
        "'partner: ' || coalesce(org, '') || ' (state ' || org_state || ')' END",
        lambda f, r, p: _partner_evidence(f, r),
        "0.9", lambda f, r, p: 0.9,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """The chain's rules for the audit target, and each finding's candidate rules (indices)."""

    rules: tuple[tuple[int, Pack, Rule], ...]
    candidates: dict[str, tuple[int, ...]]
    floor_before: dict[int, tuple[int, ...]]  # vote index -> floor allows of outer packs

    def rule(self, k: int) -> Rule:
        return self.rules[k][2]


def _reads(rule: Rule) -> frozenset[str]:
    facts = set(rule.when.facts)
    for exception in rule.exceptions:
        facts |= exception.when.facts
    return frozenset(facts)


def plan_for(chain: tuple[Pack, ...]) -> Plan:
    rules = tuple(rules_for(chain, ACTION, DATA, RESPONDER))
    candidates: dict[str, tuple[int, ...]] = {}
    for spec in FINDINGS:
        if spec.keys:
            picks = [
                k
                for k, (_, _, r) in enumerate(rules)
                if r.effect in VOTES and _reads(r) & spec.keys
            ]
        else:
            recording = [k for k, (_, _, r) in enumerate(rules)
                         if any(o.get("type") == "record" for o in r.obligations)]  # fmt: skip
            picks = sorted(recording, key=lambda k: (rules[k][2].effect != "obligate", k))
        candidates[spec.name] = tuple(picks)
    floors = [k for k, (_, _, r) in enumerate(rules) if r.floor and r.effect == "allow"]
    floor_before = {
        k: tuple(j for j in floors if rules[j][0] < rules[k][0])
        for k, (_, _, r) in enumerate(rules)
        if r.effect in VOTES
    }
    return Plan(rules, candidates, floor_before)


def _vote_sql(plan: Plan, k: int) -> str:
    if k not in plan.floor_before or not plan.floor_before[k]:
        return f"r_{k}"
    return f"(r_{k} AND NOT ({' OR '.join(f'r_{j}' for j in plan.floor_before[k])}))"


def _active(plan: Plan) -> list[FindingSpec]:
    return [spec for spec in FINDINGS if plan.candidates[spec.name]]


def votes_sql(plan: Plan, source: str, dialect: str = "duckdb") -> str:
    """SQL over the facts relation ``source``: the rows some finding may hold for (a trigger
    holds), with one ``r_<k>`` column per rule (it applies). ``findings_sql`` reads it once."""
    applies = ", ".join(
        f"{render(rule_applies(r, p), dialect)} AS r_{k}" for k, (_, p, r) in enumerate(plan.rules)
    )
    triggers = [
        f"(src IN ({', '.join(repr(s) for s in spec.srcs)}) AND {spec.trigger_sql})"
        for spec in _active(plan)
    ]
    return (
        f"SELECT {', '.join(_carried(plan))}, {applies or 'FALSE AS r_none'} FROM {source} "
        f"WHERE {' OR '.join(triggers) or 'FALSE'}"
    )


BASE_COLUMNS = ("src", "file", "sheet", "src_row", "event_id", "time_us", "org", "org_kind",
                "org_state", "own", "reason", "reason_key", "offense_category",
                "reason_redacted", "p_empty", "p_placeholder")  # fmt: skip


def _carried(plan: Plan) -> list[str]:
    """The columns ``findings_sql`` reads: the base ones and the facts the specs name (the
    candidate rows can be millions: a narrow relation keeps them cheap to carry)."""
    text = " ".join(s.trigger_sql + s.evidence_sql + s.confidence_sql for s in _active(plan))
    facts = sorted(set(re.findall(r"\bf_[a-z_]+\b", text)))
    return [*BASE_COLUMNS, *facts]


def _by_kind(specs: list[FindingSpec], part: Callable[[FindingSpec], str]) -> str:
    """``CASE kind WHEN 0 THEN <part of the first spec> ...``: one expression for every kind."""
    return "CASE kind " + " ".join(f"WHEN {i} THEN {part(s)}" for i, s in enumerate(specs)) + " END"


def findings_sql(plan: Plan, votes: str = "votes") -> str:
    """SQL over the relation ``votes`` (``votes_sql``): one row per finding.

    One pass: each candidate row meets the small ``kinds`` relation (one row per finding kind
    and source it applies to) and keeps the pairs whose trigger holds. A UNION ALL of one SELECT
    per kind would read ``votes`` once per kind, so ``votes`` (millions of rows) would have to be
    materialised first; this way the engine streams it. A row's findings come out in kind order.
    """
    specs = _active(plan)
    if not specs:
        return (
            "SELECT src, file, sheet, src_row, event_id, time_us, org, org_kind, org_state, "
            "reason, '' AS finding, CAST(NULL AS VARCHAR) AS rule, '' AS evidence, "
            f"CAST(0 AS DOUBLE) AS confidence, '' AS finding_id FROM {votes} WHERE FALSE"
        )
    kinds = ", ".join(
        f"({i}, '{spec.name}', '{src}')" for i, spec in enumerate(specs) for src in spec.srcs
    )
    rule = _by_kind(
        specs,
        lambda spec: (
            "CASE "
            + " ".join(
                f"WHEN {_vote_sql(plan, k)} THEN '{plan.rule(k).id}'"
                for k in plan.candidates[spec.name]
            )
            + " END"
        ),
    )
    evidence = _by_kind(specs, lambda spec: spec.evidence_sql)
    confidence = _by_kind(specs, lambda spec: f"CAST({spec.confidence_sql} AS DOUBLE)")
    found = (
        "SELECT v.src, file, sheet, src_row, event_id, time_us, org, org_kind, org_state, "
        f"reason, finding, {rule} AS rule, {evidence} AS evidence, {confidence} AS confidence "
        f"FROM {votes} v JOIN (VALUES {kinds}) AS kinds(kind, finding, kind_src) "
        f"ON v.src = kinds.kind_src WHERE {_by_kind(specs, lambda spec: spec.trigger_sql)}"
    )
    return f"SELECT *, {FINDING_ID_SQL} AS finding_id FROM ({found}) found WHERE rule IS NOT NULL"


def _applies_py(rule: Rule, pack: Pack, f: Facts, time_us: int) -> bool:
    import datetime as dt

    day = dt.datetime.fromtimestamp(time_us / 1e6, dt.UTC).astimezone(pack.timezone).date()
    if not rule.in_force(day) or not rule.when.test(f):
        return False
    return not any(e.when.test(f) for e in rule.exceptions)


def finding_rows_py(plan: Plan, f: Facts, row: Row, p: PurposeInfo) -> list[Row]:
    """The Python twin of ``findings_sql`` for one row: its findings, without provenance."""
    applied = [_applies_py(r, pack, f, row["time_us"]) for _, pack, r in plan.rules]

    def voted(k: int) -> bool:
        return applied[k] and not any(applied[j] for j in plan.floor_before.get(k, ()))

    out = []
    for spec in FINDINGS:
        if row["src"] not in spec.srcs or not spec.trigger_py(f, row, p):
            continue
        rule = next((plan.rule(k).id for k in plan.candidates[spec.name] if voted(k)), None)
        if rule is None:
            continue
        out.append({"finding": spec.name, "rule": rule, "evidence": spec.evidence_py(f, row, p),
                    "confidence": float(spec.confidence_py(f, row, p))})  # fmt: skip
    return out
