"""The facts a rule's condition may read, and how they are derived from a request.

The catalogue below is the whole vocabulary of conditions (docs/packs.md lists it for counsel). Each
fact has a type: ``bool``, ``str`` (optionally bound to a vocabulary, so a misspelt value in a pack
is refused at load time) or ``set`` (of a vocabulary's values).

Derivation is a pure function of the request, the time the law is applied at, and the jurisdiction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sanctuary.model import Request
from sanctuary.purpose import Assessment, assess, more_protective
from sanctuary.vocab import resolve_agency, vocabulary


@dataclass(frozen=True, slots=True)
class FactType:
    kind: str  # "bool" | "str" | "set"
    vocabulary: str | None = None  # name of a Vocabulary attribute the values must belong to


_B = FactType("bool")

CATALOGUE: dict[str, FactType] = {
    "action": FactType("str", "actions"),
    "data": FactType("set", "data_categories"),
    "responder.kind": FactType("str", "responder_kinds"),
    "requester.agency": FactType("str", "agency_codes"),
    "requester.kind": FactType("str", "agency_kinds"),
    "requester.state": FactType("str"),
    "requester.in_state": _B,
    "requester.federal": _B,
    "requester.public_agency_in_state": _B,
    "requester.agreements": FactType("set", "agreements"),
    "requester.member_kinds": FactType("set", "agency_kinds"),
    "on_behalf_of.present": _B,
    "on_behalf_of.agency": FactType("str", "agency_codes"),
    "on_behalf_of.kind": FactType("str", "agency_kinds"),
    "immigration_agency_involved": _B,
    "immigration_enforcement": _B,
    "purpose.category": FactType("str", "purpose_categories"),
    "purpose.declared": FactType("str", "purpose_categories"),
    "purpose.assessed": FactType("str", "purpose_categories"),
    "purpose.immigration": _B,
    "purpose.empty": _B,
    "legal_process.type": FactType("str", "legal_process_types"),
    "legal_process.form": FactType("str", "form_numbers"),
    "legal_process.judicial": _B,
    "legal_process.judicial_warrant": _B,
    "legal_process.administrative": _B,
    "legal_process.names_subject": _B,
    "subject.in_custody": _B,
    "subject.victim_or_witness": _B,
    "subject.consent": _B,
    "subject.consent_to_requester": _B,
    "subject.conviction_classes": FactType("set", "conviction_classes"),
    "subject.trust_notification_ok": _B,
    "subject.trust_transfer_ok": _B,
    "context.information_publicly_available": _B,
    "context.exigent_circumstances": _B,
    "context.recipient_attests_no_immigration_use": _B,
    "context.discovered_during_unrelated_activity": _B,
    "context.has_case_number": _B,
}


def slot_name(fact: str) -> str:
    """The attribute of :class:`Facts` that holds ``fact`` (dots are not legal in names)."""
    return fact.replace(".", "__")


IMMIGRATION_PURPOSES = frozenset(
    {"civil_immigration_enforcement", "criminal_immigration_enforcement"}
)
# Purposes that, stated by an immigration agency, are read as something other than immigration
# enforcement (7284.4(c) tests function, not agency name: HSI on a drug case is not acting as an
# immigration authority). Anything else from an immigration agency is read protectively.
NON_IMMIGRATION_PURPOSES = frozenset(
    {
        "criminal_investigation",
        "task_force",
        "victim_services",
        "public_safety_emergency",
        "statistical",
    }
)
JUDICIAL_TYPES = frozenset(
    {"judicial_warrant", "judicial_probable_cause_determination", "court_order"}
)
JUDICIAL_WARRANT_TYPES = frozenset({"judicial_warrant", "judicial_probable_cause_determination"})
ADMINISTRATIVE_TYPES = frozenset(
    {"administrative_warrant", "detainer", "administrative_subpoena", "notification_request",
     "transfer_request"}
)  # fmt: skip
_NONE: frozenset[str] = frozenset()
PUBLIC_AGENCY_KINDS = frozenset({"state", "local_law_enforcement", "local_other"})


class Facts:
    """The derived facts of one request, one attribute per catalogue entry (a test keeps the two
    in step), plus the evidence behind them for the explanation."""

    __slots__ = (*(slot_name(name) for name in CATALOGUE), "evidence", "trust_why", "form_override")

    action: str | None
    data: frozenset[str]
    responder__kind: str | None
    requester__agency: str | None
    requester__kind: str | None
    requester__state: str | None
    requester__in_state: bool
    requester__federal: bool
    requester__public_agency_in_state: bool
    requester__agreements: frozenset[str]
    requester__member_kinds: frozenset[str]
    on_behalf_of__present: bool
    on_behalf_of__agency: str | None
    on_behalf_of__kind: str | None
    immigration_agency_involved: bool
    immigration_enforcement: bool
    purpose__category: str | None
    purpose__declared: str | None
    purpose__assessed: str | None
    purpose__immigration: bool
    purpose__empty: bool
    legal_process__type: str | None
    legal_process__form: str | None
    legal_process__judicial: bool
    legal_process__judicial_warrant: bool
    legal_process__administrative: bool
    legal_process__names_subject: bool
    subject__in_custody: bool
    subject__victim_or_witness: bool
    subject__consent: bool
    subject__consent_to_requester: bool
    subject__conviction_classes: frozenset[str]
    subject__trust_notification_ok: bool
    subject__trust_transfer_ok: bool
    context__information_publicly_available: bool
    context__exigent_circumstances: bool
    context__recipient_attests_no_immigration_use: bool
    context__discovered_during_unrelated_activity: bool
    context__has_case_number: bool
    evidence: Assessment
    trust_why: str
    form_override: bool

    def get(self, fact: str) -> object:
        return getattr(self, slot_name(fact))


def effective_legal_process(request: Request) -> tuple[str, str | None, bool]:
    """(type, form, whether the form overrode a declared type). A form number decides the type."""
    process = request.legal_process
    if process is None:
        return "none", None, False
    form = process.form.strip().upper().replace(" ", "-") if process.form else None
    implied = vocabulary().forms.get(form) if form else None
    declared = process.type
    if implied is not None:
        return implied, form, declared is not None and declared != implied
    # An unknown form with no declared type is not evidence of anything: read it as "other".
    return declared or ("other" if form else "none"), form, False


# Facts come in groups that are derived together; a plan derives only the groups its rules read.
# The requester, purpose and immigration groups are always derived: every decision reports its
# purpose assessment, and the default reason depends on `immigration_enforcement`.
ALWAYS = frozenset({"core", "requester", "purpose"})
ALL_GROUPS = frozenset({"core", "requester", "purpose", "process", "subject", "context"})


def group_of(fact: str) -> str:
    head = fact.split(".")[0]
    return {
        "legal_process": "process",
        "subject": "subject",
        "context": "context",
        "on_behalf_of": "requester",
        "immigration_agency_involved": "requester",
        "immigration_enforcement": "requester",
        "action": "core",
        "data": "core",
        "responder": "core",
    }.get(head, head)


def derive(
    request: Request, at: dt.datetime, home_state: str | None, groups: frozenset[str] = ALL_GROUPS
) -> Facts:
    """The facts of ``request`` under the law at ``at``, in a jurisdiction of ``home_state``.

    Only the fact ``groups`` asked for (plus those always needed) are derived; a rule can read only
    facts its plan asked for, so the others are never looked at.
    """
    f = Facts()
    f.action = request.action
    f.data = frozenset(request.data) if request.data else _NONE
    f.responder__kind = request.responder.kind
    _requester_facts(f, request, home_state)
    _purpose_facts(f, request)
    if "process" in groups:
        _process_facts(f, request)
    if "subject" in groups:
        _subject_facts(f, request, at)
    if "context" in groups:
        _context_facts(f, request)
    f.immigration_agency_involved = (
        f.requester__kind == "federal_immigration"
        or f.on_behalf_of__kind == "federal_immigration"
        or "federal_immigration" in f.requester__member_kinds
        or "287g" in f.requester__agreements
    )
    f.immigration_enforcement = f.purpose__immigration or (
        f.immigration_agency_involved and f.purpose__category not in NON_IMMIGRATION_PURPOSES
    )
    return f


def _context_facts(f: Facts, request: Request) -> None:
    context = request.context
    f.context__information_publicly_available = context.information_publicly_available
    f.context__exigent_circumstances = context.exigent_circumstances
    f.context__recipient_attests_no_immigration_use = context.recipient_attests_no_immigration_use
    f.context__discovered_during_unrelated_activity = context.discovered_during_unrelated_activity
    f.context__has_case_number = bool(context.case_number and context.case_number.strip())


def _requester_facts(f: Facts, request: Request, home_state: str | None) -> None:
    requester = request.requester
    agency = resolve_agency(requester.agency)
    f.requester__agency = agency.code
    f.requester__kind = agency.kind
    f.requester__state = requester.state
    in_state = home_state is not None and requester.state == home_state
    f.requester__in_state = in_state
    f.requester__federal = agency.kind in ("federal_immigration", "federal_other")
    f.requester__public_agency_in_state = in_state and agency.kind in PUBLIC_AGENCY_KINDS
    f.requester__agreements = frozenset(requester.agreements) if requester.agreements else _NONE
    f.requester__member_kinds = (
        frozenset(resolve_agency(m).kind for m in requester.members) if requester.members else _NONE
    )
    if requester.on_behalf_of:
        behalf = resolve_agency(requester.on_behalf_of)
        f.on_behalf_of__present = True
        f.on_behalf_of__agency = behalf.code
        f.on_behalf_of__kind = behalf.kind
    else:
        f.on_behalf_of__present = False
        f.on_behalf_of__agency = None
        f.on_behalf_of__kind = None


def _purpose_facts(f: Facts, request: Request) -> None:
    assessment = assess(request.purpose)
    declared = request.purpose_category
    governing = more_protective(declared, assessment.category) if declared else assessment.category
    f.purpose__declared = declared
    f.purpose__assessed = assessment.category
    f.purpose__category = governing
    f.purpose__immigration = governing in IMMIGRATION_PURPOSES
    f.purpose__empty = not request.purpose.strip()
    f.evidence = assessment


def _process_facts(f: Facts, request: Request) -> None:
    kind, form, overrode = effective_legal_process(request)
    process = request.legal_process
    unsigned = process is not None and process.signed_by_judge is False
    f.legal_process__type = kind
    f.legal_process__form = form
    f.form_override = overrode
    f.legal_process__judicial = kind in JUDICIAL_TYPES and not unsigned
    f.legal_process__judicial_warrant = kind in JUDICIAL_WARRANT_TYPES and not unsigned
    f.legal_process__administrative = kind in ADMINISTRATIVE_TYPES
    f.legal_process__names_subject = bool(process and process.names_subject)


def _subject_facts(f: Facts, request: Request, at: dt.datetime) -> None:
    from sanctuary.policy.trust import conviction_classes, trust_eligibility

    subject = request.subject
    if subject is None:  # the common case: nothing about the person, no exception can hold
        f.subject__in_custody = f.subject__victim_or_witness = False
        f.subject__consent = f.subject__consent_to_requester = False
        f.subject__conviction_classes = frozenset()
        f.subject__trust_notification_ok = f.subject__trust_transfer_ok = False
        f.trust_why = "no subject facts given"
        return
    f.subject__in_custody = bool(subject and subject.in_custody)
    f.subject__victim_or_witness = bool(subject and subject.victim_or_witness)
    consent = subject.consent if subject else None
    f.subject__consent = bool(consent and consent.written)
    f.subject__consent_to_requester = bool(
        consent
        and consent.written
        and consent.to is not None
        and resolve_agency(consent.to).code == f.requester__agency
    )
    f.subject__conviction_classes = conviction_classes(subject)
    eligibility = trust_eligibility(subject, at.date())
    f.subject__trust_notification_ok = eligibility.notification_ok
    f.subject__trust_transfer_ok = eligibility.transfer_ok
    f.trust_why = eligibility.why
