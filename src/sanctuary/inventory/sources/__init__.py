"""Data sources by URL: `sqlite:///path`, `duckdb:///path`, `postgresql://…`, or a file path
(`.sqlite`/`.db`, `.duckdb`, `.csv`, `.parquet`) or a folder of CSV/Parquet files."""

from __future__ import annotations

from pathlib import Path

from sanctuary.inventory.sources.interface import (
    OPS,
    Condition,
    Source,
    SourceError,
    quote_ident,
    select_sql,
)

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
DUCKDB_SUFFIXES = (".duckdb", ".ddb")
FILE_SUFFIXES = (".csv", ".parquet", ".pq")


def open_source(url: str) -> Source:
    """Open a source for reading. Raises SourceError (exit 2) when it cannot be opened."""
    if url.startswith(("postgresql://", "postgres://")):
        from sanctuary.inventory.sources.postgres import PostgresSource

        return PostgresSource(url)
    for scheme in ("sqlite", "duckdb", "parquet", "csv", "file"):
        if url.startswith(f"{scheme}://"):
            return _open_path(Path(url.removeprefix(f"{scheme}://")), scheme)
    if "://" in url:
        raise SourceError(
            f"unknown source URL scheme `{url.split('://')[0]}`",
            help="sqlite://, duckdb://, postgresql://, parquet://, csv:// or a file path",
        )
    return _open_path(Path(url), None)


def _open_path(path: Path, scheme: str | None) -> Source:
    from sanctuary.inventory.sources.duckdb import DuckDBSource
    from sanctuary.inventory.sources.sqlite import SQLiteSource

    suffix = path.suffix.lower()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in FILE_SUFFIXES)
        if not files:
            raise SourceError("no CSV or Parquet files in the folder", location=str(path))
        return DuckDBSource(files=files)
    if not path.exists():
        raise SourceError("no such file", location=str(path))
    if scheme == "sqlite" or (scheme is None and suffix in SQLITE_SUFFIXES):
        return SQLiteSource(path)
    if scheme == "duckdb" or (scheme is None and suffix in DUCKDB_SUFFIXES):
        return DuckDBSource(path)
    if suffix in FILE_SUFFIXES:
        return DuckDBSource(files=[path])
    raise SourceError(
        f"cannot tell what kind of source `{path.name}` is",
        location=str(path),
        help="use a sqlite://, duckdb:// or postgresql:// URL, or a .csv/.parquet file",
    )


__all__ = ["OPS", "Condition", "Source", "SourceError", "open_source", "quote_ident", "select_sql"]
