"""report.html: the audit for a non-technical reader (a council member, a journalist).

One self-contained page: inline CSS and SVG, no script, no fonts or images fetched. Sections: what
was audited, the headline findings in plain words, charts, the table of flagged rows with the
triggering words highlighted, and the method and its limits. No user ids or officer names: the
findings carry none (the reason text is shown as the agency wrote it, as in the public record).
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from sanctuary.audit.outputs import SAMPLE_LIMIT, SERIOUS, Aggregates
from sanctuary.reports.charts import bar_chart, column_chart, months_filled

__all__ = ["MEANINGS", "render_report"]

MEANINGS = {
    "immigration_purpose": "the stated reason or dropdown category shows immigration enforcement",
    "immigration_authority": "an immigration authority (ICE, HSI, ERO, CBP, Border Patrol…) "
    "searched, asked, or is named as the one the search was for",
    "federal_agency": "a federal agency searched, where the law limits sharing with federal "
    "agencies",
    "out_of_state_agency": "an agency from another state searched, where the law limits sharing "
    "to in-state agencies",
    "missing_reason": "no usable reason was recorded, where the law requires the purpose to be "
    "logged",
    "missing_case_number": "no case number, where one is required",
    "immigration_hotlist": "a hotlist or alert that tracks immigration violators",
    "unlawful_sharing_partner": "a configured sharing partner the law does not allow",
}

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1f2933;max-width:1100px;
margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #e4e7eb;
padding-bottom:.2rem}.sub{color:#6b7780}table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{border-bottom:1px solid #e4e7eb;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f5f7fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
mark{background:#ffd8a8;padding:0 .1rem;border-radius:2px}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #e4e7eb;border-radius:8px;
padding:.7rem .9rem;min-width:220px;flex:1}.card .big{font-size:1.9rem;font-weight:700}
.card.hot .big{color:#b5472f}.card .what{font-size:.85rem;color:#3e4c59}
.note{background:#fff8e6;border-left:4px solid #f0b429;padding:.5rem .8rem;margin:.6rem 0}
.empty{color:#6b7780;font-style:italic}code{font-size:.85em}
"""


def _fmt(n: int) -> str:
    return f"{n:,}"


def _audited(summary: dict[str, Any]) -> tuple[str, str]:
    rows = []
    for f in summary["files"]:
        owner = summary.get("owners", {}).get(f["file"]) or "—"
        span = f"{(f.get('first') or '—')[:10]} to {(f.get('last') or '—')[:10]}"
        rows.append(
            f"<tr><td>{escape(Path(f['file']).name)}</td><td>{escape(f.get('format', ''))}</td>"
            f"<td>{escape(owner)}</td><td class=n>{_fmt(f.get('rows_read', 0))}</td>"
            f"<td class=n>{_fmt(f.get('rows_refused', 0))}</td><td>{span}</td>"
            f"<td class=n>{_fmt(sum((f.get('findings') or {}).values()))}</td></tr>"
        )
    head = (
        "<tr><th>file</th><th>format</th><th>agency (log owner)</th><th>rows read</th>"
        "<th>rows refused</th><th>dates</th><th>findings</th></tr>"
    )
    dr = summary["date_range"]
    intro = (
        f"<p>{len(summary['files'])} file(s), {_fmt(summary['rows_audited'])} rows audited "
        f"(searches, hotlist changes and sharing partners), searches from "
        f"{(dr['first'] or '—')[:10]} to {(dr['last'] or '—')[:10]}, "
        f"under the law of <b>{escape(summary['jurisdiction'])}</b> (packs "
        + ", ".join(f"{escape(p['id'])} {escape(p['version'])}" for p in summary["packs"])
        + ").</p>"
    )
    agencies = sorted({o for o in summary.get("owners", {}).values() if o})
    intro += f"<p>Agencies whose logs these are: {escape(', '.join(agencies) or 'not named')}.</p>"
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in summary.get("notes", []))
    return intro + notes, f"<table>{head}{''.join(rows)}</table>"


def _headlines(
    summary: dict[str, Any], citations: dict[str, str], fired: dict[str, list[str]]
) -> str:
    counts = summary["by_finding"]
    cards = []
    for name, meaning in MEANINGS.items():
        n = counts.get(name, 0)
        # Rules that fired; else the rules that would make it a finding (not the escalations for
        # compelled process, which audit logs never carry).
        rules = fired.get(name) or [
            r for r in summary.get("finding_rules", {}).get(name, []) if r in citations
        ]
        law = "; ".join(dict.fromkeys(citations.get(r, r) for r in rules)) or (
            "no rule of this jurisdiction makes it a finding"
        )
        hot = " hot" if n and name in SERIOUS else ""
        cards.append(
            f'<div class="card{hot}"><div class="big">{_fmt(n)}</div><div><b>{name}</b></div>'
            f'<div class="what">{escape(meaning)}.</div><div class="what sub">Law: '
            f"{escape(law)}</div></div>"
        )
    serious = sum(counts.get(k, 0) for k in SERIOUS)
    lead = (
        f"<p><b>{_fmt(serious)}</b> finding(s) of immigration enforcement or unlawful sharing; "
        f"{_fmt(counts.get('missing_reason', 0))} search(es) without a usable reason.</p>"
    )
    return lead + f'<div class="cards">{"".join(cards)}</div>'


def _charts(agg: Aggregates) -> str:
    by_month: Counter[str] = Counter()
    for (month, _finding), n in agg.by_month_finding.items():
        if month != "(none)":
            by_month[month] += n
    label, orgs = "Immigration and sharing findings", agg.serious_org
    if not orgs:
        label, orgs = "All findings", agg.by_org
    return (
        "<h3>Findings by month</h3>"
        + column_chart("Findings by month", months_filled(by_month))
        + f"<h3>{label}, by agency (the searching agency or the partner)</h3>"
        + bar_chart(f"{label}, by agency", orgs.most_common(15))
        + "<h3>Top reasons among immigration and sharing findings</h3>"
        + bar_chart("Top reasons", agg.serious_reason.most_common(10))
    )


def _fired(agg: Aggregates) -> dict[str, list[str]]:
    """The rules that actually produced each kind of finding, most frequent first."""
    out: dict[str, list[str]] = {}
    for (finding, rule), _n in agg.fired.most_common():
        out.setdefault(finding, []).append(rule)
    return out


def _highlight(reason: str | None, evidence: str) -> str:
    if not reason:
        return '<span class="sub">(none)</span>'
    for prefix in ("dropdown: ", "reason: ", "hotlist: "):
        evidence = evidence.removeprefix(prefix)
    spans = [s for s in evidence.split(" + ") if s and len(s) < 80]
    text = escape(reason)
    for span in sorted(spans, key=len, reverse=True):
        pattern = re.compile(re.escape(escape(span)), re.IGNORECASE)
        if pattern.search(text):
            text = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", text)
    return text


def _table(agg: Aggregates) -> str:
    shown = agg.serious_rows + agg.other_rows
    if not shown:
        return '<p class="empty">No row was flagged.</p>'
    cut = agg.total - len(shown)
    note = (
        f'<p class="note">{_fmt(cut)} more row(s) are not shown here (the table shows the first '
        f"{SAMPLE_LIMIT['serious']:,} immigration and sharing findings and the first "
        f"{SAMPLE_LIMIT['other']:,} others); every finding is in findings.csv.</p>"
        if cut
        else ""
    )
    head = (
        "<tr><th>finding</th><th>when (UTC)</th><th>agency</th><th>reason (evidence marked)</th>"
        "<th>evidence</th><th>rule</th><th>conf.</th><th>where</th></tr>"
    )
    body = "".join(
        f"<tr><td>{escape(r['finding'])}</td><td>{escape((r['time'] or '')[:16])}</td>"
        f"<td>{escape(r['org'] or '')}</td><td>{_highlight(r['reason'], r['evidence'])}</td>"
        f'<td>{escape(r["evidence"])}</td><td title="{escape(r["citation"])}">'
        f"{escape(r['rule'])}</td><td class=n>{r['confidence']:.2f}</td>"
        f"<td>{escape(Path(r['file']).name)}:{r['row']}</td></tr>"
        for r in shown
    )
    return note + f"<table>{head}{body}</table>"


METHOD = """
<p>Each row of each log is read as a request the log's owner answered: a search of plate-reader
data (<code>system_access</code> to <code>alpr_reads</code>) by the searching agency. The reason
text is read by Sanctuary's purpose lexicon (the same one the decision service uses; it knows that
"ICE Impersonation" is a crime, "Niceville" is a town and "HSIN" a network); a dropdown category
<i>Immigration (…)</i> counts as the declared purpose. The rules of the policy packs for the
jurisdiction, compiled to SQL, are applied to every row in bulk; a finding is reported only when a
rule of the pack applies to the row and forbids it (or, for a missing reason, requires the purpose
to be logged). The rule and its citation are given for every finding.</p>
<p><b>Confidence</b> is fixed per kind of evidence: 0.95 for a dropdown category or an agency
named as the searcher, 0.85 for an immigration purpose read from free text, 0.8 for an immigration
authority named in the reason, 0.5 for a reason the releasing agency redacted.</p>
<h3>Limits</h3>
<ul>
<li>A finding is evidence to review, not a verdict: the reason an officer typed can be wrong,
abbreviated or misleading, and the lexicon can miss phrasings it has never seen.</li>
<li>The log's owner is taken to be an agency of the audited jurisdiction; its own searches are
never "out of state". Logs of agencies elsewhere are read as if that jurisdiction's law applied
(noted above when it happens).</li>
<li>Agreements such as 287(g) are context, never the verdict: they are not in these logs and no
finding rests on them.</li>
<li>Agencies are recognised from their names as the vendor writes them; a name without a state is
not treated as out of state.</li>
<li>Sharing partners are judged as configured in the released list, at the time of the audit.</li>
</ul>
"""


def render_report(summary: dict[str, Any], agg: Aggregates, plan: Any) -> str:
    citations = {rule.id: rule.citation for _, _, rule in plan.rules if rule.effect != "escalate"}
    title = f"Plate-reader search audit — {summary['jurisdiction']}"
    audited, files = _audited(summary)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{CSS}</style></head><body><h1>{escape(title)}</h1>"
        f'<p class="sub">Generated {escape(summary["generated"])} by Sanctuary '
        f"(engine: {escape(summary['engine'])}).</p>"
        f"<h2>What was audited</h2>{audited}"
        f"<h2>Headline findings</h2>{_headlines(summary, citations, _fired(agg))}"
        f"<h2>Charts</h2>{_charts(agg)}"
        f"<h2>The files</h2>{files}"
        f"<h2>Every flagged row</h2>{_table(agg)}"
        f"<h2>Method and limits</h2>{METHOD}</body></html>"
    )
