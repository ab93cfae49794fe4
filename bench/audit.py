"""Bench: `sanctuary audit` on 10 million rows, side by side with a naive pandas + regex pass.

    python bench/audit.py [--rows 10000000] [--work DIR]

1. Builds a Parquet file of normalised access events (the `events_parquet` format) by replicating
   every real access event in the shared data folder, with known immigration reasons injected
   (1 row in 1,000, reasons from the public reports the data README lists).
2. Runs `sanctuary audit FILE --out DIR` (DuckDB engine) in a child process.
3. Runs a naive pass over the SAME file in a child process: pandas reads it, a keyword regex
   (`\\b(ice|ero|hsi|cbp|immigration|deport…)\\b`) flags reasons, the flagged rows go to CSV.
Each child's wall time and peak RSS (`os.wait4`'s ru_maxrss) are printed, with ratios. The naive
pass is the anchor; the figures are only meaningful relative to it, on the same machine and run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
ALPR = REPO.parent / "shared" / "data" / "alpr-audits"
POSITIVES = ["ICE+ERO", "ICE WARRANT", "immigration", "HSI", "ERO", "Assist HSI", "CBP Assist",
             "sig 21 CBP", "USBP Immigration Investigation", "Deportation Warrant",
             "Immigration violation", "Drugs/immigration violations", "ICE detainer",
             "Border Fugitive", "Immigration Status",
             "Immigration (civil/administrative) - "]  # fmt: skip
INJECT_EVERY = 1000
NAIVE_STATE = r"\b(?!CA\b)[A-Z]{2} (?:PD|SO|SD)\b"  # `Houston TX PD`: another state's agency
NAIVE_PATTERN = (
    r"\b(?:ice|ero|hsi|cbp|usbp|dhs|uscis|immigration|immigrant|deport\w*|border patrol|"
    r"alien|illegal alien|detainer)\b"
)


def _real_events() -> pa.Table:
    from sanctuary.audit import read_logs

    files = sorted(
        p for p in ALPR.rglob("*")
        if p.is_file() and p.suffix in {".csv", ".json", ".txt", ".xlsx"}
        and "Anomalies" not in p.name
    )  # fmt: skip
    return read_logs(files).access_events


def build(target: Path, rows: int) -> int:
    """Write ``rows`` events to ``target``; return how many positives were injected."""
    real = _real_events()
    writer = pq.ParquetWriter(target, real.schema)
    written = injected = 0
    while written < rows:
        chunk = real.slice(0, min(real.num_rows, rows - written))
        n = chunk.num_rows
        index = np.arange(written, written + n, dtype=np.int64)
        hit = pa.array((index + 1) % INJECT_EVERY == 0)
        pick = pa.array(np.array(POSITIVES, dtype=object)[(index // INJECT_EVERY) % len(POSITIVES)])
        for name in ("reason", "reason_normalised"):
            col = chunk.column(name).combine_chunks()
            chunk = chunk.set_column(
                chunk.schema.get_field_index(name),
                chunk.schema.field(name),
                pc.if_else(hit, pick, col),
            )
        at = chunk.schema.get_field_index("row")
        chunk = chunk.set_column(at, chunk.schema.field("row"), pa.array(index))
        writer.write_table(chunk, row_group_size=262_144)
        written += n
        injected += int(np.count_nonzero((index + 1) % INJECT_EVERY == 0))
    writer.close()
    return injected


def naive(source: Path, out: Path, same_output: bool) -> None:
    """The anchor: what a careful analyst might do with pandas in an afternoon.

    Keyword pass: flag reasons matching a keyword regex, write those rows. Same-output pass: also
    flag empty reasons and searching orgs named with another state (the audit's other bulk
    findings), and write every flag, as CSV and Parquet, as the audit does.
    """
    import pandas as pd

    df = pd.read_parquet(source, columns=["file", "sheet", "row", "time", "org", "reason"])
    text = df["reason"].fillna("")
    immigration = text.str.contains(NAIVE_PATTERN, case=False, regex=True)
    missing = text.str.strip() == ""
    frames = [df[immigration].assign(finding="immigration")]
    if same_output:
        other_state = df["org"].fillna("").str.contains(NAIVE_STATE, regex=True)
        frames += [df[missing].assign(finding="missing_reason"),
                   df[other_state].assign(finding="out_of_state")]  # fmt: skip
    flags = pd.concat(frames)
    flags.to_csv(out, index=False)
    if same_output:
        flags.to_parquet(out.with_suffix(".parquet"))
    print(f"naive: {int(immigration.sum())} immigration rows, {int(missing.sum())} without a "
          f"reason, {len(flags)} flags written")  # fmt: skip


def _child(args: list[str]) -> tuple[float, int, str]:
    """Run a child; (wall seconds, peak RSS in MB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed: {' '.join(args)}\n{err[-2000:]}")
    return wall, usage.ru_maxrss // 1024, out.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sanctuary-bench-audit"))
    parser.add_argument("--naive-pass", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--same-output", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_pass:
        naive(*args.naive_pass, args.same_output)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    source = args.work / f"events-{args.rows}.parquet"
    t = time.perf_counter()
    injected = build(source, args.rows)
    size = source.stat().st_size / 1e6
    print(f"built {args.rows:,} rows ({injected:,} positives injected) in "
          f"{time.perf_counter() - t:.1f}s: {source} ({size:.0f} MB)")  # fmt: skip
    out = args.work / "audit-out"
    ours = _child([sys.executable, "-m", "sanctuary", "audit", str(source), "--out", str(out)])
    theirs = _child([sys.executable, __file__, "--naive-pass", str(source),
                     str(args.work / "naive.csv")])  # fmt: skip
    same = _child([sys.executable, __file__, "--naive-pass", str(source),
                   str(args.work / "naive-same.csv"), "--same-output"])  # fmt: skip
    found = pq.read_table(out / "findings.parquet", columns=["finding", "row"])
    hits = found.filter(pc.equal(found.column("finding"), "immigration_purpose"))
    recalled = pc.count_distinct(hits.column("row")).as_py()
    print(f"sanctuary audit: {ours[2]}")
    print(f"  injected positives found as immigration_purpose: {recalled:,} of {injected:,}")
    print(f"naive keyword pass: {theirs[2]}")
    print(f"naive same-output pass: {same[2]}")
    runs = (("sanctuary audit (duckdb)", ours), ("naive keyword pass", theirs),
            ("naive same-output pass", same))  # fmt: skip
    print(f"{'':26}{'wall s':>10}{'rows/s':>14}{'peak RSS MB':>14}")
    for name, (wall, rss, _) in runs:
        print(f"{name:26}{wall:10.1f}{args.rows / wall:14,.0f}{rss:14,}")
    for name, run in (("keyword", theirs), ("same-output", same)):
        print(f"vs naive {name} pass: {run[0] / ours[0]:.1f}x faster, "
              f"peak RSS {ours[1] / run[1]:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
