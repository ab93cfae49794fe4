"""`sanctuary redact` and redact_file: text, CSV, JSON lines, Parquet; atomic; fail closed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanctuary.protect import RedactionError, redact_file

NARRATIVE = "Subject gave A-number A123-456-789 and said he is undocumented.\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from sanctuary.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_text_to_stdout_with_summary_on_stderr(tmp_path: Path) -> None:
    source = tmp_path / "report.txt"
    source.write_text(NARRATIVE * 3)
    done = run("redact", str(source))
    assert done.returncode == 0
    assert done.stdout == (
        "Subject gave A-number [NATIONAL_IDS] and said he is [IMMIGRATION_STATUS].\n" * 3
    )
    assert done.stderr == "redacted text, 3 records: immigration_status 3, national_ids 3\n"


def test_csv_with_json_summary(tmp_path: Path) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "id,citizenship,notes\n1,Mexico,ICE hold requested\n2,,born in Oaxaca\n3,Canada,ok\n"
    )
    done = run("redact", str(source), "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stderr)
    assert summary["columns"] == {"id": None, "citizenship": "citizenship", "notes": None}
    assert summary["counts"] == {"citizenship": 2, "immigration_status": 1, "place_of_birth": 1}
    assert "Mexico" not in done.stderr
    assert out.read_text().splitlines() == [
        "id,citizenship,notes",
        "1,[CITIZENSHIP],[IMMIGRATION_STATUS] requested",
        "2,,born in [PLACE_OF_BIRTH]",
        "3,[CITIZENSHIP],ok",
    ]


def test_jsonl_nested_values(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"passport_no": "G15997557", "notes": {"text": NARRATIVE}}, {"n": 1}]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    summary = redact_file(source, out, operator="mask")
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    assert first["passport_no"] == "*********"
    assert "A123" not in first["notes"]["text"] and second == {"n": 1}
    assert summary.records == 2


def test_parquet_streams_batches(tmp_path: Path) -> None:
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    table = pa.table({"a_number": ["A123456789"] * 25_000, "notes": [NARRATIVE] * 25_000})
    pq.write_table(table, source)
    summary = redact_file(source, out)
    result = pq.read_table(out)
    assert result.num_rows == 25_000 and summary.records == 25_000
    assert set(result.column("a_number").to_pylist()) == {"[NATIONAL_IDS]"}
    assert summary.counts == {"immigration_status": 25_000, "national_ids": 50_000}


def test_bad_input_releases_nothing(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"notes": "undocumented"}\n[1, 2]\n')
    with pytest.raises(RedactionError, match="not a JSON object") as err:
        redact_file(source, out)
    assert err.value.location == f"{source}:2"
    assert not out.exists() and list(tmp_path.iterdir()) == [source]
    done = run("redact", str(source), "--out", str(out))
    assert done.returncode == 2 and done.stdout == ""
    assert "not a JSON object" in done.stderr and not out.exists()


def test_missing_hmac_key_fails_before_writing(tmp_path: Path) -> None:
    source, out = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text(NARRATIVE)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from sanctuary.cli import main; main()",
            "redact",
            str(source),
            "--out",
            str(out),
            "--operator",
            "hmac",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin"},
    )
    assert done.returncode == 2 and "no redaction key" in done.stderr and not out.exists()


def test_jsonl_key_first_seen_after_the_sample_is_planned_by_name(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"n": i} for i in range(300)] + [{"n": 300, "citizenship": "Canada"}]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    summary = redact_file(source, out)
    last = json.loads(out.read_text().splitlines()[-1])
    assert last == {"n": 300, "citizenship": "[CITIZENSHIP]"}
    assert summary.counts == {"citizenship": 1}
