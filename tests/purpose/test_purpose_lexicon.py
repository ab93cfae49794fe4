"""The lexicon data: every entry explained, rules name real groups and categories."""

from __future__ import annotations

import pytest

from sanctuary.purpose import CATEGORIES
from sanctuary.purpose.lexicon import edit1, leet_forms, lexicon


def test_every_group_says_why_and_has_a_weight_in_range() -> None:
    for group in lexicon().groups.values():
        assert group.why.strip(), group.name
        assert 0.0 <= group.weight <= 1.0, group.name


def test_rules_give_only_vocabulary_categories_and_end_with_a_catch_all() -> None:
    rules = lexicon().rules
    assert {r.category for r in rules} <= CATEGORIES
    assert rules[-1].all == () and rules[-1].none == frozenset()


def test_immigration_rules_come_before_all_others() -> None:
    cats = [r.category for r in lexicon().rules]
    last_immigration = max(i for i, c in enumerate(cats) if "immigration" in c)
    assert all(c == "unknown" for c in cats[:1])
    assert all("immigration" in c for c in cats[1 : last_immigration + 1]), (
        "nothing but immigration between the no-reason rule and the last immigration rule"
    )


def test_edit1_and_leet() -> None:
    assert {"imigration", "immigation", "immigraiton", "immigrations"} <= edit1("immigration")
    assert "emigration" not in edit1("immigration")
    assert leet_forms("ice", {"i": "1l", "e": "3"}) == {"ice", "1ce", "lce", "ic3", "1c3", "lc3"}


@pytest.mark.parametrize(
    "word",
    [
        "police",
        "office",
        "nice",
        "rice",
        "dice",
        "vice",
        "hero",
        "zero",
        "migration",
        "departed",
        "emigration",
        "deported",
    ],
)
def test_common_words_are_not_variants_of_something_else(word: str) -> None:
    assert lexicon().variants.get(word, frozenset({word})) == {word}
