"""Crash safety: a child appending in a loop is SIGKILLed at random moments, over and over.

After every kill, each index the child acknowledged (it writes ``index tag`` to a file only after
``append`` returned) must hold exactly its entry, indices must run 0..n-1 without gaps or
duplicates, and full verification must pass.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sanctuary.ledger import Ledger

KILLS = 50

CHILD = """
import sys
from sanctuary.ledger import Ledger
url, key, acks, run = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
with Ledger.open(url, key) as led, open(acks, "a", buffering=1) as out:
    i = 0
    while True:
        n = 1 + i % 4  # single appends and small batches
        tags = [f"{run}-{i + k}" for k in range(n)]
        entries = [{"kind": "key_event", "event": "created", "vkey": tag} for tag in tags]
        receipts = led.append(entries[0]) if n == 1 else None
        receipts = [receipts] if receipts else led.append_many(entries)
        for r, e in zip(receipts, entries):
            out.write(f"{r.index} {e['vkey']}\\n")
        i += n
"""


def _acks(paths: list[Path]) -> dict[int, str]:
    acked: dict[int, str] = {}
    for path in (p for p in paths if p.exists()):
        for line in path.read_text().splitlines():
            parts = line.split(" ")
            if len(parts) == 2:  # a line cut by the kill was never fully acknowledged
                index, tag = parts
                assert int(index) not in acked, f"index {index} acknowledged twice"
                acked[int(index)] = tag
    return acked


def _wait_for_first_ack(path: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 0:
            return
        time.sleep(0.002)


def test_sigkill_never_loses_an_acknowledged_entry(tmp_path: Path) -> None:
    url, key = f"sqlite:///{tmp_path / 'x.db'}", str(tmp_path / "key")
    ack_files: list[Path] = []
    Ledger.open(url, key).close()  # schema and key exist before the first child
    rng = random.Random(1962)
    started = time.monotonic()
    for run in range(KILLS):
        acks = tmp_path / f"acks-{run}"
        ack_files.append(acks)
        child = subprocess.Popen([sys.executable, "-c", CHILD, url, key, str(acks), f"r{run}"])
        if run % 5 == 0:
            time.sleep(rng.uniform(0, 0.3))  # sometimes while it is still starting up
        else:
            _wait_for_first_ack(acks, time.monotonic() + 20)
            time.sleep(rng.uniform(0, 0.05))
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=20) == -signal.SIGKILL
        acked = _acks(ack_files)
        with Ledger.open(url, key) as ledger:
            size = ledger.size
            assert all(i < size for i in acked), "an acknowledged entry is missing"
            assert [i for i, _ in ledger.export()] == list(range(size))  # no gaps, no duplicates
            for i in rng.sample(sorted(acked), min(20, len(acked))):
                assert ledger.entry(i)["vkey"] == acked[i]
            report = ledger.verify()
            assert report.ok, report.problem
    acked = _acks(ack_files)
    assert len(acked) > 10 * KILLS  # the children did real work between kills
    print(f"{KILLS} kills, {len(acked)} acknowledged entries, {size} in the ledger")
    assert time.monotonic() - started < 90
