"""Small charts as inline SVG: no script, no network, no dependency, readable when printed.

Why not a plotting library: the report must open offline in any browser, and two chart shapes
(columns over time, horizontal bars by category) are a few dozen lines of SVG. Each chart carries
its numbers as text, so it is readable without colour and by a screen reader (``<title>``).
"""

from __future__ import annotations

import math
import re
from html import escape

__all__ = ["bar_chart", "column_chart", "months_filled"]

INK, BAR, MUTED = "#1f2933", "#b5472f", "#6b7780"
_LABEL_WIDTH = 56  # px a label such as `2026-04` or `976,676` needs at font size 11, with a gap
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def column_chart(title: str, points: list[tuple[str, int]], width: int = 720) -> str:
    """Vertical columns (e.g. flagged searches by month).

    With many columns the axis labels thin out (every k-th, so none overlap) and the numbers are
    written above the columns only where they fit, and always above the tallest; every column
    keeps its number in its ``<title>`` (shown on hover, read by screen readers)."""
    if not points:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    height, top, bottom, left = 220, 24, 44, 40
    peak = max(v for _, v in points) or 1
    slot = (width - left - 10) / len(points)
    stride = max(1, math.ceil(_LABEL_WIDTH / slot))
    values_fit = slot >= _LABEL_WIDTH
    tallest = max(range(len(points)), key=lambda i: points[i][1])
    parts = [_svg_open(title, width, height)]
    for i, (label, value) in enumerate(points):
        h = (height - top - bottom) * value / peak
        x, y = left + i * slot + slot * 0.15, height - bottom - h
        middle = x + slot * 0.35
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{escape(label)}: {value:,}</title></rect>'
        )
        if values_fit or i == tallest:
            parts.append(
                f'<text x="{middle:.1f}" y="{y - 4:.1f}" font-size="11" '
                f'text-anchor="middle" fill="{INK}">{value:,}</text>'
            )
        if i % stride == 0:
            parts.append(
                f'<text x="{middle:.1f}" y="{height - bottom + 16:.1f}" font-size="11" '
                f'text-anchor="middle" fill="{MUTED}">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        f'stroke="{MUTED}"/></svg>'
    )
    return "".join(parts)


def months_filled(counts: dict[str, int]) -> list[tuple[str, int]]:
    """``YYYY-MM`` counts in order, with the months between them that have none as zero (a time
    axis with gaps would put March 2022 next to May 2025). Other labels are returned sorted."""
    labels = sorted(counts)
    if not labels or not all(_MONTH.fullmatch(m) for m in labels):
        return sorted(counts.items())
    year, month = map(int, labels[0].split("-"))
    last = labels[-1]
    points = []
    while True:
        label = f"{year:04d}-{month:02d}"
        points.append((label, counts.get(label, 0)))
        if label >= last:
            return points
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def bar_chart(title: str, points: list[tuple[str, int]], width: int = 720) -> str:
    """Horizontal bars (e.g. flagged searches by agency, top reasons), longest first."""
    if not points:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    row, label_w, top = 24, 300, 8
    height = top + row * len(points) + 8
    peak = max(v for _, v in points) or 1
    parts = [_svg_open(title, width, height)]
    for i, (label, value) in enumerate(points):
        y = top + i * row
        w = (width - label_w - 70) * value / peak
        shown = label if len(label) <= 44 else label[:43] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{escape(shown)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 8}" '
            f'fill="{BAR}"><title>{escape(label)}: {value:,}</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" font-size="12" '
            f'fill="{INK}">{value:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif">'
        f"<title>{escape(title)}</title>"
    )
