"""POST /v1/decisions (one or a batch) and GET /v1/decisions/{id}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from sanctuary.errors import RequestError, SanctuaryError
from sanctuary.jsonio import loads_strict, request_from_obj
from sanctuary.service import problems
from sanctuary.service.core import Service
from sanctuary.service.deps import IdentityDep, ServiceDep, identify
from sanctuary.service.identity import Identity
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
    content = await _decide(service, http.app.state.settings.max_batch, identity, await http.body())
    return Response(content, media_type="application/json")


async def _decide(service: Service, limit: int, identity: Identity, raw: bytes) -> bytes:
    body = loads_strict(raw, "body")
    if isinstance(body, dict) and set(body) == {"requests"}:
        items = body["requests"]
        if not isinstance(items, list) or not items:
            raise RequestError("`requests` must be a non-empty list", location="requests")
        if len(items) > limit:
            raise RequestError(f"a batch holds at most {limit} requests", location="requests")
        requests = [request_from_obj(item, f"requests[{i}]") for i, item in enumerate(items)]
        del body, items  # the parsed tree is not needed while the batch is decided and recorded
        decided = await service.decide_json(identity, requests)
        return b'{"decisions":[' + b",".join(decided) + b"]}"
    return (await service.decide_json(identity, [request_from_obj(body, "")]))[0]


class _Route:
    """What the access log and metrics read from ``scope["route"]``."""

    path = "/v1/decisions"


async def fast_decide(scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /v1/decisions`` as a plain ASGI handler, called by the Guard middleware.

    The same steps as the route above (key -> rate limit -> body -> decide -> record -> answer)
    and the same problem+json errors, without FastAPI's routing, dependency and exception layers:
    they cost ~80 µs a call, more than deciding (bench/load.py). The FastAPI route stays for the
    OpenAPI document and as the reference behaviour; the service tests run through this path.
    """
    scope["route"] = _Route
    app = scope["app"]
    try:
        authorization = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None
        )
        identity = await identify(app, authorization, scope)
        raw = await _body(receive)
        content = await _decide(app.state.service, app.state.settings.max_batch, identity, raw)
    except ClientGone:
        return
    except SanctuaryError as err:
        error = problems.problem(
            err.http_status, err.code, err.message, location=err.location, help=err.help
        )
        await error(scope, receive, send)
        return
    except Exception as err:  # fail closed, and say nothing about internals
        problems.log.error("internal error: %s", type(err).__name__)
        failed = problems.problem(
            500, "internal_error", "sanctuary could not complete the call; nothing was shared"
        )
        await failed(scope, receive, send)
        return
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class ClientGone(Exception):
    """The caller hung up before its body arrived: nothing was decided."""


@router.get("/v1/decisions/{request_id}")
def recorded(request_id: str, identity: IdentityDep, service: ServiceDep) -> Response:
    """A recorded decision with its receipt (and its review, if it was escalated)."""
    result: dict[str, Any] = service.recorded(identity, request_id)
    return json_response(result)
