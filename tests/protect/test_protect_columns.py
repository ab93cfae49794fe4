"""Column policy from names, types and sampled values; tables redacted by that policy."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from sanctuary.protect import column_policy, redact_table
from sanctuary.protect.operators.hmac_token import HmacToken


@pytest.mark.parametrize(
    ("column", "category"),
    [
        ("citizenship", "citizenship"),
        ("Country of Birth", "place_of_birth"),
        ("POB", "place_of_birth"),
        ("immigration_status", "immigration_status"),
        ("ICE_DETAINER", "immigration_status"),
        ("alien_number", "national_ids"),
        ("subj_a_number", "national_ids"),
        ("passport_no", "national_ids"),
        ("I94", "national_ids"),
        ("SSN", "national_ids"),
        ("home_address", "home_address"),
        ("release_date", "release_date"),
        ("language_spoken", "other"),
        ("notes", None),
        ("booking_no", None),
        ("anomaly_score", None),
        ("financial", None),
    ],
)
def test_policy_by_name(column: str, category: str | None) -> None:
    assert column_policy({column: "string"}) == {column: category}


def test_policy_by_sampled_values() -> None:
    sample = {
        "doc_id": ["A123456789", "A987654321", "", "A5550001234"],
        "narrative": ["gave A123456789 at the desk", "no id", "quiet night", "ok"],
        "count": [1, 2, 3, 4],
    }
    policy = column_policy({"doc_id": "string", "narrative": "string", "count": "int64"}, sample)
    assert policy == {"doc_id": "national_ids", "narrative": None, "count": None}


TABLE = pa.table(
    {
        "name": ["Ana Lopez", "Luis Chen", None],
        "alien_number": ["A123-456-789", "A123456789", None],
        "release_date": pa.array(
            [dt.date(2024, 3, 14), dt.date(2023, 1, 2), None], type=pa.date32()
        ),
        "home_address": ["1420 W Olympic Blvd, Los Angeles, CA 90015", None, "x"],
        "narrative": ["said he is undocumented", "ICE hold requested", "nothing"],
        "bed": [1, 2, 3],
    }
)


def test_redact_table_by_policy_with_tokens_and_generalising() -> None:
    policy = column_policy(TABLE)
    assert policy["alien_number"] == "national_ids" and policy["name"] is None
    out, counts = redact_table(TABLE, operator=HmacToken(key=bytes(32)))
    tokens = out.column("alien_number").to_pylist()
    assert tokens[0] == tokens[1] and tokens[0].startswith("NATIONAL_IDS_") and tokens[2] is None
    assert out.column("narrative").to_pylist()[2] == "nothing"
    assert "undocumented" not in out.column("narrative").to_pylist()[0]
    assert out.column("bed").to_pylist() == [1, 2, 3]
    assert counts == {
        "home_address": 2,
        "immigration_status": 2,
        "national_ids": 2,
        "release_date": 2,
    }
    general, _ = redact_table(TABLE, operator="generalise")
    assert general.column("release_date").to_pylist() == ["2024", "2023", None]
    assert general.column("home_address").to_pylist()[0] == "Los Angeles, CA"


def test_redact_table_with_explicit_policy_and_remove() -> None:
    out, counts = redact_table(TABLE, {"name": "other"}, "remove")
    assert out.column("name").to_pylist() == [None, None, None]
    assert out.column("alien_number").to_pylist() == [None, None, None]
    assert counts["other"] == 2
    assert TABLE.column("name").to_pylist()[0] == "Ana Lopez"  # applied to a copy
