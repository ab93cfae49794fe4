"""Times to UTC, org names to kind/state, reason normalisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctuary.audit.formats._events import normalise_reason, offense_category
from sanctuary.audit.formats.hotlist_events import parse_details
from sanctuary.audit.formats.reason_workbook import relation_from_request
from sanctuary.audit.formats.vendor_audit import headerless_layout
from sanctuary.audit.orgs import org_info, slug_to_name
from sanctuary.audit.times import TimeParseError, find_vendor_times, parse_time


@pytest.mark.parametrize(
    ("text", "expected", "assumed"),
    [
        ("01/25/2024, 01:27:03 PM UTC", datetime(2024, 1, 25, 13, 27, 3, tzinfo=UTC), None),
        ("1/3/2025, 08:54:25 PM UTC", datetime(2025, 1, 3, 20, 54, 25, tzinfo=UTC), None),
        ("12/06/2025, 12:09:53 AM UTC", datetime(2025, 12, 6, 0, 9, 53, tzinfo=UTC), None),
        ("2026-03-20T00:06:23.972Z", datetime(2026, 3, 20, 0, 6, 23, 972000, tzinfo=UTC), None),
        ("2025-06-18 00:02:04.789", datetime(2025, 6, 18, 0, 2, 4, 789000, tzinfo=UTC), "UTC"),
    ],
)
def test_time_forms(text: str, expected: datetime, assumed: str | None) -> None:
    assert parse_time(text, "UTC") == (expected, assumed)


def test_naive_time_gets_the_default_zone_with_daylight_saving() -> None:
    winter, _ = parse_time(datetime(2024, 1, 10, 12, 0), "America/Los_Angeles")
    summer, zone = parse_time(datetime(2024, 7, 10, 12, 0), "America/Los_Angeles")
    assert winter.hour == 20 and summer.hour == 19
    assert zone == "America/Los_Angeles"


@pytest.mark.parametrize(
    "bad", ["", "yesterday", "13/45/2024, 01:00:00 PM UTC", "01/01/2024, 13:00:00 PM UTC", None]
)
def test_bad_times_raise(bad: object) -> None:
    with pytest.raises(TimeParseError):
        parse_time(bad, "UTC")


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)))
def test_vendor_form_round_trips(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    text = moment.strftime("%m/%d/%Y, %I:%M:%S %p UTC")
    assert parse_time(text, "America/New_York") == (moment.replace(tzinfo=UTC), None)


def test_two_line_time_frame() -> None:
    found = find_vendor_times("01/01/2024, 12:00:00 AM UTC\n01/25/2024, 01:27:03 PM UTC", "UTC")
    assert [t for t, _ in found] == [
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 25, 13, 27, 3, tzinfo=UTC),
    ]
    assert found[1][0] - found[0][0] == timedelta(days=24, hours=13, minutes=27, seconds=3)


@pytest.mark.parametrize(
    ("name", "kind", "state"),
    [
        ("Houston TX PD", "local_law_enforcement", "TX"),
        ("Okaloosa County FL SO", "local_law_enforcement", "FL"),
        ("[Federal] US Border Patrol [Inactive]", "federal_immigration", None),
        ("[Federal] FBI - Miami", "federal_other", None),
        ("[Federal] Some New Office", "federal_other", None),
        ("[Federal] HSI Tampa FL", "federal_immigration", "FL"),
        ("Eugene OR PD", "local_law_enforcement", "OR"),
        ("ALAMEDA COUNTY SHERIFFS OFFICE (CA)", "local_law_enforcement", "CA"),
        ("LOS ANGELES COUNTY CA SD", "local_law_enforcement", "CA"),
        ("Sioux Falls SD PD", "local_law_enforcement", "SD"),
        ("DEPARTMENT OF JUSTICE IN WASHINGTON", "unknown", None),  # IN is not Indiana here
        ("ALABAMA LAW ENFORCEMENT AGENCY", "unknown", None),
    ],
)
def test_org_kind_and_state(name: str, kind: str, state: str | None) -> None:
    info = org_info(name)
    assert (info.kind, info.state) == (kind, state)


def test_org_tags_are_kept() -> None:
    assert org_info("[Federal] US Border Patrol [Inactive]").tags == ("federal", "inactive")


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("alameda-ca-pd", "Alameda CA PD"),
        ("contra-costa-county-ca-so", "Contra Costa County CA SO"),
        ("newport-beach-pd-ca", "Newport Beach PD CA"),
    ],
)
def test_portal_slugs(slug: str, name: str) -> None:
    assert slug_to_name(slug) == name


@pytest.mark.parametrize(
    ("reason", "normalised"),
    [
        ("Person+Crime", "Person Crime"),
        ("investigative+", "investigative"),
        ("ICE+ERO", "ICE ERO"),
        ("ICE%2FERO", "ICE/ERO"),
        ("2+ suspects", "2+ suspects"),  # has a space: not URL residue
        ("  stolen\n vehicle ", "stolen vehicle"),
        ("   ", None),
        (None, None),
    ],
)
def test_reason_normalisation(reason: str | None, normalised: str | None) -> None:
    assert normalise_reason(reason) == normalised


@given(st.text(max_size=40))
def test_reason_normalisation_is_idempotent_on_spaced_text(text: str) -> None:
    once = normalise_reason(text + " x")
    assert normalise_reason(once) == once


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("Immigration (civil/administrative) - ", "Immigration (civil/administrative)"),
        ("Immigration (criminal) -", "Immigration (criminal)"),
        ("Robbery - 211 suspect", "Robbery"),
        ("Welfare Check", "Welfare Check"),
        ("investigation - robbery", None),
        ("Wanted Person (Arrest Warrant/Fugitive", None),  # cut by the PDF: not a category
    ],
)
def test_offense_category_from_dropdown_reason(reason: str, category: str | None) -> None:
    assert offense_category(reason) == category


def test_details_lines_parse_in_order_with_continuations() -> None:
    pairs = parse_details("Hotlist Name: 488 TEAM\nLicense:\nState: california\nReason: a\nb\n")
    assert pairs == [
        ("Hotlist Name", "488 TEAM"),
        ("License", ""),
        ("State", "california"),
        ("Reason", "a\nb"),
    ]


@pytest.mark.parametrize(
    ("text", "relation"),
    [
        ("The names of agencies with which the Agency shares ALPR data;", "shares_data_with"),
        ("The names of agencies from which the Agency receives ALPR data;", "receives_data_from"),
        ("agencies with which the Agency shares “hot list” information;", "shares_hotlist_with"),
        ("agencies from which the Agency receives “hot list” info", "receives_hotlist_from"),
        ("Records of users", "listed_partner"),
    ],
)
def test_partner_relation_from_request_wording(text: str, relation: str) -> None:
    assert relation_from_request(text) == relation


def test_headerless_layout_needs_vendor_times_in_place() -> None:
    tf = "01/01/2024, 12:00:00 AM UTC\n01/02/2024, 12:00:00 AM UTC"
    row = ["n", "Org", "1", tf, "", "r", "", "", "01/02/2024, 10:00:00 AM UTC", "search"]
    layout = headerless_layout(row)
    assert (
        layout is not None
        and layout[8] == "time"
        and 0 not in {i for i, k in layout.items() if k == "event_id"}
    )
    assert headerless_layout(["n", "Org", "1", "not a frame", "", "r", "", "", "x", "s"]) is None
