"""Organisation names in audit logs -> (kind, two-letter state).

Vendor org names follow a loose convention: ``Houston TX PD``, ``Okaloosa County FL SO``,
``[Federal] US Border Patrol [Inactive]``, ``ALAMEDA COUNTY SHERIFFS OFFICE (CA)``. The kind comes
from :func:`sanctuary.vocab.resolve_agency` (so ``US Border Patrol`` is ``federal_immigration``);
a ``[Federal]`` tag that resolves to nothing more specific is ``federal_other``. The state is the
two-letter postal code written in the name; an all-capitals name only yields one when the code is
in parentheses, precedes an agency-type word or ends the name (so ``... IN ...`` is not Indiana).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sanctuary.vocab import resolve_agency

__all__ = ["OrgInfo", "org_info", "slug_to_name"]

STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
# Words that follow the state in vendor names (`Houston TX PD`, `Kings County CA DAs Office`).
_SUFFIXES = frozenset(
    [
        "PD",
        "SO",
        "DA",
        "DAS",
        "DAO",
        "DPS",
        "SD",
        "HP",
        "SP",
        "CHP",
        "PARKS",
        "SCHOOLS",
        "ISD",
        "UNIVERSITY",
        "COLLEGE",
        "COUNTY",
        "CITY",
    ]
)
_TAG = re.compile(r"\[([^\]]*)\]")
_PAREN_STATE = re.compile(r"\(([A-Za-z]{2})\)")
_TOKEN = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True, slots=True)
class OrgInfo:
    name: str
    kind: str
    state: str | None
    tags: tuple[str, ...]


def _state(name: str) -> str | None:
    for code in reversed(_PAREN_STATE.findall(name)):
        if code.upper() in STATES:
            return code.upper()
    tokens = _TOKEN.findall(name)
    all_caps = name.upper() == name
    # Best evidence first: a code before an agency word (`CA SD`, `TX PD`) beats a code in a
    # mixed-case name, which beats a code that merely ends an all-capitals name.
    best: tuple[int, int, str] | None = None
    for i, tok in enumerate(tokens):
        if tok not in STATES or i == 0:
            continue
        nxt = tokens[i + 1].upper() if i + 1 < len(tokens) else None
        if nxt in _SUFFIXES:
            rank = 2
        elif not all_caps:
            rank = 1
        elif nxt is None:
            rank = 0
        else:
            continue
        if best is None or (rank, i) >= best[:2]:
            best = (rank, i, tok)
    return best[2] if best else None


# Local agency words the shared vocabulary's aliases miss in capitalised releases
# (`SHERIFFS OFFICE` without the apostrophe, `DISTRICT ATTORNEY`): used only when it found nothing.
_LOCAL_WORDS = re.compile(
    r"\b(sheriffs?|sd|police|district attorneys?|da|das|dao|marshals? office|public safety|"
    r"constables?|probation)\b",
    re.IGNORECASE,
)


def _kind(bare: str) -> str:
    kind = resolve_agency(bare).kind if bare else "unknown"
    if kind == "unknown" and _LOCAL_WORDS.search(bare):
        return "local_law_enforcement"
    return kind


@lru_cache(maxsize=8192)
def org_info(name: str) -> OrgInfo:
    """Kind and state of an org name as written in a log (cached: logs repeat a few names)."""
    tags = tuple(t.strip().lower() for t in _TAG.findall(name))
    bare = _TAG.sub(" ", name).strip()
    kind = _kind(bare)
    if "federal" in tags and not kind.startswith("federal"):
        kind = "federal_other"
    return OrgInfo(name=name, kind=kind, state=_state(bare), tags=tags)


_UPPER_WORDS = frozenset({"pd", "so", "da", "das", "dps", "chp"})


def slug_to_name(slug: str) -> str:
    """A portal slug to the vendor's name form: ``alameda-ca-pd`` -> ``Alameda CA PD``."""
    words = []
    for part in re.split(r"[-_\s]+", slug.strip()):
        if not part:
            continue
        low = part.lower()
        if (low.upper() in STATES and len(low) == 2) or low in _UPPER_WORDS:
            words.append(low.upper())
        else:
            words.append(low.capitalize())
    return " ".join(words)
