"""The `sanctuary` command: a thin shell over the Python API.

Each command parses its arguments, calls one public function and formats the result. Bad input exits
2 with one line naming the file, field or line; an internal failure exits 1.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from pydantic import TypeAdapter

from sanctuary.errors import SanctuaryError

app = typer.Typer(
    help="Sanctuary: sanctuary ordinances as code.",
    no_args_is_help=True,
    # Local variables in tracebacks could leak personal data from requests.
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Sanctuary: sanctuary ordinances as code."""


class SchemaName(StrEnum):
    request = "request"
    decision = "decision"


@app.command()
def schema(name: SchemaName) -> None:
    """Print the JSON Schema of a public shape.

    Example: sanctuary schema request
    """
    from sanctuary.model import Decision, Request

    model = Request if name is SchemaName.request else Decision
    document = TypeAdapter(model).json_schema(by_alias=True)
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")


class RedactOperator(StrEnum):
    label = "label"
    mask = "mask"
    remove = "remove"
    hmac = "hmac"
    generalise = "generalise"


class RedactFormat(StrEnum):
    text = "text"
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


@app.command()
def redact(
    source: Annotated[Path, typer.Argument(metavar="INPUT", help="text, CSV, JSONL or Parquet")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="default: stdout")] = None,
    operator: Annotated[
        RedactOperator, typer.Option(envvar="SANCTUARY_REDACT_OPERATOR")
    ] = RedactOperator.label,
    fmt: Annotated[RedactFormat | None, typer.Option("--format")] = None,
    category: Annotated[list[str] | None, typer.Option(help="only these data categories")] = None,
    json_summary: Annotated[bool, typer.Option("--json", help="summary as JSON")] = False,
) -> None:
    """Redact immigration-sensitive data; the summary (counts, never values) goes to stderr.

    Example: sanctuary redact report.csv --out report.redacted.csv --operator hmac
    """
    from sanctuary.protect import redact_file

    summary = redact_file(
        source,
        out,
        fmt=fmt.value if fmt else None,
        operator=operator.value,
        categories=set(category) if category else None,
    )
    if json_summary:
        sys.stderr.write(orjson.dumps(summary.as_dict(), option=orjson.OPT_SORT_KEYS).decode())
        sys.stderr.write("\n")
    else:
        counts = ", ".join(f"{k} {v}" for k, v in summary.counts.items()) or "nothing"
        sys.stderr.write(f"redacted {summary.format}, {summary.records} records: {counts}\n")


def main() -> None:
    try:
        app()
    except SanctuaryError as err:
        sys.stderr.write(f"sanctuary: {err.one_line()}\n")
        raise SystemExit(err.exit_code) from None
