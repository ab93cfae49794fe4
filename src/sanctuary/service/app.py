"""The FastAPI application: wiring only. Behaviour lives in core.py and the routers."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

import sanctuary.service.routes.datasets as dataset_routes
from sanctuary import __version__
from sanctuary.ledger import Ledger
from sanctuary.model import Decision, Request
from sanctuary.policy import engine_for
from sanctuary.service import problems
from sanctuary.service.core import Service
from sanctuary.service.identity import Authenticator
from sanctuary.service.metrics import Metrics
from sanctuary.service.middleware import Guard
from sanctuary.service.ratelimit import RateLimiter
from sanctuary.service.recorder import Recorder
from sanctuary.service.routes import authzen, console, decisions, health, ledger, packs, reviews
from sanctuary.service.settings import Settings
from sanctuary.service.store import ServiceStore


def open_service(settings: Settings) -> Service:
    """Load packs, open the ledger and the service tables, start the ledger writer."""
    engine = engine_for(Path(settings.packs) if settings.packs else None)
    ledger = Ledger.open(settings.db, settings.signing_key)
    try:
        store = ServiceStore(settings.db)
    except BaseException:
        ledger.close()
        raise
    recorder = Recorder(ledger, store)
    return Service(engine, ledger, store, recorder, Metrics(), settings.decision_timeout_seconds)


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Run the service under uvicorn (uvloop and httptools when installed).

    ``workers`` > 1 starts that many processes on one socket, each with its own ledger writer;
    they serialise in the database (SQLite's file lock, PostgreSQL's append lock row), which
    tests/service/test_service_replicas.py checks with two processes on each store. Each worker
    keeps its own metrics, rate-limit buckets and verified-key memory.
    """
    import uvicorn

    options: dict[str, Any] = {
        "host": host, "port": port, "log_level": "warning", "access_log": False,
    }  # fmt: skip
    if workers <= 1:
        uvicorn.run(create_app(settings), **options)
        return
    # Worker processes build their app from the environment: hand them the same settings.
    os.environ.update(settings.to_env())
    uvicorn.run("sanctuary.service.app:create_app", factory=True, workers=workers, **options)


def _tune_runtime() -> None:
    """Keep the garbage collector and the GIL off the decision path of a serving process.

    Measured under load (bench/load.py with a gc.callbacks probe): full collections walked every
    object the process holds (packs, compiled rules, the engine's caches), ~0.1-0.2 s each, several
    a minute, and took most of the CPU of a batch run. Objects alive after start-up are frozen out
    of collection. With batches in flight many young objects are alive, so young collections were
    costly too: with thresholds of 7,000/10/10, 20,000/20/100 and 50,000/20/100 the same run
    (1,000-request batches, 16 in flight, 6 s) spent 2.2, 1.8 and 0.85 s in the collector and made
    3,833, 4,000 and 5,000 decisions/s; single calls were within noise (the default 700/10/10 did
    worse than 7,000/10/10 in an earlier run). Reference counting still frees everything acyclic
    at once; the 5-minute soak of bench/load.py checks that memory stays flat.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    # The ledger writer thread gives up the GIL at every SQLite step and waits to get it back;
    # with the event loop busy deciding, each wait lasted up to the 5 ms default switch interval,
    # and commits of 1,000 rows took ~0.3-0.8 s. At 0.5 ms they take a fraction of that, and
    # single calls' p99 dropped by ~40% (bench/load.py, --launcher probe at 5 ms vs 0.5 ms).
    sys.setswitchinterval(0.0005)


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or Settings.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = app.state.service is None
        if own:
            app.state.service = open_service(settings)
            _tune_runtime()
        app.state.authenticator = Authenticator(app.state.service.store)
        yield
        if own:
            app.state.service.recorder.close()
            app.state.service.store.close()
            app.state.service.ledger.close()

    app = FastAPI(
        title="Sanctuary",
        version=__version__,
        summary="Policy decisions for sanctuary ordinances, recorded in a verifiable ledger.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service = service
    if service is not None:
        app.state.authenticator = Authenticator(service.store)
    app.state.limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)
    for module in (decisions, reviews, ledger, packs, health, authzen, console, dataset_routes):
        app.include_router(module.router)
    problems.install(app)
    metrics = service.metrics if service is not None else Metrics()
    app.add_middleware(
        Guard,
        metrics=metrics,
        max_body=settings.max_body_bytes,
        log_requests=settings.log_requests,
        fast={("POST", "/v1/decisions"): decisions.fast_decide},
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the public shapes it cannot see (bodies parsed strictly by hand)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    _, defs = models_json_schema(
        [(Request, "validation"), (Decision, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(defs.get("$defs", {}))
    components["RequestBatch"] = {
        "type": "object",
        "required": ["requests"],
        "additionalProperties": False,
        "properties": {
            "requests": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/components/schemas/Request"},
            }
        },
    }
    components["DecisionBatch"] = {
        "type": "object",
        "properties": {
            "decisions": {"type": "array", "items": {"$ref": "#/components/schemas/Decision"}}
        },
    }
    schema["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    app.openapi_schema = schema
    return schema
