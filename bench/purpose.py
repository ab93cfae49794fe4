"""Cost and quality of the purpose assessment, against a naive regex anchor in the same run.

    .venv/bin/python bench/purpose.py

Reasons: the labelled set (tests/data/purpose_labelled.csv) plus, when the shared data is beside
the repository, the distinct reasons of the Eugene CSV and the sm-alpr portal JSON files.
The anchor is the screen the assessor replaces: one case-insensitive regex of immigration words
with \\b boundaries. Figures printed: Python cost per call (cache miss, cache hit), the anchor's
cost, DuckDB throughput of the RE2 screen (``sql_category``) and of the anchor, and precision /
recall of the immigration class for both on the labelled set.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from sanctuary.purpose import assess, sql_category
from sanctuary.purpose.engine import assess_uncached

REPO = Path(__file__).resolve().parents[1]
LABELLED = REPO / "tests" / "data" / "purpose_labelled.csv"
ALPR = REPO.parent / "shared" / "data" / "alpr-audits"
IMMIGRATION = {"civil_immigration_enforcement", "criminal_immigration_enforcement"}
NAIVE = r"\b(ice|ero|hsi|cbp|usbp|immigration|deport\w*|alien|detainer|border)\b"
NAIVE_RE = re.compile(NAIVE, re.IGNORECASE)


def labelled() -> list[tuple[str, bool]]:
    with LABELLED.open(newline="", encoding="utf-8") as f:
        return [(r["text"], r["label"] in IMMIGRATION) for r in csv.DictReader(f)]


def real_distinct() -> list[str]:
    found: set[str] = set()
    eugene = ALPR / "eyes-off__eugene-oregon/FlockAuditLogs/EPDSearchAuditLogs.csv"
    if eugene.is_file():
        with eugene.open(newline="", encoding="utf-8") as f:
            found.update(row["reason"] for row in csv.DictReader(f))
    for path in sorted(ALPR.glob("none-below__sm-alpr/data/audit/*.json")):
        found.update(
            r["reason"] for r in json.loads(path.read_text("utf-8"))["rows"] if r.get("reason")
        )
    return sorted(t for t in found if t.strip())


def per_call(fn: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """Median over rounds of the mean seconds per call."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for t in texts:
            fn(t)
        samples.append((time.perf_counter() - start) / len(texts))
    return statistics.median(samples)


def precision_recall(
    flag: Callable[[str], bool], rows: list[tuple[str, bool]]
) -> tuple[float, float]:
    tp = sum(flag(t) and y for t, y in rows)
    fp = sum(flag(t) and not y for t, y in rows)
    fn = sum(not flag(t) and y for t, y in rows)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def duckdb_rows_per_second(texts: list[str]) -> tuple[float, float]:
    con = duckdb.connect()
    con.execute("CREATE TABLE reasons (reason VARCHAR)")
    # Repeat to ~100k rows, as an audit of a few log files would be.
    con.executemany("INSERT INTO reasons VALUES (?)", [(t,) for t in texts])
    while con.execute("SELECT count(*) FROM reasons").fetchone()[0] < 100_000:  # type: ignore[index]
        con.execute("INSERT INTO reasons SELECT * FROM reasons")
    n = con.execute("SELECT count(*) FROM reasons").fetchone()[0]  # type: ignore[index]
    screen = sql_category("reasons", "reason")
    queries = [
        f"SELECT count(*) FILTER (WHERE purpose_category LIKE '%immigration%') FROM ({screen})",
        f"SELECT count(*) FILTER (WHERE regexp_matches(reason, '(?i){NAIVE}')) FROM reasons",
    ]
    out = []
    for query in queries:
        con.execute(query).fetchall()  # warm up
        start = time.perf_counter()
        con.execute(query).fetchall()
        out.append(n / (time.perf_counter() - start))
    con.close()
    return out[0], out[1]


def main() -> None:
    rows = labelled()
    texts = sorted({t for t, _ in rows} | set(real_distinct()))
    assess_uncached("warm up")  # load the lexicon outside the timings
    miss = per_call(assess_uncached, texts, 5)
    for t in texts:
        assess(t)
    hit = per_call(assess, texts, 15)
    naive = per_call(NAIVE_RE.search, texts, 15)
    print(
        f"{len(texts)} distinct reasons, mean length {statistics.mean(map(len, texts)):.0f} chars"
    )
    print(f"assess, cache miss    : {miss * 1e6:7.2f} us/call  ({miss / naive:.1f}x the anchor)")
    print(f"assess, cache hit     : {hit * 1e6:7.2f} us/call  ({hit / naive:.2f}x the anchor)")
    print(f"naive regex anchor    : {naive * 1e6:7.2f} us/call")
    p1, r1 = precision_recall(lambda t: assess(t).category in IMMIGRATION, rows)
    p0, r0 = precision_recall(lambda t: bool(NAIVE_RE.search(t)), rows)
    print(f"labelled set ({len(rows)} rows), immigration class:")
    print(f"  assess              : precision {p1:.3f} recall {r1:.3f}")
    print(f"  naive regex anchor  : precision {p0:.3f} recall {r0:.3f}")
    screen, anchor = duckdb_rows_per_second(texts)
    slower = anchor / screen
    print(f"DuckDB RE2 screen     : {screen:,.0f} rows/s  ({slower:.1f}x slower than the anchor)")
    print(f"DuckDB naive anchor   : {anchor:,.0f} rows/s")


if __name__ == "__main__":
    main()
