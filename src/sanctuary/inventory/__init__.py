"""Data inventory: where immigration-sensitive data is held, and what collects it.

    scan(url_or_file, sample=1000) -> dict          tables, columns, categories, counts, flags
    render_html(inventory) -> str                    the readable page
    open_source(url) -> Source                       SQLite, DuckDB, PostgreSQL, CSV, Parquet

Sources are also what the dataset gateway (sanctuary.service.datasets) reads through: parameterised
SELECTs of checked columns, never SQL from a caller.
"""

from __future__ import annotations

from sanctuary.inventory.classify import ColumnReport, Finding, classify_column
from sanctuary.inventory.collection import RULES, Flag, name_collects, question_collects
from sanctuary.inventory.report import render_html
from sanctuary.inventory.scan import DEFAULT_SAMPLE, scan
from sanctuary.inventory.sources import OPS, Condition, Source, SourceError, open_source

__all__ = [
    "DEFAULT_SAMPLE",
    "OPS",
    "RULES",
    "ColumnReport",
    "Condition",
    "Finding",
    "Flag",
    "Source",
    "SourceError",
    "classify_column",
    "name_collects",
    "open_source",
    "question_collects",
    "render_html",
    "scan",
]
