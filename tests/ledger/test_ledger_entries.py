"""Entries are minimised: codes and digests in clear, people only as keyed hashes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest

from sanctuary.canonical import canonical_json
from sanctuary.ledger import (
    EntryError,
    Ledger,
    entry_for_decision,
    key_event_entry,
    pack_change_entry,
    review_entry,
)
from sanctuary.model import Decision, Request

KEY = b"k" * 32
PURPOSE = "ICE ERO warrant service, subject Maria Example born 1990"
REQUEST = Request.model_validate(
    {
        "id": "req-1",
        "time": "2026-03-01T10:00:00-08:00",
        "jurisdiction": "us-ca/los-angeles",
        "responder": {"kind": "law_enforcement", "department": "lapd"},
        "requester": {"agency": "ice", "name": "Officer Jane Doe", "agreements": ["287g"]},
        "action": "disclose_information",
        "purpose": PURPOSE,
        "data": ["release_date", "home_address", "release_date"],
        "legal_process": {
            "type": "administrative_warrant",
            "form": "I-200",
            "issued_by": "SDDO Pat Q",
        },
        "subject": {
            "in_custody": True,
            "convictions": [{"code": "PC 459", "class": "wobbler_misdemeanor"}],
        },
        "context": {"case_number": "BK-2026-00042"},
    }
)
DECISION = Decision.model_validate(
    {
        "request_id": "req-1",
        "decision": "deny",
        "withheld_data": ["home_address", "release_date"],
        "reasons": [
            {"rule": "ca-7284.6-a1C", "citation": "Gov 7284.6(a)(1)(C)", "effect": "deny",
             "summary": "no release dates", "pack": "us-ca"},
            {"rule": "ca-7284.6-a1D", "citation": "Gov 7284.6(a)(1)(D)", "effect": "deny",
             "summary": "no addresses", "pack": "us-ca"},
            {"rule": "ca-7284.6-a1C", "citation": "Gov 7284.6(a)(1)(C)", "effect": "deny",
             "summary": "again", "pack": "us-ca"},
        ],
        "purpose_assessment": {"declared": None, "assessed": "civil_immigration_enforcement",
                               "governing": "civil_immigration_enforcement", "score": 0.9876},
        "packs": [{"id": "us-ca", "version": "2026.1"}],
        "at": "2026-03-01T18:00:01Z",
    }
)  # fmt: skip


def test_decision_entry_records_what_an_auditor_needs() -> None:
    entry = entry_for_decision(REQUEST, DECISION, hash_key=KEY)
    assert entry["kind"] == "decision"
    assert entry["request_id"] == "req-1"
    assert entry["request_digest"].startswith("sha256:")
    assert entry["requester"]["agency"] == "ice"
    assert entry["requester"]["agreements"] == ["287g"]
    assert entry["responder"] == {"kind": "law_enforcement", "department": "lapd"}
    assert entry["legal_process"]["type"] == "administrative_warrant"
    assert entry["legal_process"]["form"] == "I-200"
    assert entry["legal_process"]["issued_by_hash"].startswith("hmac-sha256:")
    assert (
        entry["context"]["exigent_circumstances"] is False and "case_number" not in entry["context"]
    )
    assert entry["action"] == "disclose_information"
    assert entry["data"] == ["home_address", "release_date"]
    assert entry["decision"] == "deny"
    assert entry["rules"] == ["ca-7284.6-a1C", "ca-7284.6-a1D"]
    assert entry["packs"] == [{"id": "us-ca", "version": "2026.1"}]
    assert entry["purpose"]["category"] == "civil_immigration_enforcement"
    assert entry["purpose"]["score_bp"] == 9876 and isinstance(entry["purpose"]["score_bp"], int)
    assert entry["decided_at"] == "2026-03-01T18:00:01Z"
    canonical_json(entry)  # no floats anywhere


def test_decision_entry_never_holds_people_or_free_text_in_clear() -> None:
    text = orjson.dumps(entry_for_decision(REQUEST, DECISION, hash_key=KEY)).decode()
    for secret in ("Maria", "Jane", "ERO warrant", "BK-2026", "PC 459", "wobbler", "Pat Q"):
        assert secret not in text
    assert "hmac-sha256:" in text


def test_keyed_hashes_depend_on_the_key() -> None:
    a = entry_for_decision(REQUEST, DECISION, hash_key=KEY)
    b = entry_for_decision(REQUEST, DECISION, hash_key=b"x" * 32)
    assert a["requester"]["name_hash"] != b["requester"]["name_hash"]
    assert a["subject_hash"] != b["subject_hash"]
    assert a["request_digest"] == b["request_digest"]  # the digest is checkable by the holder
    with pytest.raises(EntryError):
        entry_for_decision(REQUEST, DECISION, hash_key=b"short")


def test_decision_time_can_be_given_but_must_be_aware() -> None:
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    assert entry_for_decision(REQUEST, DECISION, hash_key=KEY, time=at)["decided_at"] == (
        "2026-03-01T20:00:00Z"
    )
    with pytest.raises(EntryError):
        entry_for_decision(REQUEST, DECISION, hash_key=KEY, time=dt.datetime(2026, 3, 1))


def test_other_kinds_and_recording_through_the_ledger(tmp_path: Path) -> None:
    with Ledger.open(f"sqlite:///{tmp_path / 'x.db'}") as ledger:
        receipt = ledger.record_decision(REQUEST, DECISION)
        review = review_entry(
            resolves=receipt.index, request_id="req-1", decision="allow_redacted",
            reason="counsel reviewed the warrant", reviewer="counsel@city",
            hash_key=ledger.hash_key,
        )  # fmt: skip
        ledger.append_many(
            [
                review,
                key_event_entry(event="created", vkey=ledger.verifier_key()),
                pack_change_entry(
                    pack_id="us-ca", version="2026.1", pack_digest="sha256:00", change="added"
                ),
            ]
        )
        stored = [ledger.entry(i) for i in range(4)]
    assert [e["kind"] for e in stored] == ["decision", "review", "key_event", "pack_change"]
    assert stored[1]["resolves"] == 0 and "counsel reviewed" not in orjson.dumps(stored[1]).decode()
    assert [e["index"] for e in stored] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "entry",
    [
        entry_for_decision(REQUEST, DECISION, hash_key=KEY),
        {"kind": "review", "nested": [{"b": 1, "a": [True, None, "é\u2028"]}], "z": -5},
    ],
)
def test_leaf_bytes_are_exactly_canonical_json(entry: dict[str, object]) -> None:
    from sanctuary.ledger.entries import check_entry, leaf_bytes

    check_entry(entry)
    time = "2026-01-01T00:00:00Z"
    assert leaf_bytes(entry, 7, time) == canonical_json({**entry, "index": 7, "time": time})


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "review", "x": 0.5},
        {"kind": "review", "x": [[{"y": float("nan")}]]},
        {"kind": "review", 3: "int key"},
        {"kind": "review", "x": {1, 2}},
    ],
)
def test_entries_that_cannot_be_canonical_are_refused(bad: dict[object, object]) -> None:
    from sanctuary.ledger.entries import check_entry

    with pytest.raises(EntryError):
        check_entry(bad)
