"""The normalised Arrow tables every log adapter produces.

An adapter's ``read`` yields ``pyarrow.RecordBatch`` objects; the table a batch belongs to is named
in its schema metadata (``sanctuary.table``), so one stream carries access events, configuration
events, sharing partners and refused rows without a side channel. ``table_of(batch)`` reads it.

Provenance columns (``file``, ``sheet``, ``row``, ``format``) are on every table: ``row`` is where a
person finds the record in the source (the spreadsheet row number as the spreadsheet shows it, the
line where a CSV record or a text record starts, the 1-based index in a JSON ``rows`` array).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

__all__ = [
    "ACCESS_EVENTS",
    "CONFIG_EVENTS",
    "REFUSED",
    "SHARING_PARTNERS",
    "TABLES",
    "BatchBuilder",
    "table_of",
]

_TS = pa.timestamp("us", tz="UTC")

_PROVENANCE = [
    pa.field("file", pa.string(), nullable=False),
    pa.field("sheet", pa.string()),
    pa.field("row", pa.int64(), nullable=False),
    pa.field("format", pa.string(), nullable=False),
]

_ORG = [
    pa.field("org", pa.string()),
    pa.field("org_kind", pa.string(), nullable=False),
    pa.field("org_state", pa.string()),
    # Where the org came from: `row` (a column), `file` (the file's own agency: portal, file name),
    # `option` (given by the caller), `none` (unknown).
    pa.field("org_source", pa.string(), nullable=False),
]


def _schema(name: str, fields: list[pa.Field]) -> pa.Schema:
    return pa.schema(fields, metadata={b"sanctuary.table": name.encode()})


ACCESS_EVENTS = _schema(
    "access_events",
    [
        pa.field("event_id", pa.string()),
        pa.field("time", _TS, nullable=False),
        *_ORG,
        pa.field("user", pa.string()),
        pa.field("reason", pa.string()),
        # `reason` with URL-form residue undone (`Person+Crime` -> `Person Crime`), spaces folded.
        pa.field("reason_normalised", pa.string()),
        pa.field("offense_category", pa.string()),
        pa.field("case_number", pa.string()),
        pa.field("networks_searched", pa.int64()),
        pa.field("devices_searched", pa.int64()),
        pa.field("search_type", pa.string()),
        pa.field("filters", pa.string()),
        pa.field("text_prompt", pa.string()),
        pa.field("moderation", pa.string()),
        pa.field("time_frame_start", _TS),
        pa.field("time_frame_end", _TS),
        # The IANA zone applied to a source time that carried none; null when the source said UTC.
        pa.field("zone_assumed", pa.string()),
        # Fields the source marked redacted (`***`, `——`); their values are null.
        pa.field("redacted", pa.list_(pa.string())),
        # For a repeated source ID: the `row` of its first occurrence in the same file.
        pa.field("duplicate_of", pa.int64()),
        *_PROVENANCE,
    ],
)

CONFIG_EVENTS = _schema(
    "config_events",
    [
        pa.field("time", _TS, nullable=False),
        *_ORG,
        pa.field("user", pa.string()),
        pa.field("event_type", pa.string()),
        pa.field("entity_type", pa.string()),
        pa.field("entity_name", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("case_number", pa.string()),
        # Every `Key: value` line of the details cell, in order, keys as given.
        pa.field("details", pa.map_(pa.string(), pa.string())),
        pa.field("zone_assumed", pa.string()),
        *_PROVENANCE,
    ],
)

SHARING_PARTNERS = _schema(
    "sharing_partners",
    [
        pa.field("owner_org", pa.string()),
        pa.field("owner_org_state", pa.string()),
        pa.field("partner", pa.string(), nullable=False),
        pa.field("partner_kind", pa.string(), nullable=False),
        pa.field("partner_state", pa.string()),
        # shares_data_with | receives_data_from | shares_hotlist_with | receives_hotlist_from
        pa.field("relation", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        *_PROVENANCE,
    ],
)

REFUSED = _schema(
    "refused",
    [
        pa.field("code", pa.string(), nullable=False),
        # Never carries personal fields: only field names and the offending time/number text.
        pa.field("message", pa.string(), nullable=False),
        *_PROVENANCE,
    ],
)

TABLES: dict[str, pa.Schema] = {
    "access_events": ACCESS_EVENTS,
    "config_events": CONFIG_EVENTS,
    "sharing_partners": SHARING_PARTNERS,
    "refused": REFUSED,
}


def table_of(batch: pa.RecordBatch) -> str:
    """The table name a batch belongs to (from its schema metadata)."""
    meta = batch.schema.metadata or {}
    name = meta.get(b"sanctuary.table", b"").decode()
    if name not in TABLES:
        raise ValueError(f"record batch without a known `sanctuary.table`: `{name}`")
    return name


class BatchBuilder:
    """Collects row dicts for one table and hands out record batches of ``size`` rows.

    Bounded memory: at most ``size`` rows are held before a batch is yielded.
    """

    def __init__(self, schema: pa.Schema, size: int = 8192) -> None:
        self.schema = schema
        self.size = size
        self._columns: dict[str, list[Any]] = {name: [] for name in schema.names}
        self._n = 0
        self.total = 0

    def add(self, row: dict[str, Any]) -> Iterator[pa.RecordBatch]:
        """Add one row; yields a full batch when one is ready (use with ``yield from``)."""
        for name, values in self._columns.items():
            values.append(row.get(name))
        self._n += 1
        self.total += 1
        if self._n >= self.size:
            yield self._flush()

    def finish(self) -> Iterator[pa.RecordBatch]:
        """Yield the last partial batch, if any."""
        if self._n:
            yield self._flush()

    def _flush(self) -> pa.RecordBatch:
        batch = pa.RecordBatch.from_pydict(self._columns, schema=self.schema)
        self._columns = {name: [] for name in self.schema.names}
        self._n = 0
        return batch
