"""Human-readable reports: the audit's self-contained HTML page and its inline SVG charts."""

from __future__ import annotations

from sanctuary.reports.audit_report import render_report
from sanctuary.reports.charts import bar_chart, column_chart

__all__ = ["bar_chart", "column_chart", "render_report"]
