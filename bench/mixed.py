"""Batches and single calls together, in one process: does either starve the other?

    .venv/bin/python bench/mixed.py                          # 4 batch streams, 16 single, 15 s
    .venv/bin/python bench/mixed.py --batches 4 --singles 16 --seconds 15

Runs the decision route's own code (``_decide``: strict JSON, validation, decision, ledger entry,
ledger append and index on a real SQLite file) on one event loop, without HTTP, so the figures
show how the service shares its one loop and its ledger writer between batch calls (1,000
requests each) and single calls, not the network. Each stream sends its next call when the last
one is answered. Prints calls, p50/p99/max latency per kind, decisions/s, and errors (a refused
or failed call; there should be none).

bench/load.py measures each kind alone against a real server; this is the mix it does not run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from request_space import random_bodies

from sanctuary.service import Identity, Settings, open_service
from sanctuary.service.app import _tune_runtime
from sanctuary.service.routes.decisions import _decide

BATCH = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=4, help="streams of batch calls")
    parser.add_argument("--singles", type=int, default=16, help="streams of single calls")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="sanctuary-mixed-")
    os.environ["SANCTUARY_SIGNING_KEY"] = f"{folder}/signing.key"
    os.environ["SANCTUARY_HASH_KEY"] = f"{folder}/hash.key"
    service = open_service(Settings(db=f"sqlite:///{folder}/mixed.db", log_requests=False))
    _tune_runtime()  # as `sanctuary serve` does
    identity = Identity("bench", "LOCAL-GOV", "records gateway", None, "pep")
    bodies = [orjson.dumps(body) for body in random_bodies(8 * BATCH)]
    batches = [
        b'{"requests":[' + b",".join(bodies[k : k + BATCH]) + b"]}"
        for k in range(0, len(bodies), BATCH)
    ]
    latencies: dict[str, list[float]] = {"batch": [], "single": []}
    errors: list[str] = []
    end = time.perf_counter() + args.seconds

    async def stream(kind: str, messages: list[bytes], start: int, step: int) -> None:
        i = start
        while time.perf_counter() < end:
            began = time.perf_counter()
            try:
                await _decide(service, BATCH, identity, messages[i % len(messages)])
                latencies[kind].append(time.perf_counter() - began)
            except Exception as err:  # counted and shown: a mix must not make calls fail
                errors.append(f"{kind}: {type(err).__name__}: {err}")
            i += step

    async def run() -> None:
        await asyncio.gather(
            *(stream("batch", batches, k, 1) for k in range(args.batches)),
            *(stream("single", bodies, k * 997, 7) for k in range(args.singles)),
        )

    began = time.perf_counter()
    asyncio.run(run())
    wall = time.perf_counter() - began
    service.recorder.close()
    print(f"{args.batches} batch streams ({BATCH} each), {args.singles} single, {wall:.1f} s")
    for kind, values in latencies.items():
        if not values:
            continue
        values.sort()
        per_call = BATCH if kind == "batch" else 1
        print(
            f"  {kind:<6} {len(values):>7} calls {len(values) * per_call / wall:>8,.0f} decisions/s"
            f"  p50 {values[len(values) // 2] * 1e3:7.1f} ms  p99 "
            f"{values[int(len(values) * 0.99)] * 1e3:7.1f} ms  max {values[-1] * 1e3:7.1f} ms"
        )
    print(f"  errors {len(errors)}")
    for sample in errors[:3]:
        print(f"    {sample}")


if __name__ == "__main__":
    main()
