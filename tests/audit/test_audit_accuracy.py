"""Accuracy through the AUDIT path (the SQL engine), not only the Python assessor.

(a) Precision and recall of the immigration findings on the 573-string labelled set, each string
    audited as the reason of a search.
(b) False alarms on the real audit files (none holds a confirmed immigration search): fewer than
    1 `immigration_purpose`/`immigration_authority` finding per 2,000 non-empty reasons, per
    dataset.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanctuary.audit.engines import run_engine
from sanctuary.audit.findings import plan_for
from sanctuary.audit.formats._events import normalise_reason, offense_category
from sanctuary.audit.prepare import INPUT, prepare
from sanctuary.policy import default_engine

LABELLED = Path(__file__).resolve().parents[1] / "data" / "purpose_labelled.csv"
IMMIGRATION = {"civil_immigration_enforcement", "criminal_immigration_enforcement"}
FLAGS = {"immigration_purpose", "immigration_authority"}
MIN_PRECISION, MIN_RECALL = 0.98, 0.97
MAX_FALSE_ALARM_RATE = 1 / 2000


def _labelled() -> list[dict[str, str]]:
    with LABELLED.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _input(texts: list[str], path: Path) -> Path:
    rows = [
        {"src": "access", "file": "labelled.csv", "sheet": None, "src_row": i + 2,
         "event_id": None, "time_us": 1_750_000_000_000_000, "org": "Alameda CA PD",
         "org_kind": "local_law_enforcement", "org_state": "CA", "own": True, "reason": t,
         "reason_key": normalise_reason(t) or "", "offense_category": offense_category(t),
         "has_case": False, "reason_redacted": False}
        for i, t in enumerate(texts)
    ]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows, schema=INPUT), path)
    return path


def test_precision_and_recall_through_the_sql_audit(tmp_path: Path) -> None:
    rows = _labelled()
    path = _input([r["text"] for r in rows], tmp_path / "labelled.parquet")
    findings, _ = run_engine("duckdb", path, plan_for(default_engine().chain("us-ca")), "CA")
    by_row: dict[int, set[str]] = {}
    for r in findings.to_pylist():
        by_row.setdefault(r["src_row"] - 2, set()).add(r["finding"])
    tp = fp = fn = 0
    for i, r in enumerate(rows):
        truth, said = r["label"] in IMMIGRATION, "immigration_purpose" in by_row.get(i, set())
        tp, fp, fn = tp + (truth and said), fp + (said and not truth), fn + (truth and not said)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nSQL audit path: immigration_purpose precision {precision:.3f} recall {recall:.3f} "
          f"(tp {tp}, fp {fp}, fn {fn}, n {len(rows)})")  # fmt: skip
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL


@pytest.fixture(scope="module")
def real_audit(tmp_path_factory: pytest.TempPathFactory, alpr_dir: Path) -> tuple[Path, list[Path]]:
    files = sorted(
        p for p in alpr_dir.rglob("*")
        if p.is_file() and p.suffix in {".csv", ".json", ".txt", ".xlsx"}
        and "Anomalies" not in p.name
    )  # fmt: skip
    target = tmp_path_factory.mktemp("real") / "input.parquet"
    prepare(files, target, home="CA")
    return target, files


def _dataset(alpr_dir: Path, file: str) -> str:
    return Path(file).relative_to(alpr_dir).parts[0]


def test_false_alarms_on_real_files_per_dataset(
    real_audit: tuple[Path, list[Path]], alpr_dir: Path
) -> None:
    target, _ = real_audit
    findings, totals = run_engine("duckdb", target, plan_for(default_engine().chain("us-ca")), "CA")
    reasons: Counter[str] = Counter()
    for t in totals.to_pylist():
        if t["src"] == "access":
            reasons[_dataset(alpr_dir, t["file"])] += t["non_empty"]
    alarms = Counter(
        _dataset(alpr_dir, r["file"])
        for r in findings.to_pylist()
        if r["finding"] in FLAGS and r["src"] == "access"
    )
    datasets = {"none-below__sm-alpr", "wagner-austin__Dashboards", "eyes-off__eugene-oregon",
                "HistoryJunkie__OkaloosaALPR_AUDIT"}  # fmt: skip
    assert set(reasons) == datasets
    for dataset, n in sorted(reasons.items()):
        rate = alarms[dataset] / n
        print(f"\n{dataset}: {alarms[dataset]} immigration findings in {n} non-empty reasons")
        assert n > 1000
        assert rate < MAX_FALSE_ALARM_RATE, dataset
