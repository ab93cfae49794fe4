"""The bundled examples decide cleanly, and decisions the engine builds are valid models."""

from __future__ import annotations

import pydantic
import pytest

from sanctuary.demo import engine_demo, example_request_files
from sanctuary.jsonio import read_requests
from sanctuary.model import Decision
from sanctuary.policy import default_engine


def test_every_example_request_is_decided_into_a_valid_decision() -> None:
    files = example_request_files()
    assert len(files) >= 9
    for path in files:
        for request in read_requests(str(path)):
            decision = default_engine().decide(request)
            # The engine builds decisions without re-validation; they must survive validation.
            assert Decision.model_validate(decision.model_dump(by_alias=True)) == decision
            assert decision.reasons and all(r.citation for r in decision.reasons)


def test_the_demo_explains_every_example() -> None:
    text = "\n".join(engine_demo())
    assert text.count("DECISION:") == len(example_request_files())


def test_a_returned_decision_cannot_be_edited_so_memoised_parts_stay_intact() -> None:
    # The engine shares the tuples of a memoised outcome between decisions: safe only because
    # neither the decision nor its fields can be changed in place.
    request = next(read_requests(str(example_request_files()[1])))
    first = default_engine().decide(request)
    assert isinstance(first.reasons, tuple) and first.reasons
    with pytest.raises(pydantic.ValidationError):
        first.reasons = ()  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        first.reasons[0].rule = "changed"  # type: ignore[misc]
    assert default_engine().decide(request).reasons == first.reasons
