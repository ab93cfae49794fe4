"""The audit's portable lexicon SQL (``purpose_sql``) agrees with the Python assessor on texts with
and without accents, in DuckDB and in Spark: the accent folding only runs on texts that hold a
character it folds, and that shortcut must not change any answer."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb
import pytest
from audit_spark_session import spark  # noqa: F401  (the session fixture)

from sanctuary.audit.mapping import purpose_py
from sanctuary.audit.purpose_sql import purpose_select

LABELLED = Path(__file__).resolve().parents[1] / "data" / "purpose_labelled.csv"
ACCENTED = [
    "Inmigración", "DEPORTACIÓN", "orden de deportación", "Café", "naïve ICE", "ＩＣＥ warrant",
    "Ｍigración", "aliën", "détainer ICE", "Hôtel stolen vehicle", "ﬁrearm", "Ⅸ", "²",
    "plain ascii stolen car", "", "***", "ICE%2FERO", "Assist HSI – ERO",
]  # fmt: skip
COLUMNS = ("purpose_category", "p_agency", "p_empty", "p_placeholder")


def _texts() -> list[str]:
    with LABELLED.open(newline="", encoding="utf-8") as f:
        labelled = [r["text"] for r in csv.DictReader(f)]
    return sorted(set(labelled + ACCENTED))


def _expected(texts: list[str]) -> dict[str, tuple[Any, ...]]:
    out = {}
    for t in texts:
        p = purpose_py(t)
        out[t] = (p.category, p.agency, p.empty, p.placeholder)
    return out


def _query() -> str:
    return (
        f"SELECT reason_key, {', '.join(COLUMNS)} FROM "
        f"({purpose_select('(SELECT DISTINCT reason_key FROM reasons) r', 'reason_key')}) p"
    )


def test_duckdb_purpose_sql_agrees_with_python_with_and_without_accents() -> None:
    texts = _texts()
    assert any(not t.isascii() for t in texts)
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE reasons (reason_key VARCHAR)")
        con.executemany("INSERT INTO reasons VALUES (?)", [(t,) for t in texts])
        got = {r[0]: tuple(r[1:]) for r in con.execute(_query()).fetchall()}
    finally:
        con.close()
    assert got == _expected(texts)


@pytest.mark.usefixtures("spark")
def test_spark_purpose_sql_agrees_with_python_on_accented_texts(spark: Any) -> None:  # noqa: F811
    from sanctuary.audit.engines import _transpile

    texts = ACCENTED
    spark.createDataFrame([(t,) for t in texts], "reason_key string").createOrReplaceTempView(
        "reasons"
    )
    rows = spark.sql(_transpile(_query(), "spark")).collect()
    got = {r["reason_key"]: tuple(r[c] for c in COLUMNS) for r in rows}
    assert got == _expected(texts)
