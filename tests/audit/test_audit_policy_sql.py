"""Pack conditions compiled to SQL mean what the Python compiler means.

Every condition of every bundled pack (rules and exceptions) is evaluated on the same random facts
by its Python predicate and by its SQL form in DuckDB; they must agree row for row. The facts are
drawn from each fact's vocabulary (plus none), so every comparison in the packs is exercised.
"""

from __future__ import annotations

import random
from typing import Any

import duckdb
import pytest

from sanctuary.errors import PackError
from sanctuary.policy import default_engine, parse
from sanctuary.policy.facts import CATALOGUE, Facts, slot_name
from sanctuary.policy.sql import compile_condition, fact_column, render
from sanctuary.vocab import vocabulary

ROWS = 400


def _conditions() -> list[Any]:
    out = []
    for pack in default_engine().packs.values():
        for rule in pack.rules:
            out.append(rule.when)
            out.extend(e.when for e in rule.exceptions)
    return out


def _value(fact: str, rng: random.Random) -> Any:
    ftype = CATALOGUE[fact]
    values = sorted(getattr(vocabulary(), ftype.vocabulary)) if ftype.vocabulary else ["CA", "TX"]
    if ftype.kind == "bool":
        return rng.random() < 0.5
    if ftype.kind == "set":
        return frozenset(rng.sample(values, k=rng.randint(0, min(3, len(values)))))
    return None if rng.random() < 0.2 else rng.choice(values)


def _sql_type(fact: str) -> str:
    return {"bool": "BOOLEAN", "set": "VARCHAR[]"}.get(CATALOGUE[fact].kind, "VARCHAR")


def _random_facts(n: int) -> list[dict[str, Any]]:
    rng = random.Random(20261127)
    return [{fact: _value(fact, rng) for fact in CATALOGUE} for _ in range(n)]


def _python(condition: Any, row: dict[str, Any]) -> bool:
    f = Facts()
    for fact, value in row.items():
        setattr(f, slot_name(fact), value)
    return bool(condition.test(f))


def test_every_pack_condition_means_the_same_in_sql_and_python() -> None:
    conditions = _conditions()
    assert len(conditions) > 40
    rows = _random_facts(ROWS)
    con = duckdb.connect()
    cols = ", ".join(f"{fact_column(f)} {_sql_type(f)}" for f in CATALOGUE)
    con.execute(f"CREATE TABLE facts (i INTEGER, {cols})")
    con.executemany(
        f"INSERT INTO facts VALUES (?, {', '.join('?' for _ in CATALOGUE)})",
        [[i, *(sorted(v) if isinstance(v, frozenset) else v for v in r.values())]
         for i, r in enumerate(rows)],
    )  # fmt: skip
    selects = ", ".join(f"{render(compile_condition(c))} AS c{k}" for k, c in enumerate(conditions))
    results = con.execute(f"SELECT {selects} FROM facts ORDER BY i").fetchall()
    disagreements = [
        (c.source, i)
        for i, row in enumerate(rows)
        for k, c in enumerate(conditions)
        if results[i][k] is not _python(c, row)
    ]
    assert disagreements == []


@pytest.mark.parametrize(
    "source",
    [
        "requester.state == none",
        'requester.state != "CA"',
        'requester.kind not in ["state", "federal_other"]',
        '"287g" in requester.agreements',
        'overlaps(data, ["alpr_reads", "home_address"])',
        "legal_process.form",
        "requester.member_kinds",
        "true",
    ],
)
def test_edge_cases_of_the_language_agree(source: str) -> None:
    condition = parse(source, "test")
    rows = _random_facts(100)
    con = duckdb.connect()
    cols = ", ".join(f"{fact_column(f)} {_sql_type(f)}" for f in CATALOGUE)
    con.execute(f"CREATE TABLE facts (i INTEGER, {cols})")
    con.executemany(
        f"INSERT INTO facts VALUES (?, {', '.join('?' for _ in CATALOGUE)})",
        [[i, *(sorted(v) if isinstance(v, frozenset) else v for v in r.values())]
         for i, r in enumerate(rows)],
    )  # fmt: skip
    sql = f"SELECT {render(compile_condition(condition))} FROM facts ORDER BY i"
    got = [r[0] for r in con.execute(sql).fetchall()]
    assert got == [_python(condition, r) for r in rows]


def test_the_same_condition_renders_for_spark() -> None:
    condition = parse('requester.state == none or "287g" in requester.agreements', "test")
    text = render(compile_condition(condition), "spark")
    assert "ARRAY_CONTAINS" in text and "NULL" in text


def test_overlaps_of_two_set_facts_is_refused_not_guessed() -> None:
    condition = parse("overlaps(data, requester.agreements)", "test")
    with pytest.raises(PackError):
        compile_condition(condition)
