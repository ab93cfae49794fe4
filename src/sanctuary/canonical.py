"""Canonical JSON (RFC 8785 style) for everything that is hashed or signed.

Keys sorted, no insignificant whitespace, UTF-8. Sanctuary hashes only JSON built from strings,
integers, booleans, null, lists and objects; floats are refused because their canonical form is
where implementations disagree (scores are recorded as integers in basis points instead).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def _check(value: Any, path: str = "$") -> None:
    if isinstance(value, float):
        raise TypeError(f"float at {path} cannot be canonicalised; use an integer or a string")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"non-string key at {path}")
            _check(v, f"{path}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check(v, f"{path}[{i}]")


def _plain(value: Any) -> bool:
    """True if ``value`` is built only of exact str/int/bool/None, lists and str-keyed dicts.

    The fast path of ``_check`` (no path strings); anything else goes through ``_check``, which
    raises with the path or lets orjson decide, exactly as before.
    """
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            sub = type(item)
            if not (sub is str or sub is int or sub is bool or item is None or _plain(item)):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:
            sub = type(item)
            if not (sub is str or sub is int or sub is bool or item is None or _plain(item)):
                return False
        return True
    return kind is str or kind is int or kind is bool or value is None


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of ``value``."""
    if not _plain(value):
        _check(value)
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``value``."""
    return "sha256:" + sha256_hex(canonical_json(value))
