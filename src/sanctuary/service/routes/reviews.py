"""The escalation queue: GET /v1/reviews and POST /v1/reviews/{index}."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from sanctuary.service.deps import IdentityDep, ServiceDep
from sanctuary.service.jsonresponse import json_response

router = APIRouter(tags=["reviews"])


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["allow", "allow_redacted", "deny"]
    reason: str = Field(min_length=1, max_length=4000)


@router.get("/v1/reviews")
def queue(
    identity: IdentityDep,
    service: ServiceDep,
    status: Literal["pending", "resolved", "all"] = "pending",
) -> Response:
    """Escalated decisions waiting for counsel (or resolved, or all)."""
    reviews = service.pending(identity, None if status == "all" else status)
    return json_response({"reviews": reviews})


@router.post("/v1/reviews/{index}")
async def resolve(
    index: int, resolution: Resolution, identity: IdentityDep, service: ServiceDep
) -> Response:
    """Counsel resolves an escalation; the resolution is a new ledger entry linked to the first."""
    result = await service.resolve(identity, index, resolution.decision, resolution.reason)
    return json_response(result)
