"""The one query sources run: checked, quoted identifiers and bound values, never caller SQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import sanctuary.inventory as inventory
from sanctuary.inventory import OPS, Condition, SourceError, open_source
from sanctuary.inventory.sources import select_sql

names = st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), min_size=1, max_size=12)
scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans())


def test_the_public_api_is_pinned() -> None:
    assert set(inventory.__all__) == {
        "DEFAULT_SAMPLE", "OPS", "RULES", "ColumnReport", "Condition", "Finding", "Flag",
        "Source", "SourceError", "classify_column", "name_collects", "open_source",
        "question_collects", "render_html", "scan",
    }  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    column=names,
    op=st.sampled_from(sorted(OPS)),
    value=scalars,
    values=st.lists(scalars, min_size=1, max_size=4),
)
def test_values_are_bound_never_spliced(column: str, op: str, value: object, values: list) -> None:
    assume(column != "t")
    cond = Condition(column, op, values if op == "in" else value)
    sql, params = select_sql("t", [column], [cond], 10)
    assert params == cond.params()
    # Outside the quoted identifiers, the SQL is only our own keywords and placeholders.
    quoted = '"' + column.replace('"', '""') + '"'
    skeleton = sql.replace(quoted, "<c>")
    assert skeleton.count("?") == len(params)
    assert skeleton.startswith('SELECT <c> FROM "t" WHERE <c> ')
    assert skeleton.endswith(" LIMIT 10")


@settings(max_examples=60, deadline=None)
@given(column=names, value=st.text(max_size=20))
def test_any_column_name_and_value_round_trip_through_sqlite(
    tmp_path_factory: pytest.TempPathFactory, column: str, value: str
) -> None:
    path = tmp_path_factory.mktemp("q") / "t.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(f'CREATE TABLE t ("{column.replace(chr(34), chr(34) * 2)}" TEXT)')
        db.execute("INSERT INTO t VALUES (?)", (value,))
        db.execute("INSERT INTO t VALUES ('other')")
    with open_source(str(path)) as source:
        if column.lower() not in {c.lower() for c in source.columns("t")}:
            return  # SQLite folded the name; nothing to check
        name = next(iter(source.columns("t")))
        rows = source.select("t", [name], [Condition(name, "eq", value)], 5)
        assert rows == [(value,)] * (1 + (value == "other"))


def test_unknown_columns_tables_and_operators_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (a TEXT)")
    with open_source(str(path)) as source:
        with pytest.raises(SourceError, match="no column `b`"):
            source.select("t", ["b"])
        with pytest.raises(SourceError, match="no column"):
            source.select("t", ["a"], [Condition("a; DROP TABLE t", "eq", 1)])
        with pytest.raises(SourceError, match="no table"):
            source.select("t; DROP TABLE t", ["a"])
        with pytest.raises(SourceError, match="unknown filter operator"):
            source.select("t", ["a"], [Condition("a", "like", "%")])
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_sources_are_read_only(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (a TEXT)")
    with open_source(str(path)) as source, pytest.raises(SourceError, match="readonly"):
        source.query("INSERT INTO t VALUES ('x')", [])


@settings(max_examples=100, deadline=None)
@given(column=names, value=scalars)
def test_psycopg_placeholders_escape_percent_in_names(column: str, value: object) -> None:
    assume(column != "t%")
    sql, params = select_sql("t%", [column], [Condition(column, "eq", value)], 1, placeholder="%s")
    quoted = '"' + column.replace('"', '""').replace("%", "%%") + '"'
    skeleton = sql.replace(quoted, "<c>")
    assert skeleton == 'SELECT <c> FROM "t%%" WHERE <c> = %s LIMIT 1' and params == [value]
