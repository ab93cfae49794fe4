"""Redact files: text, CSV, JSON lines and Parquet, streamed, written atomically.

The output is written to a temporary file beside the destination and renamed into place only
when everything was redacted; on any failure the temporary file is removed and nothing is
released. Without an output path, the redacted data goes to stdout, also only at the end.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from sanctuary.protect._errors import RedactionError, RedactionInputError
from sanctuary.protect.catalogue import check_categories
from sanctuary.protect.columns import ColumnRule, plan_columns
from sanctuary.protect.operators.interface import Operator
from sanctuary.protect.tables import CellRedactor, redact_arrow

FORMATS = ("text", "csv", "jsonl", "parquet")
SAMPLE_ROWS = 200
TEXT_CHUNK = 1 << 20  # characters of whole lines per text chunk
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_SUFFIXES[".pq"] = "parquet"


@dataclass
class Summary:
    """What was redacted: counts by category and the column plan. Never values."""

    format: str
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "records": self.records,
            "redacted": sum(self.counts.values()),
            "counts": self.counts,
            "columns": self.columns,
        }


def detect_format(path: Path) -> str:
    return _SUFFIXES.get(path.suffix.lower(), "text")


@contextlib.contextmanager
def atomic_output(output: Path | None) -> Iterator[Path]:
    """A temporary path to write; renamed to `output` (or copied to stdout) on success only."""
    directory = output.parent if output is not None else None
    fd, name = tempfile.mkstemp(prefix=".sanctuary-", suffix=".part", dir=directory)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        if output is None:
            with temp.open("rb") as source:
                shutil.copyfileobj(source, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with temp.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temp, output)
    finally:
        temp.unlink(missing_ok=True)


def _text(source: Path, sink: Path, cells: CellRedactor, summary: Summary) -> None:
    with source.open(encoding="utf-8", newline="") as src, sink.open("w", encoding="utf-8") as out:
        chunk: list[str] = []
        size = 0
        for line in src:
            chunk.append(line)
            size += len(line)
            summary.records += 1
            if size >= TEXT_CHUNK:
                out.write(cells.scan("".join(chunk)))
                chunk, size = [], 0
        out.write(cells.scan("".join(chunk)))


def _csv(source: Path, sink: Path, cells: CellRedactor, summary: Summary) -> None:
    with source.open(encoding="utf-8", newline="") as src, sink.open("w", newline="") as out:
        reader = csv.reader(src)
        header = next(reader, None)
        if header is None:
            return
        head = [row for _, row in zip(range(SAMPLE_ROWS), reader, strict=False)]
        sample = {name: [row[i] for row in head if i < len(row)] for i, name in enumerate(header)}
        plan = plan_columns(dict.fromkeys(header, "string"), sample)
        summary.columns = {name: plan[name].category for name in header}
        rules: list[ColumnRule | None] = [plan[name] for name in header]
        writer = csv.writer(out)
        writer.writerow(header)
        for row in _chain(head, reader):
            summary.records += 1
            cells_out = [
                cells.cell(v, rules[i] if i < len(rules) else None) for i, v in enumerate(row)
            ]
            writer.writerow(["" if v is None else v for v in cells_out])


def _chain(head: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from head
    yield from rest


def _jsonl(source: Path, sink: Path, cells: CellRedactor, summary: Summary) -> None:
    with source.open("rb") as src, sink.open("wb") as out:
        lines = iter(src)
        head = []
        for number, line in zip(range(1, SAMPLE_ROWS + 1), lines, strict=False):
            head.append((number, line))
        records = [(n, _parse(line, source, n)) for n, line in head]
        sample: dict[str, list[Any]] = {}
        for _, record in records:
            for key, value in (record or {}).items():
                sample.setdefault(key, []).append(value)
        plan = plan_columns(dict.fromkeys(sample, "string"), sample)
        summary.columns = {name: rule.category for name, rule in plan.items()}
        rest = ((n, _parse(line, source, n)) for n, line in enumerate(lines, SAMPLE_ROWS + 1))
        for _, record in _chain(records, rest):
            if record is None:
                out.write(b"\n")
                continue
            summary.records += 1
            out.write(orjson.dumps(cells.record(record, plan)) + b"\n")


def _parse(line: bytes, source: Path, number: int) -> dict[str, Any] | None:
    if not line.strip():
        return None
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise RedactionInputError("not a JSON object", location=f"{source}:{number}") from None
    if not isinstance(value, dict):
        raise RedactionInputError("not a JSON object", location=f"{source}:{number}")
    return value


def _parquet(source: Path, sink: Path, cells: CellRedactor, summary: Summary) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    reader = pq.ParquetFile(source)
    schema = reader.schema_arrow
    types = {n: str(t) for n, t in zip(schema.names, schema.types, strict=True)}
    batches = reader.iter_batches(batch_size=10_000)
    first = next(batches, None)
    sample = first.slice(0, SAMPLE_ROWS).to_pydict() if first is not None else {}
    plan = plan_columns(types, sample)
    summary.columns = {name: plan[name].category for name in schema.names}
    writer = None
    try:
        for batch in _chain([first] if first is not None else [], batches):
            table = redact_arrow(pa.Table.from_batches([batch]), plan, cells)
            summary.records += table.num_rows
            if writer is None:
                writer = pq.ParquetWriter(sink, table.schema)
            writer.write_table(table)
        if writer is None:
            empty = redact_arrow(schema.empty_table(), plan, cells)
            pq.write_table(empty, sink)
    finally:
        if writer is not None:
            writer.close()


_HANDLERS = {"text": _text, "csv": _csv, "jsonl": _jsonl, "parquet": _parquet}


def redact_file(
    source: Path,
    output: Path | None = None,
    *,
    fmt: str | None = None,
    operator: str | Operator = "label",
    categories: frozenset[str] | set[str] | None = None,
) -> Summary:
    """Redact `source` into `output` (stdout when None); returns the summary."""
    kind = fmt or detect_format(source)
    if kind not in FORMATS:
        raise RedactionInputError(f"unknown format `{kind}`", help=f"one of {', '.join(FORMATS)}")
    if not source.is_file():
        raise RedactionInputError("no such input file", location=str(source))
    cells = CellRedactor(operator, check_categories(categories))
    summary = Summary(kind)
    try:
        with atomic_output(output) as temp:
            _HANDLERS[kind](source, temp, cells, summary)
    except RedactionError:
        raise
    except (UnicodeDecodeError, csv.Error) as err:
        raise RedactionInputError(
            f"cannot read the input ({type(err).__name__})", location=str(source)
        ) from None
    except Exception as err:  # fail closed without echoing data
        raise RedactionError(
            f"redaction failed ({type(err).__name__})", location=str(source)
        ) from None
    summary.counts = dict(sorted(cells.counts.items()))
    return summary


def write_summary(summary: Summary, stream: IO[str] | io.StringIO) -> None:
    stream.write(orjson.dumps(summary.as_dict(), option=orjson.OPT_SORT_KEYS).decode() + "\n")
