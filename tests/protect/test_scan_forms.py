"""Forms and schemas that collect immigration status are flagged, citing the ordinance and SO 40."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sanctuary.inventory import name_collects, question_collects, scan

INTAKE = """<!doctype html><form action="/apply">
<label for="fn">First name</label><input id="fn" name="first_name">
<label for="cit">Are you a U.S. citizen?</label>
<select id="cit" name="q7"><option>Yes</option><option>No</option></select>
<input name="country_of_birth" placeholder="Country">
<input name="alien_number" aria-label="A-Number (if any)">
<p>¿Cuál es su estatus migratorio?</p>
</form>"""
BENIGN = """<form><label>Full name</label><input name="full_name">
<label>Do you need an interpreter?</label><input name="interpreter" type="checkbox">
<label>Home address</label><input name="home_address"><label>Date of birth</label>
<input name="dob" type="date"><p>Citizen complaint form, Inspector General</p></form>"""


def test_an_intake_form_that_asks_status_is_flagged_with_citations(tmp_path: Path) -> None:
    form = tmp_path / "intake.html"
    form.write_text(INTAKE, encoding="utf-8")
    inventory = scan(str(form))
    flags = inventory["collection_flags"]
    by = {(f["collects"], f["basis"]) for f in flags}
    assert ("citizenship", "form question") in by
    assert ("place_of_birth", "field name") in by
    assert ("national_ids", "field name") in by
    assert ("immigration_status", "form question") in by
    assert any("field `country_of_birth`" in f["where"] for f in flags)
    assert all(f["where"].startswith(str(form)) for f in flags)
    cites = {r["citation"] for f in flags for r in f["rules"]}
    assert any("Special Order 40" in c for c in cites) and any("188441" in c for c in cites)
    assert inventory["forms"][0]["fields"] == 4


def test_a_form_without_status_questions_is_not_flagged(tmp_path: Path) -> None:
    form = tmp_path / "complaint.html"
    form.write_text(BENIGN, encoding="utf-8")
    assert scan(str(form))["collection_flags"] == []


def test_a_json_schema_and_a_text_questionnaire(tmp_path: Path) -> None:
    schema = {
        "title": "Rental assistance application",
        "type": "object",
        "properties": {
            "household_size": {"type": "integer"},
            "immigration_status": {"type": "string"},
            "applicant": {
                "type": "object",
                "properties": {"nationality": {"type": "string"}},
                "description": "Is the applicant a US citizen?",
            },
        },
    }
    path = tmp_path / "rental.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    flags = scan(str(path))["collection_flags"]
    assert {f["where"].split("#")[1] for f in flags} == {
        "/properties/immigration_status",
        "/properties/applicant/properties/nationality",
        "/properties/applicant description",
    }
    text = tmp_path / "questions.txt"
    text.write_text("1. Name\n2. Place of birth\n3. Favourite park\n", encoding="utf-8")
    flags = scan(str(text))["collection_flags"]
    assert [f["where"] for f in flags] == [f"{text}:2"]


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("immigration_status", "immigration_status"),
        ("IMM_STATUS", "immigration_status"),
        ("Country of Birth", "place_of_birth"),
        ("subj_a_number", "national_ids"),
        ("is_citizen", "citizenship"),
        ("citizen_complaint_id", None),
        ("birth_date", None),
        ("status", None),
        ("ice_cream_flavour", None),
        ("tps_report_id", None),
    ],
)
def test_column_names_that_collect_status(name: str, category: str | None) -> None:
    assert name_collects(name) == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Are you a U.S. citizen?", "citizenship"),
        ("Is the applicant an American citizen", "citizenship"),
        ("What is your immigration status?", "immigration_status"),
        ("Where were you born?", "place_of_birth"),
        ("Alien Registration Number", "national_ids"),
        ("¿Es usted ciudadano de los Estados Unidos?", "citizenship"),
        ("Citizen complaint form", None),
        ("Date of birth", None),
        ("Are you a registered voter?", None),
        ("Green Street Park permit", None),
    ],
)
def test_form_questions_that_collect_status(text: str, category: str | None) -> None:
    assert question_collects(text) == category
