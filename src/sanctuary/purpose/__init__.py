"""Purpose assessment: a free-text search/request reason -> purpose category, score, evidence.

    >>> assess("ICE+ERO").category
    'civil_immigration_enforcement'
    >>> assess("Anaheim PD ICE Impersonation series").category
    'criminal_investigation'

The lexicon is data (``lexicon.yaml``); the same data compiles to RE2 patterns for bulk audits in
DuckDB (``sql_patterns``, ``sql_category``), and a test keeps both engines in agreement.

Choices (each is argued beside its entry in ``lexicon.yaml``):
- An immigration agency named alone or with a generic word ("HSI", "Assist HSI", "CBP Assist",
  "ICE WARRANT") is civil immigration enforcement. HSI/ICE/CBP/USBP/DHS with a SPECIFIC unrelated
  crime and no immigration word ("HSI child exploitation") is criminal_investigation; ERO, USCIS
  and EOIR never are. The ``agency_term`` signal stays in the evidence whatever the category, so
  the engine and the auditor can treat "immigration authority + other purpose" on their own.
- "task force" wins over the crimes it works on ("HSI narcotics task force" is task_force).
- 8 U.S.C. 1324 (alien/human smuggling, harboring) counts as criminal immigration enforcement,
  like 1325/1326; human TRAFFICKING is criminal_investigation.
- Civil and criminal immigration markers together ("ICE detainer 1326") give the civil category,
  the more protective one.
- A negated mention ("not immigration related") is reported as a ``negation`` signal and not
  counted; the engine still compares declared and assessed purpose.
- Bare 1324/1325/1326 and "removal", "border", "visa" alone are never enough.

Input is any ``str``; cost grows linearly with its length (reasons are short; the service should
cap request sizes anyway).
"""

from __future__ import annotations

from functools import lru_cache

from sanctuary.errors import VocabularyError, did_you_mean
from sanctuary.purpose.engine import Assessment, Signal, assess_uncached
from sanctuary.purpose.sql import sql_category, sql_normalise, sql_patterns

__all__ = [
    "CATEGORIES",
    "PROTECTIVE_ORDER",
    "Assessment",
    "Signal",
    "assess",
    "more_protective",
    "sql_category",
    "sql_normalise",
    "sql_patterns",
]

# Most protective first. A category earlier in the list triggers stricter rules, so when the
# declared and the assessed purpose differ the engine keeps the earlier one (fail closed):
# - civil immigration enforcement is what sanctuary laws forbid outright;
# - criminal immigration enforcement (8 U.S.C. 1325/1326) is still immigration enforcement under
#   Gov. Code 7284.4(f) and allowed only through narrow exceptions;
# - unknown: nothing shows what the data is for, so it must be escalated or denied, never assumed
#   benign; other is similar but at least states something;
# - records requests release data to anyone (a public-records request can launder a purpose);
# - task forces mix agencies (7284.6(b)(3) conditions apply); criminal investigation is the
#   ordinary case; statistics are aggregate; emergencies and victim services protect people and
#   have the widest exceptions.
PROTECTIVE_ORDER: tuple[str, ...] = (
    "civil_immigration_enforcement",
    "criminal_immigration_enforcement",
    "unknown",
    "other",
    "records_request",
    "task_force",
    "criminal_investigation",
    "statistical",
    "public_safety_emergency",
    "victim_services",
)
CATEGORIES = frozenset(PROTECTIVE_ORDER)
_RANK = {category: rank for rank, category in enumerate(PROTECTIVE_ORDER)}


@lru_cache(maxsize=65536)
def assess(text: str) -> Assessment:
    """Assess a reason string. Pure and deterministic; cached (reasons repeat a lot)."""
    return assess_uncached(text)


def more_protective(a: str, b: str) -> str:
    """The more protective of two purpose categories (see ``PROTECTIVE_ORDER``)."""
    for value, field in ((a, "a"), (b, "b")):
        if value not in _RANK:
            raise VocabularyError(
                f"unknown purpose category `{value}`",
                help=did_you_mean(value, CATEGORIES) or None,
                location=field,
            )
    return a if _RANK[a] <= _RANK[b] else b
