"""The outputs of the DuckDB engine: for audits of millions of rows, DuckDB computes the final
columns and streams them to Arrow; only the few immigration evidences pass through Python.

The final columns are those of ``outputs.finalise`` (the Spark and Python engines' path) and a
test holds the two paths' findings.parquet equal: ``time`` RFC 3339 UTC in whole seconds (none for
sharing partners), the rule's citation, immigration evidence narrowed by ``refine_evidence``,
confidence rounded to three places.

Why stream to Arrow rather than ``COPY ... TO``: on millions of findings DuckDB's Parquet writer
was about four times slower than Arrow's (the strings are long: a file path on every row), and
``COPY`` cannot narrow the evidence on the way. Both files are written from the same batches as
they arrive, in one pass; memory holds a few batches whatever the number of findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sanctuary.audit.findings import FINDINGS, Plan
from sanctuary.audit.outputs import (
    FINDINGS_SCHEMA,
    SAMPLE_LIMIT,
    SERIOUS,
    Aggregates,
    refined_evidence,
)

__all__ = ["final_sql", "write_outputs"]

# Rows per Arrow batch: DuckDB's row-group size, so each batch is one Parquet row group.
BATCH_ROWS = 122_880


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
    order = " ORDER BY raw.file, raw.src, raw.src_row, raw.finding" if ordered else ""
    return (
        f'SELECT finding_id, file, sheet, src_row AS "row", event_id, {time} AS "time", org, '
        "org_kind, org_state, reason, finding, rule, "
        f"{citation} AS citation, evidence, "
        f"round(confidence, 3) AS confidence FROM ({raw}) raw{order}"
    )


def write_outputs(con: Any, raw: str, plan: Plan, folder: Path, ordered: bool) -> Aggregates:
    """Run the raw findings query ``raw`` on ``con``; write findings.parquet and findings.csv in
    ``folder``; return the aggregates for summary.json and the report."""
    reader = con.sql(final_sql(raw, plan, ordered=ordered)).to_arrow_reader(BATCH_ROWS)
    with (
        pq.ParquetWriter(folder / "findings.parquet", FINDINGS_SCHEMA) as parquet,
        pacsv.CSVWriter(folder / "findings.csv", FINDINGS_SCHEMA) as csv,
    ):
        for batch in reader:
            evidence = refined_evidence(batch.column("finding"), batch.column("evidence"))
            at = batch.schema.get_field_index("evidence")
            out = batch.set_column(at, "evidence", evidence).cast(FINDINGS_SCHEMA)
            parquet.write_batch(out)
            csv.write_batch(out)
    # The counts read the file just written (a few narrow columns): no finding goes through Python.
    target = str(folder).replace("'", "''")
    con.execute(
        "CREATE TEMP VIEW final AS SELECT * "
        f"FROM read_parquet('{target}/findings.parquet', file_row_number = true)"
    )
    return _aggregates(con, ordered)


def _sample_order(ordered: bool) -> str:
    """The report shows the first findings of each group. Sorted (small) audits: the first of
    the file. Large audits are written unsorted, in no stable order (DuckDB's joins do not keep
    input order), so their sample is taken kind by kind (immigration first, as ``FINDINGS``,
    lest the commonest kind crowd the rest out) and by place: the same rows on every run."""
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
