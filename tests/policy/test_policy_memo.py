"""Differential test: the memoised engine and the cold engine decide every request the same.

The memo keys on request fields (``evaluate._key_function``) and on derived facts; if a fact ever
read a field the key forgot, a memoised decision would be stale. Thousands of random requests over
the whole vocabulary, decided twice by a memoising engine and once cold, must agree field by field.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sanctuary.model import Request
from sanctuary.policy import engine_for

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from request_space import random_requests


def test_memoised_and_cold_decisions_agree_on_random_requests() -> None:
    requests = random_requests(4000, seed=7)
    warm, cold = engine_for(), engine_for()
    cold.memo = False
    for request in requests:
        warm.decide(request)  # fill the memo
    for request in requests:
        memoised = warm.decide(request).model_dump()
        fresh = cold.decide(request).model_dump()
        assert memoised == fresh, request.id


def test_decisions_share_a_fields_set_that_copies_never_change() -> None:
    engine = engine_for()
    first, second = (engine.decide(r) for r in random_requests(2, seed=3))
    assert first.model_fields_set == set(type(first).model_fields)
    copied = first.model_copy(update={"request_id": "other"})
    copied.model_fields_set.add("not-a-field")  # a caller scribbling on its own copy
    assert "not-a-field" not in second.model_fields_set
    assert type(first).model_validate(first.model_dump()) == first


def test_requests_that_differ_only_in_fields_the_law_ignores_share_a_decision() -> None:
    """Case numbers differ on every request; the facts read only whether there is one. A blank
    one must not be taken for one, whichever was decided first."""
    warm, cold = engine_for(), engine_for()
    cold.memo = False
    for base in random_requests(300, seed=5):
        for case in ("25-0001", "  ", "", None, "A-77"):
            context = base.context.model_copy(update={"case_number": case})
            request = base.model_copy(update={"context": context})
            assert warm.decide(request).model_dump() == cold.decide(request).model_dump()


def test_a_blank_case_number_is_never_taken_for_one_by_the_memo() -> None:
    """Gov. Code 7927.410: a utility may give records to an investigating agency with a case
    number. A memo that remembered the first answer for any case number would allow a blank one."""
    engine = engine_for()
    body = {
        "id": "utility-1",
        "time": "2026-03-02T10:00:00-08:00",
        "jurisdiction": "us-ca",
        "responder": {"kind": "other_department"},
        "requester": {"agency": "Sacramento Police Department", "state": "CA"},
        "action": "disclose_information",
        "purpose": "burglary investigation",
        "data": ["utility_records"],
    }
    decided = {}
    for case in ("25-0001", "   ", "A-77", None):
        request = Request.model_validate({**body, "context": {"case_number": case}})
        decided[case] = engine.decide(request).decision
    assert decided["25-0001"] == decided["A-77"] == "allow"
    assert decided["   "] == decided[None] == "deny"
