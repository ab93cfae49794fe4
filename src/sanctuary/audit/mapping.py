"""How an audit row becomes the facts a pack reads — written once for SQL and once for Python.

An audit row is one of three things (``src``): a search in an access log (``access``), a hotlist
change (``hotlist``), or a configured sharing partner (``sharing``). Each is read as a request the
log's owner answered: the owner is the **responder** (``law_enforcement``), the action is
``system_access`` to ``alpr_reads`` (the Attorney General reads network access as sharing), and:

- the **requester** is the searching org. When the log does not name one, or names the owner
  itself (``own``), the requester is the owner: the audit takes the owner to be a public agency
  of the audited jurisdiction (that is what auditing it under that jurisdiction's law means), so
  its own searches are never "out of state". For a sharing partner, the requester is the partner.
- the **purpose** is the reason text assessed by the lexicon; a dropdown category
  ``Immigration (civil/administrative)`` / ``Immigration (criminal)`` is the declared purpose; the
  governing purpose is the more protective of the two (as for single decisions).
- an immigration authority **named in the reason** ("Assist HSI") is the agency the search was
  done for (``on_behalf_of.kind = federal_immigration``), whatever the stated purpose.
- ``context.has_case_number``: a non-blank case number. Legal process, subject and the other
  context facts are not in these logs: none / false. Agreements such as 287(g) are context shown
  in the report, never facts of the verdict (``requester.agreements`` is empty).

The SQL form (``facts_sql``) and the Python form (``facts_py``) must agree; the differential tests
run both (and Spark) on the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanctuary.policy.facts import (
    CATALOGUE,
    IMMIGRATION_PURPOSES,
    NON_IMMIGRATION_PURPOSES,
    PUBLIC_AGENCY_KINDS,
    Facts,
    slot_name,
)
from sanctuary.policy.sql import fact_column
from sanctuary.purpose import PROTECTIVE_ORDER, assess
from sanctuary.purpose.engine import _TOKEN, _fold

__all__ = ["ACTION", "DATA", "DECLARED", "RESPONDER", "PurposeInfo", "facts_py", "facts_sql"]

ACTION, DATA, RESPONDER = "system_access", "alpr_reads", "law_enforcement"
FEDERAL_KINDS = ("federal_immigration", "federal_other")
DECLARED = {
    "Immigration (civil/administrative)": "civil_immigration_enforcement",
    "Immigration (criminal)": "criminal_immigration_enforcement",
}
PLACEHOLDER_SIGNALS = frozenset({"placeholder", "ui_filter"})


def _q(values: Any) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _derived_sql(home: str) -> dict[str, str]:
    """Facts computed from the row (the rest are constants)."""
    h = home.replace("'", "''")
    in_state = f"(own OR coalesce(org_state = '{h}', FALSE))"
    declared = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in DECLARED.items())
    return {
        "action": f"'{ACTION}'",
        "data": f"['{DATA}']",
        "responder.kind": f"'{RESPONDER}'",
        "requester.kind": "org_kind",
        "requester.state": f"CASE WHEN own THEN '{h}' ELSE org_state END",
        "requester.in_state": in_state,
        "requester.federal": f"(NOT own AND org_kind IN ({_q(FEDERAL_KINDS)}))",
        "requester.public_agency_in_state": (
            f"(own OR ({in_state} AND org_kind IN ({_q(sorted(PUBLIC_AGENCY_KINDS))})))"
        ),
        "on_behalf_of.present": "p_agency",
        "on_behalf_of.kind": "CASE WHEN p_agency THEN 'federal_immigration' END",
        "purpose.declared": f"CASE offense_category {declared} END",
        "purpose.assessed": "purpose_category",
        "purpose.empty": "p_empty",
        "legal_process.type": "'none'",
        "context.has_case_number": "has_case",
    }


def _constant_sql(fact: str) -> str:
    kind = CATALOGUE[fact].kind
    if kind == "bool":
        return "FALSE"
    if kind == "set":
        return "CAST([] AS VARCHAR[])"
    return "CAST(NULL AS VARCHAR)"


def facts_sql(source: str, home: str) -> str:
    """SQL over ``source`` (the input joined with the purpose columns) adding one ``f_*`` column
    per catalogue fact. Three layers because each reads facts of the one before."""
    derived = _derived_sql(home)
    late = {"purpose.category", "purpose.immigration", "immigration_agency_involved",
            "immigration_enforcement"}  # fmt: skip
    first = [
        f"{derived.get(f, _constant_sql(f))} AS {fact_column(f)}"
        for f in CATALOGUE
        if f not in late
    ]
    rank = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(PROTECTIVE_ORDER))
    decl, assessed = fact_column("purpose.declared"), fact_column("purpose.assessed")
    category = (
        f"CASE WHEN {decl} IS NULL THEN {assessed} "
        f"WHEN (CASE {decl} {rank} END) <= (CASE {assessed} {rank} END) THEN {decl} "
        f"ELSE {assessed} END"
    )
    cat = fact_column("purpose.category")
    involved = (
        f"({fact_column('requester.kind')} = 'federal_immigration' OR "
        f"coalesce({fact_column('on_behalf_of.kind')} = 'federal_immigration', FALSE))"
    )
    enforcement = (
        f"({fact_column('purpose.immigration')} OR ({fact_column('immigration_agency_involved')} "
        f"AND {cat} NOT IN ({_q(sorted(NON_IMMIGRATION_PURPOSES))})))"
    )
    return (
        f"SELECT *, {enforcement} AS {fact_column('immigration_enforcement')} FROM ("
        f"SELECT *, {cat} IN ({_q(sorted(IMMIGRATION_PURPOSES))}) AS "
        f"{fact_column('purpose.immigration')}, {involved} AS "
        f"{fact_column('immigration_agency_involved')} FROM ("
        f"SELECT *, {category} AS {cat} FROM ("
        f"SELECT *, {', '.join(first)} FROM {source}) fa) fb) fc"
    )


@dataclass(frozen=True, slots=True)
class PurposeInfo:
    """What the lexicon says about one reason text (the Python twin of the ``p_*`` columns)."""

    category: str
    agency: bool
    empty: bool
    placeholder: bool


def purpose_py(text: str) -> PurposeInfo:
    a = assess(text)
    signals = {s.signal for s in a.evidence}
    empty = _TOKEN.search(_fold(text)) is None  # as SQL's `p_norm = '  '`: no token at all
    return PurposeInfo(
        a.category, "agency_term" in signals, empty, bool(signals & PLACEHOLDER_SIGNALS)
    )


def _more_protective(declared: str | None, assessed: str) -> str:
    if declared is None:
        return assessed
    order = PROTECTIVE_ORDER
    return declared if order.index(declared) <= order.index(assessed) else assessed


def facts_py(row: dict[str, Any], p: PurposeInfo, home: str) -> Facts:
    """The facts of one input row (keys: the audit input columns), as ``facts_sql`` computes."""
    f = Facts()
    for fact, ftype in CATALOGUE.items():
        default: Any = (
            False if ftype.kind == "bool" else frozenset() if ftype.kind == "set" else None
        )
        setattr(f, slot_name(fact), default)
    own, kind, state = bool(row["own"]), row["org_kind"], row["org_state"]
    in_state = own or state == home
    f.action, f.data, f.responder__kind = ACTION, frozenset({DATA}), RESPONDER
    f.requester__kind = kind
    f.requester__state = home if own else state
    f.requester__in_state = in_state
    f.requester__federal = not own and kind in FEDERAL_KINDS
    f.requester__public_agency_in_state = own or (in_state and kind in PUBLIC_AGENCY_KINDS)
    f.on_behalf_of__present = p.agency
    f.on_behalf_of__kind = "federal_immigration" if p.agency else None
    f.purpose__declared = DECLARED.get(row["offense_category"] or "")
    f.purpose__assessed = p.category
    f.purpose__category = _more_protective(f.purpose__declared, p.category)
    f.purpose__immigration = f.purpose__category in IMMIGRATION_PURPOSES
    f.purpose__empty = p.empty
    f.legal_process__type = "none"
    f.context__has_case_number = bool(row["has_case"])
    f.immigration_agency_involved = kind == "federal_immigration" or p.agency
    f.immigration_enforcement = f.purpose__immigration or (
        f.immigration_agency_involved and f.purpose__category not in NON_IMMIGRATION_PURPOSES
    )
    return f
