"""Protection of immigration-sensitive data: recognisers, redaction operators, column policy.

    find(text) -> list[Match]                      what is sensitive, and why
    redact_text(text, operator=..., categories=...) -> RedactionResult(text, counts, matches)
    column_policy(schema_or_table, sample) -> {column: category | None}
    redact_table(table, policy=None, operator=...) -> (table, counts)
    redact_file(input, output, ...) -> Summary     text, CSV, JSON lines, Parquet; atomic output

Recognisers are data (recognisers.yaml): shapes, phrase patterns, context words, validators,
scores; the default threshold is 0.5. Nothing here downloads or loads a model.
"""

from __future__ import annotations

from sanctuary.protect._errors import RecogniserError, RedactionError, RedactionInputError
from sanctuary.protect.catalogue import Catalogue, Recogniser, default_catalogue, load_catalogue
from sanctuary.protect.columns import ColumnRule, column_policy
from sanctuary.protect.engine import Engine, Match, default_engine
from sanctuary.protect.files import FORMATS, Summary, redact_file
from sanctuary.protect.operators import Operator, Target, get_operator, operator_names, register
from sanctuary.protect.redact import RedactionResult, redact_text
from sanctuary.protect.tables import redact_table


def find(
    text: str,
    categories: frozenset[str] | set[str] | None = None,
    *,
    threshold: float | None = None,
) -> list[Match]:
    """Every sensitive span of `text`, merged where they overlap, each with its explanation."""
    wanted = frozenset(categories) if categories is not None else None
    return default_engine().find(text, categories=wanted, threshold=threshold)


__all__ = [
    "FORMATS",
    "Catalogue",
    "ColumnRule",
    "Engine",
    "Match",
    "Operator",
    "Recogniser",
    "RecogniserError",
    "RedactionError",
    "RedactionInputError",
    "RedactionResult",
    "Summary",
    "Target",
    "column_policy",
    "default_catalogue",
    "default_engine",
    "find",
    "get_operator",
    "load_catalogue",
    "operator_names",
    "redact_file",
    "redact_table",
    "redact_text",
    "register",
]
