"""OpenID AuthZEN Authorization API 1.0: /access/v1/evaluation and /access/v1/evaluations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from sanctuary.service.authzen import (
    Evaluation,
    EvaluationItem,
    Evaluations,
    merge,
    to_request,
    to_response,
)
from sanctuary.service.deps import IdentityDep, ServiceDep
from sanctuary.service.jsonresponse import json_response

router = APIRouter(tags=["authzen"])


@router.post("/access/v1/evaluation")
async def evaluation(body: Evaluation, identity: IdentityDep, service: ServiceDep) -> Response:
    """One AuthZEN evaluation; the Sanctuary decision is in `context.sanctuary`."""
    decision = await service.decide(identity, to_request(body))
    return json_response(to_response(decision))


@router.post("/access/v1/evaluations")
async def evaluations(body: Evaluations, identity: IdentityDep, service: ServiceDep) -> Response:
    """Several evaluations sharing top-level defaults, with the AuthZEN evaluation semantics."""
    results: list[dict[str, Any]] = []
    semantic = body.options.evaluations_semantic
    for item in body.evaluations or [EvaluationItem()]:
        answer = to_response(await service.decide(identity, to_request(merge(body, item))))
        results.append(answer)
        if (semantic == "deny_on_first_deny" and not answer["decision"]) or (
            semantic == "permit_on_first_permit" and answer["decision"]
        ):
            break
    return json_response({"evaluations": results})
