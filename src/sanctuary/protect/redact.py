"""Redact free text: find, then replace every match on a copy. All or nothing.

The input string is never modified (Python strings are immutable; the output is built from
pieces). If finding or any replacement fails, RedactionError is raised and no text is returned:
a partially redacted text is never released.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from sanctuary.protect._errors import RedactionError
from sanctuary.protect.catalogue import check_categories
from sanctuary.protect.engine import Engine, Match, default_engine
from sanctuary.protect.operators.interface import Operator, Target, get_operator


@dataclass(frozen=True)
class RedactionResult:
    """The redacted text, counts by category (never values) and the explained matches."""

    text: str
    counts: dict[str, int]
    matches: list[Match] = field(default_factory=list)


@lru_cache(maxsize=8)
def _named(name: str) -> Operator:
    return get_operator(name)


def as_operator(operator: str | Operator) -> Operator:
    """An operator from its name (built once: operators are stateless) or as given."""
    if isinstance(operator, str):
        # hmac reads its key from the environment when built: never cache it.
        return get_operator(operator) if operator == "hmac" else _named(operator)
    return operator


def apply(text: str, matches: list[Match], operator: Operator) -> str:
    """Replace each match (non-overlapping, in order) by the operator's output."""
    pieces: list[str] = []
    at = 0
    for m in matches:
        pieces.append(text[at : m.start])
        value = operator.replace(text[m.start : m.end], Target(m.category, m.label, "text"))
        pieces.append(value or "")
        at = m.end
    pieces.append(text[at:])
    return "".join(pieces)


def redact_text(
    text: str,
    operator: str | Operator = "label",
    categories: frozenset[str] | set[str] | None = None,
    *,
    threshold: float | None = None,
    engine: Engine | None = None,
) -> RedactionResult:
    """Redact immigration-sensitive data in `text`.

    >>> redact_text("Subject gave A-number A123-456-789 and said he is undocumented.").text
    'Subject gave A-number [NATIONAL_IDS] and said he is [IMMIGRATION_STATUS].'
    """
    op = as_operator(operator)
    wanted = check_categories(categories)
    try:
        matches = (engine or default_engine()).find(text, categories=wanted, threshold=threshold)
        redacted = apply(text, matches, op)
    except RedactionError:
        raise
    except Exception as err:  # fail closed, and say nothing about the text
        raise RedactionError(f"redaction failed ({type(err).__name__})") from None
    counts = Counter(m.category for m in matches)
    return RedactionResult(redacted, dict(sorted(counts.items())), matches)
