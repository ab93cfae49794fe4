"""The engine: scoring, context, the overlap rule, the catalogue as data, the dispatch rewrite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.protect import Engine, RecogniserError, default_catalogue, find, load_catalogue
from sanctuary.protect._dispatch import expand, split_top
from sanctuary.protect.catalogue import parse_catalogue
from sanctuary.protect.engine import _compile_phrases


def test_every_match_explains_itself_without_its_value() -> None:
    text = "Passport G15997557; subject is undocumented."
    passport, status = find(text)
    assert passport.explain() == {
        "start": 9,
        "end": 18,
        "category": "national_ids",
        "label": "PASSPORT",
        "recogniser": "passport",
        "pattern": "letter_8_digits",
        "context": "passport",
        "score": 0.85,
        "merged": [],
    }
    assert "G15997557" not in str(passport.explain())
    assert status.category == "immigration_status" and status.context is None


def test_default_threshold_is_documented_and_applied() -> None:
    assert default_catalogue().threshold == 0.5
    # A bare 9-digit number scores 0.2: found only with a threshold below that.
    assert find("ref 532456781") == []
    assert [m.recogniser for m in find("ref 532456781", threshold=0.1)][:1] != []


def test_nearest_label_wins() -> None:
    assert find("passport 567123456") != []
    assert find("passport: none; booking 567123456") == []
    assert find("passport on file, booking 567123456") == []


def test_context_does_not_cross_a_sentence() -> None:
    assert find("SSN unknown. Serial 532456781 logged.") == []
    assert find("SSN unknown. Then 532456781 logged.") == []


def test_overlaps_merge_into_one_span_labelled_by_the_best_claim() -> None:
    # A12345678 is claimed by a_number (0.85) and passport (0.5 + context 0.35 = 0.85): same
    # score and length, so catalogue order decides.
    (m,) = find("passport A12345678")
    assert (m.recogniser, m.merged) == ("a_number", ("passport",))
    # An ITIN-shaped SSN-shaped number: only the ITIN validator passes.
    (m,) = find("912-78-1234")
    assert m.recogniser == "itin" and m.merged == ()


def test_overlap_union_covers_every_claim() -> None:
    text = "card FIN 8814180775 noted"
    (m,) = find(text)
    assert text[m.start : m.end] == "FIN 8814180775"
    assert set(m.merged) | {m.recogniser} == {"dhs_fin", "immigration_card"}


def test_categories_filter() -> None:
    text = "A123456789, undocumented, born in Oaxaca"
    assert {m.category for m in find(text, {"place_of_birth"})} == {"place_of_birth"}


def test_catalogue_errors_name_the_place(tmp_path: Path) -> None:
    good = (Path(__file__).parents[2] / "src/sanctuary/protect/recognisers.yaml").read_text()
    cases = {
        "validators: [not_repeated]}": ("validators: [no_such_check]}", "unknown validator"),
        "category: national_ids": ("category: nationalids", "unknown data category"),
        "digits7: '\\d{7}'": ("digits7: '(\\d{7}'", "bad regular expression"),
    }
    for old, (new, message) in cases.items():
        bad = tmp_path / "bad.yaml"
        bad.write_text(good.replace(old, new, 1))
        with pytest.raises(RecogniserError, match=message) as err:
            load_catalogue(bad)
        assert err.value.location and err.value.location.startswith(str(bad))
    with pytest.raises(RecogniserError, match="not valid YAML"):
        parse_catalogue("version: [1", origin="x.yaml")


def test_a_catalogue_is_data_and_compiles_without_a_model() -> None:
    text = """
version: 1
threshold: 0.5
context_window: 30
context_boost: 0.35
shapes: {six: '\\d{6}'}
recognisers:
  - {name: badge, label: BADGE, category: other, description: d, source: s,
     context: [badge], patterns: [{name: six, shape: six, score: 0.3}]}
"""
    engine = Engine(parse_catalogue(text, origin="inline"))
    assert [m.label for m in engine.find("badge 123456")] == ["BADGE"]
    assert engine.find("order 123456") == []


def test_split_top_respects_groups_classes_and_escapes() -> None:
    assert split_top(r"a(b|c)|[|]d|e\|f") == ["a(b|c)", "[|]d", r"e\|f"]
    assert expand(r"(?i:ab|cd)x|Ef") == [("aA", "(?i:b)x"), ("cC", "(?i:d)x"), ("E", "f")]
    assert expand(r"(?:x)?y") == [(None, "(?:x)?y")]


PHRASES = [c.regex for r in default_catalogue().recognisers for c in r.patterns if c.regex]
WORDS = [
    "ICE",
    "hold",
    "ice",
    "undocumented",
    "born",
    "in",
    "Oaxaca",
    "asylum",
    "seeker",
    "TPS",
    "holder",
    "Mexican",
    "national",
    "matrícula",
    "FIN",
    "1234567",
    "sin",
    "papeles",
    "citizen",
    "of",
    "Haiti",
    "police",
    "green",
    "card",
    ",",
    ".",
    "I-247A",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12))
def test_dispatch_matches_exactly_what_the_plain_alternation_matches(words: list[str]) -> None:
    text = " ".join(words)
    fast, _ = _compile_phrases(PHRASES)
    plain_alts = "|".join(re.sub(r"\(\?P<value>", "(?:", p) for p in PHRASES)
    plain = re.compile(r"(?<!\w)(?:" + plain_alts + r")(?!\w)")
    assert {m.start() for m in fast.finditer(text)} == {m.start() for m in plain.finditer(text)}


def test_unknown_keys_and_categories_are_refused(tmp_path: Path) -> None:
    good = (Path(__file__).parents[2] / "src/sanctuary/protect/recognisers.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.replace("vetoed_by_stop_label: true", "vetoed_by_stoplabel: true", 1))
    with pytest.raises(RecogniserError, match="unknown key") as err:
        load_catalogue(bad)
    assert err.value.help == "did you mean `vetoed_by_stop_label`?"
    from sanctuary.protect import RedactionError, redact_text

    with pytest.raises(RedactionError, match="unknown data category") as cat:
        redact_text("undocumented", categories={"immigration_stat"})
    assert cat.value.help == "did you mean `immigration_status`?"
