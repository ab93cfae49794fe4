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
from pydantic import BaseModel, ValidationError

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
    """Parse JSON, refusing duplicate keys, NaN and Infinity.

    The fast path is orjson (which refuses NaN and Infinity itself) plus a duplicate-key check
    that needs no second parse (``_no_duplicate_keys``). Anything the fast path cannot vouch for
    goes through the standard library with a hook that sees every key, which also words the error.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = _MISSING
    if value is not _MISSING and _no_duplicate_keys(text, value):
        return value
    return _loads_checked(text, location)


_MISSING = object()
# orjson reads integers beyond 64 bits as floats (losing digits); the standard library keeps them.
# Any run of 19 digits (in a string or not) sends the text down the slow path, to be safe. Found
# by writing every digit as 0 and looking for nineteen 0s: C-speed both, where the regular
# expression [0-9]{19} tried a match at every digit and took ~3 µs of a request's ~8.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def _loads_checked(text: str | bytes, location: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as err:
        raise RequestError(
            f"invalid JSON: {err.msg} at line {err.lineno} column {err.colno}", location=location
        ) from None
    except ValueError as err:
        raise RequestError(f"invalid JSON: {err}", location=location) from None


def _no_duplicate_keys(text: str | bytes, value: Any) -> bool:
    """Whether ``text`` (which parsed to ``value``) certainly has no duplicate key (and no
    integer orjson would have read as a float).

    Outside strings, JSON has exactly one colon per object member; inside strings, a colon is
    written literally unless escaped (``\\u003a``). So with no escape in the text, its colons
    count the members written plus the colons in the strings written. Parsing drops only the
    losers of duplicate keys (members and their strings), so the counts agree exactly when nothing
    was dropped. orjson writes ``value`` back with one colon per member and every string's colons
    literal, which counts its side in C. With an escape in the text the count proves nothing and
    the caller takes the slow path.
    """
    raw = text.encode() if isinstance(text, str) else text
    if b"\\u" in raw or _LONG_NUMBER in raw.translate(_DIGITS_AS_ZERO):
        return False
    return raw.count(b":") == orjson.dumps(value).count(b":")


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
    """``decision.to_json_dict()`` as JSON bytes (a test holds the two byte-for-byte equal).

    The reasons, exception outcomes, obligations, purpose assessment and pack references of the
    engine's decisions are shared immutable objects (``policy.evaluate._Parts``), so each is
    written to JSON once and spliced in as an ``orjson.Fragment`` afterwards: only the few fields
    that differ between decisions are written anew.
    """
    if indent:
        return orjson.dumps(decision.to_json_dict(), option=orjson.OPT_INDENT_2)
    d = decision.__dict__
    out = {
        "request_id": d["request_id"],
        "decision": d["decision"],
        "allowed_data": d["allowed_data"],
        "withheld_data": d["withheld_data"],
        "obligations": [_fragment(p) for p in d["obligations"]],
        "reasons": [_fragment(p) for p in d["reasons"]],
        "exceptions": [_fragment(p) for p in d["exceptions"]],
        "purpose_assessment": _fragment(d["purpose_assessment"]),
        "packs": [_fragment(p) for p in d["packs"]],
        "at": d["at"],
    }
    if d["ledger"] is not None:
        out["ledger"] = d["ledger"].model_dump(mode="json", exclude_none=True)
    return orjson.dumps(out, option=orjson.OPT_UTC_Z)


# id(part) -> (part, its JSON). The entry holds the part, so its id cannot be reused while cached.
_FRAGMENTS: dict[int, tuple[BaseModel, orjson.Fragment]] = {}
_FRAGMENTS_LIMIT = 100_000


def _fragment(part: BaseModel) -> orjson.Fragment:
    known = _FRAGMENTS.get(id(part))
    if known is not None:
        return known[1]
    fragment = orjson.Fragment(
        orjson.dumps(part.model_dump(mode="json", by_alias=True, exclude_none=True))
    )
    if len(_FRAGMENTS) >= _FRAGMENTS_LIMIT:
        _FRAGMENTS.clear()
    _FRAGMENTS[id(part)] = (part, fragment)
    return fragment
