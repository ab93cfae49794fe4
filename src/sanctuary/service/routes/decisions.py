"""POST /v1/decisions (one or a batch) and GET /v1/decisions/{id}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sanctuary.errors import RequestError
from sanctuary.jsonio import loads_strict, request_from_obj
from sanctuary.service.deps import IdentityDep, ServiceDep
from sanctuary.service.jsonresponse import json_response

router = APIRouter(tags=["decisions"])

DECIDE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Request"},
                        {"$ref": "#/components/schemas/RequestBatch"},
                    ]
                }
            }
        },
    },
    "responses": {
        "200": {
            "description": "The decision (or decisions), each with its ledger receipt.",
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Decision"},
                            {"$ref": "#/components/schemas/DecisionBatch"},
                        ]
                    }
                }
            },
        }
    },
}


@router.post("/v1/decisions", openapi_extra=DECIDE_BODY)
async def decide(http: Request, identity: IdentityDep, service: ServiceDep) -> Response:
    """Decide a Request or `{"requests": [...]}`; record in the ledger; answer with receipts."""
    body = loads_strict(await http.body(), "body")
    if isinstance(body, dict) and set(body) == {"requests"}:
        items = body["requests"]
        if not isinstance(items, list) or not items:
            raise RequestError("`requests` must be a non-empty list", location="requests")
        limit: int = http.app.state.settings.max_batch
        if len(items) > limit:
            raise RequestError(f"a batch holds at most {limit} requests", location="requests")
        requests = [request_from_obj(item, f"requests[{i}]") for i, item in enumerate(items)]
        return json_response({"decisions": await service.decide_json(identity, requests)})
    decided = await service.decide_json(identity, [request_from_obj(body, "")])
    return json_response(decided[0])


@router.get("/v1/decisions/{request_id}")
def recorded(request_id: str, identity: IdentityDep, service: ServiceDep) -> Response:
    """A recorded decision with its receipt (and its review, if it was escalated)."""
    result: dict[str, Any] = service.recorded(identity, request_id)
    return json_response(result)
