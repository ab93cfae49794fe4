"""Transparency-portal search audits (CSV, or a workbook sheet with the same header).

Detected by the header on the first row: ``id``, ``searchDate`` and a count column — the 2025
portals' ``cameraCount`` or the 2026 portals' ``networkCount`` — with optional ``userId``,
``reason``, ``offenseType``, ``caseNumber``; extra columns (an archivist's ``derived-*``) are
ignored. The Eugene OR PD archive (CSV and XLSX) and San Mateo's ``search_audit.*.csv`` are this
family.

Columns: id -> event_id, userId -> user, searchDate -> time, networkCount -> networks_searched,
cameraCount -> devices_searched, reason, offenseType -> offense_category, caseNumber ->
case_number.

Zone: 2026 portals write ISO times with ``Z``. The 2025 form (``2025-06-18 00:02:04.789``) and
Excel cells carry no zone: they are **UTC** (default zone ``UTC``), as the portal shows them; the
Eugene archive's own ``derived-searchDatePST`` column, eight hours earlier, confirms it.

Org: a portal file is one agency's log and names no agency: the caller's ``org``, else the file's
agency from its name or path (``_hints.file_agency``), else unknown.

Quirks: every field may be quoted; ``***`` user ids are redacted (null, listed in ``redacted``);
URL-form residue in reasons (``Person+Crime``) is kept in ``reason`` and undone in
``reason_normalised``; the Eugene workbook repeats rows (same id): kept, ``duplicate_of`` set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctuary.audit.formats._events import FileContext, read_headed_access
from sanctuary.audit.formats._hints import file_agency
from sanctuary.audit.formats._io import iter_tables, norm_header
from sanctuary.audit.formats.interface import (
    DEFAULT_OPTIONS,
    FormatAdapter,
    Head,
    ReadOptions,
    register,
)

__all__ = ["PortalAdapter"]

COLUMNS = {
    "id": "event_id",
    "userid": "user",
    "searchdate": "time",
    "networkcount": "networks_searched",
    "cameracount": "devices_searched",
    "reason": "reason",
    "offensetype": "offense_category",
    "casenumber": "case_number",
}
_RAW = frozenset({"time", "networks_searched", "devices_searched"})


def _mapping(header: list[Any]) -> dict[int, str] | None:
    names = [norm_header(h).replace(" ", "") for h in header]
    if "id" not in names or "searchdate" not in names:
        return None
    if "networkcount" not in names and "cameracount" not in names:
        return None
    return {i: COLUMNS[n] for i, n in enumerate(names) if n in COLUMNS}


class PortalAdapter(FormatAdapter):
    name = "portal_export"
    description = (
        "transparency-portal search audit (CSV or XLSX sheet): header "
        "`id, userId, searchDate, cameraCount|networkCount[, reason, offenseType, caseNumber]`"
    )

    def sniff(self, path: Path, head: Head) -> float:
        for rows in head.sheets.values():
            if rows and _mapping(rows[0]) is not None:
                return 0.95
        return 0.0

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        ctx = FileContext(path, self.name, options, "UTC", file_org=file_agency(path))

        def header(number: int, cells: list[Any]) -> dict[int, str] | None:
            # Row 1 only: other sheets of a workbook are covers or reports.
            return _mapping(cells) if number == 1 else None

        yield from read_headed_access(ctx, iter_tables(path), header, _RAW)


register(PortalAdapter())
