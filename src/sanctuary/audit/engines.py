"""Run the audit over the input relation: DuckDB (default), Spark, or the Python reference.

The SQL engines run the same query texts, written in DuckDB's dialect and rendered for Spark by
sqlglot. One scan of the input counts rows per file, source and reason text (``reasons_sql``: the
totals come from it, so they need no second pass over the input); the lexicon assesses each
distinct reason once (``purpose_sql``); ``audit_sql`` joins the assessment back, derives the facts
(``mapping.facts_sql``), applies the chain's compiled rules and emits one row per finding
(``findings.findings_sql``), in one streaming pass: DuckDB never materialises the candidate rows.
The Python engine evaluates the same mapping with the packs' compiled Python predicates and the
Python assessor: the reference the differential tests hold the others to.

Each engine returns ``(findings, totals)`` as Arrow: raw findings sorted by file, source, row and
finding; totals per file and source (rows, time range, rows with a non-empty reason).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot

from sanctuary.audit.duck_outputs import write_outputs
from sanctuary.audit.findings import Plan, finding_id, finding_rows_py, findings_sql, votes_sql
from sanctuary.audit.mapping import facts_py, facts_sql, purpose_py
from sanctuary.audit.outputs import Aggregates
from sanctuary.audit.purpose_sql import purpose_select
from sanctuary.audit.stages import stage
from sanctuary.errors import InputError

__all__ = [
    "ENGINES",
    "FINDING_COLUMNS",
    "audit_sql",
    "direct_projection",
    "purpose_sql",
    "reasons_sql",
    "run_duckdb_outputs",
    "run_engine",
    "run_engine_to",
    "spark_session",
    "totals_sql",
]

ENGINES = ("duckdb", "spark", "python")
FINDING_COLUMNS = [
    "src", "file", "sheet", "src_row", "event_id", "time_us", "org", "org_kind", "org_state",
    "reason", "finding", "rule", "evidence", "confidence", "finding_id",
]  # fmt: skip
_ORDER = "ORDER BY file, src, src_row, finding"


class EngineUnavailable(InputError):
    code = "engine_unavailable"


def reasons_sql(dialect: str = "duckdb") -> str:
    """The one full scan besides the audit itself: rows and time range per file, source and
    reason text (the relation ``reasons``, thousands of rows for millions of input rows). The
    distinct reasons feed the lexicon and the totals are summed from it."""
    text = (
        "SELECT file, src, reason_key, count(*) AS n, min(time_us) AS first_us, "
        "max(time_us) AS last_us FROM audit_input GROUP BY file, src, reason_key"
    )
    return text if dialect == "duckdb" else _transpile(text, dialect)


def purpose_sql(dialect: str = "duckdb") -> str:
    """The lexicon over the distinct reasons of ``reasons``: the relation ``purpose`` (the regex
    work is the expensive part, and reasons repeat a great deal)."""
    text = purpose_select("(SELECT DISTINCT reason_key FROM reasons) r", "reason_key")
    return text if dialect == "duckdb" else _transpile(text, dialect)


def _facts(home: str) -> str:
    """CTEs ``joined`` (the input with its reason's assessment) and ``facts`` (one column per
    fact), for a ``WITH`` clause."""
    return (
        "joined AS (SELECT i.*, p.purpose_category, p.p_agency, p.p_empty, p.p_placeholder "
        "FROM audit_input i JOIN purpose p ON i.reason_key = p.reason_key), "
        f"facts AS ({facts_sql('joined', home)})"
    )


def audit_sql(plan: Plan, home: str, dialect: str = "duckdb", *, ordered: bool = True) -> str:
    """The raw findings (``FINDING_COLUMNS``, in the output's types) over ``audit_input`` and
    ``purpose``; ``ordered``: sorted by file, source, row and finding. Unordered, DuckDB streams
    them as it produces them (no sort of millions of wide rows): chunk by chunk of the input, a
    chunk's findings kind by kind (``duck_outputs`` runs it on one thread: the same order on
    every run)."""
    shaped = ", ".join(
        f"CAST({c} AS {_DUCK_TYPES.get(c, 'VARCHAR')}) AS {c}" for c in FINDING_COLUMNS
    )
    text = (
        f"WITH {_facts(home)}, votes AS ({votes_sql(plan, 'facts')}) "
        f"SELECT {shaped} FROM ({findings_sql(plan)}) f {_ORDER if ordered else ''}"
    )
    return text if dialect == "duckdb" else _transpile(text, dialect)


def totals_sql(dialect: str = "duckdb") -> str:
    """Per file and source: rows, first and last time, rows with a non-empty reason (summed
    from ``reasons``, no pass over the input)."""
    text = (
        "SELECT file, src, CAST(sum(n) AS BIGINT) AS n, min(first_us) AS first_us, "
        "max(last_us) AS last_us, "
        "CAST(sum(CASE WHEN p.p_empty THEN 0 ELSE n END) AS BIGINT) AS non_empty "
        "FROM reasons r JOIN purpose p ON r.reason_key = p.reason_key "
        "GROUP BY file, src ORDER BY file, src"
    )
    return text if dialect == "duckdb" else _transpile(text, dialect)


@cache
def _transpile(text: str, dialect: str) -> str:
    return sqlglot.transpile(text, read="duckdb", write=dialect)[0]


def run_engine(
    engine: str,
    input_path: Path,
    plan: Plan,
    home: str,
    *,
    memory_limit: str = "1GB",
    direct: list[tuple[str, str | None]] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Audit ``input_path`` (``prepare.INPUT``): ``(raw findings, totals)`` as tables (for small
    audits and tests; ``run_engine_to`` streams the findings to a file instead)."""
    with tempfile.TemporaryDirectory(prefix="sanctuary-raw-") as work:
        raw = Path(work) / "raw.parquet"
        totals = run_engine_to(
            engine, input_path, plan, home, raw, memory_limit=memory_limit, direct=direct
        )
        return pq.read_table(raw), totals


def run_engine_to(
    engine: str,
    input_path: Path,
    plan: Plan,
    home: str,
    raw_out: Path,
    *,
    memory_limit: str = "1GB",
    direct: list[tuple[str, str | None]] | None = None,
    ordered: bool = True,
) -> pa.Table:
    """Audit ``input_path``; write the raw findings (``FINDING_COLUMNS``, sorted) to ``raw_out``
    (Parquet) and return the totals. ``direct``: events_parquet files (with their owners) that
    DuckDB reads itself, never passing through Python."""
    if direct and engine != "duckdb":
        raise InputError("only the duckdb engine reads events_parquet files directly")
    if engine == "duckdb":
        return _run_duckdb(input_path, plan, home, memory_limit, direct or [], raw_out, ordered)
    if engine == "spark":
        findings, totals = _run_spark(input_path, plan, home)
    elif engine == "python":
        findings, totals = _run_python(input_path, plan, home)
    else:
        raise InputError(f"unknown engine `{engine}`", help="duckdb, spark or python")
    pq.write_table(findings, raw_out)
    return totals


def _duckdb_input(path: Path, direct: list[tuple[str, str | None]]) -> str:
    parts = [f"SELECT * FROM read_parquet('{_sq(path)}')"]
    parts += [direct_projection(file, owner) for file, owner in direct]
    return " UNION ALL ".join(parts)


def direct_projection(file: str, owner: str | None) -> str:
    """DuckDB SQL: an ``events_parquet`` file as audit input rows, read by the engine itself
    (the same projection as ``prepare._access``; a test holds the two equal)."""
    own = "org_source <> 'row'"
    if owner is not None:
        own = f"({own} OR coalesce(org = '{owner.replace(chr(39), chr(39) * 2)}', FALSE))"
    return (
        "SELECT 'access' AS src, file, sheet, \"row\" AS src_row, event_id, "
        "epoch_us(time) AS time_us, org, org_kind, org_state, "
        f"{own} AS own, reason, coalesce(reason_normalised, '') AS reason_key, "
        "offense_category, coalesce(length(trim(case_number)) > 0, FALSE) AS has_case, "
        "coalesce(list_contains(redacted, 'reason'), FALSE) AS reason_redacted "
        f"FROM read_parquet('{_sq(Path(file))}')"
    )


def _run_duckdb(
    path: Path,
    plan: Plan,
    home: str,
    memory_limit: str,
    direct: list[tuple[str, str | None]],
    raw_out: Path,
    ordered: bool,
) -> pa.Table:
    with _duckdb(path, memory_limit, direct) as con:
        con.execute(f"COPY ({audit_sql(plan, home, ordered=ordered)}) TO '{_sq(raw_out)}' "
                    "(FORMAT parquet)")  # fmt: skip
        return con.sql(totals_sql()).to_arrow_table()


def run_duckdb_outputs(
    path: Path,
    plan: Plan,
    home: str,
    folder: Path,
    *,
    memory_limit: str = "1GB",
    direct: list[tuple[str, str | None]] | None = None,
    ordered: bool = True,
) -> tuple[pa.Table, Aggregates]:
    """The DuckDB audit writing findings.parquet/.csv into ``folder`` itself: (totals, agg)."""
    with _duckdb(path, memory_limit, direct or []) as con:
        with stage("totals"):
            totals = con.sql(totals_sql()).to_arrow_table()
        agg = write_outputs(con, audit_sql(plan, home, ordered=False), plan, folder, ordered)
        return totals, agg


@contextmanager
def _duckdb(path: Path, memory_limit: str, direct: list[tuple[str, str | None]]) -> Iterator[Any]:
    """A connection with the view ``audit_input`` and the small temp tables ``reasons`` and
    ``purpose``. The findings query then streams: memory stays bounded whatever the input."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="sanctuary-duckdb-") as spill:
        con = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": spill})
        try:
            con.execute("SET threads = 2")
            con.execute(f"CREATE VIEW audit_input AS {_duckdb_input(path, direct)}")
            with stage("reasons (scan of the input)"):
                con.execute(f"CREATE TEMP TABLE reasons AS {reasons_sql()}")
            with stage("purpose (lexicon over distinct reasons)"):
                con.execute(f"CREATE TEMP TABLE purpose AS {purpose_sql()}")
            yield con
        finally:
            con.close()


def _sq(path: Path) -> str:
    return str(path).replace("'", "''")


@contextmanager
def spark_session() -> Iterator[Any]:
    """A local Spark session (``local[2]``), or the active one (tests share one per session)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailable(
            "the spark engine needs pyspark",
            help="pip install 'sanctuary[spark]'",
            location="engine",
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    session = (
        SparkSession.builder.master("local[2]")
        .appName("sanctuary-audit")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def _run_spark(path: Path, plan: Plan, home: str) -> tuple[pa.Table, pa.Table]:
    with spark_session() as spark:
        spark.read.parquet(str(path)).createOrReplaceTempView("audit_input")
        spark.sql(reasons_sql("spark")).cache().createOrReplaceTempView("reasons")
        spark.sql(purpose_sql("spark")).cache().createOrReplaceTempView("purpose")
        findings = _spark_arrow(spark.sql(audit_sql(plan, home, "spark")))
        totals = _spark_arrow(spark.sql(totals_sql("spark")))
    return _shape(findings), totals


def _spark_arrow(df: Any) -> pa.Table:
    rows = [r.asDict() for r in df.collect()]
    names = df.columns
    return pa.Table.from_pylist(rows) if rows else pa.table({n: pa.array([]) for n in names})


_TYPES = {"src_row": pa.int64(), "time_us": pa.int64(), "confidence": pa.float64()}
_DUCK_TYPES = {"src_row": "BIGINT", "time_us": "BIGINT", "confidence": "DOUBLE"}


def _shape(table: pa.Table) -> pa.Table:
    """The raw findings with fixed column order and types, whatever the engine returned."""
    arrays = []
    for name in FINDING_COLUMNS:
        kind = _TYPES.get(name, pa.string())
        col = table.column(name) if name in table.column_names else pa.nulls(len(table), kind)
        arrays.append(col.cast(kind))
    return pa.table(dict(zip(FINDING_COLUMNS, arrays, strict=True)))


def _run_python(path: Path, plan: Plan, home: str) -> tuple[pa.Table, pa.Table]:
    found: list[dict[str, Any]] = []
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 2**62, -(2**62), 0])
    purposes: dict[str, Any] = {}
    for batch in pq.ParquetFile(path).iter_batches(batch_size=8192):
        for row in batch.to_pylist():
            key = row["reason_key"]
            p = purposes.get(key) or purposes.setdefault(key, purpose_py(key))
            t = totals[(row["file"], row["src"])]
            t[0] += 1
            t[1], t[2] = min(t[1], row["time_us"]), max(t[2], row["time_us"])
            t[3] += 0 if p.empty else 1
            for hit in finding_rows_py(plan, facts_py(row, p, home), row, p):
                fid = finding_id(
                    row["file"], row["sheet"], row["src_row"], row["src"], hit["finding"]
                )
                found.append(
                    {**{c: row[c] for c in FINDING_COLUMNS[:10]}, **hit, "finding_id": fid}
                )
    found.sort(key=lambda r: (r["file"], r["src"], r["src_row"], r["finding"]))
    totals_rows = [
        {"file": f, "src": s, "n": v[0], "first_us": v[1], "last_us": v[2], "non_empty": v[3]}
        for (f, s), v in sorted(totals.items())
    ]
    findings = pa.Table.from_pylist(found) if found else pa.table({})
    return _shape(findings), pa.Table.from_pylist(totals_rows)
