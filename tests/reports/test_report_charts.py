"""The report's SVG charts stay readable: no overlapping labels, a continuous time axis."""

from __future__ import annotations

import itertools
import re

from sanctuary.reports.charts import column_chart, months_filled


def _labels(svg: str) -> list[str]:
    return re.findall(r'fill="#6b7780">([^<]+)</text>', svg)


def _values(svg: str) -> list[str]:
    return re.findall(r'fill="#1f2933">([^<]+)</text>', svg)


def test_months_between_findings_are_shown_as_zero() -> None:
    points = months_filled({"2025-11": 4, "2026-02": 7})
    assert points == [("2025-11", 4), ("2025-12", 0), ("2026-01", 0), ("2026-02", 7)]


def test_labels_that_are_not_months_are_only_sorted() -> None:
    assert months_filled({"b": 1, "a": 2}) == [("a", 2), ("b", 1)]
    assert months_filled({}) == []


def test_a_few_columns_carry_every_label_and_number() -> None:
    svg = column_chart("by month", [("2026-02", 406), ("2026-03", 5074), ("2026-04", 3416)])
    assert _labels(svg) == ["2026-02", "2026-03", "2026-04"]
    assert _values(svg) == ["406", "5,074", "3,416"]


def test_many_columns_thin_their_labels_so_none_overlap() -> None:
    points = months_filled({"2021-12": 5, "2025-12": 976_676, "2026-04": 12})
    svg = column_chart("by month", points)
    xs = [float(x) for x in re.findall(r'<text x="([0-9.]+)"[^>]*fill="#6b7780"', svg)]
    assert len(xs) < len(points)
    assert all(b - a >= 56 for a, b in itertools.pairwise(xs))
    assert _values(svg) == ["976,676"]  # only the tallest column's number fits
    assert svg.count("<rect") == len(points)  # every month still drawn, with its <title>
    assert "<title>2023-06: 0</title>" in svg
