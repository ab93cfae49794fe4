"""The inventory as a readable, self-contained HTML page (no scripts, no outside assets)."""

from __future__ import annotations

from html import escape
from typing import Any

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.flag{background:#fff3f0;border-left:4px solid #b42318;padding:.5rem 1rem;
margin:.5rem 0}.muted{color:#666}.cat{display:inline-block;background:#eef;border-radius:3px;
padding:0 .3rem;margin:.1rem}
"""


def render_html(inventory: dict[str, Any]) -> str:
    """A page a records officer can read: summary, collection flags, then one table per table."""
    s = inventory["summary"]
    parts = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        f"<title>Data inventory: {escape(inventory['source'])}</title><style>{CSS}</style>",
        f"<h1>Data inventory: {escape(inventory['source'])}</h1>",
        f"<p class=muted>{escape(inventory['kind'])} · scanned {escape(inventory['scanned_at'])}"
        f" · {s['tables']} tables · {s['columns']} columns, {s['sensitive_columns']} sensitive"
        f" · {s['rows_sampled']} rows sampled. Counts and confidence only: no value is shown.</p>",
        _flags(inventory["collection_flags"]),
    ]
    if s["columns_by_category"]:
        rows = "".join(
            f"<tr><td>{escape(k)}</td><td>{v}</td></tr>"
            for k, v in s["columns_by_category"].items()
        )
        parts.append(
            f"<h2>Columns by category</h2><table><tr><th>category<th>columns{rows}</table>"
        )
    parts.extend(_table(t) for t in inventory["tables"])
    return "\n".join(parts) + "\n</html>\n"


def _flags(flags: list[dict[str, Any]]) -> str:
    if not flags:
        return "<h2>Collection of immigration status</h2><p>None found.</p>"
    items = []
    for flag in flags:
        cites = "; ".join(f"{escape(r['citation'])} ({escape(r['rule'])})" for r in flag["rules"])
        items.append(
            f"<div class=flag><b>{escape(flag['where'])}</b> collects "
            f"<b>{escape(flag['collects'])}</b> ({escape(flag['basis'])}). "
            f"Restricted by: {cites} (a finding for counsel: the law allows some collection)</div>"
        )
    return f"<h2>Collection of immigration status ({len(flags)})</h2>" + "".join(items)


def _table(table: dict[str, Any]) -> str:
    rows = []
    for column in table["columns"]:
        cats = " ".join(
            f"<span class=cat>{escape(f['category'])}</span> {escape(f['basis'])}, "
            f"{f['cells']} cells, confidence {f['confidence']:.2f}"
            for f in column["categories"]
        )
        rows.append(
            f"<tr><td>{escape(column['name'])}</td><td>{escape(column['type'])}</td>"
            f"<td>{column['sampled']}</td><td>{cats or '<span class=muted>none</span>'}</td></tr>"
        )
    return (
        f"<h2>{escape(table['name'])}</h2><p class=muted>{table['rows']} rows, "
        f"{table['sampled_rows']} sampled</p><table><tr><th>column<th>type<th>text values sampled"
        f"<th>categories</tr>{''.join(rows)}</table>"
    )
