"""The format plug point: registry, detection, refusal of unknown shapes, selection by name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

import sanctuary.audit as audit
import sanctuary.audit.formats as formats
from sanctuary.audit import read_logs
from sanctuary.audit.formats import (
    FormatAdapter,
    Head,
    ReadOptions,
    adapters,
    detect,
    get,
    register,
)
from sanctuary.audit.formats._events import FileContext
from sanctuary.errors import InputError, LogFileError, UnknownFormatError

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "audit"
BUILT_INS = [
    "extracted_audit",
    "hotlist_events",
    "pdf_text",
    "portal_export",
    "portal_json",
    "reason_workbook",
    "sharing_list",
    "vendor_audit",
]


def test_public_api_is_pinned() -> None:
    assert sorted(audit.__all__) == sorted(
        [
            "ACCESS_EVENTS",
            "CONFIG_EVENTS",
            "REFUSED",
            "SHARING_PARTNERS",
            "FileReport",
            "FormatAdapter",
            "LogSet",
            "ReadOptions",
            "adapters",
            "detect",
            "get_format",
            "iter_batches",
            "read_logs",
            "register",
        ]
    )
    assert sorted(formats.__all__) == sorted(
        [
            "THRESHOLD",
            "FormatAdapter",
            "Head",
            "ReadOptions",
            "adapters",
            "detect",
            "get",
            "read_head",
            "register",
        ]
    )


def test_built_ins_are_registered_with_descriptions() -> None:
    names = {a.name for a in adapters()}
    assert set(BUILT_INS) <= names
    assert all(a.description for a in adapters())


def test_unknown_shape_is_refused_naming_every_expected_format() -> None:
    with pytest.raises(UnknownFormatError) as err:
        read_logs([FIX / "unknown_shape.csv"])
    e = err.value
    assert isinstance(e, InputError)
    assert e.code == "unknown_log_format"
    assert e.exit_code == 2
    assert "unknown_shape.csv" in e.message
    for adapter in adapters():
        assert adapter.description in (e.help or "")
    assert "\n" not in e.one_line()


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "capture.bin"
    path.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(UnknownFormatError):
        detect(path)


def test_xlsx_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("id,searchDate,cameraCount\n")
    with pytest.raises(UnknownFormatError):
        detect(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(LogFileError):
        read_logs([tmp_path / "nope.csv"])


def test_format_selected_by_name_skips_detection() -> None:
    logs = read_logs([FIX / "vendor_headerless.csv"], format="vendor_audit")
    assert logs.reports[0].format == "vendor_audit"
    assert logs.access_events.num_rows == 3


def test_format_name_that_does_not_exist_is_refused_with_a_hint() -> None:
    with pytest.raises(UnknownFormatError) as err:
        get("vendor_audits")
    assert err.value.help == "did you mean `vendor_audit`?"


def test_wrong_format_by_name_refuses_rows_instead_of_guessing() -> None:
    # A vendor export forced through the portal adapter finds no portal header: nothing is read,
    # and the report says so rather than inventing events.
    logs = read_logs([FIX / "vendor_network_audit.csv"], format="portal_export")
    assert logs.access_events.num_rows == 0
    assert logs.reports[0].skipped_sheets == [""]


class _PipeLog(FormatAdapter):
    """A third-party adapter: `when|who|why` lines."""

    name = "test_pipe_log"
    description = "test pipe log: `when|who|why` lines in a `.pipelog` file"

    def sniff(self, path: Path, head: Head) -> float:
        return 0.99 if path.suffix == ".pipelog" else 0.0

    def read(self, path: Path, options: ReadOptions) -> Iterator[pa.RecordBatch]:
        ctx = FileContext(path, self.name, options, "America/Chicago")
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            when, who, why = line.split("|")
            yield from ctx.access(None, number, {"time": when, "user": who, "reason": why}, [])
        yield from ctx.finish()


_PIPE = _PipeLog()


def test_a_third_party_adapter_registers_and_is_detected(tmp_path: Path) -> None:
    if _PIPE.name not in {a.name for a in adapters()}:
        register(_PIPE)
    path = tmp_path / "x.pipelog"
    path.write_text("2025-01-15 08:00:00|u1|theft\n")
    logs = read_logs([path], org="Chicago IL PD")
    assert logs.reports[0].format == "test_pipe_log"
    (row,) = logs.access_events.to_pylist()
    assert row["time"].isoformat() == "2025-01-15T14:00:00+00:00"  # CST, UTC-6
    assert row["zone_assumed"] == "America/Chicago"
    assert (row["org"], row["org_state"], row["org_source"]) == ("Chicago IL PD", "IL", "option")


def test_a_name_cannot_be_registered_twice_by_another_adapter() -> None:
    class Clash(_PipeLog):
        name = "vendor_audit"

    with pytest.raises(ValueError, match="already registered"):
        register(Clash())


def test_default_zone_option_overrides_the_adapters(alpr_dir: Path) -> None:
    path = alpr_dir / "eyes-off__eugene-oregon/FlockAuditLogs/EPDSearchAuditLogs.csv"
    logs = read_logs([path], default_zone="America/Los_Angeles")
    first = logs.access_events.slice(0, 1).to_pylist()[0]
    assert first["zone_assumed"] == "America/Los_Angeles"
    assert first["time"].isoformat() == "2025-06-18T07:02:04.789000+00:00"  # PDT, UTC-7


def test_summary_counts_files_rows_and_refusals() -> None:
    logs = read_logs([FIX / "vendor_network_audit.csv", FIX / "vendor_org_audit_noid.csv"])
    summary = logs.summary()
    assert summary["rows_read"] == 6
    assert summary["rows_refused"] == 1
    assert summary["duplicates"] == 1
    assert [f["format"] for f in summary["files"]] == ["vendor_audit", "vendor_audit"]
    assert "Officer" not in repr(logs)


def test_read_streams_bounded_batches_tagged_with_their_table(alpr_dir: Path) -> None:
    from sanctuary.audit.formats import get as get_adapter
    from sanctuary.audit.tables import table_of

    path = alpr_dir / "eyes-off__eugene-oregon/FlockAuditLogs/EPDSearchAuditLogs.csv"
    sizes = [
        (table_of(b), b.num_rows)
        for b in get_adapter("portal_export").read(path, ReadOptions(batch_size=500))
    ]
    assert all(n <= 500 for _, n in sizes)
    assert {t for t, _ in sizes} == {"access_events"}
    assert sum(n for _, n in sizes) == 4294


def test_read_without_options_uses_the_defaults() -> None:
    batches = list(get("vendor_audit").read(FIX / "vendor_headerless.csv"))
    assert sum(b.num_rows for b in batches) == 3


def test_windows_1252_csv_is_read(tmp_path: Path) -> None:
    text = (FIX / "vendor_org_audit_noid.csv").read_text("utf-8").replace("Person+Crime", "Café")
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("cp1252"))
    rows = read_logs([path]).access_events.to_pylist()
    assert rows[0]["reason"] == "Café"


def test_unreadable_time_frame_keeps_the_search_with_no_frame(tmp_path: Path) -> None:
    text = (FIX / "vendor_org_audit_noid.csv").read_text("utf-8")
    path = tmp_path / "export.csv"
    path.write_text(text.replace("01/01/2024, 12:00:00 AM UTC\n", "", 1))
    logs = read_logs([path])
    assert logs.access_events.num_rows == 2
    first = logs.access_events.to_pylist()[0]
    assert first["time_frame_start"] is None and first["time_frame_end"] is None
    assert first["time"] is not None


def test_hotlist_event_log_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "hotlist.csv"
    path.write_text(
        "Timestamp,User,Event Type,Entity Type,Entity Details\n"
        '2025-07-20 14:38:08.934,"Doe, J",create,Custom Hotlist Entry,'
        '"Hotlist Name: TEST\nReason: ICE detainer\nCase: 25-1\nExpiry: 2025-08-19T21:38:08Z\n"\n'
        ",,,,\n"
    )
    logs = read_logs([path], org="Test CA PD")
    (row,) = logs.config_events.to_pylist()
    assert (row["entity_name"], row["reason"], row["case_number"]) == (
        "TEST",
        "ICE detainer",
        "25-1",
    )
    assert row["time"].isoformat() == "2025-07-20T21:38:08.934000+00:00"  # PDT
    assert logs.reports[0].blank_rows == 1
