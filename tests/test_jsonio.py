"""Strict JSON in, decision JSON out: the fast paths agree with the slow, obviously-right ones.

``loads_strict`` parses with orjson and proves the absence of duplicate keys by counting colons;
``decision_json`` splices cached JSON of shared parts. Both are held here to the standard library
parse with a duplicate-refusing hook, and to pydantic's own dump, on generated inputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.errors import RequestError
from sanctuary.jsonio import decision_json, loads_strict
from sanctuary.model import Receipt
from sanctuary.policy import engine_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from request_space import random_requests

# Keys and strings full of the characters that matter: colons, quotes, backslashes, escapes.
_TEXT = st.text(alphabet=st.sampled_from(list('ab:"\\é\u2028 /')), max_size=6)
_JSON = st.recursive(
    # Integers up to 70 bits: orjson reads those beyond 64 as floats, the fast path must notice.
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


def _reference(text: str) -> Any:
    """The slow path: every key seen by a hook, so a duplicate anywhere is refused."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate")
        return dict(items)

    return json.loads(text, object_pairs_hook=pairs)


@settings(max_examples=400, deadline=None)
@given(_JSON, st.booleans())
def test_loads_strict_accepts_exactly_what_the_strict_reference_accepts(
    value: Any, ensure_ascii: bool
) -> None:
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    assert loads_strict(text) == _reference(text)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_TEXT, _JSON, min_size=1, max_size=4), st.data())
def test_loads_strict_refuses_a_duplicate_key_at_any_depth(
    members: dict[str, Any], data: st.DataObject
) -> None:
    key = data.draw(st.sampled_from(sorted(members)))
    body = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in members.items())
    duplicated = "{" + body + f", {json.dumps(key)}: {json.dumps(data.draw(_JSON))}" + "}"
    nested = data.draw(st.sampled_from(["{}", '{{"outer": {}}}', '[1, {}, "x:y"]']))
    text = nested.format(duplicated) if "{}" in nested else duplicated
    with pytest.raises(RequestError, match="duplicate key"):
        loads_strict(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": "a", "id": "b"}', "duplicate key `id`"),
        ('{"t": "1:2", "t": "3"}', "duplicate key `t`"),  # the colons of a value do not hide it
        ('{"a": "\\u003a", "a": 1}', "duplicate key `a`"),  # nor an escaped colon
        ('{"a": [NaN]}', "`NaN` is not JSON"),
        ('{"a": -Infinity}', "`-Infinity` is not JSON"),
        ('{"a": 1,}', "invalid JSON: Expecting property name"),
        ("", "invalid JSON: Expecting value at line 1 column 1"),
    ],
)
def test_loads_strict_errors_are_worded_as_before(text: str, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        loads_strict(text, "body")


@pytest.mark.parametrize(
    "number",
    [123456789012345678901234567890, 2**64, 2**64 - 1, -(2**63) - 1, 10**19, 9 * 10**18, 0],
)
def test_loads_strict_keeps_integers_beyond_64_bits(number: int) -> None:
    text = f'{{"n": {number}, "s": "{number}", "l": [{abs(number)}, {-abs(number)}]}}'
    value = loads_strict(text)
    assert value == {"n": number, "s": str(number), "l": [abs(number), -abs(number)]}
    assert all(type(v) is int for v in value["l"])


def test_decision_json_is_byte_for_byte_the_pydantic_dump() -> None:
    engine = engine_for()
    for request in random_requests(1500, seed=11):
        decision = engine.decide(request)
        assert decision_json(decision) == orjson.dumps(decision.to_json_dict()), request.id
    recorded = decision.model_copy(
        update={"ledger": Receipt(index=7, leaf_hash="ab" * 32, tree_size=8)}
    )
    assert decision_json(recorded) == orjson.dumps(recorded.to_json_dict())
    assert orjson.loads(decision_json(recorded, indent=True)) == recorded.to_json_dict()
