"""schemathesis hooks for the end-to-end run: every error must be problem+json with a code."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def problem_json_errors(ctx: Any, response: Any, case: Any) -> None:
    del ctx, case
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"error {response.status_code} is not problem+json: {content_type}")
    body = response.json()
    if not body.get("code") or body.get("status") != response.status_code:
        raise AssertionError(f"problem without a stable code: {body}")
