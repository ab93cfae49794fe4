"""The decision service in process: identities, receipts, strictness, reviews, fail-closed."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from svc_helpers import Keys, bearer

from sanctuary.ledger import leaf_hash, verify_inclusion
from sanctuary.service import Service

ASK: dict[str, Any] = {
    "id": "req-1",
    "time": "2025-03-04T17:05:00-08:00",
    "jurisdiction": "us-ca",
    "responder": {"kind": "jail"},
    "requester": {"agency": "ICE-ERO"},
    "action": "disclose_information",
    "purpose": "ICE+ERO warrant service",
    "data": ["immigration_status", "home_address"],
}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


async def test_no_decision_without_a_key(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/v1/decisions", json=ASK), 401, "unauthenticated")
    assert_problem(
        await client.post("/v1/decisions", json=ASK, headers=bearer("sk_00000000_nope")),
        401,
        "unauthenticated",
    )


async def test_a_decision_carries_a_receipt_the_ledger_proves(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    response = await client.post("/v1/decisions", json=ASK, headers=bearer(keys.pep))
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["decision"] == "allow_redacted"
    assert decision["allowed_data"] == ["immigration_status"]
    receipt = decision["ledger"]
    assert receipt["checkpoint"].startswith("sanctuary") or "\n" in receipt["checkpoint"]
    proof = (
        await client.get(
            f"/v1/ledger/proof/inclusion?index={receipt['index']}&size={receipt['tree_size']}"
        )
    ).json()
    entries = (
        await client.get(f"/v1/ledger/entries?start={receipt['index']}&end={receipt['index'] + 1}")
    ).text
    leaf = base64.b64decode(json.loads(entries.splitlines()[0])["leaf"])
    assert leaf_hash(leaf).hex() == receipt["leaf_hash"]
    verify_inclusion(
        receipt["index"],
        receipt["tree_size"],
        leaf_hash(leaf),
        [bytes.fromhex(h) for h in proof["inclusion"]],
        bytes.fromhex(proof["root_hash"]),
    )
    entry = json.loads(leaf)
    assert entry["kind"] == "decision" and entry["decision"] == "allow_redacted"
    assert "ICE+ERO warrant service" not in leaf.decode()  # the purpose text is not in the ledger


async def test_a_requester_key_asks_only_as_its_own_agency(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    assert_problem(
        await client.post("/v1/decisions", json=ASK, headers=bearer(keys.fbi)), 403, "forbidden"
    )
    own = await client.post("/v1/decisions", json=ASK, headers=bearer(keys.ice))
    assert own.status_code == 200 and own.json()["decision"] == "allow_redacted"
    mine = await client.get("/v1/decisions/req-1", headers=bearer(keys.ice))
    assert mine.status_code == 200 and mine.json()["ledger"]["index"] >= 0
    assert_problem(
        await client.get("/v1/decisions/req-1", headers=bearer(keys.fbi)), 404, "not_found"
    )


async def test_a_batch_gets_distinct_consecutive_indices(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    batch = {"requests": [{**ASK, "id": f"b-{i}"} for i in range(25)]}
    response = await client.post("/v1/decisions", json=batch, headers=bearer(keys.pep))
    assert response.status_code == 200, response.text
    indices = sorted(d["ledger"]["index"] for d in response.json()["decisions"])
    assert indices == list(range(indices[0], indices[0] + 25))


@pytest.mark.parametrize(
    ("body", "code", "needle"),
    [
        (b'{"id": "a", "id": "b"}', "invalid_request", "duplicate key `id`"),
        (b'{"id": NaN}', "invalid_request", "NaN"),
        (b"{not json", "invalid_request", "invalid JSON"),
        (json.dumps({**ASK, "purpse": "x"}).encode(), "invalid_request", "unknown field `purpse`"),
        (json.dumps({**ASK, "time": "2025-03-04T17:05:00"}).encode(), "invalid_request", "`time`"),
        (json.dumps({**ASK, "jurisdiction": "fr"}).encode(), "unknown_jurisdiction", "`fr`"),
        (json.dumps({"requests": []}).encode(), "invalid_request", "non-empty"),
    ],
)
async def test_bad_bodies_are_refused_as_problems(
    client: httpx.AsyncClient, keys: Keys, body: bytes, code: str, needle: str
) -> None:
    response = await client.post("/v1/decisions", content=body, headers=bearer(keys.pep))
    problem = assert_problem(response, 422, code)
    assert needle in problem["detail"] + problem.get("location", "")


async def test_an_oversized_body_is_refused(client: httpx.AsyncClient, keys: Keys) -> None:
    huge = b'{"x": "' + b"a" * 2_000_000 + b'"}'
    assert_problem(
        await client.post("/v1/decisions", content=huge, headers=bearer(keys.pep)),
        413,
        "payload_too_large",
    )


async def test_an_escalation_waits_for_counsel_and_the_resolution_is_linked(
    client: httpx.AsyncClient, keys: Keys, service: Service
) -> None:
    unclear = {
        **ASK,
        "id": "req-unclear",
        "requester": {"agency": "FBI"},
        "purpose": "",
        "data": ["incident_report"],
    }
    decided = (await client.post("/v1/decisions", json=unclear, headers=bearer(keys.fbi))).json()
    assert decided["decision"] == "escalate"
    assert_problem(await client.get("/v1/reviews", headers=bearer(keys.fbi)), 403, "forbidden")
    queue = (await client.get("/v1/reviews", headers=bearer(keys.reviewer))).json()["reviews"]
    assert [r["index"] for r in queue] == [decided["ledger"]["index"]]
    resolution = {"decision": "allow", "reason": "court order on file, reviewed"}
    resolved = await client.post(
        f"/v1/reviews/{queue[0]['index']}", json=resolution, headers=bearer(keys.reviewer)
    )
    assert resolved.status_code == 200, resolved.text
    entry = service.ledger.entry(resolved.json()["ledger"]["index"])
    assert entry["kind"] == "review" and entry["resolves"] == decided["ledger"]["index"]
    again = await client.post(
        f"/v1/reviews/{queue[0]['index']}", json=resolution, headers=bearer(keys.reviewer)
    )
    assert_problem(again, 409, "conflict")
    outcome = (await client.get("/v1/decisions/req-unclear", headers=bearer(keys.fbi))).json()
    assert outcome["review"]["status"] == "resolved" and outcome["review"]["outcome"] == "allow"


async def test_when_the_ledger_breaks_nothing_is_shared(
    client: httpx.AsyncClient, keys: Keys, service: Service
) -> None:
    assert (
        await client.post("/v1/decisions", json=ASK, headers=bearer(keys.pep))
    ).status_code == 200
    service.ledger.store.close()  # the database goes away mid-run
    response = await client.post(
        "/v1/decisions", json={**ASK, "id": "req-2"}, headers=bearer(keys.pep)
    )
    body = assert_problem(response, 503, "ledger_unavailable")
    assert "decision" not in body and "allowed_data" not in body
    health = await client.get("/healthz")
    assert health.status_code in (200, 503)


async def test_authzen_evaluation_maps_to_a_request(client: httpx.AsyncClient, keys: Keys) -> None:
    evaluation = {
        "subject": {"type": "agency", "id": "ICE-ERO"},
        "action": {"name": "disclose_information"},
        "resource": {"type": "home_address"},
        "context": {"jurisdiction": "us-ca", "responder": {"kind": "jail"}, "purpose": "removal"},
    }
    answer = (
        await client.post("/access/v1/evaluation", json=evaluation, headers=bearer(keys.pep))
    ).json()
    assert answer["decision"] is False
    assert answer["context"]["sanctuary"]["decision"] == "deny"
    many = {
        **evaluation,
        "evaluations": [
            {"resource": {"type": "immigration_status"}},
            {"resource": {"type": "home_address"}},
        ],
    }
    answers = (
        await client.post("/access/v1/evaluations", json=many, headers=bearer(keys.pep))
    ).json()
    assert [a["decision"] for a in answers["evaluations"]] == [True, False]


async def test_public_reads_and_headers(client: httpx.AsyncClient, keys: Keys) -> None:
    await client.post("/v1/decisions", json=ASK, headers=bearer(keys.pep))
    checkpoint = await client.get("/v1/ledger/checkpoint")
    assert checkpoint.status_code == 200 and "\n\n" in checkpoint.text
    key = (await client.get("/v1/ledger/key")).text.strip()
    name, key_hash, encoded = key.split("+", 2)  # C2SP vkey: name+hash+base64 (may hold "+")
    assert name and len(key_hash) == 8 and base64.b64decode(encoded)[0] == 1
    consistency = (await client.get("/v1/ledger/proof/consistency?from=1&to=3")).json()
    assert consistency["from"] == 1 and consistency["to"] == 3
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    metrics = (await client.get("/metrics")).text
    assert "sanctuary_decisions_total" in metrics
    assert checkpoint.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in checkpoint.headers["content-security-policy"]
    packs = (await client.get("/v1/packs", headers=bearer(keys.auditor))).json()["packs"]
    assert {p["id"] for p in packs} == {"us", "us-ca"}
    rules = (await client.get("/v1/packs/us-ca", headers=bearer(keys.auditor))).json()["rules"]
    assert {r["id"] for r in rules} >= {"t.unclear", "t.no_immigration"}
    assert_problem(await client.get("/v1/packs"), 401, "unauthenticated")
    assert_problem(await client.get("/v1/nothing-here"), 404, "not_found")
