"""Redact structured data: records (CSV rows, JSON objects) and Arrow tables, by column plan.

A column with a category has every value replaced by the operator (a null stays null); any other
text column is scanned cell by cell like free text. Nested JSON values are scanned recursively.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sanctuary.protect.catalogue import check_categories
from sanctuary.protect.columns import ColumnRule, by_name, plan_columns
from sanctuary.protect.engine import default_engine
from sanctuary.protect.operators.interface import Operator, Target
from sanctuary.protect.redact import as_operator, redact_text


class CellRedactor:
    """Applies one operator to cells and counts what it redacted, by category (never values)."""

    def __init__(self, operator: str | Operator, categories: frozenset[str] | None = None):
        self.operator = as_operator(operator)
        self.categories = categories
        self.counts: Counter[str] = Counter()

    def wanted(self, rule: ColumnRule) -> bool:
        return rule.category is not None and (
            self.categories is None or rule.category in self.categories
        )

    def whole(self, value: Any, rule: ColumnRule) -> Any:
        if value is None or value == "":
            return value
        text = str(value)
        assert rule.category is not None
        matches = default_engine().find(text)
        label = matches[0].label if len(matches) == 1 else rule.category.upper()
        self.counts[rule.category] += 1
        return self.operator.replace(text, Target(rule.category, label, rule.kind))

    def scan(self, value: Any) -> Any:
        if isinstance(value, str):
            result = redact_text(value, self.operator, self.categories)
            self.counts.update(result.counts)
            return result.text
        if isinstance(value, list):
            return [self.scan(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scan(v) for k, v in value.items()}
        return value

    def cell(self, value: Any, rule: ColumnRule | None) -> Any:
        if rule is not None and self.wanted(rule):
            return self.whole(value, rule)
        return self.scan(value)

    def record(self, record: Mapping[str, Any], plan: dict[str, ColumnRule]) -> dict[str, Any]:
        """Redact one JSON object; a key first seen after the sample is planned by its name."""
        out = {}
        for key, value in record.items():
            rule = plan.get(key)
            if rule is None:
                named = by_name(key)
                rule = (
                    ColumnRule(named[0], named[1], "name")
                    if named
                    else ColumnRule(None, "text", "none")
                )
                plan[key] = rule
            out[key] = self.cell(value, rule)
        return out


def apply_policy(
    plan: dict[str, ColumnRule], policy: Mapping[str, str | None] | None
) -> dict[str, ColumnRule]:
    """Override planned categories with an explicit {column: category | None} policy."""
    if policy is None:
        return plan
    out = dict(plan)
    for column, category in policy.items():
        kind = plan[column].kind if column in plan else "text"
        out[column] = ColumnRule(category, kind, "policy")
    return out


def redact_arrow(table: Any, plan: Mapping[str, ColumnRule], cells: CellRedactor) -> Any:
    """A new pyarrow Table: planned columns become strings; other text columns are scanned."""
    import pyarrow as pa

    arrays, fields = [], []
    for name, column in zip(table.column_names, table.columns, strict=True):
        rule = plan.get(name)
        field = table.schema.field(name)
        if rule is not None and cells.wanted(rule):
            values = [cells.whole(v, rule) for v in column.to_pylist()]
            arrays.append(pa.array(values, type=pa.string()))
            fields.append(pa.field(name, pa.string(), nullable=True))
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            arrays.append(pa.array([cells.scan(v) for v in column.to_pylist()], type=field.type))
            fields.append(field)
        else:
            arrays.append(column)
            fields.append(field)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def redact_table(
    table: Any,
    policy: Mapping[str, str | None] | None = None,
    operator: str | Operator = "label",
    categories: frozenset[str] | set[str] | None = None,
) -> tuple[Any, dict[str, int]]:
    """Redact a pyarrow Table by column policy (computed from names, types and the first 200
    rows when not given). Returns the new table and counts by category."""
    types = {n: str(t) for n, t in zip(table.schema.names, table.schema.types, strict=True)}
    plan = apply_policy(plan_columns(types, table.slice(0, 200).to_pydict()), policy)
    cells = CellRedactor(operator, check_categories(categories))
    out = redact_arrow(table, plan, cells)
    return out, dict(sorted(cells.counts.items()))
