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
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
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

__all__ = [
    "FINDINGS_SCHEMA",
    "Aggregates",
    "atomic_dir",
    "finalise",
    "refined_evidence",
    "stream_outputs",
    "summarise",
]

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


@lru_cache(maxsize=65536)
def refine_evidence(finding: str, evidence: str) -> str:
    """``reason: <text>`` -> the words that triggered the finding, ``ICE + ERO`` (else as is).
    Cached: the same few reasons come back batch after batch."""
    for prefix in ("reason: ", "hotlist: "):
        if finding in IMMIGRATION_FINDINGS and evidence.startswith(prefix):
            spans = _spans(evidence[len(prefix) :], finding)
            if spans:
                return " + ".join(spans)
    return evidence


def refined_evidence(finding: pa.Array, evidence: pa.Array) -> pa.Array:
    """``evidence`` with the immigration findings' evidence narrowed (``refine_evidence``).
    Only those rows (a few in a thousand) go through Python; the rest is left as is."""
    mask = pc.is_in(finding, value_set=pa.array(IMMIGRATION_FINDINGS))
    if not pc.any(mask).as_py():
        return evidence
    pairs = zip(finding.filter(mask).to_pylist(), evidence.filter(mask).to_pylist(), strict=True)
    narrowed = [None if e is None else refine_evidence(f, e) for f, e in pairs]
    return pc.replace_with_mask(evidence, mask, pa.array(narrowed, pa.string()))


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
        "evidence": refined_evidence(
            raw.column("finding").combine_chunks(), raw.column("evidence").combine_chunks()
        ),
        "confidence": pc.round(raw.column("confidence"), 3),
    }
    return pa.table(columns, schema=FINDINGS_SCHEMA)


SERIOUS = ("immigration_purpose", "immigration_authority", "immigration_hotlist",
           "federal_agency", "out_of_state_agency", "unlawful_sharing_partner")  # fmt: skip
SAMPLE_LIMIT = {"serious": 3000, "other": 300}


def _counts(table: pa.Table, keys: list[str]) -> list[dict[str, Any]]:
    if table.num_rows == 0:
        return []
    return table.group_by(keys).aggregate([([], "count_all")]).to_pylist()


@dataclass
class Aggregates:
    """What summary.json and report.html need, accumulated batch by batch (findings can be
    millions of rows; only counts and a bounded sample of rows are kept)."""

    total: int = 0
    by_finding: Counter[str] = field(default_factory=Counter)
    by_org: Counter[str] = field(default_factory=Counter)
    by_month_finding: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_file_finding: Counter[tuple[str, str]] = field(default_factory=Counter)
    fired: Counter[tuple[str, str]] = field(default_factory=Counter)
    serious_org: Counter[str] = field(default_factory=Counter)
    serious_reason: Counter[str] = field(default_factory=Counter)
    serious_rows: list[dict[str, Any]] = field(default_factory=list)
    other_rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, t: pa.Table) -> None:
        month = pc.fill_null(pc.utf8_slice_codeunits(t.column("time"), 0, 7), "(none)")
        org = pc.fill_null(t.column("org"), "(unknown)")
        slim = pa.table({"file": t.column("file"), "org": org, "finding": t.column("finding"),
                         "month": month, "rule": t.column("rule")})  # fmt: skip
        for r in _counts(slim, ["file", "org", "finding", "month", "rule"]):
            self.count(r["file"], r["org"], r["finding"], r["month"], r["rule"], r["count_all"])
        mask = pc.is_in(t.column("finding"), value_set=pa.array(SERIOUS))
        serious = t.filter(mask)
        reasons = pc.drop_null(pc.utf8_trim_whitespace(serious.column("reason")))
        for r in _counts(pa.table({"reason": reasons}), ["reason"]):
            self.serious_reason[r["reason"]] += r["count_all"]
        self._sample(self.serious_rows, serious, SAMPLE_LIMIT["serious"])
        self._sample(self.other_rows, t.filter(pc.invert(mask)), SAMPLE_LIMIT["other"])

    def count(self, file: str, org: str, finding: str, month: str, rule: str, n: int) -> None:
        """Add ``n`` findings of one (file, org, finding, month, rule) group."""
        self.total += n
        self.by_finding[finding] += n
        self.by_org[org] += n
        self.by_month_finding[(month, finding)] += n
        self.by_file_finding[(file, finding)] += n
        self.fired[(finding, rule)] += n
        if finding in SERIOUS:
            self.serious_org[org] += n

    @staticmethod
    def _sample(into: list[dict[str, Any]], t: pa.Table, limit: int) -> None:
        if len(into) < limit:
            into.extend(t.slice(0, limit - len(into)).to_pylist())


def summarise(
    agg: Aggregates, totals: pa.Table, meta: dict[str, Any], reports: list[dict[str, Any]]
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
    for (file, finding), n in sorted(agg.by_file_finding.items()):
        per_file.setdefault(file, {"file": file}).setdefault("findings", {})[finding] = n
    by_month: dict[str, dict[str, int]] = {}
    for (month, finding), n in sorted(agg.by_month_finding.items()):
        by_month.setdefault(month, {})[finding] = n
    return {
        **meta,
        "files": list(per_file.values()),
        "date_range": {"first": first, "last": last},
        "findings": agg.total,
        "by_finding": dict(sorted(agg.by_finding.items())),
        "by_org": dict(agg.by_org.most_common()),
        "by_month": {m: sum(c.values()) for m, c in by_month.items()},
        "by_month_and_finding": by_month,
    }


def stream_outputs(raw: Path, plan: Plan, folder: Path) -> Aggregates:
    """Finalise the raw findings batch by batch into findings.parquet and findings.csv."""
    agg = Aggregates()
    parquet_writer = pq.ParquetWriter(folder / "findings.parquet", FINDINGS_SCHEMA)
    csv_writer = pacsv.CSVWriter(folder / "findings.csv", FINDINGS_SCHEMA)
    try:
        for batch in pq.ParquetFile(raw).iter_batches(batch_size=65536):
            table = finalise(pa.Table.from_batches([batch]), plan)
            parquet_writer.write_table(table)
            csv_writer.write_table(table)
            agg.add(table)
    finally:
        parquet_writer.close()
        csv_writer.close()
    return agg


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
