"""The law-in-force interval from the wall-clock day is the interval of the exact instant.

``_Chain.interval`` answers most times from ``toordinal()`` and a per-day cache instead of
``timestamp()``; here it is held to the plain ``bisect_right(bounds, timestamp())`` on times drawn
around every boundary of the Los Angeles chain, in every UTC offset Python allows, and naive.
"""

from __future__ import annotations

import bisect
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.policy import engine_for

CHAIN = engine_for()._chain("us-ca/los-angeles")
BOUNDS = [b for b in CHAIN.bounds if abs(b) < 2e11]  # instants datetime can represent
AROUND = st.sampled_from(BOUNDS).flatmap(
    lambda b: st.floats(b - 4 * 86_400, b + 4 * 86_400).map(
        lambda t: dt.datetime.fromtimestamp(t, dt.UTC)
    )
)
OFFSET = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m))
)


@settings(max_examples=3000, deadline=None)
@given(AROUND, OFFSET, st.booleans())
def test_the_interval_of_a_time_is_the_count_of_boundaries_at_or_before_it(
    instant: dt.datetime, zone: dt.tzinfo, naive: bool
) -> None:
    at = instant.astimezone(zone)
    if naive:  # read as the machine's local time, as timestamp() reads it
        at = at.replace(tzinfo=None)
    assert CHAIN.interval(at) == bisect.bisect_right(CHAIN.bounds, at.timestamp())


def test_the_chain_has_boundaries_to_test_around() -> None:
    assert len(BOUNDS) >= 5
