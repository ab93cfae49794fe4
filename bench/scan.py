"""`sanctuary scan` throughput on a generated city database of a few hundred thousand rows.

    .venv/bin/python bench/scan.py [--bookings 300000] [--utility 100000] [--copies 4]
                                   [--sample 1000 10000] [--pg postgresql://…]

Builds a SQLite file (and, with --pg or SANCTUARY_TEST_PG, a PostgreSQL schema) holding the fake
jail bookings and utility accounts of tests/protect/scan_fake_city.py, plus `--copies` renamed
views of each (so a scan covers several tables), then times `scan()` per sample size. Anchors in
the same run: (1) the read floor: the same sampled SELECTs with no classification; (2) a naive
regex pass: one A-number regex over the same sampled text cells.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "protect"))

import scan_fake_city as fake

from sanctuary.inventory import open_source, scan

NAIVE = re.compile(r"\bA-?\d{3}-?\d{3}-?\d{3}\b")


def build_sqlite(path: Path, bookings: int, utility: int, copies: int) -> None:
    fake.write_sqlite(path, bookings, utility)
    with sqlite3.connect(path) as db:
        for i in range(copies):
            db.execute(f"CREATE VIEW jail_bookings_{i} AS SELECT * FROM jail_bookings")
            db.execute(f"CREATE VIEW utility_accounts_{i} AS SELECT * FROM utility_accounts")


def build_pg(url: str, schema: str, bookings: int, utility: int, copies: int) -> str:
    import psycopg

    fake.write_postgres(url, schema, bookings, utility)
    with psycopg.connect(url, autocommit=True) as db:
        for i in range(copies):
            for t in ("jail_bookings", "utility_accounts"):
                db.execute(f"CREATE VIEW {schema}.{t}_{i} AS SELECT * FROM {schema}.{t}")
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def anchors(url: str, sample: int) -> tuple[float, float, int]:
    """(read floor seconds, naive regex seconds, text cells) over the same sampled rows."""
    with open_source(url) as source:
        started = time.perf_counter()
        samples = [source.sample(t, sample) for t in source.tables()]
        read = time.perf_counter() - started
    cells = [v for s in samples for values in s.values() for v in values if isinstance(v, str)]
    started = time.perf_counter()
    hits = sum(1 for v in cells if NAIVE.search(v))
    naive = time.perf_counter() - started
    del hits
    return read, naive, len(cells)


def run(label: str, url: str, samples: list[int]) -> None:
    print(f"\n{label}")
    head = ("sample", "tables", "rows sampled", "seconds", "rows/s", "tables/s", "read floor s",
            "naive regex s", "x floor+naive")  # fmt: skip
    print(" ".join(f"{h:>{max(len(h), 7)}}" for h in head))
    for sample in samples:
        scan(url, sample=min(sample, 50))  # warm: recognisers compiled, caches filled
        started = time.perf_counter()
        inventory = scan(url, sample=sample)
        seconds = time.perf_counter() - started
        s = inventory["summary"]
        read, naive, _ = anchors(url, sample)
        print(
            f"{sample:>7} {s['tables']:>7} {s['rows_sampled']:>12,} {seconds:>7.2f} "
            f"{s['rows_sampled'] / seconds:>7,.0f} {s['tables'] / seconds:>8.1f} "
            f"{read:>12.2f} {naive:>13.3f} {seconds / (read + naive):>13.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=300_000)
    parser.add_argument("--utility", type=int, default=100_000)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--sample", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--pg", default=os.environ.get("SANCTUARY_TEST_PG"))
    args = parser.parse_args()
    total = (args.bookings + args.utility) * (1 + args.copies)
    print(f"{args.bookings:,} bookings + {args.utility:,} utility accounts, {args.copies} views "
          f"of each: {2 * (1 + args.copies)} tables, {total:,} rows visible")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "city.sqlite"
        started = time.perf_counter()
        build_sqlite(path, args.bookings, args.utility, args.copies)
        print(f"generated SQLite in {time.perf_counter() - started:.1f} s")
        run("SQLite", str(path), args.sample)
    if args.pg:
        import psycopg

        schema = "bench_" + uuid.uuid4().hex[:8]
        try:
            url = build_pg(args.pg, schema, args.bookings, args.utility, args.copies)
            run("PostgreSQL (loopback)", url, args.sample)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as db:
                db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


if __name__ == "__main__":
    main()
