"""DuckDB files, and CSV or Parquet files read through an in-memory DuckDB (one view per file)."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sanctuary.inventory.sources.interface import Source, SourceError, quote_ident, quote_table

READERS = {".csv": "read_csv_auto", ".parquet": "read_parquet", ".pq": "read_parquet"}


class DuckDBSource(Source):
    kind = "duckdb"

    def __init__(self, path: Path | None = None, files: Sequence[Path] = ()) -> None:
        import duckdb

        self._lock = threading.Lock()
        self.label = str(path or (files[0].parent if len(files) > 1 else files[0]))
        try:
            if path is not None:
                if not path.is_file():
                    raise SourceError("no such DuckDB file", location=str(path))
                self._db = duckdb.connect(str(path), read_only=True)
            else:
                self._db = duckdb.connect(":memory:")
                for file in files:
                    self._view(file)
        except duckdb.Error as err:
            raise SourceError(f"cannot open the source: {err}", location=self.label) from None
        kinds = {"csv" if f.suffix.lower() == ".csv" else "parquet" for f in files}
        if kinds:
            self.kind = kinds.pop() if len(kinds) == 1 else "files"

    def _view(self, file: Path) -> None:
        reader = READERS[file.suffix.lower()]
        literal = "'" + str(file).replace("'", "''") + "'"
        name = re.sub(r"\W+", "_", file.stem) or "data"
        # DDL takes no parameters; the path is a quoted literal, the name a quoted identifier.
        self._db.execute(f"CREATE VIEW {quote_ident(name)} AS SELECT * FROM {reader}({literal})")

    def _tables(self) -> list[str]:
        rows = self.query(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
            "ORDER BY table_schema, table_name",
            [],
        )
        return [name if schema == "main" else f"{schema}.{name}" for schema, name in rows]

    def _columns(self, table: str) -> dict[str, str]:
        rows = self.query(f"DESCRIBE SELECT * FROM {quote_table(table)}", [])
        return {r[0]: str(r[1]).lower() for r in rows}

    def query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        import duckdb

        with self._lock:
            try:
                return self._db.execute(sql, list(params)).fetchall()
            except duckdb.Error as err:
                raise SourceError(f"the DuckDB query failed: {err}", location=self.label) from None

    def close(self) -> None:
        self._db.close()
