"""The TRUST Act gate, Gov. Code 7282.5, as a pure function.

7282.5(a) lets a California law enforcement official answer a notification request (7284.6(a)(1)(C))
or transfer someone (7284.6(a)(4)) only for people with certain convictions; (b) adds notification
(never transfer) for people held to answer on a serious, violent or state-prison felony. It never
authorises a hold. Local law may take the discretion away; that is the packs' business, not this
function's. What cannot be classified or dated never satisfies the gate (read protectively).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sanctuary.model import Subject
from sanctuary.vocab import vocabulary

# 7282.5(a)(1), (2), (4), (5): no look-back.
_ALWAYS = frozenset(
    {"serious_felony", "violent_felony", "felony_state_prison", "sex_offender_registrant",
     "federal_aggravated_felony", "federal_felony_warrant"}
)  # fmt: skip
# 7282.5(b): held to answer on these adds notification only.
_HELD_TO_ANSWER = frozenset({"serious_felony", "violent_felony", "felony_state_prison"})
# 7282.5(a)(3): a listed offence, felony within 15 years or wobbler misdemeanor within 5 years.
_LOOK_BACK_YEARS = {"listed_felony": 15, "wobbler_misdemeanor": 5}


@dataclass(frozen=True, slots=True)
class TrustEligibility:
    notification_ok: bool
    transfer_ok: bool
    why: str


def conviction_classes(subject: Subject | None) -> frozenset[str]:
    """The 7282.5 classes of the subject's convictions (Prop 47 reductions never count)."""
    if subject is None:
        return frozenset()
    classes: set[str] = set()
    if subject.sex_offender_registrant:
        classes.add("sex_offender_registrant")
    table = vocabulary().convictions
    for conviction in subject.convictions:
        if conviction.prop47_reduced or conviction.held_to_answer:
            continue
        if conviction.class_ is not None:
            classes.add(conviction.class_)
        elif conviction.code is not None:
            classes.update(table.get(conviction.code.strip().upper(), ()))
    return frozenset(classes)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def trust_eligibility(subject: Subject | None, on: dt.date) -> TrustEligibility:
    """Whether 7282.5 permits notification and transfer for ``subject``, judged on day ``on``."""
    if subject is None:
        return TrustEligibility(False, False, "no subject facts given")
    table = vocabulary().convictions
    if subject.sex_offender_registrant:
        return TrustEligibility(True, True, "current sex or arson registrant (7282.5(a)(4))")
    held_to_answer = False
    for conviction in subject.convictions:
        if conviction.prop47_reduced:
            continue  # 7282.5(a)(6)
        declared: set[str] = {conviction.class_} if conviction.class_ else set()
        classes = declared or set(table.get((conviction.code or "").strip().upper(), ()))
        label = conviction.code or next(iter(classes), "conviction")
        if conviction.held_to_answer:
            held_to_answer = held_to_answer or bool(classes & _HELD_TO_ANSWER)
            continue
        if classes & _ALWAYS:
            return TrustEligibility(True, True, f"`{label}` is a qualifying conviction (7282.5(a))")
        for cls, years in _LOOK_BACK_YEARS.items():
            if cls in classes and conviction.date and conviction.date >= _years_before(on, years):
                why = f"`{label}` is a listed offence within {years} years (7282.5(a)(3))"
                return TrustEligibility(True, True, why)
    if held_to_answer:
        return TrustEligibility(True, False, "held to answer on a qualifying felony (7282.5(b))")
    return TrustEligibility(False, False, "no conviction qualifies under 7282.5(a)")
