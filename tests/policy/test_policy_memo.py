"""Differential test: the memoised engine and the cold engine decide every request the same.

The memo keys on request fields (``evaluate._key_function``) and on derived facts; if a fact ever read a field
the key forgot, a memoised decision would be stale. Thousands of random requests over the whole
vocabulary, decided twice by a memoising engine and once cold, must agree field by field.
"""

from __future__ import annotations

import sys
from pathlib import Path

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
