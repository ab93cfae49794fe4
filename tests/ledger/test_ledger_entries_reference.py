"""``entry_for_decision`` takes shortcuts (one-shot HMAC, the models' serialisers, no float walk for
the request digest); it must give exactly the entry the plain definition gives."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.canonical import canonical_json, digest
from sanctuary.ledger import entry_for_decision, keyed_hash
from sanctuary.ledger.entries import check_entry, leaf_bytes
from sanctuary.model import Decision, Request
from sanctuary.policy import engine_for

KEY = b"k" * 32
ENGINE = engine_for(None)


def _keyed(value: Any) -> str:
    return "hmac-sha256:" + hmac.new(KEY, canonical_json(value), hashlib.sha256).hexdigest()


def reference_entry(request: Request, decision: Decision) -> dict[str, Any]:
    """The entry as spec'd: model_dump, canonical_json and hmac.new, nothing skipped."""
    who, paper = request.requester, request.legal_process
    requester: dict[str, Any] = {"agency": who.agency}
    if who.on_behalf_of:
        requester["on_behalf_of"] = who.on_behalf_of
    if who.state:
        requester["state"] = who.state
    if who.agreements:
        requester["agreements"] = sorted(who.agreements)
    if who.members:
        requester["members"] = sorted(who.members)
    if who.name:
        requester["name_hash"] = _keyed(who.name)
    legal = None
    if paper is not None:
        legal = paper.model_dump(mode="json", exclude={"issued_by"}, exclude_none=True)
        if paper.issued_by:
            legal["issued_by_hash"] = _keyed(paper.issued_by)
    at = decision.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    entry: dict[str, Any] = {
        "kind": "decision",
        "request_id": decision.request_id,
        "request_digest": digest(request.model_dump(mode="json", by_alias=True)),
        "decided_at": at,
        "jurisdiction": request.jurisdiction,
        "responder": request.responder.model_dump(mode="json", exclude_none=True),
        "requester": requester,
        "action": request.action,
        "data": sorted(set(request.data)),
        "legal_process": legal,
        "context": request.context.model_dump(mode="json", exclude={"case_number"}),
        "decision": decision.decision,
        "withheld_data": sorted(set(decision.withheld_data)),
        "rules": list(dict.fromkeys(r.rule for r in decision.reasons)),
        "packs": [{"id": p.id, "version": p.version} for p in decision.packs],
        "purpose": {
            "category": decision.purpose_assessment.governing,
            "score_bp": round(decision.purpose_assessment.score * 10_000),
            "text_hash": _keyed(request.purpose),
        },
    }
    if request.subject is not None:
        entry["subject_hash"] = _keyed(request.subject.model_dump(mode="json"))
    if request.context.case_number:
        entry["case_hash"] = _keyed(request.context.case_number)
    return entry


_WORDS = st.text(min_size=1, max_size=12)
_REQUESTS = st.fixed_dictionaries(
    {
        "jurisdiction": st.sampled_from(["us-ca", "us-ca/los-angeles", "us-tx"]),
        "responder": st.fixed_dictionaries(
            {"kind": st.sampled_from(["jail", "law_enforcement"])},
            optional={"department": _WORDS},
        ),
        "requester": st.fixed_dictionaries(
            {"agency": st.sampled_from(["ICE-ERO", "FBI", "LOCAL-LE"])},
            optional={
                "name": _WORDS,
                "on_behalf_of": _WORDS,
                "state": st.sampled_from(["CA", "TX"]),
                "agreements": st.just(["287g"]),
                "members": st.lists(_WORDS, max_size=3),
            },
        ),
        "action": st.sampled_from(["disclose_information", "notify_release", "detain"]),
        "purpose": st.text(max_size=40),
        "data": st.lists(st.sampled_from(["home_address", "release_date", "photo"]), min_size=1),
    },
    optional={
        "id": _WORDS,
        "time": st.datetimes(
            min_value=dt.datetime(2020, 1, 1),
            max_value=dt.datetime(2030, 1, 1),
            timezones=st.just(dt.UTC),
        ).map(lambda t: t.isoformat()),
        "legal_process": st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["judicial_warrant", "detainer", "none"]),
                "form": _WORDS,
                "signed_by_judge": st.booleans(),
                "issued_by": _WORDS,
                "date": st.dates().map(str),
            },
        ),
        "subject": st.fixed_dictionaries(
            {},
            optional={
                "in_custody": st.booleans(),
                "convictions": st.lists(
                    st.fixed_dictionaries(
                        {}, optional={"code": _WORDS, "class": st.just("misdemeanor")}
                    ),
                    max_size=2,
                ),
            },
        ),
        "context": st.fixed_dictionaries(
            {}, optional={"case_number": _WORDS, "exigent_circumstances": st.booleans()}
        ),
    },
)


@settings(max_examples=150, deadline=None)
@given(_REQUESTS)
def test_the_entry_is_the_reference_entry(body: dict[str, Any]) -> None:
    request = Request.model_validate(body)
    decision = ENGINE.decide(request)
    entry = entry_for_decision(request, decision, hash_key=KEY)
    check_entry(entry)  # the service's recorder skips this walk for these entries (`built`)
    expected = reference_entry(request, decision)
    assert entry == expected
    assert list(entry) == list(expected)
    time = "2026-01-01T00:00:00Z"
    assert leaf_bytes(entry, 3, time) == canonical_json({**expected, "index": 3, "time": time})
    assert keyed_hash(KEY, request.purpose) == _keyed(request.purpose)


def test_a_request_holds_no_float() -> None:
    """The request digest skips canonical_json's float walk: a float field would need it back."""
    text = orjson.dumps(Request.model_json_schema()).decode()
    assert '"number"' not in text


_SCALAR = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5)
_ANY = st.recursive(
    _SCALAR | st.floats(allow_nan=True) | st.sets(st.integers(0, 3), max_size=2),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=3) | st.integers(0, 3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=4), _ANY, max_size=4))
def test_check_entry_refuses_exactly_what_canonical_json_refuses(extra: dict[str, Any]) -> None:
    from sanctuary.errors import SanctuaryError
    from sanctuary.ledger.entries import check_entry

    entry = {k: v for k, v in extra.items() if k not in ("index", "time")} | {"kind": "review"}
    try:
        canonical_json(entry)
        canonical = True
    except (TypeError, ValueError):
        canonical = False
    try:
        check_entry(entry)
        checked = True
    except SanctuaryError:
        checked = False
    assert checked == canonical


def test_a_too_deep_entry_is_refused_as_an_entry_error() -> None:
    from sanctuary.ledger import EntryError
    from sanctuary.ledger.entries import check_entry

    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    try:
        check_entry({"kind": "review", "deep": deep})
    except EntryError:
        return
    raise AssertionError("a 5,000-level entry passed the check")
