"""Every real log in shared/data/alpr-audits is detected and read; counts are checked against the
data README or against a count made here by a different method.

These logs name officers. Assertions compare plain local values (counts, org names, times), never
an expression over a table or column: pytest's failure message would print that object's values.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sanctuary.audit import LogSet, read_logs
from sanctuary.audit.formats import detect
from sanctuary.errors import UnknownFormatError

EUGENE = "eyes-off__eugene-oregon/FlockAuditLogs/EPDSearchAuditLogs"
SAN_MATEO = "none-below__sm-alpr/assets/san-mateo-public-records/W012541-041426"
PDF_TXT = f"{SAN_MATEO}/12_1_2025-12_31_2025-San_Mateo_CA_PD_Audit.pdf.1282c169.txt"
MUCKROCK = "wagner-austin__Dashboards/flock-investigation/data/muckrock"
IRVINE = f"{MUCKROCK}/alpr-audits-irvine-police-department-181267_doc5.xlsx"
HOTLIST = f"{MUCKROCK}/flock-safety-and-alpr-data-and-policies-200784_doc0.xlsx"
OKALOOSA = "HistoryJunkie__OkaloosaALPR_AUDIT/2_Analysis"
OKALOOSA_AUDIT = (
    f"{OKALOOSA}/retention_analysis/11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit_EXTRACTED.csv"
)
OKALOOSA_SHARING = f"{OKALOOSA}/network_scale_analysis/Sharing_Agencies_EXTRACTED.csv"

# file -> (format, access events, config events, sharing-partner rows) from the data README.
EXPECTED = {
    f"{EUGENE}.csv": ("portal_export", 4294, 0, 0),
    f"{EUGENE}.xlsx": ("portal_export", 4377, 0, 0),  # 4294 ids + 83 repeated rows
    f"{SAN_MATEO}/search_audit.a871b2fc.csv": ("portal_export", 91, 0, 0),
    f"{SAN_MATEO}/search_audit.f5f2e2bb.csv": ("portal_export", 36, 0, 0),
    PDF_TXT: ("pdf_text", 4103, 0, 0),
    IRVINE: ("reason_workbook", 44659, 0, 3090),
    HOTLIST: ("hotlist_events", 0, 2031, 0),
    OKALOOSA_AUDIT: ("extracted_audit", 7273, 0, 0),
    OKALOOSA_SHARING: ("sharing_list", 0, 0, 1191),
}
NOT_LOGS = [
    "eyes-off__eugene-oregon/FlockAuditLogs/Reports/"
    "EPDLocalFlockSearchAudit_ConsecutiveDayAnomalies_2025-09-22.xlsx",
    "eyes-off__eugene-oregon/FlockAuditLogs/Reports/"
    "EPDLocalFlockSearchAudit_SearchesOutOfShiftAnomalies_2025-09-23.xlsx",
]


@pytest.fixture(scope="module")
def per_file(alpr_dir: Path) -> dict[str, LogSet]:
    return {name: read_logs([alpr_dir / name]) for name in EXPECTED}


@pytest.fixture(scope="module")
def archive(alpr_dir: Path) -> LogSet:
    return read_logs(sorted((alpr_dir / "none-below__sm-alpr/data/audit").glob("*.json")))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_is_detected_and_read_in_full(name: str, per_file: dict[str, LogSet]) -> None:
    fmt, events, config, partners = EXPECTED[name]
    logs = per_file[name]
    report = logs.reports[0]
    assert report.format == fmt
    counts = (
        logs.access_events.num_rows,
        logs.config_events.num_rows,
        logs.sharing_partners.num_rows,
    )
    assert counts == (events, config, partners)
    assert report.rows_refused == 0
    assert report.rows_read == events + config + partners


def test_every_real_file_in_the_folder_is_read_or_refused_as_not_a_log(alpr_dir: Path) -> None:
    files = {
        str(p.relative_to(alpr_dir))
        for p in alpr_dir.rglob("*")
        if p.is_file() and p.suffix.lower() in {".csv", ".xlsx", ".json", ".txt"}
    }
    archive = {f for f in files if f.startswith("none-below__sm-alpr/data/audit/")}
    assert files - archive == set(EXPECTED) | set(NOT_LOGS)


@pytest.mark.parametrize("name", NOT_LOGS)
def test_derived_report_workbooks_are_refused_naming_expected_formats(
    alpr_dir: Path, name: str
) -> None:
    with pytest.raises(UnknownFormatError) as err:
        detect(alpr_dir / name)
    assert err.value.code == "unknown_log_format"
    assert "portal_export" in (err.value.help or "")
    assert "vendor_audit" in (err.value.help or "")


def test_json_archive_counts_match_the_readme_and_each_files_row_count(
    alpr_dir: Path, archive: LogSet
) -> None:
    n_events = archive.access_events.num_rows
    assert n_events == 42473
    assert {r.format for r in archive.reports} == {"portal_json"}
    assert sum(r.rows_refused for r in archive.reports) == 0
    for report in archive.reports:
        declared = json.loads(Path(report.file).read_text("utf-8"))["row_count"]
        assert report.access_events == declared
    no_reason = archive.access_events["reason"].null_count
    assert no_reason == 16798


def test_json_archive_users_are_redacted_and_orgs_are_the_portals(archive: LogSet) -> None:
    events = archive.access_events
    users_null, n_events = events["user"].null_count, events.num_rows
    assert users_null == n_events  # every userId is `***`
    one_redacted = pc.all(pc.equal(pc.list_value_length(events["redacted"]), 1)).as_py()
    assert one_redacted
    orgs = set(events["org"].to_pylist())
    assert len(orgs) == 70
    assert "Alameda CA PD" in orgs
    assert set(events["org_state"].to_pylist()) == {"CA"}
    assert set(events["org_source"].to_pylist()) == {"file"}


def test_json_archive_offense_types_become_categories(archive: LogSet) -> None:
    cats = pc.value_counts(archive.access_events["offense_category"]).to_pylist()
    counts = {c["values"]: c["counts"] for c in cats}
    assert counts["Motor Vehicle Theft/Stolen"] == 1089


def test_pdf_text_record_count_matches_a_line_scan(alpr_dir: Path, per_file: dict) -> None:
    uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    lines = (alpr_dir / PDF_TXT).read_text("utf-8").splitlines()
    id_lines = [i + 1 for i, line in enumerate(lines) if uuid.match(line)]
    events = per_file[PDF_TXT].access_events
    assert events["row"].to_pylist() == id_lines
    assert set(events["org"].to_pylist()) == {"San Mateo CA PD"}


def test_pdf_text_dropdown_reasons_give_categories(per_file: dict) -> None:
    events = per_file[PDF_TXT].access_events.to_pylist()
    category = "Wanted Person (Arrest Warrant/Fugitive)"
    split = [e for e in events if e["reason"] and e["reason"].startswith(category)]
    assert len(split) > 300
    assert {e["offense_category"] for e in split} == {"Wanted Person (Arrest Warrant/Fugitive)"}


def test_eugene_url_residue_is_kept_in_reason_and_fixed_in_normalised(per_file: dict) -> None:
    rows = per_file[f"{EUGENE}.csv"].access_events.select(["reason", "reason_normalised"])
    pairs = set(zip(rows["reason"].to_pylist(), rows["reason_normalised"].to_pylist(), strict=True))
    assert ("Person+Crime", "Person Crime") in pairs
    assert not any(n and "+" in n for _, n in pairs if _ and " " not in _.strip())


def test_eugene_times_are_utc_by_default_and_org_is_the_portals(per_file: dict) -> None:
    events = per_file[f"{EUGENE}.csv"].access_events
    first_time = events["time"][0].as_py()
    assert first_time == datetime(2025, 6, 18, 0, 2, 4, 789000, tzinfo=UTC)
    assert set(events["zone_assumed"].to_pylist()) == {"UTC"}
    assert set(events["org"].to_pylist()) == {"Eugene OR PD"}
    assert set(events["org_state"].to_pylist()) == {"OR"}


def test_eugene_workbook_duplicates_are_kept_and_counted(per_file: dict, alpr_dir: Path) -> None:
    logs = per_file[f"{EUGENE}.xlsx"]
    assert logs.reports[0].duplicates == 83
    ids = logs.access_events["event_id"]
    distinct = len(pc.unique(ids))
    assert distinct == 4294
    with (alpr_dir / f"{EUGENE}.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert sum(1 for _ in csv.reader(fh)) - 1 == 4294
    assert "Cover" in logs.reports[0].skipped_sheets


def test_irvine_times_get_the_california_zone(per_file: dict) -> None:
    logs = per_file[IRVINE]
    events = logs.access_events
    assert set(events["zone_assumed"].to_pylist()) == {"America/Los_Angeles"}
    # 2021-12-14 08:49:47 Pacific standard time (UTC-8)
    first_time = events["time"][0].as_py()
    assert first_time == datetime(2021, 12, 14, 16, 49, 47, tzinfo=UTC)
    assert logs.reports[0].zones_assumed == {"America/Los_Angeles": 44659}
    assert set(events["org"].to_pylist()) == {"Irvine CA PD"}


def test_irvine_reasons_are_text_as_a_reader_saw_them(per_file: dict) -> None:
    reasons = per_file[IRVINE].access_events["reason"]
    float_residue = pc.any(pc.match_substring_regex(reasons, r"^\d+\.0$")).as_py()
    assert not float_residue
    hard_negative = pc.any(pc.match_substring(reasons, "Anaheim PD ICE Impersonation series"))
    found = hard_negative.as_py()
    assert found


def test_irvine_partner_lists_match_a_cell_count(per_file: dict, alpr_dir: Path) -> None:
    wb = openpyxl.load_workbook(alpr_dir / IRVINE, read_only=True)
    expected = {}
    for sheet in ("A1", "A2", "A3", "A4"):
        cells = [r[0] for r in wb[sheet].iter_rows(min_row=2, values_only=True)]
        expected[sheet] = sum(1 for c in cells if c is not None and str(c).strip())
    wb.close()
    partners = per_file[IRVINE].sharing_partners
    got = {c["values"]: c["counts"] for c in pc.value_counts(partners["sheet"]).to_pylist()}
    assert got == expected
    by_sheet = dict(
        zip(partners["sheet"].to_pylist(), partners["relation"].to_pylist(), strict=True)
    )
    assert by_sheet == {
        "A1": "shares_data_with",
        "A2": "receives_data_from",
        "A3": "shares_hotlist_with",
        "A4": "receives_hotlist_from",
    }
    assert per_file[IRVINE].reports[0].blank_rows == 408


def test_hotlist_multiline_details_are_parsed(per_file: dict) -> None:
    logs = per_file[HOTLIST]
    config = logs.config_events
    assert logs.reports[0].blank_rows == 1722
    assert set(config["event_type"].to_pylist()) == {"create", "update", "delete"}
    counts = Counter(key for pairs in config["details"].to_pylist() for key, _ in pairs or [])
    assert counts["Hotlist Name"] == 1689
    assert counts["Reason"] == 1174
    names_null, n_config = config["entity_name"].null_count, config.num_rows
    assert names_null < n_config
    assert set(config["zone_assumed"].to_pylist()) == {"America/Los_Angeles"}


def test_okaloosa_time_frames_and_org(per_file: dict) -> None:
    events = per_file[OKALOOSA_AUDIT].access_events
    first = events.slice(0, 1).to_pylist()[0]
    assert first["time"] == datetime(2025, 11, 14, 9, 53, 36, tzinfo=UTC)
    assert first["time_frame_start"] == datetime(2025, 11, 13, 22, 0, 17, tzinfo=UTC)
    assert first["time_frame_end"] == datetime(2025, 11, 14, 10, 0, 17, tzinfo=UTC)
    assert (first["org"], first["org_kind"], first["org_state"]) == (
        "Okaloosa County FL SO",
        "local_law_enforcement",
        "FL",
    )
    frames_null = events["time_frame_start"].null_count
    zones_null, n_events = events["zone_assumed"].null_count, events.num_rows
    assert frames_null == 0
    assert zones_null == n_events


def test_okaloosa_sharing_list_covers_every_row(per_file: dict, alpr_dir: Path) -> None:
    with (alpr_dir / OKALOOSA_SHARING).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    partners = per_file[OKALOOSA_SHARING].sharing_partners
    assert len(set(partners["row"].to_pylist())) == len(rows) == 858
    assert set(partners["owner_org"].to_pylist()) == {"Okaloosa County FL SO"}
    sharing = pc.sum(pc.equal(partners["relation"], "shares_data_with")).as_py()
    assert sharing == 536


def test_tables_have_the_declared_schemas(per_file: dict) -> None:
    from sanctuary.audit.tables import ACCESS_EVENTS

    events = per_file[OKALOOSA_AUDIT].access_events
    schema = events.schema
    assert schema.equals(ACCESS_EVENTS)
    assert schema.field("time").type == pa.timestamp("us", tz="UTC")
