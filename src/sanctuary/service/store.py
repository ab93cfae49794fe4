"""The service's own tables: API keys, recorded decisions, the review queue.

They live in the same database as the ledger (one URL to operate), in tables of their own, behind a
tiny adapter over sqlite3 and psycopg 3. The ledger stays the source of truth: a decision row is a
convenience index for ``GET /v1/decisions/{id}`` and is written only after its ledger entry is
durable.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanctuary.errors import InputError, LedgerUnavailable
from sanctuary.ledger.stores.sqlite import append_lock, insert_many

SCHEMA_VERSION = 2  # 2: decisions looked up through the epoch index (EPOCH)
# The decisions index is keyed by (epoch, request_id), epoch = ledger_index / EPOCH. A request id
# is the caller's, so it falls at random in an index over every decision: each insert landed on
# its own index page, and with ~1M decisions a batch of 1,000 rewrote ~900 of them (each written
# twice, to the write-ahead log and then to the database); the rate fell from ~20,000 decisions/s
# to ~13,000 (bench/load.py; docs/service.md, "the epoch index"). Keyed by epoch first, inserts
# land only in the newest epoch's part of the index, which stays small whatever the size of the
# database; a lookup searches the index once per epoch (153 at 10 million decisions).
EPOCH = 65_536
_EPOCHS_PER_LOOKUP = 500  # epochs searched by one statement (bound parameters stay few)
_COPY_FROM = 64  # PostgreSQL: index batches at least this large are written with COPY
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS svc_schema (version INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS svc_keys (
        key_id TEXT PRIMARY KEY, agency TEXT NOT NULL, name TEXT, state TEXT, role TEXT NOT NULL,
        salt BLOB NOT NULL, hash BLOB NOT NULL, created TEXT NOT NULL, revoked TEXT,
        ledger_index BIGINT)""",
    """CREATE TABLE IF NOT EXISTS svc_decisions (
        request_id TEXT NOT NULL, ledger_index BIGINT PRIMARY KEY, agency TEXT NOT NULL,
        key_id TEXT NOT NULL, decision TEXT NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL)""",
    """DROP INDEX IF EXISTS svc_decisions_by_request""",  # version 1's, over all decisions
    f"""CREATE INDEX IF NOT EXISTS svc_decisions_by_epoch
        ON svc_decisions ((ledger_index / {EPOCH}), request_id)""",
    """CREATE TABLE IF NOT EXISTS svc_reviews (
        ledger_index BIGINT PRIMARY KEY, request_id TEXT NOT NULL, agency TEXT NOT NULL,
        status TEXT NOT NULL, created TEXT NOT NULL, resolved TEXT, reviewer TEXT,
        outcome TEXT, reason TEXT, resolution_index BIGINT)""",
]


_DECISIONS_KEY = "request_id TEXT NOT NULL, ledger_index BIGINT PRIMARY KEY"
_DECISIONS_ROWID = "request_id TEXT NOT NULL, ledger_index INTEGER PRIMARY KEY"
REVIEW_COLUMNS = (
    "index", "request_id", "agency", "status", "created", "resolved", "reviewer", "outcome",
    "reason", "resolution_index",
)  # fmt: skip


@dataclass(frozen=True)
class KeyRow:
    key_id: str
    agency: str
    name: str | None
    state: str | None
    role: str
    salt: bytes
    hash: bytes
    revoked: str | None


class ServiceStore:
    """Thread-safe access to the service tables of a SQLite file or a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._conn: Any = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=60
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._mark = "?"
            # Writes take the ledger's append lock (ledger/stores/sqlite.py says why): with two
            # `serve` workers, an index write that met the other worker's append slept in
            # SQLite's busy handler long after the lock was free. Never held while appending to
            # the ledger (the two are written one after the other), so no deadlock.
            self._sqlite_path: str | None = path
        elif url.startswith(("postgresql://", "postgres://")):
            import psycopg

            self._conn = psycopg.connect(url, autocommit=True)
            self._mark = "%s"
            self._sqlite_path = None
        else:
            raise InputError(
                f"unsupported database URL `{url.split(':', 1)[0]}:`",
                help="use sqlite:///path or postgresql://…",
                location="--db",
            )
        self._migrate()

    def _sql(self, text: str) -> str:
        return text.replace("?", self._mark)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._lock:
            if self._sqlite_path is None:
                with self._conn.transaction():
                    yield self._conn
                return
            with append_lock(self._sqlite_path):
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                    yield self._conn
                    self._conn.execute("COMMIT")
                except Exception:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise

    def _migrate(self) -> None:
        with self.transaction() as conn:
            conn.execute(SCHEMA[0])  # svc_schema: tables of a newer version are left alone
            row = conn.execute("SELECT version FROM svc_schema").fetchone()
            if row is not None and int(row[0]) > SCHEMA_VERSION:
                raise InputError(
                    f"the service tables are of version {row[0]}, newer than this Sanctuary's "
                    f"{SCHEMA_VERSION}",
                    help="upgrade Sanctuary before serving from this database",
                    location="--db",
                )
            for statement in SCHEMA[1:]:
                if self._mark == "%s":
                    statement = statement.replace("BLOB", "BYTEA")
                else:  # the rowid itself: one B-tree per decisions row instead of two (SQLite)
                    statement = statement.replace(_DECISIONS_KEY, _DECISIONS_ROWID)
                conn.execute(statement)
            if row is None:
                conn.execute(
                    self._sql("INSERT INTO svc_schema (version) VALUES (?)"), (SCHEMA_VERSION,)
                )
            elif int(row[0]) < SCHEMA_VERSION:
                conn.execute(self._sql("UPDATE svc_schema SET version = ?"), (SCHEMA_VERSION,))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            cursor = self._conn.execute(self._sql(sql), tuple(params))
            return list(cursor.fetchall()) if cursor.description else []

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- keys ---------------------------------------------------------------------------------
    def add_key(self, row: KeyRow, created: str, ledger_index: int) -> None:
        self.execute(
            "INSERT INTO svc_keys (key_id, agency, name, state, role, salt, hash, created, "
            "ledger_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.key_id,
                row.agency,
                row.name,
                row.state,
                row.role,
                row.salt,
                row.hash,
                created,
                ledger_index,
            ),
        )

    def key(self, key_id: str) -> KeyRow | None:
        rows = self.execute(
            "SELECT key_id, agency, name, state, role, salt, hash, revoked FROM svc_keys "
            "WHERE key_id = ?",
            (key_id,),
        )
        if not rows:
            return None
        r = rows[0]
        return KeyRow(r[0], r[1], r[2], r[3], r[4], bytes(r[5]), bytes(r[6]), r[7])

    # -- decisions ----------------------------------------------------------------------------
    def index_decisions(
        self,
        rows: Sequence[tuple[str, int, str, str, str, str, str]],
        reviews: Sequence[tuple[int, str, str, str]] = (),
    ) -> None:
        """Index recorded decisions and queue the escalated ones, in one transaction.

        ``rows``: (request_id, ledger_index, agency, key_id, decision, body, created);
        ``reviews``: (ledger_index, request_id, agency, created). One commit for a whole ledger
        batch: with ``synchronous=FULL`` every commit waits for the disk.
        """
        if not rows and not reviews:
            return
        insert_decision = self._sql(
            "INSERT INTO svc_decisions (request_id, ledger_index, agency, key_id, decision, body, "
            "created) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        insert_review = self._sql(
            "INSERT INTO svc_reviews (ledger_index, request_id, agency, status, created) "
            "VALUES (?, ?, ?, 'pending', ?)"
        )
        with self.transaction() as conn:
            if self._mark == "?":
                insert_many(conn, insert_decision, rows)
                insert_many(conn, insert_review, reviews)
                return
            with conn.cursor() as cursor:
                if len(rows) >= _COPY_FROM:  # COPY: half the time of executemany (2,000 rows)
                    with cursor.copy(
                        "COPY svc_decisions (request_id, ledger_index, agency, key_id, decision, "
                        "body, created) FROM STDIN"
                    ) as copy:
                        for row in rows:
                            copy.write_row(row)
                elif rows:
                    cursor.executemany(insert_decision, rows)
                if reviews:
                    cursor.executemany(insert_review, reviews)

    def add_decisions(self, rows: Sequence[tuple[str, int, str, str, str, str, str]]) -> None:
        """Rows of (request_id, ledger_index, agency, key_id, decision, body, created)."""
        self.index_decisions(rows)

    def decision(self, request_id: str) -> tuple[str, str, int] | None:
        """The latest recorded decision for ``request_id``: (agency, body JSON, ledger index).

        Newest epochs first (``EPOCH``); each statement returns the latest of its epochs, so the
        first that finds one has the latest."""
        with self._lock:
            top = self.execute("SELECT max(ledger_index) FROM svc_decisions")[0][0]
            if top is None:
                return None
            epochs = list(range(int(top) // EPOCH, -1, -1))
            for start in range(0, len(epochs), _EPOCHS_PER_LOOKUP):
                part = epochs[start : start + _EPOCHS_PER_LOOKUP]
                rows = self.execute(lookup_sql(len(part)), (*part, request_id))
                if rows:
                    return rows[0][0], rows[0][1], int(rows[0][2])
        return None

    # -- reviews ------------------------------------------------------------------------------
    def add_reviews(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        """Rows of (ledger_index, request_id, agency, created) for escalated decisions."""
        self.index_decisions((), rows)

    def reviews(self, status: str | None = "pending", limit: int = 100) -> list[dict[str, Any]]:
        where = "WHERE status = ?" if status else ""
        params: tuple[Any, ...] = (status, limit) if status else (limit,)
        rows = self.execute(
            "SELECT ledger_index, request_id, agency, status, created, resolved, reviewer, "
            f"outcome, reason, resolution_index FROM svc_reviews {where} "
            "ORDER BY ledger_index LIMIT ?",
            params,
        )
        return [dict(zip(REVIEW_COLUMNS, row, strict=True)) for row in rows]

    def review(self, index: int) -> dict[str, Any] | None:
        rows = self.execute(
            "SELECT ledger_index, request_id, agency, status, created, resolved, reviewer, "
            "outcome, reason, resolution_index FROM svc_reviews WHERE ledger_index = ?",
            (index,),
        )
        return dict(zip(REVIEW_COLUMNS, rows[0], strict=True)) if rows else None

    def resolve_review(
        self, index: int, reviewer: str, outcome: str, reason: str, resolved: str, at: int
    ) -> bool:
        """Mark a pending review resolved; False if it was not pending (someone else won)."""
        with self.transaction() as conn:
            cursor = conn.execute(
                self._sql(
                    "UPDATE svc_reviews SET status = 'resolved', reviewer = ?, outcome = ?, "
                    "reason = ?, resolved = ?, resolution_index = ? "
                    "WHERE ledger_index = ? AND status = 'pending'"
                ),
                (reviewer, outcome, reason, resolved, at, index),
            )
            return bool(cursor.rowcount == 1)


def lookup_sql(epochs: int) -> str:
    """The latest decision of a request id in ``epochs`` epochs, through svc_decisions_by_epoch
    (whose expression it repeats, as SQLite and PostgreSQL need to use the index)."""
    marks = ", ".join(["?"] * epochs)
    return (
        "SELECT agency, body, ledger_index FROM svc_decisions "
        f"WHERE (ledger_index / {EPOCH}) IN ({marks}) AND request_id = ? "
        "ORDER BY ledger_index DESC LIMIT 1"
    )


def unavailable(err: Exception) -> LedgerUnavailable:
    return LedgerUnavailable(f"the service database failed: {type(err).__name__}")
