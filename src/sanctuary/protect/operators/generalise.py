"""`generalise`: keep a coarser value. Dates keep their year; addresses keep their city.

Only dates and addresses can be generalised; any other value becomes its category label (it is
never left as it was), so the operator is safe to apply to every column of a policy.
"""

from __future__ import annotations

import re

from sanctuary.protect.operators.interface import Operator, Target, register

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_STATE_ZIP = re.compile(r"^[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?$")


def year_of(value: str) -> str | None:
    found = _YEAR.search(value)
    return found.group(1) if found else None


def city_of(address: str) -> str | None:
    """'1420 W Olympic Blvd, Los Angeles, CA 90015' -> 'Los Angeles, CA'."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if len(parts) >= 3 and _STATE_ZIP.match(parts[-1]):
        return f"{parts[-2]}, {parts[-1].split()[0]}"
    if len(parts) == 2 and _STATE_ZIP.match(parts[-1]):
        return None  # "street, ST 12345": no city to keep
    if len(parts) >= 3:
        return parts[-2]
    return None


@register
class Generalise(Operator):
    name = "generalise"

    def replace(self, value: str, target: Target) -> str | None:
        kept = None
        if target.kind == "date":
            kept = year_of(value)
        elif target.kind == "address":
            kept = city_of(value)
        return kept if kept is not None else f"[{target.category.upper()}]"
