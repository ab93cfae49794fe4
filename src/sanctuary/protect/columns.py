"""Column policy for structured data: which columns hold which data category.

Three signals, strongest first (Apache Ranger masks by column or tag; we derive the tag):
1. the column name, against the rules of columns.yaml;
2. the column type: a date or timestamp column keeps kind `date` (for generalising);
3. value sampling, for columns no rule names: when most sampled values are each, entirely, one
   detected identifier (the cell *is* an A-number), the column gets that category.
A column with no category (None) still has its free text scanned cell by cell when redacted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from sanctuary.protect.engine import default_engine

WHOLE_CELL_SHARE = 0.5  # share of sampled non-empty values that must be one identifier each
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class ColumnRule:
    """How one column is treated: its category (None: scan text), value kind, and why."""

    category: str | None
    kind: str
    reason: str


@lru_cache(maxsize=1)
def _name_rules() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    raw = yaml.safe_load(resources.files("sanctuary.protect").joinpath("columns.yaml").read_text())
    return tuple(
        (re.compile(rf"(?:^|_)(?:{r['pattern']})(?:_|$)"), r["category"], r["kind"])
        for r in raw["rules"]
    )


def normalise(name: str) -> str:
    return _NOT_ALNUM.sub("_", name.lower()).strip("_")


def by_name(name: str) -> tuple[str, str] | None:
    key = normalise(name)
    for pattern, category, kind in _name_rules():
        if pattern.search(key):
            return category, kind
    return None


def _is_date_type(type_name: str) -> bool:
    return type_name.startswith(("date", "timestamp"))


def by_values(values: Iterable[Any]) -> str | None:
    """The category when most non-empty sampled values are each wholly one identifier."""
    engine = default_engine()
    seen, whole = 0, Counter[str]()
    for value in values:
        if value is None or not isinstance(value, str | int) or str(value).strip() == "":
            continue
        text = str(value).strip()
        seen += 1
        matches = engine.find(text)
        if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(text):
            whole[matches[0].category] += 1
    if not seen or not whole:
        return None
    category, count = whole.most_common(1)[0]
    return category if count / seen >= WHOLE_CELL_SHARE else None


def plan_columns(
    types: Mapping[str, str], sample: Mapping[str, Sequence[Any]] | None = None
) -> dict[str, ColumnRule]:
    """A rule per column from its name, its type name (e.g. "string", "date32[day]") and samples."""
    plan: dict[str, ColumnRule] = {}
    for column, type_name in types.items():
        kind = "date" if _is_date_type(type_name) else "text"
        named = by_name(column)
        if named is not None:
            category, named_kind = named
            plan[column] = ColumnRule(category, kind if kind == "date" else named_kind, "name")
            continue
        sampled = by_values((sample or {}).get(column, ()))
        plan[column] = ColumnRule(sampled, kind, "values" if sampled else "none")
    return plan


def column_policy(table_or_schema: Any, sample: Any = None) -> dict[str, str | None]:
    """{column: data category or None} for a pyarrow Table/Schema or a {column: type} mapping.

    `sample` is a pyarrow Table or {column: [values]}; with a Table and no sample, the table's
    first 200 rows are the sample.
    """
    plan = plan_columns(*_types_and_sample(table_or_schema, sample))
    return {column: rule.category for column, rule in plan.items()}


def _types_and_sample(
    table_or_schema: Any, sample: Any
) -> tuple[dict[str, str], dict[str, Sequence[Any]]]:
    schema = getattr(table_or_schema, "schema", table_or_schema)
    if hasattr(schema, "names") and hasattr(schema, "types"):
        types = {n: str(t) for n, t in zip(schema.names, schema.types, strict=True)}
    else:
        types = {str(k): str(v) for k, v in dict(table_or_schema).items()}
    if sample is None and hasattr(table_or_schema, "slice"):
        sample = table_or_schema.slice(0, 200)
    if sample is not None and hasattr(sample, "to_pydict"):
        sample = sample.to_pydict()
    return types, dict(sample or {})
