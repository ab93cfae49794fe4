"""Two `sanctuary serve` processes on one ledger keep one consistent log under concurrent load.

Each server has its own group-commit writer; they meet only in the database (PostgreSQL's
append lock row, or SQLite's file lock). Concurrent clients hit both with single and batch calls;
afterwards every receipt index is distinct, the log has no gaps, `sanctuary ledger verify` passes,
and every receipt's inclusion proof verifies against the final signed checkpoint.

The PostgreSQL case is marked ``postgres``: without SANCTUARY_TEST_PG it skips on a developer
machine and FAILS under CI=true. The SQLite case (two processes, one file) always runs: it is what
makes `sanctuary serve --workers N` safe on the default store.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanctuary.ledger import leaf_hash, open_checkpoint, parse_vkey, verify_inclusion

PACKS = Path(__file__).parent / "packs"
WORKERS = 12  # concurrent clients
CALLS = 16  # calls per client; every fourth is a batch of BATCH
BATCH = 8

ASK: dict[str, Any] = {
    "time": "2025-03-04T17:05:00-08:00",
    "jurisdiction": "us-ca",
    "responder": {"kind": "jail"},
    "requester": {"agency": "ICE-ERO"},
    "action": "disclose_information",
    "purpose": "ICE+ERO warrant service",
    "data": ["immigration_status", "home_address"],
}
OTHER: dict[str, Any] = {**ASK, "requester": {"agency": "FBI"}, "purpose": "homicide investigation"}


def _pg_base() -> str:
    base = os.environ.get("SANCTUARY_TEST_PG")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("SANCTUARY_TEST_PG is not set: CI must run the PostgreSQL replica test")
        pytest.skip("SANCTUARY_TEST_PG is not set (a postgresql:// URL to a test database)")
    return base


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards."""
    import psycopg

    base = _pg_base()
    name = "replicas_" + secrets.token_hex(6)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    head, _, tail = base.rpartition("/")
    query = tail.partition("?")[2]
    yield f"{head}/{name}" + (f"?{query}" if query else "")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return str(request.getfixturevalue("pg_database"))


@dataclass
class Replicas:
    db: str
    urls: list[str]
    env: dict[str, str]
    pep: str
    ice: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sanctuary", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _wait_ready(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"a server exited: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("a server did not start within 60 s")


@pytest.fixture
def replicas(db_url: str, tmp_path: Path) -> Iterator[Replicas]:
    # Both replicas sign with one key and hash with one subject key, as a deployment would.
    env = {
        **os.environ,
        "SANCTUARY_SIGNING_KEY": str(tmp_path / "signing-key"),
        "SANCTUARY_HASH_KEY": str(tmp_path / "hash-key"),
        "SANCTUARY_LOG_REQUESTS": "false",
    }
    keys = []
    for agency, role in (("LOCAL-GOV", "pep"), ("ICE-ERO", "requester")):
        made = _cli(env, "keys", "add", agency, "--role", role, "--db", db_url)
        assert made.returncode == 0, made.stderr
        keys.append(made.stdout.split()[-1])
    processes, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            command = [sys.executable, "-m", "sanctuary", "serve", "--db", db_url]
            process = subprocess.Popen(
                [*command, "--port", str(port), "--packs", str(PACKS)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=tmp_path,
            )
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            _wait_ready(urls[-1], process)
        yield Replicas(db_url, urls, env, keys[0], keys[1])
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


async def _client(http: httpx.AsyncClient, r: Replicas, n: int) -> list[dict[str, Any]]:
    """One client's calls, alternating replicas, keys, single and batch calls."""
    receipts: list[dict[str, Any]] = []
    for call in range(CALLS):
        url = r.urls[(n + call) % 2]
        key = r.ice if call % 3 == 0 else r.pep
        one = ASK if key == r.ice else (ASK if call % 2 else OTHER)
        if call % 4 == 3:
            batch = [{**one, "id": f"c{n}-{call}-{k}"} for k in range(BATCH)]
            response = await http.post(
                f"{url}/v1/decisions",
                json={"requests": batch},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert response.status_code == 200, response.text
            decided = response.json()["decisions"]
            assert [d["request_id"] for d in decided] == [b["id"] for b in batch]
        else:
            response = await http.post(
                f"{url}/v1/decisions",
                json={**one, "id": f"c{n}-{call}"},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert response.status_code == 200, response.text
            decided = [response.json()]
        receipts += [d["ledger"] for d in decided]
    return receipts


async def _load(r: Replicas) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=60) as http:
        parts = await asyncio.gather(*(_client(http, r, n) for n in range(WORKERS)))
    return [receipt for part in parts for receipt in part]


def test_two_replicas_keep_one_consistent_log(replicas: Replicas) -> None:
    receipts = asyncio.run(_load(replicas))
    expected = WORKERS * (CALLS // 4 * BATCH + CALLS - CALLS // 4)
    assert len(receipts) == expected

    # Distinct indices; with the two key entries, exactly 0..N-1.
    indices = [r["index"] for r in receipts]
    assert len(set(indices)) == len(indices)
    exported = _cli(replicas.env, "ledger", "export", "--db", replicas.db)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [line["index"] for line in lines] == list(range(len(lines)))
    leaves = [base64.b64decode(line["leaf"]) for line in lines]
    kinds = [json.loads(leaf)["kind"] for leaf in leaves]
    decided = {i for i, kind in enumerate(kinds) if kind == "decision"}
    assert decided == set(indices)  # every decision in the log was answered, and vice versa
    assert kinds.count("key_event") == 2 and len(lines) == expected + 2

    assert all(leaf_hash(leaves[r["index"]]).hex() == r["leaf_hash"] for r in receipts)
    # Both replicas appended (each through its own writer), so the lock really was shared.
    for url in replicas.urls:
        metrics = httpx.get(f"{url}/metrics", timeout=10).text
        appended = next(
            float(line.split()[-1])
            for line in metrics.splitlines()
            if line.startswith("sanctuary_ledger_appended_total")
        )
        assert appended > 0

    verify = _cli(replicas.env, "ledger", "verify", "--db", replicas.db)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert json.loads(verify.stdout)["tree_size"] == len(lines)

    # Every receipt proves into the final checkpoint, signed by the shared key.
    with httpx.Client(timeout=30) as http:
        vkey = http.get(f"{replicas.urls[0]}/v1/ledger/key").text.strip()
        note = http.get(f"{replicas.urls[1]}/v1/ledger/checkpoint").text
        checkpoint = open_checkpoint(note, [parse_vkey(vkey)])
        assert checkpoint.size == len(lines)
        for n, receipt in enumerate(receipts):
            proof = http.get(
                f"{replicas.urls[n % 2]}/v1/ledger/proof/inclusion",
                params={"index": receipt["index"], "size": checkpoint.size},
            ).json()
            verify_inclusion(
                receipt["index"],
                checkpoint.size,
                bytes.fromhex(receipt["leaf_hash"]),
                [bytes.fromhex(h) for h in proof["inclusion"]],
                checkpoint.root,
            )


def test_serve_with_two_workers_shares_one_sqlite_ledger(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'workers.db'}"
    env = {**os.environ, "SANCTUARY_LOG_REQUESTS": "false"}
    made = _cli(env, "keys", "add", "LOCAL-GOV", "--role", "pep", "--db", db)
    assert made.returncode == 0, made.stderr
    pep = made.stdout.split()[-1]
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sanctuary", "serve", "--db", db, "--port", str(port),
         "--packs", str(PACKS), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process)

        async def load() -> list[int]:
            async with httpx.AsyncClient(timeout=60) as http:
                calls = [
                    http.post(
                        f"http://127.0.0.1:{port}/v1/decisions",
                        json={**ASK, "id": f"w-{n}"},
                        headers={"Authorization": f"Bearer {pep}"},
                    )
                    for n in range(60)
                ]
                answers = await asyncio.gather(*calls)
            assert all(a.status_code == 200 for a in answers)
            return [a.json()["ledger"]["index"] for a in answers]

        indices = asyncio.run(load())
        assert sorted(indices) == list(range(1, 61))  # index 0 is the key's creation
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    verify = _cli(env, "ledger", "verify", "--db", db)
    assert verify.returncode == 0, verify.stdout + verify.stderr
