"""Simple readers of the reason strings in the real audit files (tests only).

The proper format adapters belong to the audit package; these read just the reason field, the way
each file stores it. Nothing personal is returned: reasons only, never user ids or names.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-")
_PDF_HEADERS = frozenset({"ID", "userId", "networkCount", "Search Time", "Reason"})


def _csv_column(path: Path, column: str) -> Iterator[str]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            yield row.get(column) or ""


def _sm_alpr_json(root: Path) -> Iterator[str]:
    for path in sorted(root.glob("none-below__sm-alpr/data/audit/*.json")):
        for row in json.loads(path.read_text("utf-8"))["rows"]:
            for key in ("reason", "offenseType"):
                if row.get(key):
                    yield row[key]


def _san_mateo_pdf(root: Path) -> Iterator[str]:
    """The PDF text layer: id / *** / "<count> <date>" / reason lines, with page headers."""
    for path in sorted(root.glob("none-below__sm-alpr/assets/san-mateo-public-records/*/*.txt")):
        record: list[str] | None = None
        for line in path.read_text("utf-8").splitlines():
            if _UUID.match(line):
                if record is not None:
                    yield "\n".join(record[3:])
                record = [line]
            elif (
                record is not None and not line.startswith("--- page") and line not in _PDF_HEADERS
            ):
                record.append(line)
        if record is not None:
            yield "\n".join(record[3:])


def _irvine_xlsx(root: Path) -> Iterator[str]:
    import openpyxl

    (path,) = root.glob("wagner-austin__Dashboards/*/*/*/alpr-audits-irvine-*.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = book["Audit"].iter_rows(values_only=True)
        header = next(rows)
        column = header.index("Reason")
        for row in rows:
            value = row[column]
            yield "" if value is None else str(value)
    finally:
        book.close()


def real_reasons(root: Path) -> dict[str, list[str]]:
    """Dataset name -> every non-empty reason string in it (duplicates kept)."""
    sm = "none-below__sm-alpr/assets/san-mateo-public-records"
    okaloosa = "HistoryJunkie__OkaloosaALPR_AUDIT/2_Analysis/retention_analysis"
    readers = {
        "sm-alpr portal JSON": _sm_alpr_json(root),
        "San Mateo portal CSV": (
            r for p in sorted(root.glob(f"{sm}/*/*.csv")) for r in _csv_column(p, "reason")
        ),
        "San Mateo PDF text": _san_mateo_pdf(root),
        "Eugene CSV": _csv_column(
            root / "eyes-off__eugene-oregon/FlockAuditLogs/EPDSearchAuditLogs.csv", "reason"
        ),
        "Okaloosa extracted CSV": (
            r
            for p in sorted(root.glob(f"{okaloosa}/*Audit_EXTRACTED.csv"))
            for r in _csv_column(p, "Reason")
        ),
        "Irvine XLSX Audit sheet": _irvine_xlsx(root),
    }
    return {name: [r for r in reasons if r.strip()] for name, reasons in readers.items()}
