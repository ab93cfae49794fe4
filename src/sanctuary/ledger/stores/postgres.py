"""PostgreSQL store (psycopg 3), for several service replicas sharing one ledger.

Appenders serialise on a single-row lock table (``SELECT … FOR UPDATE``), so replicas on different
hosts get distinct consecutive indices; the next index is ``max(idx) + 1`` read under that lock.
Commits are durable (``synchronous_commit = on``). Large batches are written with COPY.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg

from sanctuary.errors import LedgerUnavailable
from sanctuary.ledger.stores.interface import Node, NodeRow, Store, StoredCheckpoint

MIGRATIONS: list[str] = [
    # 1: leaves, complete-subtree hashes, checkpoints, cosignatures, the appenders' lock row
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE append_lock (id INTEGER PRIMARY KEY CHECK (id = 1));
    INSERT INTO append_lock VALUES (1);
    CREATE TABLE entries (idx BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, leaf_hash BYTEA NOT NULL);
    CREATE TABLE nodes (
        level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL,
        PRIMARY KEY (level, idx)
    );
    CREATE TABLE checkpoints (
        tree_size BIGINT PRIMARY KEY, root_hash BYTEA NOT NULL, note TEXT NOT NULL,
        created TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE cosignatures (
        tree_size BIGINT NOT NULL, key_name TEXT NOT NULL, line TEXT NOT NULL,
        verified BOOLEAN NOT NULL, PRIMARY KEY (tree_size, key_name)
    );
    """,
]

_MIGRATE_LOCK = 0x5A4C_4544  # advisory lock id held while migrating ("ZLED")
_PAGE = 20_000
_COPY_FROM = 64  # batches at least this large go through COPY (faster than unnest there)


class PostgresStore(Store):
    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        try:
            self._db = psycopg.connect(url, autocommit=True)
            self._db.execute("SET synchronous_commit = on")
            self._migrate()
        except psycopg.Error as err:
            raise LedgerUnavailable(
                f"cannot open the ledger database: {_first_line(err)}"
            ) from None

    def _migrate(self) -> None:
        row = self._db.execute("SELECT to_regclass('schema_version')").fetchone()
        if row and row[0] is not None and self.schema_version() == len(MIGRATIONS):
            return  # up to date: no lock, no write
        with self._tx():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
            )
            current = self.schema_version()
            for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in filter(str.strip, script.split(";")):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO schema_version VALUES (%s, %s)", (version, dt.datetime.now(dt.UTC))
                )

    @contextlib.contextmanager
    def _tx(self, *, repeatable: bool = False) -> Iterator[None]:
        with self._lock:
            try:
                with self._db.transaction():
                    if repeatable:
                        self._db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    yield
            except psycopg.Error as err:
                raise LedgerUnavailable(
                    f"the ledger database is unavailable: {_first_line(err)}"
                ) from None

    def _size(self) -> int:
        row = self._db.execute("SELECT max(idx) FROM entries").fetchone()
        return 0 if row is None or row[0] is None else int(row[0]) + 1

    @contextlib.contextmanager
    def write(self) -> Iterator[int]:
        with self._tx():
            self._db.execute("SELECT id FROM append_lock WHERE id = 1 FOR UPDATE")
            yield self._size()

    @contextlib.contextmanager
    def read(self) -> Iterator[int]:
        with self._tx(repeatable=True):
            yield self._size()

    def add(
        self, start: int, leaves: Sequence[bytes], hashes: Sequence[bytes], nodes: Sequence[NodeRow]
    ) -> None:
        with self._lock, self._db.cursor() as cur:
            if len(leaves) >= _COPY_FROM:
                rows = zip(range(start, start + len(leaves)), leaves, hashes, strict=True)
                _copy(cur, "entries (idx, leaf, leaf_hash)", ["bigint", "bytea", "bytea"], rows)
                _copy(cur, "nodes (level, idx, hash)", ["smallint", "bigint", "bytea"], nodes)
                return
            # One statement, one round trip, for both tables: what bounds single appends here.
            cur.execute(
                "WITH e AS (INSERT INTO entries (idx, leaf, leaf_hash) "
                "SELECT * FROM unnest(%s::bigint[], %s::bytea[], %s::bytea[])) "
                "INSERT INTO nodes (level, idx, hash) "
                "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])",
                (
                    list(range(start, start + len(leaves))),
                    list(leaves),
                    list(hashes),
                    [n[0] for n in nodes],
                    [n[1] for n in nodes],
                    [n[2] for n in nodes],
                ),
            )

    def nodes(self, wanted: Sequence[Node]) -> dict[Node, bytes]:
        if not wanted:
            return {}
        levels = [lvl for lvl, _ in wanted]
        indices = [i for _, i in wanted]
        # Level 0 lives in entries.leaf_hash; one round trip for both.
        sql = (
            "SELECT 0, e.idx, e.leaf_hash FROM entries e "
            "JOIN unnest(%s::smallint[], %s::bigint[]) AS w(level, idx) "
            "ON w.level = 0 AND e.idx = w.idx "
            "UNION ALL "
            "SELECT n.level, n.idx, n.hash FROM nodes n "
            "JOIN unnest(%s::smallint[], %s::bigint[]) AS w(level, idx) "
            "ON n.level = w.level AND n.idx = w.idx"
        )
        with self._lock:
            rows = self._db.execute(sql, (levels, indices, levels, indices)).fetchall()
        return {(int(lvl), int(i)): bytes(h) for lvl, i, h in rows}

    def leaves(self, start: int, end: int) -> Iterator[tuple[int, bytes, bytes]]:
        while start < end:
            with self._lock:
                rows = self._db.execute(
                    "SELECT idx, leaf, leaf_hash FROM entries WHERE idx >= %s AND idx < %s "
                    "ORDER BY idx LIMIT %s",
                    (start, end, _PAGE),
                ).fetchall()
            if not rows:
                return
            yield from ((int(i), bytes(leaf), bytes(h)) for i, leaf, h in rows)
            start = int(rows[-1][0]) + 1

    def level(self, level: int) -> Iterator[tuple[int, bytes]]:
        start = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT idx, hash FROM nodes WHERE level = %s AND idx >= %s "
                    "ORDER BY idx LIMIT %s",
                    (level, start, _PAGE),
                ).fetchall()
            if not rows:
                return
            yield from ((int(i), bytes(h)) for i, h in rows)
            start = int(rows[-1][0]) + 1

    def max_level(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT max(level) FROM nodes").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self._lock:
            rows = self._db.execute(
                "SELECT tree_size, root_hash, note FROM checkpoints ORDER BY tree_size"
            ).fetchall()
        return [StoredCheckpoint(int(s), bytes(r), str(n)) for s, r, n in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._lock:
            row = self._db.execute(
                "SELECT tree_size, root_hash, note FROM checkpoints ORDER BY tree_size DESC LIMIT 1"
            ).fetchone()
        return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2])) if row else None

    def add_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO checkpoints VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    checkpoint.tree_size,
                    checkpoint.root_hash,
                    checkpoint.note,
                    dt.datetime.now(dt.UTC),
                ),
            )

    def add_cosignature(self, tree_size: int, key_name: str, line: str, verified: bool) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO cosignatures VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (tree_size, key_name) "
                "DO UPDATE SET line = EXCLUDED.line, verified = EXCLUDED.verified",
                (tree_size, key_name, line, verified),
            )

    def cosignatures(self, tree_size: int) -> list[tuple[str, str, bool]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key_name, line, verified FROM cosignatures WHERE tree_size = %s "
                "ORDER BY key_name",
                (tree_size,),
            ).fetchall()
        return [(str(n), str(ln), bool(v)) for n, ln, v in rows]

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta VALUES (%s, %s) ON CONFLICT DO NOTHING", (key, value)
            )

    def schema_version(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _copy(cur: psycopg.Cursor[Any], target: str, types: list[str], rows: Iterable[Any]) -> None:
    with cur.copy(f"COPY {target} FROM STDIN") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _first_line(err: Exception) -> str:
    return str(err).strip().split("\n", 1)[0]
