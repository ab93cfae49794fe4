"""Which sensitive data categories a column holds, with counts and confidence, never values.

Signals, as in `sanctuary.protect.columns`: the column name (columns.yaml), then the sampled values.
A value that is wholly one identifier (an `A123456789` cell) is a *whole-cell* hit; a value that
contains one inside free text (a narrative naming an A-number) is a *text* hit. Counts are cells,
never the values themselves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sanctuary.protect import default_engine
from sanctuary.protect.columns import by_name

NAME_CONFIDENCE = 0.9  # curated name rules; not 1.0: a name can lie (a `citizen` flag column)
WHOLE_CELL_SHARE = 0.5  # as in protect.columns: most values are each one identifier


@dataclass
class Finding:
    """One category found in one column."""

    category: str
    basis: str  # "name" | "values" (whole cells) | "text" (inside free text)
    cells: int  # sampled cells that hold it (0 for a name-only finding)
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "basis": self.basis,
            "cells": self.cells,
            "confidence": round(self.confidence, 3),
        }


@dataclass
class ColumnReport:
    name: str
    type: str
    sampled: int  # non-empty text values examined
    findings: list[Finding] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(f.category for f in self.findings))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "sampled": self.sampled,
            "categories": [f.as_dict() for f in self.findings],
        }


def classify_column(name: str, type_name: str, values: Sequence[Any]) -> ColumnReport:
    """Name rule first, then value sampling; several categories may be found in free text."""
    report = ColumnReport(name, type_name, 0)
    named = by_name(name)
    if named is not None:
        report.findings.append(Finding(named[0], "name", 0, NAME_CONFIDENCE))
    engine = default_engine()
    whole: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    scores: dict[str, list[float]] = defaultdict(list)
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue  # numbers, dates and booleans are classified by name and type only
        text = value.strip()
        report.sampled += 1
        matches = engine.find(text)
        if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(text):
            whole[matches[0].category] += 1
        for category in {m.category for m in matches}:
            inside[category] += 1
            scores[category].append(max(m.score for m in matches if m.category == category))
    for category, cells in inside.most_common():
        share = whole[category] / report.sampled
        mean_score = min(1.0, sum(scores[category]) / len(scores[category]))
        if share >= WHOLE_CELL_SHARE:
            finding = Finding(category, "values", whole[category], share)
        else:
            finding = Finding(category, "text", cells, mean_score)
        if named is not None and named[0] == category:
            # Name and values agree: the stronger of the two, with the cells counted.
            report.findings[0] = Finding(
                category, "name+" + finding.basis, cells, max(NAME_CONFIDENCE, finding.confidence)
            )
        else:
            report.findings.append(finding)
    return report
