"""The text layer of a vendor audit PDF (``...Audit.pdf.<hash>.txt``, as the collector saved it).

Shape: ``--- page N ---`` markers, a header block (``ID / userId / networkCount / Search Time /
Reason``) on the first page, then four lines per record::

    952b2d73-3ef6-4cea-89a5-e4ce0bb8d4d3      <- id
    ***                                       <- user (redacted)
    3 12/06/2025, 04:09:53 AM UTC             <- networkCount, then the search time
    investigation                             <- reason (may wrap onto further lines)

Detected by that shape: a UUID line followed two lines later by ``<count> <vendor time>``.
``row`` is the line number of the record's id line. The org comes from the PDF's file name
(``12_1_2025-12_31_2025-San_Mateo_CA_PD_Audit.pdf`` -> ``San Mateo CA PD``).

Reasons are in the Dec-2025 dropdown form (``Category - detail``): the category is split into
``offense_category`` when it is a known dropdown value.

Zone: times end in ``UTC``; one without it is read as **UTC**.

Not covered: PDFs themselves. No PDF is in the project's data, so no PDF reader is a dependency;
extract the text layer (``pdftotext -layout`` or pypdf, one line per cell) and read that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from sanctuary.audit.formats._events import FileContext, clean_cells
from sanctuary.audit.formats._hints import file_agency
from sanctuary.audit.formats.interface import (
    DEFAULT_OPTIONS,
    FormatAdapter,
    Head,
    ReadOptions,
    register,
)
from sanctuary.errors import LogFileError

__all__ = ["PdfTextAdapter"]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_PAGE = re.compile(r"^--- page \d+ ---$")
_COUNT_TIME = re.compile(r"^(?P<count>[\d,]+)\s+(?P<time>\d{1,2}/\d{1,2}/\d{4},.*)$")
_HEADER = frozenset({"ID", "userId", "networkCount", "Search Time", "Reason"})


def _records(lines: list[str]) -> int:
    """How many well-formed records start in ``lines`` (for sniffing)."""
    found = 0
    for i in range(len(lines) - 2):
        if _UUID.match(lines[i].strip()) and _COUNT_TIME.match(lines[i + 2].strip()):
            found += 1
    return found


class PdfTextAdapter(FormatAdapter):
    name = "pdf_text"
    description = (
        "text layer of a vendor audit PDF: records of 4 lines "
        "`id` / `user` / `<count> MM/DD/YYYY, hh:mm:ss AM UTC` / `reason`"
    )

    def sniff(self, path: Path, head: Head) -> float:
        if not head.text:
            return 0.0
        found = _records(head.text.splitlines()[:400])
        if found >= 3:
            return 0.9
        return 0.6 if found else 0.0

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        ctx = FileContext(path, self.name, options, "UTC", file_org=file_agency(path))
        start = 0
        record: list[str] = []
        for number, line in self._lines(path):
            text = line.rstrip("\r\n")
            if _PAGE.match(text.strip()) or (not record and text.strip() in _HEADER):
                continue
            if _UUID.match(text.strip()):
                if record:
                    yield from self._emit(ctx, start, record)
                start, record = number, [text.strip()]
            elif record:
                record.append(text)
        if record:
            yield from self._emit(ctx, start, record)
        yield from ctx.finish()

    @staticmethod
    def _lines(path: Path) -> Iterator[tuple[int, str]]:
        try:
            with path.open("r", encoding="utf-8-sig") as fh:
                yield from enumerate(fh, start=1)
        except UnicodeDecodeError as exc:
            raise LogFileError(f"`{path.name}` is not UTF-8 text", location=str(path)) from exc

    @staticmethod
    def _emit(ctx: FileContext, row: int, record: list[str]) -> Iterator[pa.RecordBatch]:
        while len(record) > 1 and not record[-1].strip():
            record.pop()  # the blank line before a page break
        m = _COUNT_TIME.match(record[2].strip()) if len(record) >= 3 else None
        if m is None:
            yield from ctx.refuse(None, row, "bad_record", "no `<count> <time>` line after the id")
            return
        raw = {
            "event_id": record[0],
            "user": record[1],
            "networks_searched": m["count"],
            "time": m["time"],
            "reason": "\n".join(record[3:]) if len(record) > 3 else None,
        }
        clean, redacted = clean_cells(raw, frozenset({"time", "networks_searched"}))
        yield from ctx.access(None, row, clean, redacted)


register(PdfTextAdapter())
