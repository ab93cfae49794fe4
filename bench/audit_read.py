"""Read throughput of the audit-log adapters on the real public-records logs.

    .venv/bin/python bench/audit_read.py [DATA_DIR] [--repeat N]

Prints, per format and in total, rows read and rows per second, beside an anchor measured in the
same run: a naive pass that only parses the same files with the standard library (csv/json) and
openpyxl and counts records, doing no cleaning, time parsing, org resolution or Arrow building.
The ratio says what normalisation costs over bare parsing. No timings are asserted anywhere.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import defaultdict
from pathlib import Path

from sanctuary.audit import read_logs
from sanctuary.audit.formats import detect
from sanctuary.audit.formats._io import open_workbook
from sanctuary.errors import UnknownFormatError

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "alpr-audits"


def log_files(root: Path) -> list[Path]:
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix.lower() in {".csv", ".xlsx", ".json", ".txt"}:
            try:
                detect(p)
            except UnknownFormatError:
                continue
            out.append(p)
    return out


def naive_count(path: Path) -> int:
    """The anchor: parse and count, nothing else."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return len(json.loads(path.read_bytes())["rows"])
    if suffix == ".xlsx":
        with open_workbook(path) as wb:
            return sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
    if suffix == ".txt":
        with path.open(encoding="utf-8") as fh:
            return sum(1 for _ in fh) // 4
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = log_files(args.data)

    best: dict[str, float] = defaultdict(lambda: float("inf"))
    rows: dict[str, int] = defaultdict(int)
    anchor_best = float("inf")
    for _ in range(args.repeat):
        per_format: dict[str, float] = defaultdict(float)
        for path in files:
            t0 = time.perf_counter()
            logs = read_logs([path])
            per_format[logs.reports[0].format] += time.perf_counter() - t0
            if _ == 0:
                rows[logs.reports[0].format] += logs.reports[0].rows_read
        for fmt, seconds in per_format.items():
            best[fmt] = min(best[fmt], seconds)
        t0 = time.perf_counter()
        for path in files:
            naive_count(path)
        anchor_best = min(anchor_best, time.perf_counter() - t0)

    print(f"{len(files)} files, best of {args.repeat}")
    print(f"{'format':<18}{'rows':>10}{'seconds':>10}{'rows/s':>12}")
    for fmt in sorted(rows):
        print(f"{fmt:<18}{rows[fmt]:>10}{best[fmt]:>10.3f}{rows[fmt] / best[fmt]:>12,.0f}")
    total_rows, total_s = sum(rows.values()), sum(best.values())
    print(f"{'total':<18}{total_rows:>10}{total_s:>10.3f}{total_rows / total_s:>12,.0f}")
    anchor_rate = total_rows / anchor_best
    print(f"{'anchor (parse only)':<18}{'':>10}{anchor_best:>10.3f}{anchor_rate:>12,.0f}")
    print(f"normalised read costs {total_s / anchor_best:.1f}x a bare parse of the same files")


if __name__ == "__main__":
    main()
