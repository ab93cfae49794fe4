"""The outputs written by DuckDB itself: for audits of millions of rows, no finding passes
through Python except the few immigration evidences that are narrowed to their words.

The final columns are those of ``outputs.finalise`` (the Spark and Python engines' path) and a
test holds the two paths' findings.parquet equal: ``time`` RFC 3339 UTC in whole seconds (none for
sharing partners), the rule's citation, immigration evidence narrowed by ``refine_evidence``,
confidence rounded to three places.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanctuary.audit.findings import Plan
from sanctuary.audit.outputs import (
    IMMIGRATION_FINDINGS,
    SAMPLE_LIMIT,
    SERIOUS,
    Aggregates,
    refine_evidence,
)

__all__ = ["write_outputs"]


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(_lit(v) for v in values)


def _case(column: str, mapping: dict[str, str], default: str) -> str:
    if not mapping:
        return default
    whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in mapping.items())
    return f"CASE {column} {whens} ELSE {default} END"


def _final_sql(con: Any, plan: Plan) -> str:
    citations = {rule.id: rule.citation for _, _, rule in plan.rules}
    pairs = con.execute(
        f"SELECT DISTINCT finding, evidence FROM found WHERE finding IN "
        f"({_in(IMMIGRATION_FINDINGS)})"
    ).fetchall()
    refined = {f"{f}\x1f{e}": refine_evidence(f, e) for f, e in pairs if e is not None}
    refined = {k: v for k, v in refined.items() if k.split("\x1f", 1)[1] != v}
    evidence = _case("(finding || chr(31) || evidence)", refined, "evidence")
    time = (
        "CASE WHEN src = 'sharing' THEN NULL ELSE "
        "strftime(make_timestamp(time_us), '%Y-%m-%dT%H:%M:%SZ') END"
    )
    citation = _case("rule", citations, "''")
    return (
        f'SELECT finding_id, file, sheet, src_row AS "row", event_id, {time} AS "time", org, '
        "org_kind, org_state, reason, finding, rule, "
        f"{citation} AS citation, {evidence} AS evidence, "
        "round(confidence, 3) AS confidence FROM found"
    )


def write_outputs(con: Any, plan: Plan, folder: Path) -> Aggregates:
    """From the temp table ``found`` (raw findings): findings.parquet, findings.csv in
    ``folder``, and the aggregates for summary.json and the report."""
    target = str(folder).replace("'", "''")
    con.execute(f"COPY ({_final_sql(con, plan)}) TO '{target}/findings.parquet' (FORMAT parquet)")
    # The rest reads the file just written: the final columns are computed once.
    con.execute(
        f"CREATE TEMP VIEW final AS SELECT * FROM read_parquet('{target}/findings.parquet')"
    )
    con.execute(f"COPY final TO '{target}/findings.csv' (FORMAT csv, HEADER)")
    return _aggregates(con)


def _aggregates(con: Any) -> Aggregates:
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
        into.extend(con.sql(f"SELECT * FROM final WHERE {where} LIMIT {limit}").to_arrow_table()
                    .to_pylist())  # fmt: skip
    return agg
