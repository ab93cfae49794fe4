"""The hot decision path (a plain ASGI handler, JSON spliced from bytes) answers exactly what the
model path answers (``Decision.to_json_dict()``, as AuthZEN's ``context.sanctuary`` carries it), and
what GET /v1/decisions/{id} later returns."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from svc_helpers import Keys, bearer

from sanctuary.jsonio import request_from_obj
from sanctuary.model import Receipt
from sanctuary.service import Identity, Service
from sanctuary.service.core import Overloaded

SAME = ("ledger", "at", "request_id")  # what differs between two decisions of one request


def _without(decision: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in decision.items() if k not in SAME}


ASK: dict[str, Any] = {
    "time": "2025-03-04T17:05:00-08:00",
    "jurisdiction": "us-ca",
    "responder": {"kind": "jail"},
    "requester": {"agency": "ICE-ERO"},
    "action": "disclose_information",
    "purpose": "ICE+ERO warrant service",
    "data": ["immigration_status", "home_address"],
}
UNCLEAR = {**ASK, "requester": {"agency": "FBI"}, "purpose": "***"}


async def test_the_answer_is_the_decision_model_and_the_recorded_body(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    for n, ask in enumerate((ASK, UNCLEAR)):
        response = await client.post(
            "/v1/decisions", json={**ask, "id": f"hot-{n}"}, headers=bearer(keys.pep)
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        answer = response.json()
        assert list(answer)[-1] == "ledger"
        receipt = Receipt.model_validate(answer["ledger"])
        assert receipt.model_dump(exclude_none=True) == answer["ledger"]
        evaluation = {
            "subject": {"id": ask["requester"]["agency"]},
            "action": {"name": ask["action"]},
            "resource": {"type": "record", "properties": {"data": ask["data"]}},
            "context": {k: ask[k] for k in ("time", "jurisdiction", "responder", "purpose")},
        }
        model = await client.post(
            "/access/v1/evaluation", json=evaluation, headers=bearer(keys.pep)
        )
        assert model.status_code == 200, model.text
        assert _without(model.json()["context"]["sanctuary"]) == _without(answer)
        recorded = await client.get(f"/v1/decisions/hot-{n}", headers=bearer(keys.auditor))
        assert recorded.status_code == 200
        assert {k: v for k, v in recorded.json().items() if k != "review"} == answer


async def test_a_batch_answers_what_single_calls_answer(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    asks = [{**ASK, "id": "b-0"}, {**UNCLEAR, "id": "b-1"}, {**ASK, "id": "b-2"}]
    batch = await client.post("/v1/decisions", json={"requests": asks}, headers=bearer(keys.pep))
    assert batch.status_code == 200, batch.text
    decided = batch.json()["decisions"]
    indices = [d["ledger"]["index"] for d in decided]
    assert indices == list(range(indices[0], indices[0] + 3))  # one group, consecutive
    for ask, one in zip(asks, decided, strict=True):
        single = await client.post("/v1/decisions", json=ask, headers=bearer(keys.pep))
        assert _without(single.json()) == _without(one)


async def test_errors_on_the_hot_path_are_problems(client: httpx.AsyncClient, keys: Keys) -> None:
    cases = [
        ({}, b"{}", 401, "unauthenticated"),
        (bearer(keys.pep), b"{not json", 422, "invalid_request"),
        (bearer(keys.pep), b'{"requests": []}', 422, "invalid_request"),
        (bearer(keys.fbi), httpx.Request("POST", "/", json=ASK).content, 403, "forbidden"),
    ]
    for headers, body, status, code in cases:
        response = await client.post(
            "/v1/decisions", content=body, headers={**headers, "content-type": "application/json"}
        )
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code


async def test_a_batch_that_cannot_start_in_time_is_refused_before_deciding(
    service: Service,
) -> None:
    pep = Identity("k0", "LOCAL-GOV", "gateway", None, "pep")
    asks = [request_from_obj({**ASK, "id": f"o-{n}"}) for n in range(3)]
    service.timeout = 0.2
    for _ in range(2):  # both batch slots busy
        await service._batches.acquire()
    before = service.ledger.size
    with pytest.raises(Overloaded):
        await service.decide_json(pep, asks)
    assert service.ledger.size == before  # nothing decided, nothing recorded
    one = await service.decide_json(pep, asks[:1])  # single calls do not wait for batches
    assert orjson.loads(one[0])["ledger"]["index"] == before
    service._batches.release()
    many = await service.decide_json(pep, asks)
    assert [orjson.loads(d)["ledger"]["index"] for d in many] == [
        before + 1,
        before + 2,
        before + 3,
    ]
