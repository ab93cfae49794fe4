"""Vendor Network/Organization Audit exports: every column variant and quirk the README describes.

The data folder holds no such export, so these are small synthetic files written from the README's
description (tests/fixtures/audit/README.md); the XLSX variants are generated here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from sanctuary.audit import read_logs
from sanctuary.audit.formats import detect

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "audit"
TF = "01/01/2024, 12:00:00 AM UTC\n01/25/2024, 01:27:03 PM UTC"


def _events(name: str) -> list[dict[str, object]]:
    return read_logs([FIX / name]).access_events.to_pylist()


@pytest.mark.parametrize(
    "name",
    [
        "vendor_network_audit.csv",
        "vendor_org_audit_noid.csv",
        "vendor_headerless.csv",
        "vendor_headerless_noid_prompt.csv",
    ],
)
def test_every_csv_variant_is_detected_as_a_vendor_export(name: str) -> None:
    assert detect(FIX / name).name == "vendor_audit"


def test_leading_space_headers_are_mapped() -> None:
    first = _events("vendor_network_audit.csv")[0]
    assert first["org"] == "Houston TX PD"
    assert first["networks_searched"] == 12
    assert first["devices_searched"] == 3456
    assert first["case_number"] == "24-0001"
    assert first["search_type"] == "search"


def test_two_line_time_frame_gives_start_and_end() -> None:
    first = _events("vendor_network_audit.csv")[0]
    assert first["time_frame_start"] == datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    assert first["time_frame_end"] == datetime(2024, 1, 25, 13, 27, 3, tzinfo=UTC)
    assert first["time"] == datetime(2024, 1, 25, 13, 27, 3, tzinfo=UTC)
    assert first["zone_assumed"] is None  # the vendor wrote UTC


def test_single_digit_month_and_day_times_are_read() -> None:
    second = _events("vendor_network_audit.csv")[1]
    assert second["time"] == datetime(2025, 1, 3, 20, 54, 25, tzinfo=UTC)


def test_stars_and_dashes_are_missing_and_listed_as_redacted() -> None:
    second = _events("vendor_network_audit.csv")[1]
    assert second["user"] is None
    assert second["case_number"] is None
    assert second["filters"] is None
    assert second["redacted"] == ["user", "case_number", "filters"]


def test_license_plates_are_not_carried() -> None:
    table = read_logs([FIX / "vendor_network_audit.csv"]).access_events
    assert "license_plate" not in table.column_names
    assert "ABC123" not in str(table.to_pylist())


def test_duplicate_ids_are_kept_and_counted() -> None:
    logs = read_logs([FIX / "vendor_network_audit.csv"])
    rows = logs.access_events.to_pylist()
    ids = [r["event_id"] for r in rows]
    assert ids.count("0b8e5c1a-1111-4aaa-8bbb-000000000002") == 2
    dup = [r for r in rows if r["duplicate_of"] is not None]
    assert [(r["row"], r["duplicate_of"]) for r in dup] == [(10, 5)]
    assert logs.reports[0].duplicates == 1


def test_newlines_in_reason_and_filters_are_kept_and_row_is_the_starting_line() -> None:
    rows = _events("vendor_network_audit.csv")
    assert rows[0]["filters"] == "Make: Toyota\nColor: red"
    third = rows[2]
    assert third["reason"] == "investigation\nfollow-up"
    assert third["reason_normalised"] == "investigation follow-up"
    # header line 1; record 1 spans lines 2-4 (time frame, filters); record 2 lines 5-6.
    assert [r["row"] for r in rows] == [2, 5, 7, 10]


def test_text_prompt_and_moderation_are_read() -> None:
    third = _events("vendor_network_audit.csv")[2]
    assert third["text_prompt"] == "white pickup with ladder"
    assert third["moderation"] == "allow"


def test_bad_time_is_refused_with_reason_and_row_and_reading_goes_on() -> None:
    logs = read_logs([FIX / "vendor_network_audit.csv"])
    report = logs.reports[0]
    assert report.rows_read == 4
    assert report.rows_refused == 1
    assert report.refused_by_reason == {"bad_time": 1}
    refused = logs.refused.to_pylist()[0]
    assert refused["row"] == 12
    assert "unreadable time" in refused["message"]


def test_federal_org_kind_and_state_are_resolved() -> None:
    rows = _events("vendor_network_audit.csv")
    assert (rows[0]["org_kind"], rows[0]["org_state"]) == ("local_law_enforcement", "TX")
    assert rows[1]["org_kind"] == "federal_immigration"  # [Federal] US Border Patrol [Inactive]
    assert (rows[2]["org_kind"], rows[2]["org_state"]) == ("local_law_enforcement", "FL")
    assert rows[0]["org_source"] == "row"


def test_export_without_id_and_devices() -> None:
    rows = _events("vendor_org_audit_noid.csv")
    assert [r["event_id"] for r in rows] == [None, None]
    assert [r["devices_searched"] for r in rows] == [None, None]
    assert rows[0]["reason"] == "Person+Crime"
    assert rows[0]["reason_normalised"] == "Person Crime"
    assert rows[1]["offense_category"] == "Immigration (criminal)"


def test_headerless_export_is_read_by_shape() -> None:
    rows = _events("vendor_headerless.csv")
    assert len(rows) == 3
    assert rows[0]["event_id"] == "0b8e5c1a-1111-4aaa-8bbb-000000000001"
    assert rows[0]["devices_searched"] == 3456
    assert rows[0]["row"] == 1  # no header: the first line is data


def test_headerless_export_without_id_with_prompt_columns() -> None:
    rows = _events("vendor_headerless_noid_prompt.csv")
    assert [r["user"] for r in rows] == ["Officer A", "Officer B"]
    assert rows[0]["text_prompt"] == "red sedan"
    assert rows[0]["moderation"] == "warn"
    assert rows[0]["devices_searched"] is None


def _write_xlsx(path: Path, header: list[str] | None, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "January"
    if header:
        ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


XLSX_HEADER = [
    " ID", " Name", " Org Name", " Total Networks Searched", " Time Frame", " License Plate",
    " Reason", " Case #", " Filters", " Search Time", " Search Type",
]  # fmt: skip
XLSX_ROW = [
    "0b8e5c1a-1111-4aaa-8bbb-0000000000aa", "***", "Houston TX PD", 3, TF, "——",
    "Assist HSI", "——", None, "01/25/2024, 01:27:03 PM UTC", "multiGeo",
]  # fmt: skip


def test_xlsx_export_with_header_and_no_devices_column(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "network-audit-2024-01.xlsx", XLSX_HEADER, [XLSX_ROW])
    assert detect(path).name == "vendor_audit"
    (row,) = read_logs([path]).access_events.to_pylist()
    assert row["sheet"] == "January"
    assert row["row"] == 2
    assert row["networks_searched"] == 3
    assert row["devices_searched"] is None
    assert row["search_type"] == "multiGeo"
    assert row["time_frame_start"] == datetime(2024, 1, 1, tzinfo=UTC)
    assert row["redacted"] == ["user", "case_number"]


def test_headerless_xlsx_export(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "org-audit.xlsx", None, [XLSX_ROW, XLSX_ROW])
    logs = read_logs([path])
    assert logs.reports[0].format == "vendor_audit"
    assert logs.access_events.num_rows == 2
    assert logs.reports[0].duplicates == 1


VARIANTS = [
    (header, has_id, devices, prompt)
    for header in (True, False)
    for has_id in (True, False)
    for devices in (True, False)
    for prompt in (True, False)
]


def _variant_rows(has_id: bool, devices: bool, prompt: bool) -> tuple[list[str], list[list[str]]]:
    cols = [("ID", "9f1c2d3e-0000-4000-8000-00000000000{n}")] if has_id else []
    cols += [
        (" Name", "Officer {n}"),
        (" Org Name", "Austin TX PD"),
        (" Total Networks Searched", "2"),
    ]
    cols += [(" Total Devices Searched", "40")] if devices else []
    cols += [
        (" Time Frame", TF),
        (" License Plate", "***"),
        (" Reason", "theft {n}"),
        (" Case #", "——"),
        (" Filters", ""),
        (" Search Time", "0{n}/02/2024, 0{n}:15:00 PM UTC"),
        (" Search Type", "search"),
    ]
    cols += [(" Text Prompt", "blue van"), (" Moderation", "")] if prompt else []
    header = [name for name, _ in cols]
    rows = [[value.format(n=n) for _, value in cols] for n in (1, 2)]
    return header, rows


@pytest.mark.parametrize(("header", "has_id", "devices", "prompt"), VARIANTS)
def test_every_column_variant_with_and_without_header(
    tmp_path: Path, header: bool, has_id: bool, devices: bool, prompt: bool
) -> None:
    import csv

    names, rows = _variant_rows(has_id, devices, prompt)
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        if header:
            writer.writerow(names)
        writer.writerows(rows)
    assert detect(path).name == "vendor_audit"
    logs = read_logs([path])
    got = logs.access_events.to_pylist()
    assert logs.reports[0].rows_refused == 0
    assert [r["reason"] for r in got] == ["theft 1", "theft 2"]
    assert [r["time"] for r in got] == [
        datetime(2024, 1, 2, 13, 15, tzinfo=UTC),
        datetime(2024, 2, 2, 14, 15, tzinfo=UTC),
    ]
    assert got[0]["event_id"] == ("9f1c2d3e-0000-4000-8000-000000000001" if has_id else None)
    assert got[0]["devices_searched"] == (40 if devices else None)
    assert got[0]["text_prompt"] == ("blue van" if prompt else None)
    assert got[0]["networks_searched"] == 2
    assert got[0]["time_frame_end"] == datetime(2024, 1, 25, 13, 27, 3, tzinfo=UTC)
    assert got[0]["redacted"] == ["case_number"]  # the plate is dropped, not carried
    assert (got[0]["org_state"], got[0]["row"]) == ("TX", 2 if header else 1)
