"""The batch path (entries and JSON kept, receipts spliced once by the writer) answers, records
and indexes exactly what one call per request does, and fails as a whole, before anything is
shared."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from svc_helpers import ICE_ASK, Keys, bearer

from sanctuary.model import Receipt
from sanctuary.service import Service
from sanctuary.service.recorder import ReceiptSplicer, with_receipt
from sanctuary.service.store import ServiceStore

# Varied enough to take every branch of the entry: names, issuers, subjects, case numbers,
# agreements, escalations (an unclear purpose from the FBI), allows and denials.
ASKS: list[dict[str, Any]] = [
    ICE_ASK,
    {**ICE_ASK, "requester": {"agency": "FBI"}, "purpose": "***"},
    {
        **ICE_ASK,
        "requester": {"agency": "ICE-ERO", "name": "Officer Example", "agreements": ["287g"]},
    },
    {
        **ICE_ASK,
        "legal_process": {"type": "judicial_warrant", "signed_by_judge": True, "issued_by": "J X"},
        "subject": {
            "in_custody": True,
            "convictions": [{"code": "PC 187", "class": "violent_felony"}],
        },
        "context": {"case_number": "BK-1", "exigent_circumstances": True},
    },
    {
        **ICE_ASK,
        "requester": {"agency": "LOCAL-LE", "state": "CA"},
        "purpose": "homicide investigation",
    },
    {**ICE_ASK, "action": "notify_release", "data": ["release_date"], "purpose": "ICE detainer"},
]
SAME = ("ledger", "at", "request_id")  # what differs between two decisions of one request
MOVES = ("index", "time", "request_id", "decided_at")  # ... and between two ledger entries


def _without(value: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k not in keys}


async def test_a_batch_records_and_answers_what_single_calls_do(
    client: httpx.AsyncClient, keys: Keys, service: Service
) -> None:
    asks = [{**ask, "id": f"bp-{n}"} for n, ask in enumerate(ASKS)]
    start = service.ledger.size
    batch = await client.post("/v1/decisions", json={"requests": asks}, headers=bearer(keys.pep))
    assert batch.status_code == 200, batch.text
    decided = batch.json()["decisions"]
    assert {d["decision"] for d in decided} >= {"deny", "escalate"}
    assert [d["ledger"]["index"] for d in decided] == list(range(start, start + len(asks)))
    for ask, one in zip(asks, decided, strict=True):
        single = await client.post("/v1/decisions", json=ask, headers=bearer(keys.pep))
        assert single.status_code == 200, single.text
        alone = single.json()
        assert _without(alone, SAME) == _without(one, SAME)
        assert list(one) == list(alone)  # same fields, same order, receipt last
        assert Receipt.model_validate(one["ledger"]).model_dump(exclude_none=True) == one["ledger"]
        # the same ledger entry, apart from where and when it was appended
        batch_entry = service.ledger.entry(one["ledger"]["index"])
        single_entry = service.ledger.entry(alone["ledger"]["index"])
        assert _without(batch_entry, MOVES) == _without(single_entry, MOVES)
        # the index answers GET with the very bytes of the batch answer
        recorded = await client.get(f"/v1/decisions/{ask['id']}", headers=bearer(keys.auditor))
        assert recorded.status_code == 200
        assert _without(recorded.json(), ("review",)) == alone  # the latest one: the single call
        body = service.store.execute(
            "SELECT body FROM svc_decisions WHERE ledger_index = ?", (one["ledger"]["index"],)
        )[0][0]
        assert orjson.loads(body) == one
    escalated = [d["ledger"]["index"] for d in decided if d["decision"] == "escalate"]
    queued = {r["index"] for r in service.store.reviews("pending", limit=1000)}
    assert set(escalated) <= queued


async def test_a_batch_with_one_invalid_request_decides_nothing(
    client: httpx.AsyncClient, keys: Keys, service: Service
) -> None:
    before = service.ledger.size
    asks = [
        {**ICE_ASK, "id": "ok-0"},
        {**ICE_ASK, "id": "bad", "purpse": "x"},
        {**ICE_ASK, "id": "ok-2"},
    ]
    response = await client.post("/v1/decisions", json={"requests": asks}, headers=bearer(keys.pep))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_request"
    assert problem["detail"] == "unknown field `purpse`"
    assert problem["location"] == "requests[1]: purpse"
    # a request that validates but cannot be decided fails the whole batch the same way
    unknown = [{**ICE_ASK, "id": "ok-3"}, {**ICE_ASK, "id": "far", "jurisdiction": "fr"}]
    response = await client.post(
        "/v1/decisions", json={"requests": unknown}, headers=bearer(keys.pep)
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_jurisdiction"
    assert service.ledger.size == before
    assert service.store.execute("SELECT count(*) FROM svc_decisions")[0][0] == 0


async def test_when_the_ledger_fails_a_batch_shares_nothing(
    client: httpx.AsyncClient, keys: Keys, service: Service
) -> None:
    asks = [{**ask, "id": f"f-{n}"} for n, ask in enumerate(ASKS)]
    before = service.ledger.size
    service.recorder.broken = "the ledger store is down"
    response = await client.post("/v1/decisions", json={"requests": asks}, headers=bearer(keys.pep))
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "ledger_unavailable"
    assert b"decision" not in response.content.replace(b"decisions", b"")
    assert service.ledger.size == before
    service.recorder.broken = None
    again = await client.post("/v1/decisions", json={"requests": asks}, headers=bearer(keys.pep))
    assert again.status_code == 200 and len(again.json()["decisions"]) == len(asks)


async def test_the_decisions_index_fails_closed_for_a_batch(
    client: httpx.AsyncClient, keys: Keys, service: Service
) -> None:
    service.store.execute("DROP TABLE svc_decisions")  # the index write will fail
    asks = [{**ask, "id": f"i-{n}"} for n, ask in enumerate(ASKS)]
    response = await client.post("/v1/decisions", json={"requests": asks}, headers=bearer(keys.pep))
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "ledger_unavailable"
    assert b"allowed_data" not in response.content


_TEXT = st.text(max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(0, 2**62),
    tree_size=st.integers(1, 2**62),
    leaf=st.binary(min_size=32, max_size=32),
    checkpoint=st.none() | _TEXT,
    body=st.dictionaries(_TEXT, st.integers(-(2**62), 2**62) | _TEXT, min_size=1, max_size=4),
)
def test_spliced_receipts_are_the_receipts_json(
    index: int, tree_size: int, leaf: bytes, checkpoint: str | None, body: dict[str, Any]
) -> None:
    receipt = Receipt(index=index, leaf_hash=leaf.hex(), tree_size=tree_size, checkpoint=checkpoint)
    splice = ReceiptSplicer(receipt)
    raw = orjson.dumps(body)
    assert splice(raw, receipt) == with_receipt(raw, receipt)
    assert splice(body, receipt) == with_receipt(body, receipt)
    other = Receipt(index=index, leaf_hash=leaf.hex(), tree_size=tree_size + 1)
    assert splice(raw, other) == with_receipt(raw, other)  # another append: the slow path
    assert orjson.loads(splice(raw, receipt)) == {
        **body,
        "ledger": receipt.model_dump(exclude_none=True),
    }


@pytest.mark.parametrize("url_key", ["old", "new"])
def test_decisions_index_works_on_either_sqlite_layout(tmp_path: Any, url_key: str) -> None:
    """New SQLite files key decisions by rowid; files made before keep their BIGINT key."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    if url_key == "old":
        import sqlite3

        conn = sqlite3.connect(tmp_path / "s.db")
        conn.execute(
            "CREATE TABLE svc_decisions (request_id TEXT NOT NULL, ledger_index BIGINT PRIMARY "
            "KEY, agency TEXT NOT NULL, key_id TEXT NOT NULL, decision TEXT NOT NULL, body TEXT "
            "NOT NULL, created TEXT NOT NULL)"
        )
        conn.commit()
        conn.close()
    store = ServiceStore(url)
    try:
        rows = [(f"r-{i}", i, "A", "k", "deny", '{"x":1}', "now") for i in range(3)]
        store.index_decisions(rows)
        assert store.decision("r-2") == ("A", '{"x":1}', 2)
        with pytest.raises(Exception, match="UNIQUE"):
            store.index_decisions(rows[:1])
    finally:
        store.close()
