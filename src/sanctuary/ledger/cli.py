"""``sanctuary ledger …``: each command parses, calls one public function, prints JSON or text.

Mounted on the main app with ``app.add_typer(ledger_app, name="ledger")``.
"""

from __future__ import annotations

import base64
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import orjson
import typer

from sanctuary.errors import SanctuaryError
from sanctuary.ledger.log import Ledger

ledger_app = typer.Typer(
    help="The tamper-evident decision ledger: checkpoints, proofs, entries, verification.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="SANCTUARY_DB",
        help="sqlite:///path or postgresql://… (default ./sanctuary.db)",
    ),
]


def _print_json(value: object) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")


@contextlib.contextmanager
def _ledger(db: str | None, verifier_key: str | None = None) -> Iterator[Ledger]:
    """Open the ledger; any Sanctuary error becomes one line on stderr and its exit status."""
    try:
        with Ledger.open(db, verifier_key=verifier_key) as ledger:
            yield ledger
    except SanctuaryError as err:
        sys.stderr.write(f"sanctuary: {err.one_line()}\n")
        raise typer.Exit(err.exit_code) from None


@ledger_app.command()
def key(db: DbOption = None) -> None:
    """Print the verifier key (C2SP vkey text) that checks this ledger's checkpoints.

    Example: sanctuary ledger key --db sqlite:///./sanctuary.db
    """
    with _ledger(db) as ledger:
        sys.stdout.write(ledger.verifier_key() + "\n")


@ledger_app.command()
def checkpoint(db: DbOption = None) -> None:
    """Print the latest signed checkpoint (a C2SP signed note), signing one if the tree grew.

    Example: sanctuary ledger checkpoint > checkpoint.txt
    """
    with _ledger(db) as ledger:
        sys.stdout.write(ledger.checkpoint())


@ledger_app.command()
def export(
    start: Annotated[int, typer.Option(help="first index")] = 0,
    end: Annotated[int | None, typer.Option(help="index after the last (default: all)")] = None,
    db: DbOption = None,
) -> None:
    """Print entries as JSON lines: {"index": i, "leaf": "<base64 leaf bytes>"}.

    Example: sanctuary ledger export --start 0 --end 100
    """
    with _ledger(db) as ledger:
        for index, leaf in ledger.export(start, end):
            _print_json({"index": index, "leaf": base64.b64encode(leaf).decode()})


@ledger_app.command()
def prove(
    index: Annotated[int | None, typer.Option(help="entry to prove included")] = None,
    size: Annotated[int | None, typer.Option(help="tree size (default: current)")] = None,
    from_: Annotated[int | None, typer.Option("--from", help="older tree size")] = None,
    to: Annotated[int | None, typer.Option(help="newer tree size")] = None,
    db: DbOption = None,
) -> None:
    """Print an inclusion proof (--index I [--size N]) or a consistency proof (--from M --to N).

    Example: sanctuary ledger prove --index 41 --size 100
    """
    inclusion = index is not None
    consistency = from_ is not None and to is not None
    if inclusion == consistency or (inclusion and (from_ is not None or to is not None)):
        sys.stderr.write("sanctuary: give either --index [--size] or both --from and --to\n")
        raise typer.Exit(2)
    with _ledger(db) as ledger:
        if index is not None:
            _print_json(ledger.prove_inclusion(index, size).to_json())
        else:
            assert from_ is not None and to is not None
            _print_json(ledger.prove_consistency(from_, to).to_json())


@ledger_app.command()
def verify(
    checkpoint_file: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="a checkpoint you hold; the ledger must extend it"),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key", help="verifier key (vkey text): check a copy without its signing key file"
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Re-derive every hash, check every checkpoint; exit 1 naming the first bad index.

    Example: sanctuary ledger verify --checkpoint checkpoint.txt
    """
    text = None
    if checkpoint_file is not None:
        try:
            text = checkpoint_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            sys.stderr.write(f"sanctuary: {checkpoint_file}: cannot read: {type(err).__name__}\n")
            raise typer.Exit(2) from None
    with _ledger(db, key) as ledger:
        report = ledger.verify(text)
    _print_json(report.to_json())
    if not report.ok:
        if report.first_bad_index is not None:
            where = f"first bad index {report.first_bad_index}"
        elif report.bad_checkpoint is not None:
            where = f"bad checkpoint of size {report.bad_checkpoint}"
        else:
            where = "the given checkpoint"
        sys.stderr.write(f"sanctuary: verification failed: {where}: {report.problem}\n")
        raise typer.Exit(1)
