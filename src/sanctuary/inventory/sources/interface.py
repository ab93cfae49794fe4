"""The plug point for data sources: what `sanctuary scan` and the dataset gateway need of one.

A source lists its tables and their columns, samples rows, and runs one kind of query: selected
columns, conditions ANDed together, a limit. Conditions are values bound as parameters, never SQL
text: no caller can put SQL into a query. Identifiers are checked against the source's own
catalogue and quoted before they reach the SQL text.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sanctuary.errors import InputError

# Operators a filter may use, and their SQL. `in` binds one parameter per listed value.
OPS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "IN"}
SCALARS = (str, int, float, bool)


class SourceError(InputError):
    """A data source that cannot be opened or read (bad URL, missing file or table)."""

    code = "unreadable_source"


@dataclass(frozen=True)
class Condition:
    """`column op value`: value is a scalar, or a non-empty list of scalars for `in`."""

    column: str
    op: str
    value: Any

    def params(self) -> list[Any]:
        return list(self.value) if self.op == "in" else [self.value]


def quote_ident(name: str) -> str:
    """An SQL identifier in double quotes (ANSI; SQLite, DuckDB and PostgreSQL agree)."""
    if "\x00" in name:
        raise SourceError("an identifier cannot hold a NUL character")
    return '"' + name.replace('"', '""') + '"'


def quote_table(name: str) -> str:
    """`schema.table` or `table`, each part quoted."""
    return ".".join(quote_ident(part) for part in name.split("."))


_quote = quote_ident


def select_sql(
    table: str,
    columns: Sequence[str],
    where: Sequence[Condition],
    limit: int,
    order_by: Sequence[str] = (),
    placeholder: str = "?",
) -> tuple[str, list[Any]]:
    """The parameterised SELECT and its parameters. Names must already be checked by the caller."""
    if not columns:
        raise SourceError("a query selects at least one column")

    def quote_ident(name: str) -> str:
        quoted = _quote(name)
        # psycopg reads `%` everywhere in a statement that has parameters, quoted names included.
        return quoted.replace("%", "%%") if placeholder == "%s" else quoted

    def quote_table(name: str) -> str:
        return ".".join(quote_ident(part) for part in name.split("."))

    sql = f"SELECT {', '.join(quote_ident(c) for c in columns)} FROM {quote_table(table)}"
    params: list[Any] = []
    clauses = []
    for cond in where:
        if cond.op not in OPS:
            raise SourceError(f"unknown filter operator `{cond.op}`", help=", ".join(OPS))
        if cond.op == "in":
            marks = ", ".join([placeholder] * len(cond.params()))
            clauses.append(f"{quote_ident(cond.column)} IN ({marks})")
        else:
            clauses.append(f"{quote_ident(cond.column)} {OPS[cond.op]} {placeholder}")
        params.extend(cond.params())
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    if order_by:
        sql += " ORDER BY " + ", ".join(quote_ident(c) for c in order_by)
    sql += f" LIMIT {int(limit)}"
    return sql, params


class Source(ABC):
    """One open data source. Methods may be called from worker threads, one call at a time."""

    kind: str = "source"
    label: str = ""  # the URL or path without credentials, for reports and errors

    @abstractmethod
    def _tables(self) -> list[str]:
        """Table (and view) names, schema-qualified outside the default schema."""

    def tables(self) -> list[str]:
        if "_tables_cache" not in self.__dict__:
            self.__dict__["_tables_cache"] = self._tables()
        names: list[str] = self.__dict__["_tables_cache"]
        return names

    @abstractmethod
    def _columns(self, table: str) -> dict[str, str]:
        """{column: lower-case type name}, in table order, read from the catalogue."""

    def columns(self, table: str) -> dict[str, str]:
        """{column: lower-case type name} of a table the source lists (cached: schemas are read
        once per open source)."""
        cache: dict[str, dict[str, str]] = self.__dict__.setdefault("_schema_cache", {})
        if table not in cache:
            if table not in self.tables():
                raise SourceError(f"no table `{table}` in {self.kind} source", location=self.label)
            cache[table] = self._columns(table)
        return cache[table]

    def count(self, table: str) -> int:
        """Rows in the table (a known table only: its name is checked against the catalogue)."""
        self.columns(table)
        return int(self.query(f"SELECT count(*) FROM {quote_table(table)}", [])[0][0])

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run one parameterised statement built by `select_sql`."""

    placeholder = "?"

    def select(
        self,
        table: str,
        columns: Sequence[str],
        where: Sequence[Condition] = (),
        limit: int = 100,
        order_by: Sequence[str] = (),
    ) -> list[tuple[Any, ...]]:
        known = self.columns(table)
        for name in [*columns, *(c.column for c in where), *order_by]:
            if name not in known:
                raise SourceError(f"no column `{name}` in `{table}`")
        sql, params = select_sql(table, columns, where, limit, order_by, self.placeholder)
        return self.query(sql, params)

    def sample(self, table: str, limit: int) -> dict[str, list[Any]]:
        """The first `limit` rows, column-wise ({column: [values]})."""
        names = list(self.columns(table))
        rows = self.select(table, names, limit=limit)
        return {name: [row[i] for row in rows] for i, name in enumerate(names)}

    def close(self) -> None:  # noqa: B027 - optional for sources with nothing to release
        """Release connections."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
