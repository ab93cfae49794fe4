"""The auditor's reading side: log files of many shapes -> normalised Arrow tables.

    >>> from sanctuary.audit import read_logs
    >>> logs = read_logs(["EPDSearchAuditLogs.csv"])            # doctest: +SKIP
    >>> logs.access_events.num_rows, logs.reports[0].format       # doctest: +SKIP
    (4294, 'portal_export')

Each file is detected (or read with the ``format`` named), streamed batch by batch through its
adapter, and reported: rows read, rows refused and why, blank rows and skipped sheets, duplicate
ids, and the default zones applied to times written without one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sanctuary.audit.formats import FormatAdapter, ReadOptions, adapters, detect, get, register
from sanctuary.audit.tables import (
    ACCESS_EVENTS,
    CONFIG_EVENTS,
    REFUSED,
    SHARING_PARTNERS,
    TABLES,
    table_of,
)
from sanctuary.errors import LogFileError

__all__ = [
    "ACCESS_EVENTS",
    "CONFIG_EVENTS",
    "REFUSED",
    "SHARING_PARTNERS",
    "FileReport",
    "FormatAdapter",
    "LogSet",
    "ReadOptions",
    "adapters",
    "detect",
    "get_format",
    "iter_batches",
    "read_logs",
    "register",
]

get_format = get
# Refused-table codes that are not refusals: nothing was lost.
_NOT_REFUSALS = frozenset({"blank_row", "sheet_skipped"})


@dataclass
class FileReport:
    """What happened to one file (for summary.json; no personal data)."""

    file: str
    format: str
    rows_read: int = 0  # rows in access_events + config_events + sharing_partners
    access_events: int = 0
    config_events: int = 0
    sharing_partners: int = 0
    rows_refused: int = 0
    refused_by_reason: dict[str, int] = field(default_factory=dict)
    blank_rows: int = 0
    skipped_sheets: list[str] = field(default_factory=list)
    duplicates: int = 0
    zones_assumed: dict[str, int] = field(default_factory=dict)
    orgs_from: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(repr=False)
class LogSet:
    """The tables read from a set of files, and a report per file."""

    access_events: pa.Table
    config_events: pa.Table
    sharing_partners: pa.Table
    refused: pa.Table
    reports: list[FileReport]

    def __repr__(self) -> str:
        # Counts only: a table's repr shows values, and these tables hold officers' names.
        return (
            f"LogSet(files={len(self.reports)}, access_events={self.access_events.num_rows}, "
            f"config_events={self.config_events.num_rows}, "
            f"sharing_partners={self.sharing_partners.num_rows}, refused={self.refused.num_rows})"
        )

    def summary(self) -> dict[str, Any]:
        """Per-file reports and totals, ready for summary.json."""
        return {
            "files": [r.as_dict() for r in self.reports],
            "rows_read": sum(r.rows_read for r in self.reports),
            "rows_refused": sum(r.rows_refused for r in self.reports),
            "duplicates": sum(r.duplicates for r in self.reports),
        }


def _count(column: pa.ChunkedArray | pa.Array) -> dict[str, int]:
    counts = pc.value_counts(column).to_pylist()
    return {str(c["values"]): int(c["counts"]) for c in counts if c["values"] is not None}


def _account(report: FileReport, name: str, batch: pa.RecordBatch) -> None:
    n = batch.num_rows
    if name == "refused":
        code_list = batch.column("code").to_pylist()
        codes = Counter(code_list)
        report.blank_rows += codes.pop("blank_row", 0)
        if codes.pop("sheet_skipped", 0):
            sheets = batch.column("sheet").to_pylist()
            report.skipped_sheets += [
                s or "" for c, s in zip(code_list, sheets, strict=True) if c == "sheet_skipped"
            ]
        report.rows_refused += sum(codes.values())
        for code, k in codes.items():
            report.refused_by_reason[code] = report.refused_by_reason.get(code, 0) + k
        return
    report.rows_read += n
    setattr(report, name, getattr(report, name) + n)
    if name == "access_events":
        report.duplicates += n - batch.column("duplicate_of").null_count
    if name in {"access_events", "config_events"}:
        for zone, k in _count(batch.column("zone_assumed")).items():
            report.zones_assumed[zone] = report.zones_assumed.get(zone, 0) + k
        for source, k in _count(batch.column("org_source")).items():
            report.orgs_from[source] = report.orgs_from.get(source, 0) + k


def iter_batches(
    path: str | PathLike[str], format: str = "auto", options: ReadOptions | None = None
) -> tuple[FormatAdapter, Iterator[pa.RecordBatch]]:
    """The adapter for ``path`` and its stream of batches (for callers that never hold a table)."""
    p = Path(path)
    if not p.is_file():
        raise LogFileError(f"`{p}` is not a file", location=str(p))
    adapter = detect(p) if format == "auto" else get(format)
    return adapter, adapter.read(p, options or ReadOptions())


def read_logs(
    paths: Iterable[str | PathLike[str]],
    format: str = "auto",
    *,
    org: str | None = None,
    default_zone: str | None = None,
) -> LogSet:
    """Read log files into the normalised tables, with one read report per file.

    ``format``: ``auto`` (detect each file) or an adapter name. ``org``: the agency whose logs
    these are, for files that do not say. ``default_zone``: overrides the adapters' documented
    zone for times written without one.
    """
    options = ReadOptions(org=org, default_zone=default_zone)
    batches: dict[str, list[pa.RecordBatch]] = {name: [] for name in TABLES}
    reports: list[FileReport] = []
    for path in paths:
        adapter, stream = iter_batches(path, format, options)
        report = FileReport(file=str(path), format=adapter.name)
        for batch in stream:
            name = table_of(batch)
            _account(report, name, batch)
            batches[name].append(batch)
        reports.append(report)
    tables = {
        name: pa.Table.from_batches(batches[name], schema=schema) for name, schema in TABLES.items()
    }
    return LogSet(
        access_events=tables["access_events"],
        config_events=tables["config_events"],
        sharing_partners=tables["sharing_partners"],
        refused=tables["refused"],
        reports=reports,
    )
