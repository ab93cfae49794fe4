"""Decision-ledger benchmark, side by side with pymerkle (the anchor named in DESIGN.md).

    python bench/ledger.py        # 1M entries on SQLite, + PostgreSQL if SANCTUARY_TEST_PG is set
    python bench/ledger.py --sizes 1000000,10000000 --dir /var/tmp/ledger-bench
    python bench/ledger.py --pg postgresql://postgres@127.0.0.1:5432/bench --no-pymerkle

Prints one table: durable appends/s (one commit per entry, and batched), inclusion and
consistency proof times at each size (cold = first call after opening, warm = mean of many),
full verification time, and the same proof operations with pymerkle's SQLite tree with ratios.
Targets from issue 3: >= 50,000 batched and >= 2,000 single durable appends/s on SQLite,
inclusion proofs < 1 ms at 10M, full verification of 1M < 10 s.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sanctuary.ledger import Ledger, merkle

Row = tuple[str, str, str, str, str]
ROWS: list[Row] = []


def row(metric: str, ours: str, anchor: str = "", ratio: str = "", target: str = "") -> None:
    ROWS.append((metric, ours, anchor, ratio, target))
    print(f"  {metric}: {ours} {anchor}", file=sys.stderr, flush=True)


def decision_entry(i: int) -> dict[str, Any]:
    """A realistic minimised decision entry (~600 bytes as a leaf)."""
    h = hashlib.sha256(str(i).encode()).hexdigest()
    return {
        "kind": "decision",
        "request_id": f"req-2026-{i:09d}",
        "request_digest": "sha256:" + h,
        "decided_at": "2026-03-01T18:00:01Z",
        "jurisdiction": "us-ca/los-angeles",
        "requester": {"agency": "ice", "name_hash": "hmac-sha256:" + h},
        "action": "disclose_information",
        "data": ["home_address", "release_date"],
        "legal_process": "administrative_warrant",
        "decision": "deny",
        "withheld_data": ["home_address", "release_date"],
        "rules": ["us-ca/7284.6-a1C", "us-ca/7284.6-a1D"],
        "packs": [{"id": "us-ca", "version": "2026.1"}],
        "purpose": {"category": "civil_immigration_enforcement", "score_bp": 9876},
    }


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def open_ledger(url: str, workdir: Path) -> Ledger:
    return Ledger.open(url, workdir / "signing-key", hash_key_path=workdir / "hash-key")


def pg_schema(base: str, drop: str | None = None) -> str:
    """Create a scratch schema and return a URL using it; or drop the schema named ``drop``."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        if drop:
            conn.execute(f"DROP SCHEMA {drop} CASCADE")
            return drop
        schema = "bench_" + uuid.uuid4().hex[:12]
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def rates(n: int, runs: list[float]) -> str:
    """Best rate and, over several runs, the median: the machine may be shared."""
    best = rate(n, min(runs))
    return best if len(runs) == 1 else f"{best} (median {rate(n, sorted(runs)[len(runs) // 2])})"


def bench_fsync(workdir: Path, n: int = 500) -> None:
    """The disk's own ceiling for one-commit-per-entry: rewrite + fdatasync of a small record
    (what SQLite's WAL does once its file has reached its working size)."""
    path = workdir / f"fsync-{uuid.uuid4().hex[:8]}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        seconds = timed(
            lambda: [(os.pwrite(fd, b"x" * 100, 0), os.fdatasync(fd)) for _ in range(n)]
        )
    finally:
        os.close(fd)
        path.unlink()
    row("disk: rewrite + fdatasync of 100 bytes (anchor for one commit each)", rate(n, seconds))


def bench_appends(
    label: str, url: str, workdir: Path, counts: tuple[int, int], sizes: list[int], repeat: int
) -> None:
    single, batched = counts
    with open_ledger(url, workdir) as ledger:
        runs = []
        for _ in range(repeat):
            # Entries are made before the clock starts: this times the ledger, not the generator.
            singles = [decision_entry(i) for i in range(single)]
            runs.append(timed(lambda s=singles: [ledger.append(e) for e in s]))
        goal = ">= 2,000/s" if label == "SQLite" else ""
        row(f"{label}: durable appends, one commit each", rates(single, runs), target=goal)
        for size in sizes:
            runs = []
            for _ in range(repeat):
                batches = [
                    [decision_entry(i) for i in range(lo, min(lo + size, batched))]
                    for lo in range(0, batched, size)
                ]
                runs.append(timed(lambda b=batches: [ledger.append_many(x) for x in b]))
            row(
                f"{label}: durable appends, batches of {size:,}",
                rates(batched, runs),
                target=">= 50,000/s" if label == "SQLite" else "",
            )


def build_ledger(url: str, workdir: Path, size: int) -> None:
    with open_ledger(url, workdir) as ledger:
        have = ledger.size
        if have > size:
            raise SystemExit(f"{url} already holds {have} entries (> {size}); use another --dir")
        start = time.perf_counter()
        for lo in range(have, size, 20_000):
            ledger.append_many([decision_entry(i) for i in range(lo, min(lo + 20_000, size))])
        if have < size:
            seconds = time.perf_counter() - start
            row(f"build {size:,} (batches of 20,000)", rate(size - have, seconds))


def sample_pairs(size: int, n: int, rng: random.Random) -> Iterator[tuple[int, int]]:
    for _ in range(n):
        yield rng.randrange(size), size


def bench_proofs(url: str, workdir: Path, size: int, samples: int) -> dict[str, float]:
    rng = random.Random(size)
    out: dict[str, float] = {}
    with open_ledger(url, workdir) as ledger:
        out["incl_cold"] = timed(lambda: ledger.prove_inclusion(rng.randrange(size), size))
        pairs = list(sample_pairs(size, samples, rng))
        out["incl_warm"] = timed(lambda: [ledger.prove_inclusion(i, n) for i, n in pairs]) / samples
        proofs = [ledger.prove_inclusion(i, n) for i, n in pairs[:200]]
        out["incl_verify"] = timed(
            lambda: [
                merkle.verify_inclusion(p.index, p.tree_size, p.leaf_hash, p.inclusion, p.root_hash)
                for p in proofs
            ]
        ) / len(proofs)
        olds = [rng.randrange(1, size) for _ in range(samples)]
        out["cons_warm"] = (
            timed(lambda: [ledger.prove_consistency(m, size) for m in olds]) / samples
        )
    return out


def bench_verify(url: str, workdir: Path) -> tuple[float, bool]:
    with open_ledger(url, workdir) as ledger:
        start = time.perf_counter()
        report = ledger.verify()
        return time.perf_counter() - start, report.ok


def bench_pymerkle(workdir: Path, size: int, samples: int) -> dict[str, float]:
    from pymerkle import SqliteTree

    path = workdir / f"pymerkle-{size}.db"
    out: dict[str, float] = {}
    tree = SqliteTree(str(path))
    have = tree.get_size()
    if have < size:

        def fill() -> None:
            for lo in range(have, size, 100_000):
                hi = min(lo + 100_000, size)
                tree.append_entries([bytes(str(decision_entry(i)), "utf-8") for i in range(lo, hi)])

        out["build"] = timed(fill) / (size - have)
    tree.close()
    tree = SqliteTree(str(path))  # cold: a fresh process-level cache, like reopening our ledger
    rng = random.Random(size)
    out["incl_cold"] = timed(lambda: tree.prove_inclusion(rng.randrange(1, size + 1), size))
    idx = [rng.randrange(1, size + 1) for _ in range(samples)]
    out["incl_warm"] = timed(lambda: [tree.prove_inclusion(i, size) for i in idx]) / samples
    olds = [rng.randrange(1, size) for _ in range(samples)]
    out["cons_warm"] = timed(lambda: [tree.prove_consistency(m, size) for m in olds]) / samples
    tree.close()
    return out


def ratio(anchor: float, ours: float) -> str:
    return f"{anchor / ours:,.1f}x faster" if ours < anchor else f"{ours / anchor:,.1f}x slower"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000000", help="comma-separated tree sizes")
    parser.add_argument("--dir", type=Path, help="work folder (kept, so big trees are reused)")
    parser.add_argument("--pg", default=os.environ.get("SANCTUARY_TEST_PG"), help="PostgreSQL URL")
    parser.add_argument("--single", type=int, default=3_000, help="one-commit appends to time")
    parser.add_argument("--batched", type=int, default=200_000, help="batched appends to time")
    parser.add_argument("--batch-sizes", default="1000,10000", help="comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each append measurement")
    parser.add_argument("--samples", type=int, default=1_000, help="proofs per measurement")
    parser.add_argument("--verify-max", type=int, default=1_000_000, help="largest size to verify")
    parser.add_argument("--no-pymerkle", action="store_true")
    args = parser.parse_args()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {workdir}", file=sys.stderr)

    batch_sizes = [int(s) for s in args.batch_sizes.split(",")]
    scratch = workdir / f"appends-{uuid.uuid4().hex[:8]}.db"
    bench_fsync(workdir)
    counts = (args.single, args.batched)
    bench_appends("SQLite", f"sqlite:///{scratch}", workdir, counts, batch_sizes, args.repeat)
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    if args.pg:
        url = pg_schema(args.pg)
        try:
            half = (args.single // 2, args.batched // 2)
            bench_appends("PostgreSQL", url, workdir, half, batch_sizes, args.repeat)
        finally:
            pg_schema(args.pg, drop=url.rsplit("%3D", 1)[1])

    for size in (int(s) for s in args.sizes.split(",")):
        url = f"sqlite:///{workdir / f'ledger-{size}.db'}"
        build_ledger(url, workdir, size)
        ours = bench_proofs(url, workdir, size, args.samples)
        anchor = bench_pymerkle(workdir, size, args.samples) if not args.no_pymerkle else {}
        for key, label, target in (
            ("incl_cold", "inclusion proof, first after open", ""),
            ("incl_warm", "inclusion proof, mean", "< 1 ms at 10M"),
            ("cons_warm", "consistency proof, mean", ""),
        ):
            a = anchor.get(key)
            row(
                f"{size:,}: {label}",
                ms(ours[key]),
                ms(a) if a else "",
                ratio(a, ours[key]) if a else "",
                target,
            )
        row(f"{size:,}: inclusion proof verification, mean", ms(ours["incl_verify"]))
        if "build" in anchor:
            row(f"{size:,}: pymerkle SqliteTree.append_entries", "", rate(1, anchor["build"]))
        if size <= args.verify_max:
            seconds, ok = bench_verify(url, workdir)
            row(f"{size:,}: full verification ({'ok' if ok else 'FAILED'})", f"{seconds:.2f} s",
                target="< 10 s at 1M")  # fmt: skip

    header: Row = ("measurement", "sanctuary", "pymerkle", "ratio", "target")
    widths = [max(len(r[i]) for r in [header, *ROWS]) for i in range(5)]
    for r in [header, tuple("-" * w for w in widths), *ROWS]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    print(
        f"\npython {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
        f"{os.getloadavg()[0]:.1f}; appends: best of --repeat runs (median); proofs: mean of "
        "--samples; on a shared machine compare with the disk anchor and re-run"
    )


if __name__ == "__main__":
    main()
