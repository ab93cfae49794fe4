"""PostgreSQL, read-only sessions with a statement timeout, a few pooled connections."""

from __future__ import annotations

import queue
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sanctuary.inventory.sources.interface import Source, SourceError, quote_table

POOL = 4
TIMEOUT_MS = 10_000  # a query that runs longer fails (and the gateway releases nothing)


def safe_label(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", url)


class PostgresSource(Source):
    kind = "postgresql"
    placeholder = "%s"

    def __init__(self, url: str, *, timeout_ms: int = TIMEOUT_MS) -> None:
        self.url = url
        self.label = safe_label(url)
        self.timeout_ms = timeout_ms
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        with self._connection():
            pass  # fail now, at open, when the server cannot be reached

    def _connect(self) -> Any:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        try:
            # The gateway only reads: a read-only session cannot write, even if SQL got in. The
            # URL's own options (a search_path…) are kept.
            own = conninfo_to_dict(self.url).get("options") or ""
            options = f"{own} -c default_transaction_read_only=on"
            options += f" -c statement_timeout={self.timeout_ms}"
            return psycopg.connect(
                self.url, autocommit=True, connect_timeout=10, options=options.strip()
            )
        except psycopg.Error as err:
            raise SourceError(
                f"cannot connect to PostgreSQL: {type(err).__name__}", location=self.label
            ) from None

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._connect()
        ok = False
        try:
            yield conn
            ok = True
        finally:
            if ok and not conn.closed and self._idle.qsize() < POOL:
                self._idle.put(conn)
            else:
                conn.close()

    def _tables(self) -> list[str]:
        rows = self.query(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            "ORDER BY table_schema, table_name",
            [],
        )
        return [name if schema == "public" else f"{schema}.{name}" for schema, name in rows]

    def _columns(self, table: str) -> dict[str, str]:
        schema, _, name = table.rpartition(".")
        rows = self.query(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            [schema or "public", name],
        )
        return {r[0]: str(r[1]).lower() for r in rows}

    def count(self, table: str) -> int:
        self.columns(table)
        # `%%`: psycopg reads `%` in every statement run with (even empty) parameters.
        sql = f"SELECT count(*) FROM {quote_table(table).replace('%', '%%')}"
        return int(self.query(sql, [])[0][0])

    def query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        import psycopg

        with self._connection() as conn:
            try:
                with conn.cursor() as cur:
                    cur.execute(sql, list(params))
                    return list(cur.fetchall())
            except psycopg.Error as err:
                conn.close()
                raise SourceError(
                    f"the PostgreSQL query failed: {type(err).__name__}", location=self.label
                ) from None

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
