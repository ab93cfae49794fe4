"""The audit's outputs (spec/audit.md): findings.csv, findings.parquet, summary.json, report.html.

Raw engine findings become the contract's columns here: a stable ``finding_id``, ``time`` as RFC
3339 UTC, the rule's ``citation`` from the pack, and for the immigration findings the evidence
narrowed to the words that triggered it (the Python assessor's spans; the engines agree on which
rows, this only names the words). Everything is written into a temporary folder beside ``--out``
and renamed into place at the end: an interrupted audit leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sanctuary.audit.findings import Plan
from sanctuary.errors import InputError
from sanctuary.purpose import assess
from sanctuary.purpose.lexicon import lexicon

__all__ = ["FINDINGS_SCHEMA", "atomic_dir", "finalise", "summarise", "write_tables"]

FINDINGS_SCHEMA = pa.schema(
    [
        ("finding_id", pa.string()),
        ("file", pa.string()),
        ("sheet", pa.string()),
        ("row", pa.int64()),
        ("event_id", pa.string()),
        ("time", pa.string()),
        ("org", pa.string()),
        ("org_kind", pa.string()),
        ("org_state", pa.string()),
        ("reason", pa.string()),
        ("finding", pa.string()),
        ("rule", pa.string()),
        ("citation", pa.string()),
        ("evidence", pa.string()),
        ("confidence", pa.float64()),
    ]
)
IMMIGRATION_FINDINGS = ("immigration_purpose", "immigration_authority", "immigration_hotlist")


@cache
def _immigration_signals() -> frozenset[str]:
    return frozenset(g.signal for g in lexicon().groups.values() if g.scope == "immigration")


def _spans(text: str, finding: str) -> list[str]:
    wanted = {"agency_term"} if finding == "immigration_authority" else _immigration_signals()
    return list(dict.fromkeys(s.text for s in assess(text).evidence if s.signal in wanted))


def refine_evidence(finding: str, evidence: str) -> str:
    """``reason: <text>`` -> the words that triggered the finding, ``ICE + ERO`` (else as is)."""
    for prefix in ("reason: ", "hotlist: "):
        if finding in IMMIGRATION_FINDINGS and evidence.startswith(prefix):
            spans = _spans(evidence[len(prefix) :], finding)
            if spans:
                return " + ".join(spans)
    return evidence


def _rfc3339(us: int | None) -> str | None:
    if us is None:
        return None
    moment = dt.datetime.fromtimestamp(us / 1_000_000, dt.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _times(raw: pa.Table) -> pa.Array:
    """RFC 3339 UTC, whole seconds; null for sharing partners (configuration has no time)."""
    stamps = raw.column("time_us").cast(pa.timestamp("us", tz="UTC"))
    seconds = stamps.cast(pa.timestamp("s", tz="UTC"), safe=False)
    text = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
    return pc.if_else(pc.equal(raw.column("src"), "sharing"), pa.scalar(None, pa.string()), text)


def _lookup(keys: pa.ChunkedArray, mapping: dict[str, str]) -> pa.Array:
    index = pc.index_in(keys, value_set=pa.array(list(mapping), pa.string()))
    return pc.take(pa.array(list(mapping.values()), pa.string()), index)


def _evidence(raw: pa.Table) -> pa.Array:
    """Immigration findings' evidence narrowed to the triggering words (per distinct text)."""
    evidence = raw.column("evidence")
    mask = pc.is_in(raw.column("finding"), value_set=pa.array(IMMIGRATION_FINDINGS))
    pairs = raw.filter(mask).select(["finding", "evidence"]).to_pylist()
    refined = {(p["finding"], p["evidence"]): refine_evidence(p["finding"], p["evidence"])
               for p in pairs}  # fmt: skip
    if not refined:
        return evidence
    keys = pc.binary_join_element_wise(raw.column("finding"), evidence, "\x1f")
    table = {f"{f}\x1f{e}": v for (f, e), v in refined.items()}
    return pc.if_else(mask, _lookup(keys, table), evidence)


def finalise(raw: pa.Table, plan: Plan) -> pa.Table:
    """Raw engine findings -> the contract's columns (vectorised: findings can be millions)."""
    citations = {rule.id: rule.citation for _, _, rule in plan.rules}
    columns = {
        "finding_id": raw.column("finding_id"),
        "file": raw.column("file"),
        "sheet": raw.column("sheet"),
        "row": raw.column("src_row"),
        "event_id": raw.column("event_id"),
        "time": _times(raw),
        **{c: raw.column(c) for c in ("org", "org_kind", "org_state", "reason", "finding", "rule")},
        "citation": _lookup(raw.column("rule"), citations),
        "evidence": _evidence(raw),
        "confidence": pc.round(raw.column("confidence"), 3),
    }
    return pa.table(columns, schema=FINDINGS_SCHEMA)


def write_tables(findings: pa.Table, folder: Path) -> None:
    pq.write_table(findings, folder / "findings.parquet")
    pacsv.write_csv(findings, folder / "findings.csv")


def _counts(table: pa.Table, keys: list[str]) -> list[dict[str, Any]]:
    if table.num_rows == 0:
        return []
    grouped = table.group_by(keys).aggregate([([], "count_all")])
    return sorted(grouped.to_pylist(), key=lambda r: (-r["count_all"], *(str(r[k]) for k in keys)))


def _with_month(findings: pa.Table) -> pa.Table:
    month = pc.fill_null(pc.utf8_slice_codeunits(findings.column("time"), 0, 7), "(none)")
    org = pc.fill_null(findings.column("org"), "(unknown)")
    return pa.table({"file": findings.column("file"), "org": org,
                     "finding": findings.column("finding"), "month": month})  # fmt: skip


def summarise(
    findings: pa.Table, totals: pa.Table, meta: dict[str, Any], reports: list[dict[str, Any]]
) -> dict[str, Any]:
    """summary.json: files, date range, counts by finding / org / month, packs, engine."""
    per_file: dict[str, dict[str, Any]] = {r["file"]: dict(r) for r in reports}
    first, last = None, None
    for t in totals.to_pylist():
        entry = per_file.setdefault(t["file"], {"file": t["file"]})
        entry.setdefault("audited", {})[t["src"]] = t["n"]
        if t["src"] == "access":
            entry["non_empty_reasons"] = int(t["non_empty"])
            entry["first"], entry["last"] = _rfc3339(t["first_us"]), _rfc3339(t["last_us"])
            first = min(first or entry["first"], entry["first"])
            last = max(last or entry["last"], entry["last"])
    slim = _with_month(findings)
    for r in _counts(slim, ["file", "finding"]):
        per_file.setdefault(r["file"], {"file": r["file"]}).setdefault("findings", {})[
            r["finding"]
        ] = r["count_all"]
    by_month: dict[str, dict[str, int]] = {}
    for r in _counts(slim, ["month", "finding"]):
        by_month.setdefault(r["month"], {})[r["finding"]] = r["count_all"]
    return {
        **meta,
        "files": list(per_file.values()),
        "date_range": {"first": first, "last": last},
        "findings": findings.num_rows,
        "by_finding": {r["finding"]: r["count_all"] for r in _counts(slim, ["finding"])},
        "by_org": {r["org"]: r["count_all"] for r in _counts(slim, ["org"])},
        "by_month": {m: sum(c.values()) for m, c in sorted(by_month.items())},
        "by_month_and_finding": {m: dict(sorted(c.items())) for m, c in sorted(by_month.items())},
    }


@contextmanager
def atomic_dir(out: Path) -> Any:
    """Yield a temporary folder beside ``out``; on success it replaces ``out`` in one rename.

    An existing ``out`` is moved aside first and removed only once the new one is in place.
    """
    out = out.resolve()
    if out.exists() and not _replaceable(out):
        raise InputError(
            f"`{out}` exists and is not an earlier audit's output folder",
            help="give a new folder, or one that holds a previous audit (its summary.json)",
            location="--out",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the outputs are for reading
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _replaceable(out: Path) -> bool:
    """Only an empty folder or an earlier audit's output may be replaced (never a user's files)."""
    return out.is_dir() and (not any(out.iterdir()) or (out / "summary.json").is_file())


Writer = Callable[[Path], None]
