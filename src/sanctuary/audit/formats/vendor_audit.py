"""Vendor "Network Audit" / "Organization Audit" exports (CSV or XLSX, often monthly).

Columns, in this order: ``ID, Name, Org Name, Total Networks Searched, [Total Devices Searched,]
Time Frame, License Plate, Reason, Case #, Filters, Search Time, Search Type, [Text Prompt,
Moderation]``; some releases have no ``ID``.

Detection: a header row holding ``Org Name``, ``Time Frame`` and ``Search Time`` (compared without
case or surrounding spaces: releases with `` Org Name`` are common). Header-less releases are
recognised by shape: the first row's column count, whether its first cell is a UUID (the ``ID``),
and a vendor time (``01/25/2024, 01:27:03 PM UTC``) in the ``Search Time`` position and a two-time
``Time Frame`` cell. Each XLSX sheet is judged on its own (monthly sheets).

Columns mapped: ID -> event_id, Name -> user, Org Name -> org (who searched), Total Networks
Searched / Total Devices Searched -> counts, Time Frame -> time_frame_start/_end (two lines: start,
end), Reason, Case # -> case_number, Filters, Search Time -> time, Search Type, Text Prompt,
Moderation. ``License Plate`` is deliberately not carried (minimum data).

Zone: the vendor writes ``UTC`` after each time; a time without it is read as **UTC** (default
zone ``UTC``) and recorded in ``zone_assumed``.

Quirks: ``***`` / ``——`` are redacted/missing (null, listed in ``redacted``); duplicate IDs (about
0.6 %) are kept and point at the first row (``duplicate_of``); Reason and Filters may hold
newlines (kept as given; folded in ``reason_normalised``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctuary.audit.formats._events import FileContext, clean_cells
from sanctuary.audit.formats._hints import file_agency
from sanctuary.audit.formats._io import is_blank, iter_tables, norm_header
from sanctuary.audit.formats.interface import (
    DEFAULT_OPTIONS,
    FormatAdapter,
    Head,
    ReadOptions,
    register,
)
from sanctuary.audit.times import find_vendor_times

__all__ = ["VendorAuditAdapter", "headerless_layout"]

HEADERS = {
    "id": "event_id",
    "name": "user",
    "org name": "org",
    "total networks searched": "networks_searched",
    "total devices searched": "devices_searched",
    "time frame": "time_frame",
    "license plate": "license_plate",
    "reason": "reason",
    "case #": "case_number",
    "case number": "case_number",
    "filters": "filters",
    "search time": "time",
    "search type": "search_type",
    "text prompt": "text_prompt",
    "moderation": "moderation",
}
_REQUIRED = {"org", "time_frame", "time"}
_RAW = frozenset({"time", "networks_searched", "devices_searched", "time_frame"})
_DROP = frozenset({"license_plate"})
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_BASE = ["user", "org", "networks_searched"]
_TAIL = ["time_frame", "license_plate", "reason", "case_number", "filters", "time", "search_type"]


def _layout(has_id: bool, devices: bool, prompt: bool) -> list[str]:
    cols = (["event_id"] if has_id else []) + _BASE + (["devices_searched"] if devices else [])
    return cols + _TAIL + (["text_prompt", "moderation"] if prompt else [])


def _header_mapping(row: list[Any]) -> dict[int, str] | None:
    names = {i: HEADERS.get(norm_header(h)) for i, h in enumerate(row)}
    mapping = {i: key for i, key in names.items() if key}
    return mapping if set(mapping.values()) >= _REQUIRED else None


def _has_vendor_time(value: Any, count: int) -> bool:
    return isinstance(value, str) and len(find_vendor_times(value, "UTC")) == count


def headerless_layout(row: list[Any]) -> dict[int, str] | None:
    """The column layout of a header-less export, judged from one data row's shape."""
    while row and (row[-1] is None or row[-1] == ""):
        row = row[:-1]  # trailing empty cells (an empty Moderation) do not change the layout
    has_id = bool(row) and isinstance(row[0], str) and bool(_UUID.match(row[0].strip()))
    for devices in (True, False):
        for prompt in (False, True):
            cols = _layout(has_id, devices, prompt)
            if not len(cols) - (2 if prompt else 0) <= len(row) <= len(cols):
                continue
            where = {key: i for i, key in enumerate(cols)}
            if _has_vendor_time(row[where["time"]], 1) and _has_vendor_time(
                row[where["time_frame"]], 2
            ):
                return dict(enumerate(cols))
    return None


class VendorAuditAdapter(FormatAdapter):
    name = "vendor_audit"
    description = (
        "vendor Network/Organization Audit export (CSV or XLSX): "
        "`[ID,] Name, Org Name, Total Networks Searched, [Total Devices Searched,] Time Frame, "
        "License Plate, Reason, Case #, Filters, Search Time, Search Type[, Text Prompt, "
        "Moderation]`, with or without a header row"
    )

    def sniff(self, path: Path, head: Head) -> float:
        best = 0.0
        for rows in head.sheets.values():
            if not rows:
                continue
            if _header_mapping(rows[0]) is not None:
                return 0.95
            if headerless_layout(rows[0]) is not None:
                best = 0.8
        return best

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        ctx = FileContext(path, self.name, options, "UTC", file_org=file_agency(path))
        for sheet, rows in iter_tables(path):
            mapping: dict[int, str] | None = None
            for number, cells in rows:
                if mapping is None:
                    mapping = _header_mapping(cells)
                    if mapping is not None:
                        continue  # the header row
                    mapping = headerless_layout(cells)
                    if mapping is None:
                        yield from ctx.skip_sheet(sheet, "no header of this format on row 1")
                        break  # not an export sheet
                if is_blank(cells):
                    yield from ctx.blank(sheet, number)
                    continue
                raw = {k: cells[i] if i < len(cells) else None for i, k in mapping.items()}
                clean, redacted = clean_cells(
                    {k: v for k, v in raw.items() if k not in _DROP}, _RAW
                )
                yield from ctx.access(sheet, number, clean, redacted)
        yield from ctx.finish()


register(VendorAuditAdapter())
