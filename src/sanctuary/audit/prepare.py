"""Stream log files into the audit's input relation: one Parquet file, a few narrow columns.

Every adapter batch is projected as it arrives (vectorised for access events, which can be
millions) and written to a temporary Parquet file, so memory holds one batch at a time; the SQL
engines then read that file. The input relation (``INPUT``) has one row per access event, hotlist
change and outbound sharing partner; ``mapping.py`` says how each becomes facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sanctuary.audit import FileReport, ReadOptions, _account, iter_batches, table_of
from sanctuary.audit.formats._hints import file_agency
from sanctuary.audit.orgs import org_info

__all__ = ["INPUT", "Prepared", "prepare"]

INPUT = pa.schema(
    [
        ("src", pa.string()),  # access | hotlist | sharing
        ("file", pa.string()),
        ("sheet", pa.string()),
        ("src_row", pa.int64()),
        ("event_id", pa.string()),
        ("time_us", pa.int64()),  # POSIX microseconds, UTC
        ("org", pa.string()),
        ("org_kind", pa.string()),
        ("org_state", pa.string()),
        ("own", pa.bool_()),  # the row's org is the log's owner (or the log names none)
        ("reason", pa.string()),  # as given, for the findings
        ("reason_key", pa.string()),  # the text assessed: reason_normalised, never null
        ("offense_category", pa.string()),
        ("has_case", pa.bool_()),
        ("reason_redacted", pa.bool_()),
    ]
)
OUTBOUND = frozenset({"shares_data_with", "shares_hotlist_with"})
HOTLIST_KEYS = ("Hotlist Name", "Name", "Reason")

Progress = Callable[[int], None]


@dataclass
class Prepared:
    path: Path
    reports: list[FileReport]
    owners: dict[str, str | None]  # file -> the agency whose log it is (None: unknown)
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    # events_parquet files the SQL engine reads itself: (file, owner)
    direct: list[tuple[str, str | None]] = field(default_factory=list)


def _reason_redacted(redacted: pa.Array) -> pa.Array:
    """Whether each row's ``redacted`` list holds ``reason`` (vectorised: field names have no
    commas, so the joined list is matched as text)."""
    joined = pc.binary_join(redacted, ",")
    return pc.fill_null(pc.match_substring_regex(joined, "(^|,)reason(,|$)"), False)


def _access(batch: pa.RecordBatch, owner: str | None) -> pa.RecordBatch:
    n = batch.num_rows
    org, source = batch.column("org"), batch.column("org_source")
    own = pc.not_equal(source, "row")
    if owner is not None:
        own = pc.or_(own, pc.fill_null(pc.equal(org, owner), False))
    case = batch.column("case_number")
    has_case = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(case)), 0), False)
    columns = {
        "src": pa.array(["access"] * n, pa.string()),
        "file": batch.column("file"),
        "sheet": batch.column("sheet"),
        "src_row": batch.column("row"),
        "event_id": batch.column("event_id"),
        "time_us": batch.column("time").cast(pa.int64()),
        "org": org,
        "org_kind": batch.column("org_kind"),
        "org_state": batch.column("org_state"),
        "own": own,
        "reason": batch.column("reason"),
        "reason_key": pc.fill_null(batch.column("reason_normalised"), ""),
        "offense_category": batch.column("offense_category"),
        "has_case": has_case,
        "reason_redacted": _reason_redacted(batch.column("redacted")),
    }
    return pa.RecordBatch.from_pydict(columns, schema=INPUT)


def _owner_fields(owner: str | None) -> dict[str, str | None]:
    info = org_info(owner) if owner else None
    return {
        "org": owner,
        "org_kind": info.kind if info else "unknown",
        "org_state": info.state if info else None,
    }


def _hotlist(batch: pa.RecordBatch, owner: str | None) -> pa.RecordBatch:
    rows = []
    for r in batch.to_pylist():
        details = dict(r["details"] or [])
        parts = [details.get(k) for k in HOTLIST_KEYS] + [r["entity_name"], r["reason"]]
        text = " ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
        org = {"org": r["org"], "org_kind": r["org_kind"], "org_state": r["org_state"]}
        rows.append({
            "src": "hotlist", "file": r["file"], "sheet": r["sheet"], "src_row": r["row"],
            "event_id": None, "time_us": int(r["time"].timestamp() * 1_000_000),
            **(org if r["org"] else _owner_fields(owner)), "own": True, "reason": text or None,
            "reason_key": text, "offense_category": None,
            "has_case": bool((r["case_number"] or "").strip()), "reason_redacted": False,
        })  # fmt: skip
    return pa.RecordBatch.from_pylist(rows, schema=INPUT)


def _sharing(batch: pa.RecordBatch, owner: str | None, now_us: int) -> pa.RecordBatch:
    rows = []
    for r in batch.to_pylist():
        if r["relation"] not in OUTBOUND:
            continue
        own = r["partner"] in (owner, r["owner_org"])
        rows.append({
            "src": "sharing", "file": r["file"], "sheet": r["sheet"], "src_row": r["row"],
            "event_id": None, "time_us": now_us, "org": r["partner"],
            "org_kind": r["partner_kind"], "org_state": r["partner_state"], "own": own,
            "reason": None, "reason_key": "", "offense_category": None, "has_case": False,
            "reason_redacted": False,
        })  # fmt: skip
    return pa.RecordBatch.from_pylist(rows, schema=INPUT)


def _project(
    name: str, batch: pa.RecordBatch, owner: str | None, now_us: int
) -> pa.RecordBatch | None:
    if name == "access_events":
        return _access(batch, owner)
    if name == "config_events":
        return _hotlist(batch, owner)
    if name == "sharing_partners":
        return _sharing(batch, owner, now_us)
    return None


def prepare(
    paths: Iterable[str | Path],
    target: Path,
    *,
    format: str = "auto",
    org: str | None = None,
    home: str | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    direct: bool = False,
) -> Prepared:
    """Read ``paths`` into the input relation at ``target`` (Parquet); report per file.

    Configured sharing partners are judged at ``now`` (default: the present): the list is the
    configuration as released, not a dated event.
    """
    now_us = int((now or dt.datetime.now(dt.UTC)).timestamp() * 1_000_000)
    prepared = Prepared(target, [], {})
    options = ReadOptions(org=org)
    with pq.ParquetWriter(target, INPUT) as writer:
        for path in paths:
            adapter, stream = iter_batches(path, format, options)
            owner = org or file_agency(Path(path))
            prepared.owners[str(path)] = owner
            if direct and adapter.name == "events_parquet":
                report = _direct_report(Path(path))
                prepared.reports.append(report)
                prepared.direct.append((str(path), owner))
                prepared.rows += report.rows_read
                if progress:
                    progress(report.rows_read)
                continue
            report = FileReport(file=str(path), format=adapter.name)
            for batch in stream:
                name = table_of(batch)
                if owner is None and name == "sharing_partners" and batch.num_rows:
                    owner = batch.column("owner_org")[0].as_py()  # the list names its owner
                    prepared.owners[str(path)] = owner
                _account(report, name, batch)
                projected = _project(name, batch, owner, now_us)
                if projected is not None and projected.num_rows:
                    writer.write_batch(projected)
                    prepared.rows += projected.num_rows
                    if progress:
                        progress(projected.num_rows)
            prepared.reports.append(report)
            _note_owner(prepared, str(path), owner, home)
    return prepared


def _direct_report(path: Path) -> FileReport:
    """The read report of an events_parquet file, computed by DuckDB without reading it in."""
    import duckdb

    report = FileReport(file=str(path), format="events_parquet")
    src = f"read_parquet('{str(path).replace(chr(39), chr(39) * 2)}')"
    con = duckdb.connect()
    try:
        n, dups = con.execute(f"SELECT count(*), count(duplicate_of) FROM {src}").fetchone() or (
            0,
            0,
        )
        for column, target in (("zone_assumed", report.zones_assumed),
                               ("org_source", report.orgs_from)):  # fmt: skip
            for value, k in con.execute(
                f"SELECT {column}, count(*) FROM {src} WHERE {column} IS NOT NULL GROUP BY 1"
            ).fetchall():
                target[str(value)] = int(k)
    finally:
        con.close()
    report.rows_read = report.access_events = int(n)
    report.duplicates = int(dups)
    return report


def _note_owner(prepared: Prepared, path: str, owner: str | None, home: str | None) -> None:
    state = org_info(owner).state if owner else None
    if home and state and state != home:
        prepared.notes.append(
            f"`{Path(path).name}` is the log of {owner} ({state}), audited under the law of {home} "
            "as asked: its own searches are read as a local agency's, its partners against that law"
        )
