"""POST /v1/datasets/{name}/query: a decided, logged and redacted query on a registered dataset."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sanctuary.jsonio import loads_strict
from sanctuary.service.datasets import Gateway, QueryBody
from sanctuary.service.deps import IdentityDep, ServiceDep
from sanctuary.service.jsonresponse import json_response

router = APIRouter(tags=["datasets"])
_opening = threading.Lock()


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every `$defs` reference replaced by its definition (none is recursive)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _query_schema() -> dict[str, Any]:
    schema = QueryBody.model_json_schema()
    inlined: dict[str, Any] = _inline(schema, schema.get("$defs", {}))
    return inlined


QUERY_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": _query_schema()}}},
    "responses": {
        "200": {
            "description": "The decision with its receipt, and the rows it allows, redacted.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["dataset", "decision", "columns", "rows", "released"],
                        "properties": {
                            "dataset": {"type": "string"},
                            "decision": {"$ref": "#/components/schemas/Decision"},
                            "columns": {"type": "array", "items": {"type": "string"}},
                            "withheld_columns": {"type": "array", "items": {"type": "string"}},
                            "rows": {"type": "array", "items": {"type": "object"}},
                            "released": {"type": "object"},
                            "redactions": {"type": "object"},
                        },
                    }
                }
            },
        }
    },
}


def get_gateway(http: Request) -> Gateway:
    """The app's gateway, built from `Settings.datasets` on first use (or set by the caller)."""
    with _opening:
        gateway: Gateway | None = getattr(http.app.state, "gateway", None)
        if gateway is None:
            gateway = Gateway.from_file(http.app.state.settings.datasets)
            http.app.state.gateway = gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


@router.post("/v1/datasets/{name}/query", openapi_extra=QUERY_BODY)
async def query(
    name: str, http: Request, identity: IdentityDep, service: ServiceDep, gateway: GatewayDep
) -> Response:
    """Decide (the columns' categories are the request's data), log the decision with the digest
    of the rows released, then answer only the allowed columns, redacted."""
    from sanctuary.service.datasets import query as run

    body = loads_strict(await http.body(), "body")
    return json_response(await run(service, gateway, identity, name, body))
