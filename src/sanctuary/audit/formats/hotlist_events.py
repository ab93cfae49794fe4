"""Hotlist event logs: configuration changes, not searches (-> ``config_events``).

Shape (CSV or a workbook sheet): ``Timestamp, User, Event Type, Entity Type, Entity Details`` where
the details cell holds ``Key: value`` lines (``Hotlist Name: ...``, ``Reason: ...``, ``Case: ...``,
``State: ...``, ``Expiry: ...``; for a hotlist itself ``Name``, ``Audience Users`` ...).

Detected by that header on a sheet's first row.

Columns mapped: Timestamp -> time, User -> user (as given), Event Type (create/update/delete),
Entity Type (``Custom Hotlist Entry``, ``customHotlist``), details -> ``details`` (every key,
in order; a line without ``:`` continues the previous value), and from them ``entity_name``
(``Hotlist Name`` or ``Name``), ``reason`` (``Reason``), ``case_number`` (``Case``).

Zone: Timestamp cells are Excel date-times with no zone. They are **America/Los_Angeles** local
time: in the MuckRock 200784 release, each entry's ``Expiry`` (written in UTC with ``Z``) is the
Timestamp plus whole days plus 7 hours, the Pacific daylight offset of July-August 2025.
Override with ``default_zone`` for another agency's log.

Quirks: the release interleaves fully blank rows (counted as blank); the org is the file's
agency when known (the caller's ``org``), else unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctuary.audit.formats._events import FileContext
from sanctuary.audit.formats._hints import file_agency
from sanctuary.audit.formats._io import cell_text, is_blank, iter_tables, norm_header
from sanctuary.audit.formats.interface import (
    DEFAULT_OPTIONS,
    FormatAdapter,
    Head,
    ReadOptions,
    register,
)

__all__ = ["HotlistEventsAdapter", "parse_details"]

DEFAULT_ZONE = "America/Los_Angeles"
HEADER = ["timestamp", "user", "event type", "entity type", "entity details"]


def parse_details(text: str | None) -> list[tuple[str, str]]:
    """``Key: value`` lines -> ordered pairs; a line without a key continues the previous value."""
    pairs: list[tuple[str, str]] = []
    for line in (text or "").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and len(key) <= 40:
            pairs.append((key.strip(), value.strip()))
        elif pairs and line.strip():
            k, v = pairs[-1]
            pairs[-1] = (k, f"{v}\n{line.strip()}" if v else line.strip())
    return pairs


def _mapping(row: list[Any]) -> bool:
    return [norm_header(c) for c in row[:5]] == HEADER


def _first(pairs: list[tuple[str, str]], *keys: str) -> str | None:
    for key, value in pairs:
        if key in keys and value:
            return value
    return None


class HotlistEventsAdapter(FormatAdapter):
    name = "hotlist_events"
    description = (
        "hotlist event log (CSV or XLSX): `Timestamp, User, Event Type, Entity Type, "
        "Entity Details` with `Key: value` detail lines"
    )

    def sniff(self, path: Path, head: Head) -> float:
        for rows in head.sheets.values():
            if rows and _mapping(rows[0]):
                return 0.95
        return 0.0

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        ctx = FileContext(path, self.name, options, DEFAULT_ZONE, file_org=file_agency(path))
        for sheet, rows in iter_tables(path):
            header = next(rows, None)
            if header is None:
                continue
            if not _mapping(header[1]):
                yield from ctx.skip_sheet(sheet, "no hotlist-event header on row 1")
                continue
            for number, cells in rows:
                if is_blank(cells):
                    yield from ctx.blank(sheet, number)
                    continue
                yield from ctx.config_event(sheet, number, self._cells(cells))
        yield from ctx.finish()

    @staticmethod
    def _cells(cells: list[Any]) -> dict[str, Any]:
        cells = [*cells, None, None, None, None, None][:5]
        details_text, _ = cell_text(cells[4])
        pairs = parse_details(details_text)
        return {
            "time": cells[0],
            "user": cell_text(cells[1])[0],
            "event_type": cell_text(cells[2])[0],
            "entity_type": cell_text(cells[3])[0],
            "entity_name": _first(pairs, "Hotlist Name", "Name"),
            "reason": _first(pairs, "Reason"),
            "case_number": _first(pairs, "Case"),
            "details": pairs or None,
        }


register(HotlistEventsAdapter())
