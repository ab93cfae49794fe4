"""A second probe, written and run once after all tuning and never tuned on: 23 of 25 found,
5 of 5 negatives clean. The two misses stay here as strict expected failures (known gaps)."""

from __future__ import annotations

import pytest

from sanctuary.protect import find

GAP = pytest.mark.xfail(strict=True, reason="known gap found by the held-out probe")

PHRASINGS = [
    ("Per the jail log, an immigration detainer was lodged on 3/2.", "immigration detainer"),
    pytest.param(
        "Subject admitted he entered the U.S. without inspection in 2012.",
        "entered the U.S. without inspection",
        marks=GAP,
    ),
    ("Her work permit expired last year.", "work permit"),
    pytest.param("He stated he is from El Salvador and has TPS status.", "TPS status", marks=GAP),
    ("Listed nationality: MEXICO", "MEXICO"),
    ("A#: 208 331 947", "208 331 947"),
    ("Alien #208331947", "208331947"),
    ("The I-551 card number is LIN0912345678.", "LIN0912345678"),
    ("Receipt # WAC2290071234 (I-765).", "WAC2290071234"),
    ("passport no: 483920175 (USA)", "483920175"),
    ("Pasaporte: G48392017", "G48392017"),
    ("SEVIS #N0029384756", "N0029384756"),
    ("She said she has no legal status in this country.", "no legal status"),
    ("The victim is undocumented and fears reporting.", "undocumented"),
    ("ICE agents were waiting outside the courthouse.", "ICE agents"),
    ("He is a DACA recipient.", "DACA recipient"),
    ("Born in Oaxaca, Mexico, in 1988.", "Oaxaca, Mexico"),
    ("Place of Birth: Guatemala City", "Guatemala City"),
    ("He claims Honduran citizenship.", "Honduran citizenship"),
    ("ella tiene miedo de ser deportada", "deportada"),
    ("Mi esposo es indocumentado.", "indocumentado"),
    ("Consular ID: 0937465", "0937465"),
    ("SSN 287-65-4390 verified.", "287-65-4390"),
    ("ITIN 931-88-2745 on the W-7.", "931-88-2745"),
    ("Visa foil no. 40293847", "40293847"),
    # negatives
    ("Ice cream truck parked on Elm. Call 555-201-9384.", None),
    ("Case 24-001928, booking 240019283, report 2024-00192.", None),
    ("The officer's badge is 4821 and unit 12.", None),
    ("Deputies cleared ice from the steps of the Alien Registration office.", None),
    ("She paid the Visa bill, account 4821093847.", None),
]


@pytest.mark.parametrize(("text", "sensitive"), PHRASINGS)
def test_heldout_phrasing(text: str, sensitive: str | None) -> None:
    matches = find(text)
    if sensitive is None:
        assert matches == []
        return
    start = text.index(sensitive)
    covered = {i for m in matches for i in range(m.start, m.end)}
    missing = [i for i in range(start, start + len(sensitive)) if i not in covered]
    assert all(text[i].isspace() for i in missing), text
