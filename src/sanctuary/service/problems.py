"""Every error is RFC 9457 problem+json with a stable ``code`` (pinned by tests)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sanctuary.errors import SanctuaryError

log = logging.getLogger("sanctuary.service")
MEDIA_TYPE = "application/problem+json"
HTTP_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "invalid_request", 429: "rate_limited",
    500: "internal_error", 503: "unavailable", 504: "timeout",
}  # fmt: skip


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://sanctuary.invalid/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "detail": detail,
        "code": code,
        **{k: v for k, v in extra.items() if v is not None},
    }
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(SanctuaryError)
    async def _sanctuary(_: Request, err: SanctuaryError) -> JSONResponse:
        return problem(err.http_status, err.code, err.message, location=err.location, help=err.help)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {"loc": (), "msg": "invalid"}
        field = ".".join(str(p) for p in first["loc"])
        return problem(
            422, "invalid_request", f"field `{field}`: {str(first['msg']).lower()}", location=field
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, err: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(err.status_code, "http_error")
        return problem(err.status_code, code, str(err.detail).lower())

    @app.exception_handler(Exception)
    async def _internal(_: Request, err: Exception) -> JSONResponse:
        # Fail closed and say nothing about internals (or personal data) to the caller.
        log.error("internal error: %s", type(err).__name__)
        return problem(
            500, "internal_error", "sanctuary could not complete the call; nothing was shared"
        )
