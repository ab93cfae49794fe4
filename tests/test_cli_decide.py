"""`sanctuary decide`: decisions out; bad input exits 2 with one line naming the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REQUEST: dict[str, Any] = {
    "id": "req-1",
    "time": "2025-03-04T17:05:00-08:00",
    "jurisdiction": "us-ca/los-angeles",
    "responder": {"department": "LAPD", "kind": "law_enforcement"},
    "requester": {"agency": "ICE-ERO"},
    "action": "disclose_information",
    "purpose": "ICE+ERO warrant service",
    "data": ["immigration_status", "home_address"],
}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sanctuary", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_decide_prints_one_decision_per_request(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    second = {**REQUEST, "id": "req-2"}
    path.write_text(json.dumps(REQUEST) + "\n" + json.dumps(second) + "\n")
    result = run("decide", str(path))
    assert result.returncode == 0, result.stderr
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["request_id"] for d in decisions] == ["req-1", "req-2"]
    assert all(d["reasons"] and all(r["citation"] for r in d["reasons"]) for d in decisions)


def test_decide_reads_an_array_from_stdin() -> None:
    result = run("decide", "-", stdin=json.dumps([REQUEST, REQUEST]))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in REQUEST.items() if k != key}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (json.dumps({**REQUEST, "purpse": "x"}), "unknown field `purpse`"),
        (json.dumps({**REQUEST, "action": "deport"}), "`action`"),
        (json.dumps(_without("jurisdiction")), "missing field `jurisdiction`"),
        (json.dumps({**REQUEST, "time": "2025-03-04T17:05:00"}), "`time`"),
        (json.dumps({**REQUEST, "time": "yesterday"}), "`time`"),
        ("{not json", "invalid JSON"),
        ('{"id": "a", "id": "b"}', "duplicate key `id`"),
        (json.dumps({**REQUEST, "data": ["home_adress"]}), "`data.0`"),
        (json.dumps({**REQUEST, "jurisdiction": "fr"}), "no policy pack governs `fr`"),
        (json.dumps({**REQUEST, "data": []}), "`data`"),
        (json.dumps({**REQUEST, "context": {"exigent": True}}), "unknown field `context.exigent`"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, body: str, needle: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(body)
    result = run("decide", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""  # nothing is decided on a guess
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr


def test_schema_commands_print_json_schema() -> None:
    for name in ("request", "decision", "pack"):
        result = run("schema", name)
        assert result.returncode == 0
        assert json.loads(result.stdout)["type"] == "object"


def test_decide_record_appends_each_decision_and_prints_its_receipt(tmp_path: Path) -> None:
    path = tmp_path / "requests.json"
    path.write_text(json.dumps([REQUEST, {**REQUEST, "id": "req-2"}]))
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    result = run("decide", str(path), "--record", "--db", db)
    assert result.returncode == 0, result.stderr
    receipts = [json.loads(line)["ledger"] for line in result.stdout.splitlines()]
    assert [r["index"] for r in receipts] == [0, 1]
    proof = run("ledger", "prove", "--index", "1", "--db", db)
    assert json.loads(proof.stdout)["leaf_hash"] == receipts[1]["leaf_hash"]
    assert run("ledger", "verify", "--db", db).returncode == 0
