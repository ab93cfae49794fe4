"""Liveness and Prometheus metrics (no key needed, nothing personal in either)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from sanctuary.service.jsonresponse import json_response

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> Response:
    recorder = request.app.state.service.recorder
    ok = recorder.broken is None
    return json_response({"status": "ok" if ok else "degraded"}, 200 if ok else 503)


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request) -> PlainTextResponse:
    service = request.app.state.service
    gauges = {
        "sanctuary_ledger_appended_total": float(service.recorder.appended),
        "sanctuary_ledger_batches_total": float(service.recorder.batches),
        "sanctuary_ledger_append_failures_total": float(service.recorder.failures),
        "sanctuary_ledger_append_seconds_total": service.recorder.append_seconds,
        "sanctuary_ledger_index_seconds_total": service.recorder.index_seconds,
    }
    return PlainTextResponse(service.metrics.render(gauges), media_type="text/plain; version=0.0.4")
