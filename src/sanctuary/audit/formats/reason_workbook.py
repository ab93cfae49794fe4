"""A records-request response workbook with a two-column ``Reason, DateTime`` audit sheet.

The Irvine CA PD response (MuckRock 181267) is the model: sheet ``Audit`` = ``Reason, DateTime``
(one row per search), sheets ``A1``-``A4`` = one-column lists headed ``ORGANIZATION NAME`` (the
agencies the department shares data / hot lists with or receives them from), a ``Request`` sheet
saying which list is which, and sheets that are neither (users, aggregate counts), which are
skipped and noted, never read.

Detected by a sheet whose first row is exactly ``Reason, DateTime``.

Columns mapped: Reason -> reason (numbers and dates that Excel made of typed reasons come back as
the text a reader saw), DateTime -> time. No id, user, org or counts are in the sheet: ``org`` is
the file's agency (the caller's ``org``, else the release's, ``Irvine CA PD``).

Zone: the DateTime cells are Excel date-times with no zone. The department is in California, so
the default zone is **America/Los_Angeles** (override with ``default_zone``); every row records it
in ``zone_assumed``. At the autumn clock change an ambiguous wall time is read as the first
(daylight-time) instant.

Partner lists: the relation comes from the ``Request`` sheet's wording for that sheet ("with
which ... shares" -> ``shares_*_with``, "from which ... receives" -> ``receives_*_from``; "hot list"
-> hot lists, else ALPR data); a list the workbook does not describe is ``listed_partner``.
Blank rows inside a list are counted as blank.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctuary.audit.formats._events import FileContext, clean_cells
from sanctuary.audit.formats._hints import file_agency
from sanctuary.audit.formats._io import cell_text, is_blank, iter_sheet, norm_header, open_workbook
from sanctuary.audit.formats.interface import (
    DEFAULT_OPTIONS,
    FormatAdapter,
    Head,
    ReadOptions,
    register,
)

__all__ = ["ReasonWorkbookAdapter", "relation_from_request"]

DEFAULT_ZONE = "America/Los_Angeles"
_PARTNER_HEADERS = frozenset({"organization name", "agency name", "agency", "organization"})


def _is_audit_header(row: list[Any]) -> bool:
    names = [norm_header(c) for c in row if c is not None]
    return names == ["reason", "datetime"]


def relation_from_request(text: str) -> str:
    """The partner relation a request item describes (``A1`` -> ``shares_data_with``)."""
    low = text.lower()
    what = "hotlist" if "hot list" in low or "hotlist" in low else "data"
    if "from which" in low or "receives" in low:
        return f"receives_{what}_from"
    if "with which" in low or "shares" in low:
        return f"shares_{what}_with"
    return "listed_partner"


class ReasonWorkbookAdapter(FormatAdapter):
    name = "reason_workbook"
    description = (
        "records-request workbook with a sheet `Reason, DateTime` (Excel date-times, no zone) "
        "and optional partner-list sheets headed `ORGANIZATION NAME`"
    )

    def sniff(self, path: Path, head: Head) -> float:
        for rows in head.sheets.values():
            if rows and _is_audit_header(rows[0]):
                return 0.9
        return 0.0

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        ctx = FileContext(path, self.name, options, DEFAULT_ZONE, file_org=file_agency(path))
        with open_workbook(path) as wb:
            relations = self._relations(wb)
            for ws in wb.worksheets:
                rows = iter_sheet(ws)
                first = next(rows, None)
                if first is None:
                    continue
                if _is_audit_header(first[1]):
                    yield from self._audit(ctx, ws.title, rows)
                elif norm_header(first[1][0] if first[1] else None) in _PARTNER_HEADERS:
                    relation = relations.get(ws.title, "listed_partner")
                    yield from self._partners(ctx, ws.title, rows, relation)
                elif ws.title != "Request":
                    yield from ctx.skip_sheet(ws.title, "neither an audit sheet nor a partner list")
        yield from ctx.finish()

    @staticmethod
    def _relations(wb: Any) -> dict[str, str]:
        if "Request" not in wb.sheetnames:
            return {}
        out: dict[str, str] = {}
        for _, cells in iter_sheet(wb["Request"]):
            if len(cells) >= 2 and isinstance(cells[0], str) and isinstance(cells[1], str):
                out[cells[0].strip()] = relation_from_request(cells[1])
        return out

    @staticmethod
    def _audit(
        ctx: FileContext, sheet: str, rows: Iterator[tuple[int, list[Any]]]
    ) -> Iterator[pa.RecordBatch]:
        for number, cells in rows:
            if is_blank(cells):
                yield from ctx.blank(sheet, number)
                continue
            raw = {"reason": cells[0], "time": cells[1] if len(cells) > 1 else None}
            clean, redacted = clean_cells(raw, frozenset({"time"}))
            yield from ctx.access(sheet, number, clean, redacted)

    @staticmethod
    def _partners(
        ctx: FileContext, sheet: str, rows: Iterator[tuple[int, list[Any]]], relation: str
    ) -> Iterator[pa.RecordBatch]:
        for number, cells in rows:
            name, _ = cell_text(cells[0] if cells else None)
            if name is None:
                yield from ctx.blank(sheet, number)
                continue
            yield from ctx.partner(sheet, number, name, relation)


register(ReasonWorkbookAdapter())
