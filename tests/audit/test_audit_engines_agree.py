"""One semantics, many engines: the Python reference, DuckDB and Spark find the same findings.

The same input relation (real files and a synthetic vendor export with every kind of row) is
audited by each engine; the findings (file, row, finding, rule, evidence, confidence) must be
identical, and so must the totals.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from audit_spark_session import spark  # noqa: F401  (the session fixture)
from audit_synthetic import OWNER, write_vendor_audit

from sanctuary.audit.engines import run_engine
from sanctuary.audit.findings import plan_for
from sanctuary.audit.prepare import prepare
from sanctuary.policy import default_engine


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return [{**r, "confidence": round(r["confidence"], 6)} for r in table.to_pylist()]


@pytest.fixture(scope="module")
def small_input(tmp_path_factory: pytest.TempPathFactory, alpr_dir: Path) -> Path:
    work = tmp_path_factory.mktemp("agree")
    vendor = write_vendor_audit(work / "vendor_network_audit.csv")
    sharing = next(alpr_dir.rglob("Sharing_Agencies_EXTRACTED.csv"))
    target = work / "input.parquet"
    prepare([vendor], target, org=OWNER, home="CA")
    prepare_sharing = work / "sharing.parquet"
    prepare([sharing], prepare_sharing, home="CA")
    tables = [pq.read_table(p) for p in (target, prepare_sharing)]
    joined = work / "small.parquet"
    pq.write_table(pa.concat_tables(tables), joined)
    return joined


@pytest.mark.usefixtures("spark")
def test_python_duckdb_and_spark_agree_on_every_kind_of_row(small_input: Path) -> None:
    plan = plan_for(default_engine().chain("us-ca"))
    results = {e: run_engine(e, small_input, plan, "CA") for e in ("python", "duckdb", "spark")}
    reference, totals = results["python"]
    kinds = Counter(reference.column("finding").to_pylist())
    # The input really exercises the findings (else agreement would prove little).
    for kind in ("immigration_purpose", "immigration_authority", "federal_agency",
                 "out_of_state_agency", "missing_reason", "unlawful_sharing_partner"):  # fmt: skip
        assert kinds[kind] > 0, kind
    for engine in ("duckdb", "spark"):
        findings, engine_totals = results[engine]
        assert _rows(findings) == _rows(reference), engine
        assert engine_totals.to_pylist() == totals.to_pylist(), engine


def test_duckdb_agrees_with_python_on_every_real_file(tmp_path: Path, alpr_dir: Path) -> None:
    files = sorted(
        p for p in alpr_dir.rglob("*")
        if p.is_file()
        and p.suffix in {".csv", ".json", ".txt", ".xlsx"}
        and "Anomalies" not in p.name
    )  # fmt: skip
    target = tmp_path / "input.parquet"
    prepared = prepare(files, target, home="CA")
    assert prepared.rows > 100_000
    plan = plan_for(default_engine().chain("us-ca"))
    py, py_totals = run_engine("python", target, plan, "CA")
    db, db_totals = run_engine("duckdb", target, plan, "CA")
    assert _rows(db) == _rows(py)
    assert db_totals.to_pylist() == py_totals.to_pylist()


def test_events_parquet_read_by_duckdb_equals_the_python_projection(
    tmp_path: Path, alpr_dir: Path
) -> None:
    """The direct path (DuckDB reads an events_parquet file itself) and the adapter path agree."""
    from sanctuary.audit import read_logs

    sources = [
        alpr_dir / "eyes-off__eugene-oregon" / "FlockAuditLogs" / "EPDSearchAuditLogs.csv",
        *sorted((alpr_dir / "none-below__sm-alpr" / "data" / "audit").glob("a*.json")),
        write_vendor_audit(tmp_path / "vendor.csv"),
    ]
    events = tmp_path / "events.parquet"
    pq.write_table(read_logs(sources).access_events, events)
    plan = plan_for(default_engine().chain("us-ca"))
    via_python = prepare([events], tmp_path / "a.parquet", home="CA", org=OWNER)
    via_sql = prepare([events], tmp_path / "b.parquet", home="CA", org=OWNER, direct=True)
    assert via_sql.direct and not via_python.direct
    assert via_sql.rows == via_python.rows > 5000
    assert via_sql.reports[0].as_dict() == via_python.reports[0].as_dict()
    a, a_totals = run_engine("duckdb", via_python.path, plan, "CA")
    b, b_totals = run_engine("duckdb", via_sql.path, plan, "CA", direct=via_sql.direct)
    assert a.num_rows > 0
    assert _rows(a) == _rows(b)
    assert a_totals.to_pylist() == b_totals.to_pylist()
