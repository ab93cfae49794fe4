"""SQLite files, opened read-only."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sanctuary.inventory.sources.interface import Source, SourceError, quote_table


class SQLiteSource(Source):
    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise SourceError("no such SQLite file", location=str(path))
        self.label = str(path)
        try:
            # mode=ro: the scanner and the gateway never write to a city's database.
            self._db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as err:
            raise SourceError(f"cannot open the SQLite file: {err}", location=str(path)) from None
        self._lock = threading.Lock()

    def _tables(self) -> list[str]:
        rows = self.query(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name",
            [],
        )
        return [r[0] for r in rows]

    def _columns(self, table: str) -> dict[str, str]:
        rows = self.query(f"PRAGMA table_info({quote_table(table)})", [])
        return {r[1]: (r[2] or "").lower() for r in rows}

    def query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, list(params)).fetchall()
            except sqlite3.Error as err:
                raise SourceError(f"the SQLite query failed: {err}", location=self.label) from None

    def close(self) -> None:
        self._db.close()
