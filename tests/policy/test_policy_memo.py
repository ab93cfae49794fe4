"""Differential test: the memoised engine and the cold engine decide every request the same.

The memo keys on request fields (``request_key``) and on derived facts; if a fact ever read a field
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
