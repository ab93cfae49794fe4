"""`sanctuary ledger …` end to end; every document it prints is checked by the independent
verifier, and tampered copies of those documents are rejected."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rfc9162_verifier as ref
from ledger_helpers import sample_entry
from typer.testing import CliRunner

from sanctuary.cli import app
from sanctuary.ledger import Ledger

SIZE = 21


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SANCTUARY_SIGNING_KEY", str(tmp_path / "signing-key"))
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(url) as ledger:
        ledger.append_many([sample_entry(i) for i in range(SIZE)])
    return url


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["ledger", *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout if code == 0 else result.stderr


def test_documents_verify_independently(db: str) -> None:
    vkey = run("key", "--db", db).strip()
    note = run("checkpoint", "--db", db)
    opened = ref.open_checkpoint(note, vkey)
    assert opened is not None and opened[1] == SIZE
    root = opened[2]
    lines = [json.loads(x) for x in run("export", "--db", db).splitlines()]
    assert [x["index"] for x in lines] == list(range(SIZE))
    leaves = [base64.b64decode(x["leaf"]) for x in lines]
    assert ref.mth(leaves) == root
    for i in range(SIZE):
        proof = json.loads(run("prove", "--index", str(i), "--db", db))
        assert proof["root_hash"] == root.hex() and proof["tree_size"] == SIZE
        assert proof["leaf_hash"] == ref.leaf(leaves[i]).hex()
        assert ref.verify_inclusion(i, SIZE, *_inc(proof))
    for m in range(SIZE + 1):
        proof = json.loads(run("prove", "--from", str(m), "--to", str(SIZE), "--db", db))
        assert proof["new_root"] == root.hex()
        assert proof["old_root"] == ref.mth(leaves[:m]).hex()
        assert ref.verify_consistency(m, SIZE, *_con(proof))


def _inc(p: dict[str, Any]) -> tuple[bytes, list[bytes], bytes]:
    hashes = [bytes.fromhex(h) for h in p["inclusion"]]
    return bytes.fromhex(p["leaf_hash"]), hashes, bytes.fromhex(p["root_hash"])


def _con(p: dict[str, Any]) -> tuple[bytes, bytes, list[bytes]]:
    hashes = [bytes.fromhex(h) for h in p["consistency"]]
    return bytes.fromhex(p["old_root"]), bytes.fromhex(p["new_root"]), hashes


def _flip(hexstr: str) -> str:
    return ("0" if hexstr[0] != "0" else "1") + hexstr[1:]


def test_tampered_documents_are_rejected(db: str) -> None:
    vkey = run("key", "--db", db).strip()
    note = run("checkpoint", "--db", db)
    for bad in (
        note.replace(f"\n{SIZE}\n", f"\n{SIZE + 1}\n"),
        note + "trailing garbage\n",
        note.replace("\u2014 sanctuary.invalid/decision-ledger", "\u2014 someone.else/log"),
    ):
        assert ref.open_checkpoint(bad, vkey) is None
    inc = json.loads(run("prove", "--index", "5", "--size", "13", "--db", db))
    leaf, path, root = _inc(inc)
    assert ref.verify_inclusion(5, 13, leaf, path, root)
    assert not ref.verify_inclusion(6, 13, leaf, path, root)  # wrong index
    assert not ref.verify_inclusion(5, 13, leaf, path[:-1], root)  # truncated
    assert not ref.verify_inclusion(5, 13, leaf, [*path, path[0]], root)  # extended
    assert not ref.verify_inclusion(5, 13, leaf, [path[1], path[0], *path[2:]], root)  # swapped
    assert not ref.verify_inclusion(5, 13, bytes.fromhex(_flip(leaf.hex())), path, root)
    con = json.loads(run("prove", "--from", "6", "--to", "13", "--db", db))
    old, new, cpath = _con(con)
    assert ref.verify_consistency(6, 13, old, new, cpath)
    assert not ref.verify_consistency(6, 13, old, new, cpath[:-1])
    assert not ref.verify_consistency(6, 13, old, new, [*cpath, cpath[0]])
    assert not ref.verify_consistency(7, 13, old, new, cpath)
    assert not ref.verify_consistency(6, 13, bytes.fromhex(_flip(old.hex())), new, cpath)


def test_verify_exit_status_names_the_first_bad_index(db: str, tmp_path: Path) -> None:
    held = tmp_path / "checkpoint.txt"
    held.write_text(run("checkpoint", "--db", db))
    report = json.loads(run("verify", "--checkpoint", str(held), "--db", db))
    assert report["ok"] is True and report["tree_size"] == SIZE
    con = sqlite3.connect(tmp_path / "ledger.db")
    con.execute(
        "UPDATE entries SET leaf = CAST(replace(CAST(leaf AS TEXT), 'p7', 'p8') AS BLOB) "
        "WHERE idx = 7"
    )
    con.commit()
    con.close()
    err = run("verify", "--db", db, code=1)
    assert "first bad index 7" in err


def test_usage_and_input_errors_exit_2(db: str, tmp_path: Path) -> None:
    assert "either --index" in run("prove", "--db", db, code=2)
    assert "either --index" in run(
        "prove", "--index", "1", "--from", "0", "--to", "2", "--db", db, code=2
    )
    assert "outside a tree" in run("prove", "--index", str(SIZE), "--db", db, code=2)
    assert "beyond" in run("prove", "--from", "0", "--to", str(SIZE + 1), "--db", db, code=2)
    assert "unsupported database url" in run("key", "--db", "mysql://x:pw@h/db", code=2)
    assert "cannot read" in run(
        "verify", "--checkpoint", str(tmp_path / "nope"), "--db", db, code=2
    )


def test_the_installed_command_runs(db: str) -> None:
    exe = Path(sys.executable).with_name("sanctuary")
    out = subprocess.run(
        [str(exe), "ledger", "prove", "--index", "0", "--size", "1", "--db", db],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    proof = json.loads(out.stdout)
    root = proof["root_hash"]
    assert proof == {
        "index": 0,
        "tree_size": 1,
        "leaf_hash": root,
        "root_hash": root,
        "inclusion": [],
    }
    assert proof["leaf_hash"] == proof["leaf_hash"].lower()


def test_an_auditor_verifies_a_copy_with_the_vkey_only(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vkey = run("key", "--db", db).strip()
    run("checkpoint", "--db", db)
    monkeypatch.setenv("SANCTUARY_SIGNING_KEY", str(tmp_path / "no-such-key"))
    assert "not at" in run("verify", "--db", db, code=1)  # never silently makes a new key
    report = json.loads(run("verify", "--key", vkey, "--db", db))
    assert report["ok"] is True and report["checkpoints_checked"] == 1
    assert "verifier key" in run("verify", "--key", "nonsense", "--db", db, code=2)


@pytest.mark.postgres
def test_cli_on_postgres(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUARY_SIGNING_KEY", str(tmp_path / "signing-key"))
    with Ledger.open(pg_url) as ledger:
        ledger.append_many([sample_entry(i) for i in range(9)])
    vkey = run("key", "--db", pg_url).strip()
    opened = ref.open_checkpoint(run("checkpoint", "--db", pg_url), vkey)
    assert opened is not None and opened[1] == 9
    proof = json.loads(run("prove", "--index", "8", "--db", pg_url))
    assert ref.verify_inclusion(8, 9, *_inc(proof)) and proof["root_hash"] == opened[2].hex()
    proof = json.loads(run("prove", "--from", "5", "--to", "9", "--db", pg_url))
    assert ref.verify_consistency(5, 9, *_con(proof))
    assert len(run("export", "--start", "2", "--end", "5", "--db", pg_url).splitlines()) == 3
    assert json.loads(run("verify", "--db", pg_url))["ok"] is True
