"""The DuckDB engine's streamed outputs: large audits (written unsorted) hold the same findings as
sorted ones, their report sample is stable, and the evidence narrowing touches only immigration
findings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from audit_synthetic import OWNER, write_vendor_audit

from sanctuary.audit.engines import run_duckdb_outputs
from sanctuary.audit.findings import FINDINGS, plan_for
from sanctuary.audit.outputs import Aggregates, refined_evidence
from sanctuary.audit.prepare import prepare
from sanctuary.policy import default_engine

KIND = {spec.name: i for i, spec in enumerate(FINDINGS)}


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple((k, str(v)) for k, v in sorted(row.items()))


def _run(tmp_path: Path, name: str, alpr_dir: Path, ordered: bool) -> tuple[Path, Aggregates]:
    vendor = write_vendor_audit(tmp_path / "vendor_network_audit.csv")
    eugene = alpr_dir / "eyes-off__eugene-oregon" / "FlockAuditLogs" / "EPDSearchAuditLogs.csv"
    prepared = prepare([vendor, eugene], tmp_path / f"{name}.parquet", org=OWNER, home="CA")
    plan = plan_for(default_engine().chain("us-ca"))
    folder = tmp_path / name
    folder.mkdir()
    _, agg = run_duckdb_outputs(prepared.path, plan, "CA", folder, ordered=ordered)
    return folder, agg


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, alpr_dir: Path) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("stream")
    return {
        "sorted": _run(work, "sorted", alpr_dir, ordered=True),
        "unsorted": _run(work, "unsorted", alpr_dir, ordered=False),
    }


def test_unsorted_outputs_hold_the_same_findings_as_sorted_ones(both: dict[str, Any]) -> None:
    (a, agg_a), (b, agg_b) = both["sorted"], both["unsorted"]
    rows_a = pq.read_table(a / "findings.parquet").to_pylist()
    rows_b = pq.read_table(b / "findings.parquet").to_pylist()
    assert len(rows_a) > 500
    assert Counter(map(_key, rows_a)) == Counter(map(_key, rows_b))
    # The CSV holds the same rows as the Parquet file, column for column (a null is written
    # unquoted and empty, an empty text quoted).
    schema = pq.read_schema(b / "findings.parquet")
    convert = pacsv.ConvertOptions(
        column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False
    )
    csv_b = pacsv.read_csv(b / "findings.csv", convert_options=convert)
    assert Counter(map(_key, csv_b.to_pylist())) == Counter(map(_key, rows_b))
    assert agg_a.by_finding == agg_b.by_finding and agg_a.fired == agg_b.fired
    assert agg_a.by_month_finding == agg_b.by_month_finding
    assert agg_a.serious_reason == agg_b.serious_reason


def test_the_unsorted_report_sample_is_kind_by_kind_and_stable(
    both: dict[str, Any], tmp_path: Path, alpr_dir: Path
) -> None:
    _, agg = both["unsorted"]
    kinds = [KIND[r["finding"]] for r in agg.serious_rows]
    assert kinds == sorted(kinds) and kinds[0] == KIND["immigration_purpose"]
    _, again = _run(tmp_path, "again", alpr_dir, ordered=False)  # another folder: other ids

    def places(rows: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
        return [(Path(r["file"]).name, r["row"], r["finding"]) for r in rows]

    assert places(again.serious_rows) == places(agg.serious_rows)
    assert places(again.other_rows) == places(agg.other_rows)


def test_unsorted_outputs_are_the_same_bytes_on_every_run(tmp_path: Path, alpr_dir: Path) -> None:
    # Input in many row groups, as a large audit's: several DuckDB chunks, work for two threads.
    vendor = write_vendor_audit(tmp_path / "vendor_network_audit.csv")
    eugene = alpr_dir / "eyes-off__eugene-oregon" / "FlockAuditLogs" / "EPDSearchAuditLogs.csv"
    prepared = prepare([vendor, eugene], tmp_path / "input.parquet", org=OWNER, home="CA")
    table = pq.read_table(prepared.path)
    pq.write_table(pa.concat_tables([table] * 8), prepared.path, row_group_size=2048)
    plan = plan_for(default_engine().chain("us-ca"))
    outputs = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        run_duckdb_outputs(prepared.path, plan, "CA", folder, ordered=False)
        outputs.append([(folder / f).read_bytes() for f in ("findings.csv", "findings.parquet")])
    assert outputs[0] == outputs[1]
    assert outputs[0][0].count(b"\n") > 4000


def test_refined_evidence_narrows_only_immigration_findings() -> None:
    finding = pa.array(["missing_reason", "immigration_purpose", "immigration_authority",
                        "immigration_purpose", "out_of_state_agency"])  # fmt: skip
    evidence = pa.array(["reason: ICE", "reason: Assist HSI", "reason: Assist HSI", None,
                         "org: X (state TX)"])  # fmt: skip
    assert refined_evidence(finding, evidence).to_pylist() == [
        "reason: ICE", "HSI", "HSI", None, "org: X (state TX)",
    ]  # fmt: skip
    plain = pa.array(["missing_reason"])
    assert refined_evidence(plain, pa.array(["no reason given"])).to_pylist() == ["no reason given"]
