"""The outputs of the DuckDB engine: for audits of millions of rows, DuckDB computes the final
columns and streams them to Arrow; only the few immigration evidences pass through Python (a
function registered with DuckDB, called for those rows alone).

The final columns are those of ``outputs.finalise`` (the Spark and Python engines' path) and a
test holds the two paths' findings.parquet equal: ``time`` RFC 3339 UTC in whole seconds (none for
sharing partners), the rule's citation, immigration evidence narrowed by ``refine_evidence``,
confidence rounded to three places.

Why stream to Arrow rather than ``COPY ... TO``: on millions of findings DuckDB's Parquet writer
was about four times slower than Arrow's and its CSV writer about twice (the strings are long: a
file path on every row). Both files are written from the same batches as they arrive, in one
pass; memory holds a few batches whatever the number of findings. No Arrow array is built from
Python objects on the way: pyarrow would import pandas for that when it is installed (0.2 s).
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sanctuary.audit.findings import FINDINGS, Plan
from sanctuary.audit.outputs import (
    FINDINGS_SCHEMA,
    IMMIGRATION_FINDINGS,
    SAMPLE_LIMIT,
    SERIOUS,
    Aggregates,
    refine_evidence,
)
from sanctuary.audit.stages import note, stage

__all__ = ["final_sql", "write_outputs"]

# Rows per Arrow batch: DuckDB's row-group size, so each batch is one Parquet row group.
BATCH_ROWS = 122_880
REFINE = "sanctuary_refine_evidence"  # outputs.refine_evidence, registered with DuckDB
WRITE_AHEAD = 3  # batches queued for the writer at most (memory stays a few batches)
# DuckDB threads for the findings query. One keeps the files the same on every run (see
# _stream); two were about 0.4 s faster on 10 million rows (machine half loaded), in an order that
# changed from run to run.
STREAM_THREADS = 1


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(_lit(v) for v in values)


def _case(column: str, mapping: dict[str, str], default: str) -> str:
    if not mapping:
        return default
    whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in mapping.items())
    return f"CASE {column} {whens} ELSE {default} END"


def final_sql(raw: str, plan: Plan, *, ordered: bool) -> str:
    """The output columns over the raw findings query ``raw`` (``engines.audit_sql``, unordered;
    ``ordered``: sorted by file, source, row and finding, as the other engines' outputs)."""
    citations = {rule.id: rule.citation for _, _, rule in plan.rules}
    time = (
        "CASE WHEN src = 'sharing' THEN NULL ELSE "
        "strftime(make_timestamp(time_us), '%Y-%m-%dT%H:%M:%SZ') END"
    )
    citation = _case("rule", citations, "''")
    evidence = (
        f"CASE WHEN finding IN ({_in(IMMIGRATION_FINDINGS)}) THEN {REFINE}(finding, evidence) "
        "ELSE evidence END"
    )
    order = " ORDER BY raw.file, raw.src, raw.src_row, raw.finding" if ordered else ""
    return (
        f'SELECT finding_id, file, sheet, src_row AS "row", event_id, {time} AS "time", org, '
        "org_kind, org_state, reason, finding, rule, "
        f"{citation} AS citation, {evidence} AS evidence, "
        f"round(confidence, 3) AS confidence FROM ({raw}) raw{order}"
    )


def write_outputs(con: Any, raw: str, plan: Plan, folder: Path, ordered: bool) -> Aggregates:
    """Run the raw findings query ``raw`` on ``con``; write findings.parquet and findings.csv in
    ``folder``; return the aggregates for summary.json and the report."""
    con.create_function(REFINE, refine_evidence, ["VARCHAR", "VARCHAR"], "VARCHAR")
    with stage("findings (query, evidence, parquet, csv)"):
        _stream(con, final_sql(raw, plan, ordered=ordered), folder)
    # The counts read the file just written (a few narrow columns): no finding goes through Python.
    target = str(folder).replace("'", "''")
    con.execute(
        "CREATE TEMP VIEW final AS SELECT * "
        f"FROM read_parquet('{target}/findings.parquet', file_row_number = true)"
    )
    with stage("aggregates"):
        return _aggregates(con, ordered)


def _stream(con: Any, query: str, folder: Path) -> None:
    """Run ``query`` on ONE DuckDB thread and write its batches on another.

    One DuckDB thread: DuckDB does not keep input order through joins, and with two threads
    the order of the findings changed from run to run; with one, it processes the input chunk
    by chunk and the files come out the same on every run. Little is lost on two cores: the
    writers (Arrow, GIL released) take the other core while DuckDB produces the next batches.
    """
    spent = dict.fromkeys(("DuckDB (query)", "parquet write", "csv write"), 0.0)
    clock = time.perf_counter
    with (
        pq.ParquetWriter(folder / "findings.parquet", FINDINGS_SCHEMA) as parquet,
        pacsv.CSVWriter(folder / "findings.csv", FINDINGS_SCHEMA) as csv,
        ThreadPoolExecutor(1, thread_name_prefix="findings-writer") as writer,
    ):

        def write(batch: pa.RecordBatch) -> None:
            t0 = clock()
            parquet.write_batch(batch)
            t1 = clock()
            csv.write_batch(batch)
            spent["parquet write"] += t1 - t0
            spent["csv write"] += clock() - t1

        pending: deque[Future[None]] = deque()
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        con.execute(f"SET threads = {STREAM_THREADS}")
        try:
            t0 = clock()
            reader = iter(con.sql(query).to_arrow_reader(BATCH_ROWS))  # sorts here if ordered
            spent["DuckDB (query)"] += clock() - t0
            while True:
                t0 = clock()
                batch = next(reader, None)
                spent["DuckDB (query)"] += clock() - t0
                if batch is None:
                    break
                pending.append(writer.submit(write, batch.cast(FINDINGS_SCHEMA)))
                while len(pending) > WRITE_AHEAD or (pending and pending[0].done()):
                    pending.popleft().result()  # the writer's errors surface here, in order
            while pending:
                pending.popleft().result()
        finally:
            con.execute(f"SET threads = {int(threads)}")
    for name, took in spent.items():
        note(f"  {name}", took)


def _sample_order(ordered: bool) -> str:
    """The report shows the first findings of each group. Sorted (small) audits: the first of
    the file. Large audits are written unsorted (input order, a row's findings apart), so their
    sample is taken kind by kind (immigration first, as ``FINDINGS``, lest the commonest kind
    crowd the rest out), then by place: explicitly, not by the order of the file."""
    if ordered:
        return "file_row_number"
    kinds = " ".join(f"WHEN {_lit(spec.name)} THEN {i}" for i, spec in enumerate(FINDINGS))
    return f'CASE finding {kinds} END, file, sheet, "row", finding_id'


def _aggregates(con: Any, ordered: bool) -> Aggregates:
    agg = Aggregates()
    rows = con.execute(
        "SELECT file, coalesce(org, '(unknown)'), finding, coalesce(substr(\"time\", 1, 7), "
        "'(none)'), rule, count(*) FROM final GROUP BY ALL"
    ).fetchall()
    for file, org, finding, month, rule, n in rows:
        agg.count(file, org, finding, month, rule, n)
    serious = f"finding IN ({_in(SERIOUS)})"
    for reason, n in con.execute(
        f"SELECT trim(reason), count(*) FROM final WHERE {serious} AND reason IS NOT NULL "
        "GROUP BY ALL"
    ).fetchall():
        agg.serious_reason[reason] += n
    for into, where, limit in (
        (agg.serious_rows, serious, SAMPLE_LIMIT["serious"]),
        (agg.other_rows, f"NOT ({serious})", SAMPLE_LIMIT["other"]),
    ):
        sample = con.sql(
            f"SELECT * EXCLUDE (file_row_number) FROM final WHERE {where} "
            f"ORDER BY {_sample_order(ordered)} LIMIT {limit}"
        )
        into.extend(sample.to_arrow_table().to_pylist())
    return agg
