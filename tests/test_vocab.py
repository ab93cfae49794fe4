import typing

import pytest

from sanctuary import model
from sanctuary.vocab import normalise_name, resolve_agency, vocabulary


@pytest.mark.parametrize(
    ("literal", "term"),
    [
        (model.ResponderKind, "responder_kinds"),
        (model.Action, "actions"),
        (model.DataCategory, "data_categories"),
        (model.LegalProcessType, "legal_process_types"),
        (model.PurposeCategory, "purpose_categories"),
        (model.ConvictionClass, "conviction_classes"),
        (model.DecisionValue, "decisions"),
        (model.ObligationType, "obligation_types"),
    ],
)
def test_model_literals_match_vocabulary_data(literal: object, term: str) -> None:
    assert set(typing.get_args(literal)) == set(getattr(vocabulary(), term))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Homeland Security Investigations", "ICE-HSI"),
        ("HSI", "ICE-HSI"),
        ("I.C.E.", "ICE"),
        ("ICE ERO", "ICE-ERO"),
        ("ICE+ERO", "ICE-ERO"),
        ("Enforcement and Removal Operations", "ICE-ERO"),
        ("ERO Los Angeles Field Office", "ICE-ERO"),
        ("U.S. Border Patrol", "USBP"),
        ("CBP OFO", "CBP"),
        ("FBI", "FBI"),
        ("Office of Justice Programs", "UNKNOWN"),
        ("Niceville Police Department", "LOCAL-LE"),
        ("", "UNKNOWN"),
    ],
)
def test_free_text_agency_names_resolve_to_codes(text: str, code: str) -> None:
    assert resolve_agency(text).code == code


def test_normalisation_folds_dots_case_and_spacing() -> None:
    assert normalise_name("  I.C.E. / e.r.o. ") == "ice ero"


def test_every_form_maps_to_a_known_legal_process_type() -> None:
    vocab = vocabulary()
    assert set(vocab.forms.values()) <= vocab.legal_process_types


def test_conviction_table_uses_known_classes() -> None:
    vocab = vocabulary()
    for classes in vocab.convictions.values():
        assert set(classes) <= vocab.conviction_classes
