"""The RE2 patterns (DuckDB) and the Python assessor agree, on the labelled set and real reasons."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import duckdb
import pytest
from purpose_real import real_reasons

from sanctuary.purpose import assess, sql_category, sql_normalise, sql_patterns
from sanctuary.purpose.lexicon import NUM, lexicon

LABELLED = Path(__file__).resolve().parents[1] / "data" / "purpose_labelled.csv"


def _sql_categories(texts: list[str]) -> dict[str, str]:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE reasons (reason VARCHAR)")
        con.executemany("INSERT INTO reasons VALUES (?)", [(t,) for t in texts])
        rows = con.execute(
            f"SELECT reason, purpose_category FROM ({sql_category('reasons', 'reason')})"
        ).fetchall()
    finally:
        con.close()
    return {reason: category for reason, category in rows}


def _disagreements(texts: list[str]) -> list[tuple[str, str, str]]:
    by_sql = _sql_categories(texts)
    return [(t, assess(t).category, by_sql[t]) for t in texts if assess(t).category != by_sql[t]]


def test_patterns_use_only_re2_syntax() -> None:
    for name, pattern in sql_patterns().items():
        assert not re.search(r"\(\?[=!<]|\\[1-9]", pattern), name  # no look-around, no backrefs
        re.compile(pattern)  # and Python's re reads them too


def test_duckdb_compiles_every_pattern() -> None:
    con = duckdb.connect()
    try:
        for name, pattern in sql_patterns().items():
            assert con.execute("SELECT regexp_matches(' qqqq ', ?)", [pattern]).fetchone() == (
                False,
            ), name
    finally:
        con.close()


def test_normalisation_matches_the_python_tokens() -> None:
    con = duckdb.connect()
    try:
        got = con.execute(
            f"SELECT {sql_normalise('?')}", ["I.C.E.+ERO%20Inmigración — 24-13251"]
        ).fetchone()
    finally:
        con.close()
    assert got == (" i  c  e  ero  inmigracion  24  13251 ",)


def test_sql_and_python_agree_on_the_labelled_set() -> None:
    with LABELLED.open(newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    assert _disagreements(texts) == []


@pytest.fixture(scope="module")
def distinct_real(alpr_dir: Path) -> list[str]:
    return sorted({t for texts in real_reasons(alpr_dir).values() for t in texts})


def test_sql_and_python_agree_on_every_distinct_real_reason(distinct_real: list[str]) -> None:
    disagreements = _disagreements(distinct_real)
    # Report counts by category pair only: the strings themselves may name people.
    pairs = sorted({(python, sql) for _, python, sql in disagreements})
    assert (len(disagreements), pairs) == (0, [])


def test_sql_and_python_agree_on_random_compositions_of_lexicon_tokens() -> None:
    # Strings built from the lexicon's own tokens, letters spelled out, leet/typo spellings,
    # numbers and separators: where the two engines would most likely part ways.
    lex = lexicon()
    words = sorted({t for p in lex.phrases for pos in p.positions for t in pos if t != NUM})
    words += ["i", "c", "e", "r", "o", "u", "s", "1ce", "lce", "imigration", "1325", "24-1234"]
    words += ["%20", "I.C.E.", "x", "the", "of", "a", "Inmigración"]
    separators = [" ", "+", "/", "-", ".", ", ", "  ", "(", ")", "&"]
    rng = random.Random(20261127)
    texts = set()
    for _ in range(6000):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 6))]
        parts = [w.upper() if rng.random() < 0.3 else w for w in parts]
        texts.add("".join(w + rng.choice(separators) for w in parts).strip())
    assert _disagreements(sorted(texts)) == []
