"""Bench: `sanctuary audit` on 10 million rows, side by side with a naive pandas + regex pass.

    python bench/audit.py [--rows 10000000] [--work DIR] [--repeat N] [--stages] [--rebuild]

1. Builds a Parquet file of normalised access events (the `events_parquet` format) by replicating
   every real access event in the shared data folder, with known immigration reasons injected
   (1 row in 1,000, reasons from the public reports the data README lists). An existing file of
   the same size in --work is reused (it is the same file; --rebuild builds it again).
2. Runs `sanctuary audit FILE --out DIR` (DuckDB engine) in a child process.
3. Runs two naive passes over the SAME file, each in a child process: pandas reads it, a keyword
   regex (`\\b(ice|ero|hsi|cbp|immigration|deport…)\\b`) flags reasons, the flagged rows go to
   CSV (keyword pass); the same-output pass also flags empty reasons and other states' agencies
   and writes every flag as CSV and Parquet, as the audit does.
Each child's wall time and peak RSS (`os.wait4`'s ru_maxrss) are printed, with ratios. With
--repeat N the three children run N times, interleaved, and the best and median are printed (the
machine may be shared). The naive passes are the anchors; the figures are only meaningful
relative to them, on the same machine and run. --stages adds one more audit run that logs its
stages (`sanctuary.audit.stages`) and prints where the time goes.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
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


def _child(args: list[str]) -> tuple[float, int, str, str]:
    """Run a child; (wall seconds, peak RSS in MB, stdout, stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed: {' '.join(args)}\n{err[-2000:]}")
    return wall, usage.ru_maxrss // 1024, out.strip(), err


# The stages child: `python -m sanctuary audit` with the audit's stage log on stderr, and the
# interpreter's start-up and imports timed as a stage of their own.
STAGES_CHILD = """
import logging, sys, time
t0 = time.perf_counter()
from sanctuary.cli import main
import sanctuary.audit.run
took = time.perf_counter() - t0
logging.basicConfig(level=logging.WARNING, format="%(message)s")
logging.getLogger("sanctuary.audit").setLevel(logging.DEBUG)
logging.getLogger("sanctuary.audit").debug("stage imports wall=%.3f cpu=-", took)
sys.argv = ["sanctuary", *sys.argv[1:]]
main()
"""
STAGE_LINE = re.compile(r"^stage (?P<name>.+) wall=(?P<wall>[0-9.]+) cpu=(?P<cpu>[0-9.]+|-)$")


def stages(source: Path, out: Path) -> None:
    """Run the audit once more, logging its stages, and print them."""
    wall, rss, _, err = _child([sys.executable, "-c", STAGES_CHILD, "audit", str(source),
                                "--out", str(out)])  # fmt: skip
    print(f"\nstages of one audit run ({wall:.1f}s wall in all, peak RSS {rss:,} MB; cpu: every "
          "thread of the process):")  # fmt: skip
    print(f"  {'stage':44}{'wall s':>8}{'cpu s':>8}")
    for line in err.splitlines():
        m = STAGE_LINE.match(line.strip())
        if m:
            print(f"  {m['name']:44}{float(m['wall']):8.2f}{m['cpu']:>8}")


def _runs(results: list[tuple[float, int, str, str]]) -> tuple[float, float, int]:
    """(best wall, median wall, highest peak RSS)."""
    walls = [r[0] for r in results]
    return min(walls), statistics.median(walls), max(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sanctuary-bench-audit"))
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each child, interleaved (0: none)"
    )
    parser.add_argument("--stages", action="store_true", help="also print the audit's stages")
    parser.add_argument("--rebuild", action="store_true", help="build the input file again")
    parser.add_argument("--naive-pass", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--same-output", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_pass:
        naive(*args.naive_pass, args.same_output)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    source = args.work / f"events-{args.rows}.parquet"
    t = time.perf_counter()
    if args.rebuild or not _built(source, args.rows):
        injected = build(source, args.rows)
        how = "built"
    else:
        injected, how = args.rows // INJECT_EVERY, "reused"
    size = source.stat().st_size / 1e6
    print(f"{how} {args.rows:,} rows ({injected:,} positives injected) in "
          f"{time.perf_counter() - t:.1f}s: {source} ({size:.0f} MB)")  # fmt: skip
    out = args.work / "audit-out"
    commands = {
        "sanctuary audit (duckdb)": [sys.executable, "-m", "sanctuary", "audit", str(source),
                                     "--out", str(out)],
        "naive keyword pass": [sys.executable, __file__, "--naive-pass", str(source),
                               str(args.work / "naive.csv")],
        "naive same-output pass": [sys.executable, __file__, "--naive-pass", str(source),
                                   str(args.work / "naive-same.csv"), "--same-output"],
    }  # fmt: skip
    if args.repeat > 0:
        compare(commands, args.repeat, args.rows, injected, out)
    if args.stages:
        stages(source, args.work / "audit-stages-out")


def compare(
    commands: dict[str, list[str]], repeat: int, rows: int, injected: int, out: Path
) -> None:
    """Run the audit and the two naive passes ``repeat`` times, interleaved; print the figures."""
    results: dict[str, list[tuple[float, int, str, str]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            results[name].append(_child(command))
    found = pq.read_table(out / "findings.parquet", columns=["finding", "row"])
    hits = found.filter(pc.equal(found.column("finding"), "immigration_purpose"))
    recalled = pc.count_distinct(hits.column("row")).as_py()
    ours, theirs, same = (results[name][-1][2] for name in commands)
    print(f"sanctuary audit: {ours}")
    print(f"  injected positives found as immigration_purpose: {recalled:,} of {injected:,}")
    print(f"naive keyword pass: {theirs}")
    print(f"naive same-output pass: {same}")
    figures = {name: _runs(runs) for name, runs in results.items()}
    print(f"{'':26}{'best s':>9}{'median s':>10}{'rows/s (best)':>15}{'peak RSS MB':>13}"
          f"   ({repeat} run(s) each, load average {os.getloadavg()[0]:.2f})")  # fmt: skip
    for name, (best, median, rss) in figures.items():
        print(f"{name:26}{best:9.1f}{median:10.1f}{rows / best:15,.0f}{rss:13,}")
    mine = figures["sanctuary audit (duckdb)"]
    for name in ("naive keyword pass", "naive same-output pass"):
        best, median, rss = figures[name]
        print(f"vs {name}: {best / mine[0]:.1f}x faster (best vs best), {median / mine[1]:.1f}x "
              f"(median vs median), peak RSS {mine[2] / rss:.2f}x")  # fmt: skip


def _built(source: Path, rows: int) -> bool:
    """Whether ``source`` is a complete earlier build of ``rows`` rows."""
    try:
        return bool(pq.ParquetFile(source).metadata.num_rows == rows)
    except (OSError, pa.ArrowInvalid):
        return False


if __name__ == "__main__":
    main()
