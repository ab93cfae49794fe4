"""The `sanctuary` command: a thin shell over the Python API.

Each command parses its arguments, calls one public function and formats the result. Bad input exits
2 with one line naming the file, field or line; an internal failure exits 1.
"""

from __future__ import annotations

import sys
from enum import StrEnum

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


from sanctuary.ledger.cli import ledger_app  # noqa: E402

app.add_typer(ledger_app, name="ledger")


def main() -> None:
    try:
        app()
    except SanctuaryError as err:
        sys.stderr.write(f"sanctuary: {err.one_line()}\n")
        raise SystemExit(err.exit_code) from None
