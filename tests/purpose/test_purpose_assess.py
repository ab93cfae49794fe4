"""The purpose assessor: named cases, robustness variants, false friends, evidence spans."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sanctuary.purpose as purpose
from sanctuary.purpose import CATEGORIES, Assessment, Signal, assess, more_protective
from sanctuary.vocab import vocabulary

CIVIL = "civil_immigration_enforcement"
CRIMINAL_IMM = "criminal_immigration_enforcement"
CRIME = "criminal_investigation"


def test_public_api_is_pinned() -> None:
    assert set(purpose.__all__) == {
        "CATEGORIES",
        "PROTECTIVE_ORDER",
        "Assessment",
        "Signal",
        "assess",
        "more_protective",
        "sql_category",
        "sql_normalise",
        "sql_patterns",
    }


def test_categories_are_the_vocabulary_purpose_categories() -> None:
    assert vocabulary().purpose_categories == CATEGORIES


@pytest.mark.parametrize(
    ("text", "category", "signal"),
    [
        ("ICE+ERO", CIVIL, "agency_term"),
        ("ICE WARRANT", CIVIL, "agency_term"),
        ("Assist HSI", CIVIL, "agency_term"),
        ("CBP Assist", CIVIL, "agency_term"),
        ("sig 21 CBP", CIVIL, "agency_term"),
        ("I.C.E.", CIVIL, "agency_term"),
        ("I C E", CIVIL, "agency_term"),
        ("ice/ero", CIVIL, "agency_term"),
        ("1CE", CIVIL, "agency_term"),
        ("lCE", CIVIL, "agency_term"),
        ("imigration", CIVIL, "immigration_term"),
        ("immigation", CIVIL, "immigration_term"),
        ("deportaion", CIVIL, "immigration_term"),
        ("Imm status check", CIVIL, "immigration_term"),
        ("inmigración", CIVIL, "spanish_term"),
        ("la migra", CIVIL, "spanish_term"),
        ("sin papeles", CIVIL, "spanish_term"),
        ("I-247A", CIVIL, "form_number"),
        ("I247", CIVIL, "form_number"),
        ("I-205 warrant of removal", CIVIL, "form_number"),
        ("8 USC 1326", CRIMINAL_IMM, "statute"),
        ("8 U.S.C. § 1325(a)", CRIMINAL_IMM, "statute"),
        ("Immigration (criminal) -", CRIMINAL_IMM, "statute"),
        ("Immigration (civil/administrative) -", CIVIL, "immigration_term"),
        ("ICE detainer 1326", CIVIL, "immigration_term"),  # mixed: the civil side wins
        ("alien smuggling", CRIMINAL_IMM, "statute"),
        ("Anaheim PD ICE Impersonation series", CRIME, "false_friend"),
        ("HSI child exploitation", CRIME, "agency_term"),
        ("HSI narcotics task force", "task_force", "agency_term"),
        ("not immigration related - stolen vehicle", CRIME, "negation"),
        ("hotplate removal", "other", "false_friend"),
        ("ice cream truck robbery", CRIME, "false_friend"),
        ("I-205 NB collision", CRIME, "false_friend"),
        ("***", "unknown", "redacted"),
        ("——", "unknown", "redacted"),
        ("", "unknown", "empty"),
        ("   ", "unknown", "empty"),
        ("Daytime search for best result", "unknown", "ui_filter"),
        ("N/A", "unknown", "placeholder"),
        ("U visa certification", "victim_services", "victim_term"),
        ("Missing/Endangered Person/Runaway", "public_safety_emergency", "emergency_term"),
        ("CPRA request", "records_request", "records_term"),
        ("City Planning/Traffic Analysis", "statistical", "statistical_term"),
        ("Person+Crime", CRIME, "criminal_term"),
    ],
)
def test_named_cases(text: str, category: str, signal: str) -> None:
    result = assess(text)
    assert (result.category, signal in {s.signal for s in result.evidence}) == (category, True)


@pytest.mark.parametrize(
    "text",
    [
        "police",
        "service",
        "justice",
        "Accomplice",
        "vice",
        "Niceville",
        "Office",
        "device",
        "price",
        "notice",
        "HSIN",
        "HSIN bulletin",
        "ice cream",
        "icy roads",
        "black ice",
        "Ice Cube",
        "dice",
        "Rice",
        "Pierce",
        "hero",
        "zero",
        "Nero",
        "Cerritos",
        "debris removal",
        "vehicle removal tow",
        "Border street burglary",
        "Borderline Bar",
        "1325",
        "1324 S. Main",
        "CBPD 23-01058",
        "I24111364",
        "selling ice",
        "ICE contact number",
        "DHS child welfare check",
        "fake ICE agent robbery",
        "suspect posing as ICE",
        "visa card fraud",
        "human trafficking",
        "illegal entry into residence",
        "reentry program",
        "Alienware laptop stolen",
    ],
)
def test_false_friends_are_not_immigration(text: str) -> None:
    assert assess(text).category not in {CIVIL, CRIMINAL_IMM}


def test_evidence_spans_point_into_the_original_text() -> None:
    text = "Stolen veh / I.C.E. + ERO  req — inmigración"
    result = assess(text)
    assert result.category == CIVIL
    assert [(s.text, s.signal) for s in result.evidence if s.signal != "criminal_term"] == [
        ("I.C.E", "agency_term"),
        ("ERO", "agency_term"),
        ("inmigración", "spanish_term"),
    ]
    assert all(text[s.start : s.end] == s.text for s in result.evidence)


def test_spec_example_ice_ero() -> None:
    assert assess("ICE+ERO") == Assessment(
        CIVIL,
        0.99,
        (Signal("ICE", 0, 3, "agency_term"), Signal("ERO", 4, 7, "agency_term")),
    )


def test_statute_is_one_signal() -> None:
    assert [s.text for s in assess("8 U.S.C. 1326").evidence] == ["8 U.S.C. 1326"]


def test_url_encoding_residue_is_a_separator() -> None:
    assert assess("ICE%20ERO").category == CIVIL
    assert assess("Person%20Crime").category == CRIME


def test_assess_is_cached() -> None:
    text = "cache probe ICE"
    first = assess(text)
    assert assess(text) is first


@given(st.text(max_size=80))
def test_any_text_gets_a_valid_assessment(text: str) -> None:
    result = assess(text)
    assert result.category in CATEGORIES
    assert 0.0 <= result.score <= 1.0
    for s in result.evidence:
        assert 0 <= s.start <= s.end <= len(text)
        assert text[s.start : s.end] == s.text


@given(
    st.sampled_from(["ICE", "ERO", "HSI", "CBP", "immigration"]),
    st.text(alphabet="abc ", max_size=6),
)
def test_case_and_surrounding_space_do_not_matter(word: str, pad: str) -> None:
    for variant in (word.lower(), word.upper(), f" {word} ", f"({word})", f"{pad} {word}"):
        assert assess(variant).category == CIVIL


def test_more_protective_follows_the_documented_order() -> None:
    assert more_protective("criminal_investigation", CIVIL) == CIVIL
    assert more_protective(CRIMINAL_IMM, CIVIL) == CIVIL
    assert more_protective("unknown", CRIME) == "unknown"
    assert (
        more_protective("victim_services", "public_safety_emergency") == "public_safety_emergency"
    )
    assert more_protective("records_request", "records_request") == "records_request"


@given(st.sampled_from(sorted(CATEGORIES)), st.sampled_from(sorted(CATEGORIES)))
def test_more_protective_is_symmetric_and_picks_one_of_its_arguments(a: str, b: str) -> None:
    assert more_protective(a, b) == more_protective(b, a) in {a, b}


def test_more_protective_refuses_unknown_categories() -> None:
    from sanctuary.errors import VocabularyError

    with pytest.raises(VocabularyError, match="civil_immigration_enforcment") as err:
        more_protective("civil_immigration_enforcment", CRIME)
    assert err.value.help == "did you mean `civil_immigration_enforcement`?"
