"""An Organization Audit PDF extracted to CSV by a researcher (the Okaloosa County FL SO release).

Detected by its header: ``ID, Org_Name, Total_Networks_Searched, Total_Devices_Searched,
Time_Frame_Start, Time_Frame_End, Reason, Search_Time, Search_Type, Moderation`` (the two-line
``Time Frame`` cell already split in two).

Columns mapped: ID -> event_id, Org_Name -> org, the counts, Time_Frame_Start/_End, Reason,
Search_Time -> time, Search_Type, Moderation. No user column (officer names were redacted).

Zone: times read ``11/14/2025, 09:53:36 AM UTC``; one without ``UTC`` is read as **UTC**.

Quirks: empty Moderation is null; blank reasons are kept as null (a finding for the auditor, not
a refusal); the extractor split concatenated UUIDs, so duplicate IDs are still checked.
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

__all__ = ["ExtractedAuditAdapter"]

COLUMNS = {
    "id": "event_id",
    "org name": "org",
    "total networks searched": "networks_searched",
    "total devices searched": "devices_searched",
    "time frame start": "time_frame_start",
    "time frame end": "time_frame_end",
    "reason": "reason",
    "search time": "time",
    "search type": "search_type",
    "moderation": "moderation",
}
_RAW = frozenset(
    {"time", "networks_searched", "devices_searched", "time_frame_start", "time_frame_end"}
)


def _mapping(header: list[Any]) -> dict[int, str] | None:
    names = [norm_header(h) for h in header]
    need = {"id", "org name", "time frame start", "time frame end", "search time"}
    if not need <= set(names):
        return None
    return {i: COLUMNS[n] for i, n in enumerate(names) if n in COLUMNS}


class ExtractedAuditAdapter(FormatAdapter):
    name = "extracted_audit"
    description = (
        "organization audit extracted from PDF to CSV: header `ID, Org_Name, "
        "Total_Networks_Searched, Total_Devices_Searched, Time_Frame_Start, Time_Frame_End, "
        "Reason, Search_Time, Search_Type, Moderation`"
    )

    def sniff(self, path: Path, head: Head) -> float:
        rows = next(iter(head.sheets.values()), [])
        return 0.95 if rows and _mapping(rows[0]) is not None else 0.0

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        ctx = FileContext(path, self.name, options, "UTC", file_org=file_agency(path))

        def header(_number: int, cells: list[Any]) -> dict[int, str] | None:
            return _mapping(cells)

        yield from read_headed_access(ctx, iter_tables(path), header, _RAW)


register(ExtractedAuditAdapter())
