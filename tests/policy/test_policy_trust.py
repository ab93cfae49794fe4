"""Gov. Code 7282.5 (TRUST Act) eligibility, including the look-back windows."""

import datetime as dt
from typing import Any

import pytest

from sanctuary.model import Subject
from sanctuary.policy.trust import conviction_classes, trust_eligibility

ON = dt.date(2025, 3, 4)


def subject(*convictions: dict[str, Any], **facts: Any) -> Subject:
    return Subject.model_validate({"convictions": list(convictions), **facts})


@pytest.mark.parametrize(
    ("conviction", "notification", "transfer"),
    [
        ({"class": "serious_felony", "date": "1990-01-01"}, True, True),
        ({"class": "violent_felony"}, True, True),
        ({"class": "felony_state_prison", "date": "2000-05-05"}, True, True),
        ({"class": "federal_aggravated_felony"}, True, True),
        ({"class": "listed_felony", "date": "2010-03-04"}, True, True),  # exactly 15 years
        ({"class": "listed_felony", "date": "2010-03-03"}, False, False),  # one day too old
        ({"class": "listed_felony"}, False, False),  # undated: cannot satisfy a look-back
        ({"class": "wobbler_misdemeanor", "date": "2020-03-04"}, True, True),  # exactly 5 years
        ({"class": "wobbler_misdemeanor", "date": "2020-03-03"}, False, False),
        ({"class": "misdemeanor", "date": "2024-01-01"}, False, False),
        ({"class": "serious_felony", "prop47_reduced": True}, False, False),
        ({"class": "serious_felony", "held_to_answer": True}, True, False),  # 7282.5(b)
        ({"code": "PC 211", "date": "2019-06-01"}, True, True),  # classified from the code table
        ({"code": "PC 9999"}, False, False),  # unknown code: read protectively
    ],
)
def test_trust_act_gate(conviction: dict[str, Any], notification: bool, transfer: bool) -> None:
    result = trust_eligibility(subject(conviction), ON)
    assert (result.notification_ok, result.transfer_ok) == (notification, transfer), result.why


def test_a_registrant_is_eligible_and_no_subject_is_not() -> None:
    assert trust_eligibility(subject(sex_offender_registrant=True), ON).transfer_ok
    assert not trust_eligibility(None, ON).notification_ok


def test_conviction_classes_drop_prop47_and_pending_charges() -> None:
    classes = conviction_classes(
        subject(
            {"class": "violent_felony", "prop47_reduced": True},
            {"class": "serious_felony", "held_to_answer": True},
            {"code": "pc 211"},
        )
    )
    assert classes == {"serious_felony", "violent_felony"}
