"""Normalised access events stored as Parquet (``access_events`` columns): the shape for logs that
outgrow one machine's spreadsheets — a warehouse export, or a previous read kept for re-auditing.

Detected by the Parquet magic bytes and a schema holding the ``access_events`` columns that the
auditor reads (``time``, ``org``, ``org_kind``, ``reason``…). Batches are streamed from the file's
row groups and cast to the ``access_events`` schema; columns the file lacks are null.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sanctuary.audit.formats.interface import (
    DEFAULT_OPTIONS,
    FormatAdapter,
    Head,
    ReadOptions,
    register,
)
from sanctuary.audit.tables import ACCESS_EVENTS

__all__ = ["EventsParquetAdapter"]

REQUIRED = frozenset({"time", "org", "org_kind", "org_source", "reason", "file", "row", "format"})


def _cast(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = []
    for field in ACCESS_EVENTS:
        if field.name in batch.schema.names:
            columns.append(batch.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(batch.num_rows, field.type))
    return pa.RecordBatch.from_arrays(columns, schema=ACCESS_EVENTS)


class EventsParquetAdapter(FormatAdapter):
    name = "events_parquet"
    description = "normalised access events as Parquet (the `access_events` columns)"

    def sniff(self, path: Path, head: Head) -> float:
        if path.suffix.lower() != ".parquet":
            return 0.0
        try:
            names = set(pq.read_schema(path).names)
        except (OSError, pa.ArrowInvalid):
            return 0.0
        return 0.95 if names >= REQUIRED else 0.0

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=65536):
            yield _cast(batch)


register(EventsParquetAdapter())
