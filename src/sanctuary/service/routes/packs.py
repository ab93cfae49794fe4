"""GET /v1/packs and /v1/packs/{id}: the packs in force, rules with citations."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from fastapi.responses import Response

from sanctuary.policy.show import rules_in_force
from sanctuary.service.deps import IdentityDep, ServiceDep
from sanctuary.service.jsonresponse import json_response

router = APIRouter(tags=["packs"])


@router.get("/v1/packs")
def packs(identity: IdentityDep, service: ServiceDep) -> Response:
    del identity
    listed = [
        {"id": p.id, "title": p.title, "version": p.version, "rules": len(p.rules)}
        for p in service.engine.packs.values()
    ]
    return json_response({"packs": listed})


@router.get("/v1/packs/{pack_id:path}")
def pack(
    pack_id: str, identity: IdentityDep, service: ServiceDep, at: dt.datetime | None = None
) -> Response:
    del identity
    when = at if at and at.tzinfo else dt.datetime.now(dt.UTC)
    return json_response(
        {"id": pack_id, "rules": rules_in_force(service.engine.packs, pack_id, when)}
    )
