"""SQLite store: one file, WAL, ``synchronous=FULL`` so a commit is on disk when it returns.

Appenders serialise with ``BEGIN IMMEDIATE`` (the database's write lock, shared by every process
using the file) plus a lock for threads sharing this connection. Before that they queue on an
``flock`` of ``<db>.lock``: SQLite's own busy handler polls with sleeps of up to 100 ms, so one busy
process would otherwise wait long after the lock is free; a blocked ``flock`` wakes as soon as it
is released. (Neither is FIFO-fair: a process appending in a tight loop can still run ahead.)
Readers use WAL snapshots and never block the writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from sanctuary.errors import LedgerUnavailable
from sanctuary.ledger.stores.interface import Node, NodeRow, Store, StoredCheckpoint

MIGRATIONS: list[str] = [
    # 1: leaves, complete-subtree hashes, checkpoints, cosignatures
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE entries (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, leaf_hash BLOB NOT NULL);
    CREATE TABLE nodes (
        level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
        PRIMARY KEY (level, idx)
    ) WITHOUT ROWID;
    CREATE TABLE checkpoints (
        tree_size INTEGER PRIMARY KEY, root_hash BLOB NOT NULL, note TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE cosignatures (
        tree_size INTEGER NOT NULL, key_name TEXT NOT NULL, line TEXT NOT NULL,
        verified INTEGER NOT NULL, PRIMARY KEY (tree_size, key_name)
    );
    """,
]

_CHUNK = 400  # rows per IN (...) query, under SQLite's variable limit
_PAGE = 20_000  # rows per page when streaming


class SQLiteStore(Store):
    def __init__(self, path: str, *, url: str | None = None) -> None:
        self.path = Path(path)
        self.url = url or f"sqlite:///{path}"
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=60
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=60000")
            self._migrate()
        except (sqlite3.Error, OSError) as err:
            raise LedgerUnavailable(f"cannot open the ledger database: {err}") from None

    def _migrate(self) -> None:
        try:  # up to date: no write needed (a read-only auditor's copy opens too)
            if self.schema_version() == len(MIGRATIONS):
                return
        except sqlite3.OperationalError:
            pass  # a new file: no schema_version table yet
        with self._tx("BEGIN IMMEDIATE"):
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            current = self.schema_version()
            for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in filter(str.strip, script.split(";")):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO schema_version VALUES (?, ?)",
                    (version, dt.datetime.now(dt.UTC).isoformat()),
                )

    @contextlib.contextmanager
    def _tx(self, begin: str) -> Iterator[None]:
        with self._lock:
            try:
                self._db.execute(begin)
            except sqlite3.Error as err:
                raise LedgerUnavailable(f"the ledger database is unavailable: {err}") from None
            try:
                yield
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as err:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise LedgerUnavailable(f"the ledger commit failed: {err}") from None

    def _size(self) -> int:
        row = self._db.execute("SELECT max(idx) FROM entries").fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    @contextlib.contextmanager
    def write(self) -> Iterator[int]:
        with self._lock, append_lock(self.path), self._tx("BEGIN IMMEDIATE"):
            yield self._size()

    @contextlib.contextmanager
    def read(self) -> Iterator[int]:
        with self._tx("BEGIN"):
            yield self._size()

    def add(
        self, start: int, leaves: Sequence[bytes], hashes: Sequence[bytes], nodes: Sequence[NodeRow]
    ) -> None:
        try:
            insert_many(
                self._db,
                "INSERT INTO entries (idx, leaf, leaf_hash) VALUES (?, ?, ?)",
                list(zip(range(start, start + len(leaves)), leaves, hashes, strict=True)),
            )
            insert_many(self._db, "INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)", nodes)
        except sqlite3.Error as err:
            raise LedgerUnavailable(f"the ledger write failed: {err}") from None

    def nodes(self, wanted: Sequence[Node]) -> dict[Node, bytes]:
        out: dict[Node, bytes] = {}
        leaves = [i for lvl, i in wanted if lvl == 0]
        inner = [(lvl, i) for lvl, i in wanted if lvl > 0]
        with self._lock:
            for k in range(0, len(leaves), _CHUNK):
                part = leaves[k : k + _CHUNK]
                marks = ",".join("?" * len(part))
                sql = f"SELECT idx, leaf_hash FROM entries WHERE idx IN ({marks})"
                out.update(((0, i), h) for i, h in self._db.execute(sql, part))
            for k in range(0, len(inner), _CHUNK):
                part2 = inner[k : k + _CHUNK]
                # An OR chain, not a row-value IN: SQLite answers it with one index search each.
                where = " OR ".join(["(level = ? AND idx = ?)"] * len(part2))
                sql = f"SELECT level, idx, hash FROM nodes WHERE {where}"
                flat = [x for pair in part2 for x in pair]
                out.update(((lvl, i), h) for lvl, i, h in self._db.execute(sql, flat))
        return out

    def leaves(self, start: int, end: int) -> Iterator[tuple[int, bytes, bytes]]:
        # Keyset pages, so no cursor (and no lock) is held across a caller's work between rows.
        while start < end:
            with self._lock:
                rows = self._db.execute(
                    "SELECT idx, leaf, leaf_hash FROM entries WHERE idx >= ? AND idx < ? "
                    "ORDER BY idx LIMIT ?",
                    (start, end, _PAGE),
                ).fetchall()
            if not rows:
                return
            yield from rows
            start = rows[-1][0] + 1

    def level(self, level: int) -> Iterator[tuple[int, bytes]]:
        start = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT idx, hash FROM nodes WHERE level = ? AND idx >= ? ORDER BY idx LIMIT ?",
                    (level, start, _PAGE),
                ).fetchall()
            if not rows:
                return
            yield from rows
            start = rows[-1][0] + 1

    def max_level(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT max(level) FROM nodes").fetchone()
        return int(row[0] or 0)

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self._lock:
            rows = self._db.execute(
                "SELECT tree_size, root_hash, CAST(note AS BLOB) FROM checkpoints "
                "ORDER BY tree_size"
            ).fetchall()
        return [_checkpoint(row) for row in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._lock:
            row = self._db.execute(
                "SELECT tree_size, root_hash, note FROM checkpoints ORDER BY tree_size DESC LIMIT 1"
            ).fetchone()
        return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2])) if row else None

    def add_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO checkpoints VALUES (?, ?, ?, ?)",
                (
                    checkpoint.tree_size,
                    checkpoint.root_hash,
                    checkpoint.note,
                    dt.datetime.now(dt.UTC).isoformat(),
                ),
            )

    def add_cosignature(self, tree_size: int, key_name: str, line: str, verified: bool) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO cosignatures VALUES (?, ?, ?, ?)",
                (tree_size, key_name, line, int(verified)),
            )

    def cosignatures(self, tree_size: int) -> list[tuple[str, str, bool]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT CAST(key_name AS BLOB), CAST(line AS BLOB), verified FROM cosignatures "
                "WHERE tree_size = ? "
                "ORDER BY key_name",
                (tree_size,),
            ).fetchall()
        return [(_text(n), _text(ln), bool(v)) for n, ln, v in rows]

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))

    def schema_version(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        with self._lock:
            self._db.close()


@contextlib.contextmanager
def append_lock(db_path: str | Path) -> Iterator[None]:
    """Hold the exclusive ``flock`` of ``<db>.lock``, which every writer of the database (ledger
    appends, the service's index writes, in every process) takes before ``BEGIN IMMEDIATE``: the
    module docstring says why. Opened for each write, so a read-only copy never needs the file."""
    try:
        fd = os.open(f"{db_path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as err:
        raise LedgerUnavailable(f"cannot open the append lock: {err}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


_ROWS_PER_INSERT = 128  # up to 7 values a row: far under SQLite's limit of 32,766 variables


def insert_many(db: sqlite3.Connection, insert: str, rows: Sequence[Sequence[object]]) -> None:
    """``executemany(insert, rows)`` with up to 128 rows per statement.

    ``executemany`` takes the GIL back for every row to bind its values; next to a busy event
    loop each hand-off waits, and all that time this process holds the database's one write lock,
    which a second ``serve`` worker is waiting for. (``insert`` is one of our literal statements:
    ``INSERT ... VALUES (?, ...)``.)"""
    head, values = insert.split(" VALUES ")
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        db.execute(
            f"{head} VALUES {', '.join([values] * len(chunk))}", [v for r in chunk for v in r]
        )


def _text(value: bytes) -> str:
    return bytes(value).decode("utf-8", errors="replace")


def _checkpoint(row: tuple[object, ...]) -> StoredCheckpoint:
    # Read the note as bytes: a damaged note must reach the verifier (and fail its signature
    # check), not crash the read with a decoding error.
    size, root, note = row
    return StoredCheckpoint(
        int(size),  # type: ignore[call-overload]
        bytes(root),  # type: ignore[call-overload]
        bytes(note).decode("utf-8", errors="replace"),  # type: ignore[call-overload]
    )
