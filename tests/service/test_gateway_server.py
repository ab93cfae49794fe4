"""The gateway over real HTTP: `sanctuary serve` with a datasets file over PostgreSQL, keys made
with the CLI, the release digest checked against the entry `sanctuary ledger export` prints."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gw_helpers import FBI_ASK, a_number_forms, fake_city, pg_base, write_config

from sanctuary.canonical import digest

pytestmark = pytest.mark.postgres


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sanctuary", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import psycopg

    base = pg_base()
    folder = tmp_path_factory.mktemp("gw-e2e")
    schema = "gwe_" + uuid.uuid4().hex[:12]
    fake_city.write_postgres(base, schema, 120, 20)
    datasets = write_config(folder / "datasets.toml", base, prefix=f"{schema}.")
    db = f"sqlite:///{folder / 'sanctuary.db'}"
    made = cli("keys", "add", "FBI", "--role", "requester", "--db", db)
    assert made.returncode == 0, made.stderr
    port = free_port()
    env = {**os.environ, "SANCTUARY_DATASETS": str(datasets), "SANCTUARY_LOG_REQUESTS": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sanctuary", "serve", "--db", db, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield {"url": url, "db": db, "fbi": made.stdout.split()[-1],
               "bookings": list(fake_city.bookings(120))}  # fmt: skip
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_a_query_over_http_matches_the_ledger_the_cli_exports(served: dict[str, Any]) -> None:
    response = httpx.post(
        f"{served['url']}/v1/datasets/jail_bookings/query",
        json=FBI_ASK,
        headers={"Authorization": f"Bearer {served['fbi']}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["rows"]) == 120 and body["withheld_columns"] == ["birthplace", "a_number"]
    for record in served["bookings"]:
        assert record["birthplace"] not in response.text
        for form in a_number_forms(record["a_number"]):
            assert form not in response.text
    index = body["decision"]["ledger"]["index"]
    exported = cli("ledger", "export", "--db", served["db"])
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]
    entry = next(
        json.loads(base64.b64decode(line["leaf"])) for line in lines if line["index"] == index
    )
    assert entry["released"]["digest"] == digest(body["rows"])
    assert entry["released"]["rows"] == 120
    proof = cli("ledger", "prove", "--index", str(index), "--db", served["db"])
    assert proof.returncode == 0, proof.stderr
    assert json.loads(proof.stdout)["leaf_hash"] == body["decision"]["ledger"]["leaf_hash"]
