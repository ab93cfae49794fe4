"""Validators named by recognisers: pure checks on a candidate's text.

A validator answers whether a candidate can be the identifier its recogniser claims; a failing
validator drops the claim (it does not lower a score). They only see the candidate, never context.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Validator = Callable[[str], bool]

# USCIS service-centre prefixes of receipt numbers (reference A1).
USCIS_PREFIXES = frozenset(
    {"EAC", "WAC", "LIN", "SRC", "NBC", "MSC", "IOE", "YSC", "VSC", "CSC", "NSC", "TSC"}
)
_MONTHS_EN = "january february march april may june july august september october november december"
_MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
_MONTHS_ES += "diciembre"
MONTHS = frozenset(_MONTHS_EN.split() + _MONTHS_ES.split())


_NON_DIGIT = re.compile(r"\D")


def digits_of(text: str) -> str:
    return text if text.isdigit() else _NON_DIGIT.sub("", text)


def starts_with_a(text: str) -> bool:
    return text[:1] == "A"


def not_repeated(text: str) -> bool:
    """Reject 000000000, 111111111 and 123456789-style filler."""
    d = digits_of(text)
    return len(set(d)) > 1 and d not in "012345678901234567890"


def uscis_prefix(text: str) -> bool:
    return text[:3] in USCIS_PREFIXES


def not_yyyymmdd(text: str) -> bool:
    """An 8-digit run that reads as a date 1900-2099 is more likely a date than a visa foil."""
    d = digits_of(text)
    if len(d) != 8 or d[:2] not in ("19", "20"):
        return True
    month, day = int(d[4:6]), int(d[6:8])
    return not (1 <= month <= 12 and 1 <= day <= 31)


def _itin_group(group: int) -> bool:
    return 50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99


def itin_groups(text: str) -> bool:
    """9XX-XX-XXXX with the 4th-5th digits in the IRS ranges (ATIN 93 and IRSN excluded)."""
    d = digits_of(text)
    return len(d) == 9 and d[0] == "9" and _itin_group(int(d[3:5]))


def ssn_valid(text: str) -> bool:
    d = digits_of(text)
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return d not in ("078051120", "219099999", "123456789")


def not_month(text: str) -> bool:
    """ "born in January 1980" names a date, not a place."""
    return text.split()[0].strip(",.").lower() not in MONTHS


REGISTRY: dict[str, Validator] = {
    "starts_with_a": starts_with_a,
    "not_repeated": not_repeated,
    "uscis_prefix": uscis_prefix,
    "not_yyyymmdd": not_yyyymmdd,
    "itin_groups": itin_groups,
    "ssn_valid": ssn_valid,
    "not_month": not_month,
}
