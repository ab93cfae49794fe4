"""SQLite specifics: URL selection, file modes, durability settings, and failing closed."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from ledger_helpers import sample_entry

from sanctuary.errors import InputError, LedgerError, LedgerUnavailable
from sanctuary.ledger import Ledger, open_store
from sanctuary.ledger.stores.sqlite import SQLiteStore, insert_many


def test_urls_select_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(store, SQLiteStore) and store.path == tmp_path / "a.db"
    store.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SANCTUARY_DB", raising=False)
    default = open_store()
    assert isinstance(default, SQLiteStore) and default.path.resolve() == tmp_path / "sanctuary.db"
    default.close()
    monkeypatch.setenv("SANCTUARY_DB", "sqlite:///./env.db")
    env = open_store()
    assert isinstance(env, SQLiteStore) and env.path.name == "env.db"
    env.close()
    with pytest.raises(InputError) as err:
        open_store("mysql://user:secret@host/db")
    assert "secret" not in str(err.value)


def test_durable_settings(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(store, SQLiteStore)
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()


def test_keys_are_created_private_beside_the_database(tmp_path: Path) -> None:
    with Ledger.open(f"sqlite:///{tmp_path / 'x.db'}") as ledger:
        key = ledger.verifier_key()
        assert len(ledger.hash_key) == 32
    for name in ("x.db.signing-key", "x.db.hash-key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))
    with Ledger.open(f"sqlite:///{tmp_path / 'x.db'}") as again:
        assert again.verifier_key() == key


def test_signing_key_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUARY_SIGNING_KEY", str(tmp_path / "keys" / "log.key"))
    with Ledger.open(f"sqlite:///{tmp_path / 'x.db'}"):
        pass
    assert (tmp_path / "keys" / "log.key").exists()
    assert not (tmp_path / "x.db.signing-key").exists()


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "k"
    with Ledger.open(f"sqlite:///{tmp_path / 'x.db'}", key):
        pass
    os.chmod(key, 0o644)
    with pytest.raises(LedgerError) as err:
        Ledger.open(f"sqlite:///{tmp_path / 'x.db'}", key)
    assert "readable by others" in err.value.message


def test_a_failed_append_raises_and_returns_no_index(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    ledger = Ledger.open(f"sqlite:///{db}", tmp_path / "k")
    ledger.append(sample_entry(0))
    # Another connection holds the write lock: the append must fail, not hand out an index.
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    ledger.store._db.execute("PRAGMA busy_timeout=50")  # type: ignore[attr-defined]
    with pytest.raises(LedgerUnavailable):
        ledger.append(sample_entry(1))
    blocker.execute("ROLLBACK")
    blocker.close()
    assert ledger.append(sample_entry(1)).index == 1
    ledger.close()


def test_an_unopenable_database_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "f").touch()  # a file where the database's folder should be
    with pytest.raises(LedgerUnavailable):
        open_store(f"sqlite:///{tmp_path / 'f' / 'x.db'}")


def test_a_missing_node_makes_proofs_fail_closed(tmp_path: Path) -> None:
    with Ledger.open(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "k") as ledger:
        ledger.append_many([sample_entry(i) for i in range(8)])
        raw = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
        raw.execute("DELETE FROM nodes WHERE level = 3 AND idx = 0")  # the root of all 8
        raw.close()
        with pytest.raises(LedgerError) as err:
            ledger.prove_inclusion(0)
        assert "missing node 3/0" in err.value.message
        with pytest.raises(LedgerError):
            ledger.append(sample_entry(8))  # the frontier is gone too: nothing is appended
        assert ledger.size == 8


@pytest.mark.parametrize("count", [0, 1, 127, 128, 129, 300])
def test_insert_many_writes_the_rows_executemany_would_in_order(count: int) -> None:
    rows = [(i, f"text {i}", bytes([i % 256]) * 3, None if i % 7 else 1.5) for i in range(count)]
    got, want = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    for db in (got, want):
        db.execute("CREATE TABLE t (a INTEGER, b TEXT, c BLOB, d REAL)")
    insert_many(got, "INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", rows)
    want.executemany("INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", rows)
    query = "SELECT rowid, a, b, c, d FROM t ORDER BY rowid"
    assert got.execute(query).fetchall() == want.execute(query).fetchall()
    assert len(got.execute(query).fetchall()) == count
