"""Plain ASGI middleware (no per-call task overhead): security headers, a body-size limit, a
structured access log without personal data, and metrics."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sanctuary.service.metrics import Metrics

log = logging.getLogger("sanctuary.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
PAGE_CSP = (
    b"content-security-policy",
    b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"frame-ancestors 'none'",
)


class TooLarge(Exception):
    pass


class Guard:
    """Adds security headers, refuses oversized bodies (413), logs and counts every call."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body: int,
        log_requests: bool,
        fast: dict[tuple[str, str], ASGIApp] | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body
        self.log_requests = log_requests
        # (method, path) -> a plain ASGI handler that answers without FastAPI's layers
        self.fast = fast or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _reject(send, self.max_body)
            self._done(scope, 413, start)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise TooLarge
            return message

        is_page = scope["path"] == "/" or scope["path"].startswith(("/console", "/docs", "/static"))

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [*SECURITY_HEADERS, PAGE_CSP if is_page else API_CSP]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        handler = self.fast.get((scope["method"], scope["path"]), self.app)
        try:
            await handler(scope, limited_receive, send_with_headers)
        except TooLarge:
            status = 413
            await _reject(send, self.max_body)
        finally:
            self._done(scope, status, start)

    def _done(self, scope: Scope, status: int, start: float) -> None:
        seconds = time.perf_counter() - start
        route = _route(scope)
        self.metrics.observe(scope["method"], route, status, seconds)
        if self.log_requests:
            # Route templates only: never the path (it can carry ids) or the body.
            record = {
                "event": "http",
                "method": scope["method"],
                "route": route,
                "status": status,
                "ms": round(seconds * 1000, 2),
                "key": scope.get("state", {}).get("key_id"),
            }
            sys.stderr.write(orjson.dumps(record).decode() + "\n")


def _route(scope: Scope) -> str:
    route: Any = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


async def _reject(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "https://sanctuary.invalid/problems/payload_too_large",
            "title": "payload too large",
            "status": 413,
            "detail": f"the body is larger than {limit} bytes",
            "code": "payload_too_large",
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
        API_CSP,
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
