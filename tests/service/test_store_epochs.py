"""The decisions index is keyed by (epoch, request_id) (store.py says why): a lookup must still find
the latest decision of a request id in any epoch, through the index, on SQLite and PostgreSQL; and
a database made with version 1's index over all decisions is moved to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sanctuary.errors import InputError
from sanctuary.service.store import EPOCH, SCHEMA_VERSION, ServiceStore, lookup_sql


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.db'}"
    return str(request.getfixturevalue("pg_url"))  # tests/conftest.py


def _row(request_id: str, index: int, body: str = "{}") -> tuple[str, int, str, str, str, str, str]:
    return (request_id, index, "LAPD", "k1", "deny", body, "2026-11-27T00:00:00Z")


def test_the_latest_decision_of_a_request_id_is_found_in_any_epoch(store_url: str) -> None:
    store = ServiceStore(store_url)
    try:
        assert store.decision("r-1") is None  # no decisions at all
        store.index_decisions(
            [
                _row("r-1", 5, '{"n":1}'),
                _row("r-2", 6),
                _row("r-1", EPOCH + 3, '{"n":2}'),
                _row("r-3", 3 * EPOCH + 1),  # the newest epoch holds no r-1
                _row("r-4", EPOCH - 1),
            ]
        )
        assert store.decision("r-1") == ("LAPD", '{"n":2}', EPOCH + 3)
        assert store.decision("r-4") == ("LAPD", "{}", EPOCH - 1)  # an epoch's last index
        assert store.decision("r-3") == ("LAPD", "{}", 3 * EPOCH + 1)
        assert store.decision("nobody") is None
    finally:
        store.close()


def test_a_lookup_over_many_epochs_is_made_in_parts(store_url: str) -> None:
    store = ServiceStore(store_url)
    try:  # 1,201 epochs: three statements of at most 500 epochs each
        store.index_decisions([_row("old", 7), _row("filler", 1200 * EPOCH)])
        assert store.decision("old") == ("LAPD", "{}", 7)
        assert store.decision("nobody") is None
    finally:
        store.close()


def test_the_lookup_searches_the_epoch_index(tmp_path: Path) -> None:
    store = ServiceStore(f"sqlite:///{tmp_path / 's.db'}")
    try:
        plan = store.execute("EXPLAIN QUERY PLAN " + lookup_sql(3), (0, 1, 2, "r-1"))
        details = " ".join(str(step[-1]) for step in plan)
        assert "USING INDEX svc_decisions_by_epoch" in details, details
        assert "SCAN svc_decisions" not in details, details
    finally:
        store.close()


def test_a_version_1_database_moves_to_the_epoch_index(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE svc_schema (version INTEGER NOT NULL);
        INSERT INTO svc_schema VALUES (1);
        CREATE TABLE svc_decisions (
            request_id TEXT NOT NULL, ledger_index INTEGER PRIMARY KEY, agency TEXT NOT NULL,
            key_id TEXT NOT NULL, decision TEXT NOT NULL, body TEXT NOT NULL,
            created TEXT NOT NULL);
        CREATE INDEX svc_decisions_by_request ON svc_decisions (request_id);
        INSERT INTO svc_decisions VALUES ('r-1', 70000, 'LAPD', 'k1', 'deny', '{}', 'then');
        """
    )
    conn.commit()
    conn.close()
    store = ServiceStore(f"sqlite:///{path}")
    try:
        indexes = {
            r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        assert "svc_decisions_by_epoch" in indexes
        assert "svc_decisions_by_request" not in indexes
        assert store.execute("SELECT version FROM svc_schema") == [(SCHEMA_VERSION,)]
        assert store.decision("r-1") == ("LAPD", "{}", 70000)
    finally:
        store.close()


def test_service_tables_of_a_newer_version_are_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    ServiceStore(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE svc_schema SET version = ?", (SCHEMA_VERSION + 1,))
    conn.execute("DROP INDEX svc_decisions_by_epoch")  # as a newer version might
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match="newer than this Sanctuary"):
        ServiceStore(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    indexes = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    conn.close()
    assert ("svc_decisions_by_epoch",) not in indexes
