"""Phrasings written after the corpus tuning, as a probe of generalisation.

Before the fixes they prompted, 18 of these 29 were found (62 %); they are now a regression
table, not a held-out measure. (The corpus figures are consistency with the documented formats.)
"""

from __future__ import annotations

import pytest

from sanctuary.protect import find

PHRASINGS = [
    ("ICE placed a detainer on him at intake.", "detainer"),
    ("He has lived here without papers since 2015.", "without papers"),
    ("She is here on an expired tourist visa.", "expired tourist visa"),
    ("Alien Registration #: 274-918-365", "274-918-365"),
    ("his A number is 274918365", "274918365"),
    ("Subject is a Salvadoran national.", "Salvadoran national"),
    ("USCIS case EAC2190012345 is pending.", "EAC2190012345"),
    ("passport #: G12345678", "G12345678"),
    ("She said she crossed the border illegally.", "crossed the border illegally"),
    ("He has TPS.", "TPS"),
    ("Her asylum case is pending.", "asylum"),
    (
        "Immigration and Customs Enforcement requested notification of release.",
        "Immigration and Customs Enforcement",
    ),
    ("The detainee's country of citizenship is Guatemala.", "Guatemala"),
    ("DOB 01/02/1990, POB Mexico.", "Mexico"),
    ("He was born in Tijuana, Baja California.", "Tijuana, Baja California"),
    ("I-94 # 123456789A1", "123456789A1"),
    ("Green card # MSC1234567890", "MSC1234567890"),
    ("Taxpayer ID number 912-70-1234", "912-70-1234"),
    ("Matricula 1234567 presented.", "1234567"),
    ("He is a permanent resident.", "permanent resident"),
    ("She is an undocumented immigrant from Honduras.", "undocumented"),
    ("es indocumentado y tiene miedo de la migra", "indocumentado"),
    ("no tiene papeles", "no tiene papeles"),
    ("Nació en Guatemala.", "Guatemala"),
    ("A-file number A 098 765 432 noted", "A 098 765 432"),
    ("He overstayed a student visa", "overstayed a student visa"),
    ("visa expired in 2019 and he stayed", "visa expired"),
    ("He's in deportation proceedings.", "deportation proceedings"),
    ("CBP encountered him at the port of entry.", None),
    ("ERO requested a detainer (I-247A).", "I-247A"),
]


@pytest.mark.parametrize(("text", "sensitive"), PHRASINGS)
def test_phrasing(text: str, sensitive: str | None) -> None:
    matches = find(text)
    if sensitive is None:
        assert matches == []
        return
    start = text.index(sensitive)
    covered = {i for m in matches for i in range(m.start, m.end)}
    missing = [i for i in range(start, start + len(sensitive)) if i not in covered]
    assert all(text[i].isspace() for i in missing), text
