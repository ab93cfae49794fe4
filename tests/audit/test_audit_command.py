"""`sanctuary audit` end to end: the four outputs exactly as spec/audit.md, and bad input."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from audit_spark_session import spark  # noqa: F401  (the session fixture)
from audit_synthetic import write_vendor_audit

from sanctuary.audit.run import run_audit

COLUMNS = ["finding_id", "file", "sheet", "row", "event_id", "time", "org", "org_kind",
           "org_state", "reason", "finding", "rule", "citation", "evidence",
           "confidence"]  # fmt: skip
FINDINGS = {"immigration_purpose", "immigration_authority", "federal_agency",
            "out_of_state_agency", "missing_reason", "missing_case_number",
            "immigration_hotlist", "unlawful_sharing_partner"}  # fmt: skip
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sanctuary", "audit", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_audit_writes_the_four_outputs(tmp_path: Path, alpr_dir: Path) -> None:
    vendor = write_vendor_audit(tmp_path / "network_audit.csv")
    eugene = alpr_dir / "eyes-off__eugene-oregon" / "FlockAuditLogs" / "EPDSearchAuditLogs.csv"
    out = tmp_path / "out"
    result = run(str(vendor), str(eugene), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "findings.csv", "findings.parquet", "report.html", "summary.json",
    ]  # fmt: skip
    with (out / "findings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == COLUMNS
    assert pq.read_table(out / "findings.parquet").column_names == COLUMNS
    assert len(rows) == pq.read_table(out / "findings.parquet").num_rows
    assert {r["finding"] for r in rows} <= FINDINGS
    assert {"immigration_purpose", "immigration_authority", "federal_agency",
            "out_of_state_agency", "missing_reason"} <= {r["finding"] for r in rows}  # fmt: skip
    for r in rows:
        assert 0 <= float(r["confidence"]) <= 1
        assert RFC3339_UTC.match(r["time"]), r["time"]
        assert r["rule"] and r["citation"] and r["evidence"]
    assert len({r["finding_id"] for r in rows}) == len(rows)
    hsi = [r for r in rows if r["reason"] == "Assist HSI" and r["org"] == "Oakland CA PD"]
    assert {r["finding"] for r in hsi} == {"immigration_purpose", "immigration_authority"}
    assert all(r["evidence"] == "HSI" for r in hsi)  # the span, not the whole reason
    federal = [r for r in rows if r["org"] == "[Federal] FBI" and r["reason"] == "stolen vehicle"]
    assert {r["finding"] for r in federal} == {"federal_agency"}
    assert federal[0]["rule"] == "us-ca.1798.90.55.b"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["engine"] == "duckdb" and summary["jurisdiction"] == "us-ca"
    assert [p["id"] for p in summary["packs"]] == ["us", "us-ca"]
    formats = {Path(f["file"]).name: f["format"] for f in summary["files"]}
    assert formats == {
        "network_audit.csv": "vendor_audit",
        "EPDSearchAuditLogs.csv": "portal_export",
    }
    assert all("rows_read" in f and "rows_refused" in f for f in summary["files"])
    synthetic = next(f for f in summary["files"] if f["file"].endswith("network_audit.csv"))
    assert synthetic["rows_read"] == 252 and synthetic["rows_refused"] == 0
    assert sum(summary["by_finding"].values()) == len(rows) == summary["findings"]
    assert summary["date_range"]["first"] <= summary["date_range"]["last"]
    assert summary["by_month"] and summary["by_org"]
    html = (out / "report.html").read_text()
    assert "<svg" in html and "<mark>" in html and "Method and limits" in html
    assert not re.search(r"(src|href)=\"https?://", html)  # self-contained: nothing fetched


@pytest.mark.usefixtures("spark")
def test_the_spark_engine_gives_the_same_outputs(tmp_path: Path) -> None:
    # In process, on the test session's Spark (one JVM for the whole suite).
    vendor = write_vendor_audit(tmp_path / "network_audit.csv")
    duck, on_spark = tmp_path / "duck", tmp_path / "spark"
    run_audit([vendor], duck, engine="duckdb")
    summary = run_audit([vendor], on_spark, engine="spark")
    a = pq.read_table(duck / "findings.parquet").to_pylist()
    b = pq.read_table(on_spark / "findings.parquet").to_pylist()
    assert a == b and a
    # One writer for every engine: the CSV files are the same bytes too.
    assert (duck / "findings.csv").read_bytes() == (on_spark / "findings.csv").read_bytes()
    assert summary["engine"] == "spark"
    assert (
        json.loads((on_spark / "summary.json").read_text())["by_finding"] == summary["by_finding"]
    )


def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    unknown = Path(__file__).parents[1] / "fixtures" / "audit" / "unknown_shape.csv"
    vendor = write_vendor_audit(tmp_path / "network_audit.csv")
    cases = [
        [str(unknown)],
        [str(tmp_path / "missing.csv")],
        [str(vendor), "--jurisdiction", "xx-nowhere"],
        [str(vendor), "--format", "no_such_format"],
    ]
    for args in cases:
        out = tmp_path / "out"
        result = run(*args, "--out", str(out))
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("sanctuary: ")
        assert not out.exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_out_is_replaced_only_when_it_is_an_earlier_audit(tmp_path: Path) -> None:
    vendor = write_vendor_audit(tmp_path / "network_audit.csv")
    out = tmp_path / "out"
    assert run(str(vendor), "--out", str(out)).returncode == 0
    assert run(str(vendor), "--out", str(out)).returncode == 0  # an earlier audit: replaced
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    result = run(str(vendor), "--out", str(mine))
    assert result.returncode == 2
    assert (mine / "notes.txt").read_text() == "keep me"
