"""End to end: a real `sanctuary serve` on a loopback port, keys made with the CLI, receipts checked
with `sanctuary ledger prove|verify`, and schemathesis run against /openapi.json."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

PACKS = Path(__file__).parent / "packs"
HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sanctuary", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@dataclass
class Server:
    url: str
    db: str
    process: subprocess.Popen[str]
    pep: str


def start_server(db: str, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sanctuary",
            "serve",
            "--db",
            db,
            "--port",
            str(port),
            "--packs",
            str(PACKS),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(
        f"the server did not start: {process.stderr.read() if process.stderr else ''}"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("e2e")
    db = f"sqlite:///{folder / 'sanctuary.db'}"
    made = cli("keys", "add", "LOCAL-GOV", "--role", "pep", "--name", "records gateway", "--db", db)
    assert made.returncode == 0, made.stderr
    pep = made.stdout.split()[-1]  # the key is the last word
    port = free_port()
    process = start_server(db, port)
    yield Server(f"http://127.0.0.1:{port}", db, process, pep)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


REQUEST = {
    "jurisdiction": "us-ca",
    "time": "2025-03-04T17:05:00-08:00",
    "responder": {"kind": "jail"},
    "requester": {"agency": "ICE-ERO"},
    "action": "notify_release",
    "purpose": "ICE detainer, notify before release",
    "legal_process": {"form": "I-247A"},
    "data": ["release_date"],
}


def test_a_decision_over_http_is_proven_by_the_cli(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/v1/decisions",
        json=REQUEST,
        headers={"Authorization": f"Bearer {server.pep}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["decision"] == "deny" and decision["reasons"][0]["citation"]
    receipt = decision["ledger"]
    proof = cli("ledger", "prove", "--index", str(receipt["index"]), "--db", server.db)
    assert proof.returncode == 0, proof.stderr
    proven = json.loads(proof.stdout)
    assert proven["leaf_hash"] == receipt["leaf_hash"]
    verify = cli("ledger", "verify", "--db", server.db)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_keys_add_refuses_an_unknown_role() -> None:
    result = cli(
        "keys", "add", "FBI", "--role", "overlord", "--db", "sqlite:////tmp/unused-sanctuary.db"
    )
    assert result.returncode == 2 and "unknown role" in result.stderr


def test_schemathesis_finds_no_5xx_and_only_problem_json_errors(server: Server) -> None:
    binary = str(Path(sys.executable).parent / "schemathesis")
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "st_hooks", "PYTHONPATH": str(HERE)}
    result = subprocess.run(
        [binary, "run", f"{server.url}/openapi.json", "-H", f"Authorization: Bearer {server.pep}",
         "--checks", "not_a_server_error,problem_json_errors", "--max-examples", "30",
         "--phases", "examples,fuzzing", "--suppress-health-check", "all", "--no-color"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path) -> None:
    port = free_port()
    process = start_server(f"sqlite:///{tmp_path / 'stop.db'}", port)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
