"""`sanctuary scan`: a data inventory of a source (tables, columns, categories), or of a form.

Reads the catalogue, counts rows, samples the first `sample` rows of each table, classifies every
column (classify.py) and flags what collects immigration status (collection.py). The result holds
names, types, counts and confidences, never a value.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sanctuary.inventory.classify import ColumnReport, classify_column
from sanctuary.inventory.collection import Flag, name_collects
from sanctuary.inventory.forms import FORM_SUFFIXES, scan_form
from sanctuary.inventory.sources import Source, open_source

DEFAULT_SAMPLE = 1_000
STATUS_CATEGORIES = ("immigration_status", "citizenship")


def scan(
    target: str, *, sample: int = DEFAULT_SAMPLE, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """The inventory of a source URL or file, or of a form file (HTML, JSON Schema, text)."""
    started = time.perf_counter()
    path = Path(target)
    if "://" not in target and path.suffix.lower() in FORM_SUFFIXES:
        form = scan_form(path)
        flags: list[Flag] = form.pop("flags")
        inventory: dict[str, Any] = {
            "source": str(path),
            "kind": "form",
            "forms": [form],
            "tables": [],
            "collection_flags": [f.as_dict() for f in flags],
        }
    else:
        with open_source(target) as source:
            inventory = scan_source(source, sample=sample, progress=progress)
    inventory["scanned_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    inventory["seconds"] = round(time.perf_counter() - started, 3)
    inventory["summary"] = _summary(inventory)
    return inventory


def scan_source(
    source: Source, *, sample: int, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    tables, flags = [], []
    for table in source.tables():
        if progress:
            progress(table)
        report, table_flags = scan_table(source, table, sample)
        tables.append(report)
        flags.extend(table_flags)
    return {
        "source": source.label,
        "kind": source.kind,
        "sample_rows": sample,
        "tables": tables,
        "collection_flags": [f.as_dict() for f in flags],
    }


def scan_table(source: Source, table: str, sample: int) -> tuple[dict[str, Any], list[Flag]]:
    types = source.columns(table)
    values = source.sample(table, sample)
    sampled_rows = len(next(iter(values.values()), []))
    columns = [classify_column(name, types[name], values[name]) for name in types]
    by_category: dict[str, list[str]] = defaultdict(list)
    for column in columns:
        for category in column.categories:
            by_category[category].append(column.name)
    report = {
        "name": table,
        "rows": source.count(table),
        "sampled_rows": sampled_rows,
        "columns": [c.as_dict() for c in columns],
        "categories": dict(sorted(by_category.items())),
    }
    return report, [f for c in columns if (f := _collects(table, c))]


def _collects(table: str, column: ColumnReport) -> Flag | None:
    category = name_collects(column.name)
    if category:
        return Flag(f"{table}.{column.name}", category, "column name")
    for finding in column.findings:
        if finding.category in STATUS_CATEGORIES and finding.basis == "values":
            return Flag(f"{table}.{column.name}", finding.category, "column values")
    return None


def _summary(inventory: dict[str, Any]) -> dict[str, Any]:
    categories: dict[str, int] = defaultdict(int)
    columns = sensitive = rows = 0
    for table in inventory["tables"]:
        rows += table["sampled_rows"]
        for column in table["columns"]:
            columns += 1
            sensitive += bool(column["categories"])
            for category in {f["category"] for f in column["categories"]}:
                categories[category] += 1
    return {
        "tables": len(inventory["tables"]),
        "columns": columns,
        "sensitive_columns": sensitive,
        "rows_sampled": rows,
        "columns_by_category": dict(sorted(categories.items())),
        "collection_flags": len(inventory["collection_flags"]),
    }
