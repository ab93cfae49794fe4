"""Shared reading helpers for adapters: streamed CSV and XLSX rows, cell cleaning, duplicates."""

from __future__ import annotations

import codecs
import csv
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sanctuary.errors import LogFileError

__all__ = [
    "MISSING",
    "Deduper",
    "cell_int",
    "cell_text",
    "iter_csv",
    "iter_sheet",
    "open_workbook",
]

# openpyxl warns, while rows stream, about workbook extensions it drops (data validation, slicers):
# harmless for reading values, and noise on every run over the Eugene workbook.
warnings.filterwarnings("ignore", message="Unknown extension is not supported", module="openpyxl")

# Redaction / missing markers in vendor releases: `***` (redacted) and em-dash runs (`——`).
MISSING = frozenset({"***", "——", "—", "--", "-", "N/A"})
_REDACTED = frozenset({"***", "——", "—"})


@contextmanager
def open_workbook(path: Path) -> Iterator[Any]:
    """A read-only, values-only openpyxl workbook (streams rows; closed on exit)."""
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about workbook extensions it drops (data validation, slicers): harmless.
        warnings.simplefilter("ignore", UserWarning)
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise LogFileError(
                f"`{path.name}` is not a readable workbook", location=str(path)
            ) from exc
    try:
        yield wb
    finally:
        wb.close()


def iter_sheet(ws: Any) -> Iterator[tuple[int, list[Any]]]:
    """``(row number as the spreadsheet shows it, cells)`` for every row of a worksheet."""
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        yield number, list(values)


def _encoding(path: Path) -> str:
    # UTF-8 (with or without BOM) unless the head is not UTF-8: then Windows-1252, which is what
    # spreadsheet programs write by default on the machines these releases come from.
    with path.open("rb") as fh:
        raw = fh.read(256 * 1024)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def iter_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line where the record starts, cells)`` for every CSV record, streamed.

    Quoted cells may span lines (two-line ``Time Frame``, reasons with newlines).
    """
    encoding = _encoding(path)
    try:
        with path.open("r", encoding=encoding, newline="") as fh:
            reader = csv.reader(fh)
            start = 1
            for row in reader:
                yield start, row
                start = reader.line_num + 1
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LogFileError(
            f"`{path.name}` cannot be read as CSV ({type(exc).__name__})", location=str(path)
        ) from exc


def cell_text(value: Any) -> tuple[str | None, bool]:
    """A cell as text as given: ``(text or None, redacted)``; missing markers become None.

    Excel turns some typed reasons into numbers or dates; they come back as the text a reader
    saw (``10851``, not ``10851.0``).
    """
    if value is None:
        return None, False
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    stripped = text.strip()
    if not stripped:
        return None, False
    if stripped in MISSING:
        return None, stripped in _REDACTED
    return text, False


def cell_int(value: Any) -> int | None:
    """An integer count (``1,234`` allowed); None when missing; ValueError when not a count."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not a whole number")
        return int(value)
    text = str(value).strip().replace(",", "")
    if not text or text in MISSING:
        return None
    return int(text)


class Deduper:
    """Remembers the first row of each source ID in one file; repeats point back to it."""

    def __init__(self) -> None:
        self._first: dict[str, int] = {}
        self.count = 0

    def check(self, event_id: str | None, row: int) -> int | None:
        if not event_id:
            return None
        first = self._first.setdefault(event_id, row)
        if first == row:
            return None
        self.count += 1
        return first


def norm_header(value: Any) -> str:
    """A header cell compared loosely: case, surrounding and repeated spaces, `_` as space."""
    if value is None:
        return ""
    return " ".join(str(value).replace("_", " ").split()).lower()


def iter_tables(path: Path) -> Iterator[tuple[str | None, Iterator[tuple[int, list[Any]]]]]:
    """``(sheet or None for CSV, rows)`` for a CSV file or every sheet of a workbook, streamed."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        with open_workbook(path) as wb:
            for ws in wb.worksheets:
                yield ws.title, iter_sheet(ws)
    else:
        yield None, iter_csv(path)


def is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)
