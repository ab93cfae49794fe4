"""Public, read-only ledger documents (spec/ledger.md) under /v1/ledger."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from sanctuary.ledger import Ledger
from sanctuary.service.jsonresponse import json_response

router = APIRouter(tags=["ledger"])
MAX_ENTRIES = 10_000


def _ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.service.ledger
    return ledger


@router.get("/v1/ledger/checkpoint", response_class=PlainTextResponse)
def checkpoint(request: Request) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP signed note), signing a new one if the tree grew."""
    return PlainTextResponse(_ledger(request).checkpoint())


@router.get("/v1/ledger/key", response_class=PlainTextResponse)
def key(request: Request) -> PlainTextResponse:
    """The verifier key in C2SP vkey form."""
    return PlainTextResponse(_ledger(request).verifier_key() + "\n")


@router.get("/v1/ledger/proof/inclusion")
def inclusion(
    request: Request,
    index: Annotated[int, Query(ge=0)],
    size: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    return json_response(_ledger(request).prove_inclusion(index, size).to_json())


@router.get("/v1/ledger/proof/consistency")
def consistency(
    request: Request,
    from_: Annotated[int, Query(alias="from", ge=0)],
    to: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    return json_response(_ledger(request).prove_consistency(from_, to).to_json())


@router.get("/v1/ledger/entries")
def entries(
    request: Request,
    start: Annotated[int, Query(ge=0)] = 0,
    end: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """Entries as JSON lines `{"index": i, "leaf": "<base64 leaf>"}`, at most 10,000 a call."""
    stop = min(end if end is not None else start + MAX_ENTRIES, start + MAX_ENTRIES)
    lines = [
        b'{"index":%d,"leaf":"%s"}' % (i, base64.b64encode(leaf))
        for i, leaf in _ledger(request).export(start, stop)
    ]
    return Response(b"\n".join(lines) + (b"\n" if lines else b""), media_type="application/jsonl")
