"""The plug point for audit-log formats: the adapter contract and its registry.

An adapter reads one family of log files into the normalised tables of
:mod:`sanctuary.audit.tables`. Built-in adapters register through :func:`register`, exactly as a
third party's would::

    from sanctuary.audit.formats import FormatAdapter, register

    class MyExport(FormatAdapter):
        name = "my_export"
        description = "My vendor's CSV: `When, Who, Why`"
        def sniff(self, path, head): ...
        def read(self, path, options): ...

    register(MyExport())

Detection (:func:`detect`) reads a small head of the file once (:class:`Head`), asks every adapter
for its confidence, and takes the highest at or above :data:`THRESHOLD`; ties go to the adapter
registered first. A file nobody claims is refused with :class:`UnknownFormatError` listing what
each adapter expects.
"""

from __future__ import annotations

import csv
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctuary.errors import UnknownFormatError, did_you_mean

__all__ = [
    "DEFAULT_OPTIONS",
    "THRESHOLD",
    "FormatAdapter",
    "Head",
    "ReadOptions",
    "adapters",
    "detect",
    "get",
    "read_head",
    "register",
]

THRESHOLD = 0.5
_HEAD_BYTES = 64 * 1024
_HEAD_ROWS = 12


@dataclass(frozen=True)
class ReadOptions:
    """Caller's knowledge that the file does not carry.

    ``org``: the agency whose log this is (a portal export names no agency). ``default_zone``: the
    IANA zone for times written without one, overriding the adapter's documented default.
    """

    org: str | None = None
    default_zone: str | None = None
    batch_size: int = 8192


DEFAULT_OPTIONS = ReadOptions()


@dataclass
class Head:
    """What sniffing sees: the file's first bytes and, for tables, the first rows of each sheet."""

    path: Path
    suffix: str
    text: str = ""
    # sheet name ("" for a CSV) -> first rows as cells (str/None for CSV; typed values for XLSX)
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    json_keys: tuple[str, ...] = ()


class FormatAdapter(ABC):
    """One log family. Subclasses set ``name`` (stable, snake_case) and ``description``."""

    name: str = ""
    description: str = ""

    @abstractmethod
    def sniff(self, path: Path, head: Head) -> float:
        """Confidence in [0, 1] that :meth:`read` can read this file, from its head alone."""

    @abstractmethod
    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        """Stream the file as record batches of the normalised tables (bounded memory).

        Rows that cannot be read become rows of the ``refused`` table; reading goes on.
        """


_REGISTRY: dict[str, FormatAdapter] = {}


def register(adapter: FormatAdapter) -> FormatAdapter:
    """Add an adapter (built-ins and plugins alike). A name may be registered once."""
    if not adapter.name or not adapter.description:
        raise ValueError("an adapter needs a `name` and a `description`")
    if adapter.name in _REGISTRY and _REGISTRY[adapter.name] is not adapter:
        raise ValueError(f"a log format named `{adapter.name}` is already registered")
    _REGISTRY[adapter.name] = adapter
    return adapter


def adapters() -> list[FormatAdapter]:
    """Registered adapters, in registration order."""
    return list(_REGISTRY.values())


def _expected() -> str:
    return "; ".join(f"{a.name}: {a.description}" for a in adapters())


def get(name: str) -> FormatAdapter:
    """The adapter registered as ``name`` (for ``--format NAME``)."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownFormatError(
            f"unknown log format `{name}`",
            help=did_you_mean(name, _REGISTRY) or f"one of: {', '.join(_REGISTRY)}",
        ) from None


def _csv_head(text: str) -> list[list[Any]]:
    lines = text.splitlines(keepends=True)
    if len(text) >= _HEAD_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO("".join(lines))):
            rows.append(list(row))
            if len(rows) >= _HEAD_ROWS:
                break
    except csv.Error:
        pass
    return rows


def _xlsx_head(path: Path) -> dict[str, list[list[Any]]]:
    from sanctuary.audit.formats._io import open_workbook

    sheets: dict[str, list[list[Any]]] = {}
    with open_workbook(path) as wb:
        for ws in wb.worksheets:
            rows = []
            for values in ws.iter_rows(max_row=_HEAD_ROWS, values_only=True):
                rows.append(list(values))
            sheets[ws.title] = rows
    return sheets


def read_head(path: Path) -> Head:
    """Read what sniffing needs, once per file."""
    suffix = path.suffix.lower()
    head = Head(path=path, suffix=suffix)
    if suffix in {".xlsx", ".xlsm"}:
        try:
            head.sheets = _xlsx_head(path)
        except Exception:  # not a workbook after all: leave it to be refused
            head.sheets = {}
        return head
    with path.open("rb") as fh:
        raw = fh.read(_HEAD_BYTES)
    if b"\x00" in raw:
        return head  # binary: nothing to sniff
    head.text = raw.decode("utf-8-sig", errors="replace")
    if head.text.lstrip().startswith("{"):
        head.json_keys = _json_keys(path, head.text)
    elif suffix in {".csv", ".tsv", ".txt", ""}:
        head.sheets = {"": _csv_head(head.text)}
    return head


def _json_keys(path: Path, text: str) -> tuple[str, ...]:
    # Top-level keys from the head alone: a streaming scan would need a parser we do not have;
    # the archive writes its small keys (`portal`, `schema_seen`) before `rows`.
    if len(text) < _HEAD_BYTES:
        try:
            doc = json.loads(text)
        except ValueError:
            return ()
        return tuple(doc) if isinstance(doc, dict) else ()
    import re

    return tuple(dict.fromkeys(re.findall(r'^\s{0,2}"([A-Za-z_]+)"\s*:', text, re.M)))


def detect(path: Path) -> FormatAdapter:
    """The adapter most confident it can read ``path``; refuses a file nobody recognises."""
    head = read_head(path)
    best: tuple[float, FormatAdapter] | None = None
    for adapter in adapters():
        score = adapter.sniff(path, head)
        if score >= THRESHOLD and (best is None or score > best[0]):
            best = (score, adapter)
    if best is None:
        raise UnknownFormatError(
            f"`{path.name}` is not a log format sanctuary can read",
            help=f"expected one of: {_expected()}",
            location=str(path),
        )
    return best[1]
