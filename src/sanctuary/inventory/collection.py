"""Forms and schemas that *collect* immigration or citizenship status.

The Los Angeles ordinance and Mayor's Executive Directive 20 forbid city staff to ask about or
collect a person's immigration or citizenship status, and LAPD Special Order 40 forbids police
action aimed at discovering it. A column named `immigration_status`, a form field "Are you a U.S.
citizen?" or a field for an A-number is evidence that a city system collects it. Each flag cites the
provisions (rule ids and citations of the bundled `us-ca-los-angeles` pack; a test keeps them
equal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sanctuary.protect.columns import normalise

RULES: tuple[dict[str, str], ...] = (
    {"rule": "la.188441.no_status_inquiry", "citation": "L.A. Ord. No. 188441 (2024)"},
    {
        "rule": "la.so40.no_status_initiated_action",
        "citation": "LAPD Special Order 40 (1979); LAPD Manual Vol. 4 § 264.50",
    },
    {
        "rule": "la.ed20.no_status_inquiry",
        "citation": "L.A. Mayor Exec. Directive No. 20 (Mar. 21, 2017)",
    },
)

# Column or field names (normalised: lower case, words joined by "_") that record status or its
# proxies; matched as whole "_"-separated words.
_NAMES: tuple[tuple[str, str], ...] = (
    (
        "immigration_status",
        r"immigration_status|imm_status|legal_status|alien_status|"
        r"visa_status|visa_type|class_of_admission|estatus_migratorio|undocumented|"
        r"documentation_status|lawful_presence|legal_presence|ice_hold|immigration_hold",
    ),
    (
        "citizenship",
        r"citizenship|us_citizen|is_citizen|citizen_status|nationality|nacionalidad|"
        r"country_of_citizenship|ciudadania",
    ),
    (
        "place_of_birth",
        r"country_of_birth|birth_country|place_of_birth|birthplace|birth_place|"
        r"pais_de_nacimiento|lugar_de_nacimiento",
    ),
    (
        "national_ids",
        r"a_?number|alien_?(?:number|no|num|reg(?:istration)?(?:_number)?)|"
        r"uscis_?(?:number|no|num)|i_?94(?:_?(?:number|no))?|sevis(?:_?id)?|green_card(?:_number)?|"
        r"visa_?(?:number|no|foil)|ead_?(?:number|no)",
    ),
)
NAME_RULES = tuple(
    (category, re.compile(rf"(?:^|_)(?:{pattern})(?:_|$)")) for category, pattern in _NAMES
)

# Questions on forms, English and Spanish.
QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern, re.IGNORECASE))
    for category, pattern in (
        (
            "citizenship",
            r"\b(?:are|is) (?:you|the applicant|applicant|he|she|they) an? "
            r"(?:u\.?\s?s\.?|united states|american) citizen\b",
        ),
        (
            "citizenship",
            r"\bcitizenship(?: status)?\b|\bnationality\b|\bciudadan[oa]s?\b|"
            r"\bnacionalidad\b",
        ),
        (
            "immigration_status",
            r"\bimmigration status\b|\blegal(?:ly)? (?:status|present|"
            r"residen\w+)\b|\bdocumentation status\b|\bundocumented\b|\bestatus migratorio\b|"
            r"\bsituaci[oó]n migratoria\b|\bvisa (?:type|status)\b|\bgreen card\b",
        ),
        (
            "place_of_birth",
            r"\b(?:country|place) of birth\b|\bbirth ?place\b|"
            r"\bwhere (?:were|was) (?:you|he|she) born\b|\bpa[ií]s de nacimiento\b|"
            r"\blugar de nacimiento\b",
        ),
        (
            "national_ids",
            r"\ba-?number\b|\balien (?:registration )?(?:number|no\.?)|"
            r"\buscis (?:number|#)|\bi-?94\b|\bn[uú]mero de extranjero\b",
        ),
    )
)


@dataclass(frozen=True)
class Flag:
    """One place that collects status: a table column or a form field."""

    where: str  # "table.column" or "form field `name`"
    category: str
    basis: str  # "column name" | "column values" | "form question" | "field name"

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "collects": self.category,
            "basis": self.basis,
            "rules": [dict(r) for r in RULES],
        }


def name_collects(name: str) -> str | None:
    """The status category a column or field name records, or None."""
    key = normalise(name)
    for category, pattern in NAME_RULES:
        if pattern.search(key):
            return category
    return None


def question_collects(text: str) -> str | None:
    """The status category a form question or label asks for, or None."""
    for category, pattern in QUESTIONS:
        if pattern.search(text):
            return category
    return None
