"""Strict JSON in, canonical-ish JSON out, for requests and decisions.

Strict means: duplicate keys, NaN and Infinity are refused (a duplicate key would let a caller
hide a second value from a reviewer), and a request that does not validate names the wrong field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from sanctuary.errors import RequestError
from sanctuary.model import Decision, Request


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # rare: find the culprit only then
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key `{key}`")
            seen.add(key)
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"`{name}` is not JSON")


def loads_strict(text: str | bytes, location: str = "request") -> Any:
    """Parse JSON, refusing duplicate keys, NaN and Infinity."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as err:
        raise RequestError(
            f"invalid JSON: {err.msg} at line {err.lineno} column {err.colno}", location=location
        ) from None
    except ValueError as err:
        raise RequestError(f"invalid JSON: {err}", location=location) from None


def request_from_obj(obj: Any, location: str = "request") -> Request:
    """Validate one request; the error names the first wrong field."""
    if not isinstance(obj, dict):
        raise RequestError("a request is a JSON object", location=location)
    try:
        return Request.model_validate(obj)
    except ValidationError as err:
        raise request_error(err, location) from None


def request_error(err: ValidationError, location: str) -> RequestError:
    first = err.errors()[0]
    field = (
        ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-")) or "request"
    )
    kind = first["type"]
    if kind == "extra_forbidden":
        message = f"unknown field `{field}`"
    elif kind == "missing":
        message = f"missing field `{field}`"
    else:
        message = f"field `{field}`: {first['msg'].lower()}"
    return RequestError(message, location=f"{location}: {field}" if location else field)


def parse_requests(text: str, source: str) -> Iterator[Request]:
    """Requests from a JSON object, a JSON array of objects, or JSON lines."""
    stripped = text.strip()
    if not stripped:
        raise RequestError("no request found (empty input)", location=source)
    if stripped.startswith("[") or "\n" not in stripped or _is_single_document(stripped):
        document = loads_strict(stripped, source)
        items = document if isinstance(document, list) else [document]
        for i, obj in enumerate(items):
            yield request_from_obj(obj, f"{source}[{i}]" if isinstance(document, list) else source)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield request_from_obj(loads_strict(line, f"{source}:{number}"), f"{source}:{number}")


def _is_single_document(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def read_requests(path: str) -> Iterator[Request]:
    """Requests from a file path, or ``-`` for standard input."""
    import sys

    if path == "-":
        yield from parse_requests(sys.stdin.read(), "<stdin>")
        return
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise RequestError(f"cannot read `{path}`: {err.strerror}", location=path) from None
    yield from parse_requests(text, path)


def decision_json(decision: Decision, *, indent: bool = False) -> bytes:
    option = orjson.OPT_INDENT_2 if indent else 0
    return orjson.dumps(decision.to_json_dict(), option=option)
