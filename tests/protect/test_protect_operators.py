"""Operators: remove, mask, label, keyed HMAC tokens, generalise; redaction is all or nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.protect import (
    Operator,
    RedactionError,
    Target,
    find,
    get_operator,
    operator_names,
    redact_text,
)
from sanctuary.protect.operators.generalise import city_of
from sanctuary.protect.operators.hmac_token import HmacToken, load_key

KEY = bytes(range(32))
TEXT = "Subject gave A-number A123-456-789, said he is undocumented, born in Oaxaca."


def test_builtins_are_registered() -> None:
    assert operator_names() == ["generalise", "hmac", "label", "mask", "remove"]


def test_label_remove_mask() -> None:
    assert redact_text(TEXT).text == (
        "Subject gave A-number [NATIONAL_IDS], said he is [IMMIGRATION_STATUS], "
        "born in [PLACE_OF_BIRTH]."
    )
    assert redact_text(TEXT, "remove").text == "Subject gave A-number , said he is , born in ."
    assert redact_text(TEXT, "mask").text == (
        "Subject gave A-number ****-***-***, said he is ************, born in ******."
    )


def test_counts_by_category_never_values() -> None:
    result = redact_text(TEXT)
    assert result.counts == {"immigration_status": 1, "national_ids": 1, "place_of_birth": 1}
    assert "A123" not in repr(result.counts)


def test_hmac_tokens_join_across_printed_forms_and_depend_on_the_key() -> None:
    op = HmacToken(key=KEY)
    forms = ["A123-456-789", "A123456789", "A# 123 456 789"]
    tokens = {redact_text(f"file {f} noted", op).text for f in forms}
    assert len(tokens) == 1
    token = tokens.pop().split()[1]
    assert token.startswith("NATIONAL_IDS_") and len(token) == len("NATIONAL_IDS_") + 16
    other = redact_text("file A123456789 noted", HmacToken(key=bytes(32))).text
    assert other.split()[1] != token
    padded = op.replace("A12345678", Target("national_ids", "A_NUMBER"))
    assert padded == op.replace("A012345678", Target("national_ids", "A_NUMBER"))


def test_hmac_key_is_required_and_checked(tmp_path: Path) -> None:
    with pytest.raises(RedactionError, match="no redaction key"):
        load_key({})
    with pytest.raises(RedactionError, match="shorter than 32 bytes"):
        load_key({"SANCTUARY_REDACT_KEY": "00" * 16})
    key_file = tmp_path / "key"
    key_file.write_text(KEY.hex())
    os.chmod(key_file, 0o644)
    with pytest.raises(RedactionError, match="readable by others"):
        load_key({"SANCTUARY_REDACT_KEY_FILE": str(key_file)})
    os.chmod(key_file, 0o600)
    assert load_key({"SANCTUARY_REDACT_KEY_FILE": str(key_file)}) == KEY


def test_generalise_keeps_year_and_city() -> None:
    op = get_operator("generalise")
    assert op.replace("2024-03-14", Target("release_date", kind="date")) == "2024"
    assert op.replace("03/14/1985", Target("other", kind="date")) == "1985"
    address = "1420 W Olympic Blvd, Los Angeles, CA 90015"
    assert op.replace(address, Target("home_address", kind="address")) == "Los Angeles, CA"
    assert op.replace("A123456789", Target("national_ids")) == "[NATIONAL_IDS]"
    assert city_of("somewhere") is None


def test_unknown_operator_suggests() -> None:
    with pytest.raises(RedactionError, match="unknown operator") as err:
        get_operator("lable")
    assert err.value.help == "did you mean `label`?"


class Exploding(Operator):
    name = "exploding"

    def __init__(self) -> None:
        self.calls = 0

    def replace(self, value: str, target: Target) -> str | None:
        self.calls += 1
        if self.calls == 2:
            raise ValueError(value)  # the value must not reach the error message
        return "X"


def test_a_failing_operator_releases_nothing() -> None:
    with pytest.raises(RedactionError) as err:
        redact_text(TEXT, Exploding())
    assert "undocumented" not in str(err.value) and err.value.code == "redaction_failed"


# Identifiers that are redacted whatever their neighbours. (A bare letter + 8 digits is not one:
# after a stop label, "Case G15997557", it is left alone by design.)
IDS = [
    "A123-456-789",
    "A# 087654321",
    "EAC-22-123-45678",
    "123456789A1",
    "N0012345678",
    "912-78-1234",
    "532-45-6781",
    "undocumented",
    "sin papeles",
    "ICE detainer",
]
FILLER = [
    "the",
    "report",
    "booking",
    "2024-03-14",
    "(213) 555-0147",
    "police",
    "ice",
    "cream",
    ",",
    ".",
    "\n",
    "Case",
    "No.",
    "23-CR-004512",
    "visa",
    "card",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(IDS + FILLER), min_size=1, max_size=25))
def test_label_redaction_leaves_nothing_to_find(words: list[str]) -> None:
    text = " ".join(words)
    result = redact_text(text)
    assert find(result.text) == []
    for value in IDS:
        assert value not in result.text
    assert sum(result.counts.values()) == len(result.matches)
