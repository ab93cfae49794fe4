"""The `sanctuary` command: a thin shell over the Python API.

Each command parses its arguments, calls one public function and formats the result. Bad input exits
2 with one line naming the file, field or line; an internal failure exits 1.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from pydantic import TypeAdapter

from sanctuary.errors import InputError, SanctuaryError

app = typer.Typer(
    help="Sanctuary: sanctuary ordinances as code.",
    no_args_is_help=True,
    # Local variables in tracebacks could leak personal data from requests.
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
policy_app = typer.Typer(help="Policy packs: test, show, verify.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")

PacksOption = Annotated[
    Path | None,
    typer.Option("--packs", envvar="SANCTUARY_PACKS", help="Folder of packs (default: bundled)."),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="SANCTUARY_DB",
        help="sqlite:///path (default ./sanctuary.db) or postgresql://…",
    ),
]
AtOption = Annotated[
    str | None, typer.Option("--at", help="Apply the law in force at this RFC 3339 time.")
]


@app.callback()
def _root() -> None:
    """Sanctuary: sanctuary ordinances as code."""


def _parse_time(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"`--at` is not an RFC 3339 time: `{value}`", location="--at") from None
    if parsed.tzinfo is None:
        raise InputError(
            "`--at` needs a time zone, e.g. `2025-03-04T17:05:00-08:00`", location="--at"
        )
    return parsed


def _open_ledger(db: str | None) -> Any:
    from sanctuary.ledger import Ledger

    return Ledger.open(db)


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data + b"\n")


class SchemaName(StrEnum):
    request = "request"
    decision = "decision"
    pack = "pack"


@app.command()
def schema(name: SchemaName) -> None:
    """Print the JSON Schema of a public shape.

    Example: sanctuary schema request
    """
    from sanctuary.model import Decision, Request
    from sanctuary.policy.schema import PackSpec

    models: dict[SchemaName, type] = {
        SchemaName.request: Request,
        SchemaName.decision: Decision,
        SchemaName.pack: PackSpec,
    }
    document = TypeAdapter(models[name]).json_schema(by_alias=True)
    _write(orjson.dumps(document, option=orjson.OPT_INDENT_2))


@app.command()
def decide(
    requests: Annotated[
        list[str], typer.Argument(help="Request files (JSON, JSON array, JSON lines) or -.")
    ],
    packs: PacksOption = None,
    at: AtOption = None,
    pretty: Annotated[bool, typer.Option("--pretty", help="Indent each decision.")] = False,
    record: Annotated[
        bool, typer.Option("--record", help="Append each decision to the ledger.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Decide each request: one Decision JSON per request, one per line.

    With --record each decision is appended to the ledger first and printed with its receipt; if
    the append fails nothing is printed for it and the command exits 1 (fail closed).

    Example: sanctuary decide request.json --record --db sqlite:///./sanctuary.db
    """
    from sanctuary.jsonio import decision_json, read_requests
    from sanctuary.policy import engine_for

    engine = engine_for(packs)
    when = _parse_time(at)
    ledger = _open_ledger(db) if record else None
    try:
        for path in requests:
            for request in read_requests(path):
                decision = engine.decide(request, when)
                if ledger is not None:
                    receipt = ledger.record_decision(request, decision, checkpoint=True)
                    decision = decision.model_copy(update={"ledger": receipt})
                _write(decision_json(decision, indent=pretty))
    finally:
        if ledger is not None:
            ledger.close()


@app.command()
def demo(
    folder: Annotated[
        Path, typer.Option("--dir", help="Where the demo database and keys live.")
    ] = Path("sanctuary-demo"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
) -> None:
    """Start the service on a local database with example keys; print the URL and a ready curl.

    Example: sanctuary demo --port 8765
    """
    from sanctuary.demo import prepare_demo, run_demo

    plan = prepare_demo(folder, host, port)
    for line in plan.lines():
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    run_demo(plan)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    packs: PacksOption = None,
    workers: Annotated[
        int, typer.Option(help="Processes on one port, each with its own ledger writer.")
    ] = 1,
) -> None:
    """Run the HTTP decision service (and web console).

    Example: sanctuary serve --db sqlite:///./sanctuary.db --port 8000
    """
    from sanctuary.service import Settings
    from sanctuary.service.app import serve as run

    settings = Settings.load(db=db, packs=str(packs) if packs else None)
    run(settings, host, port, workers)


keys_app = typer.Typer(help="API keys bound to agency identities.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("add")
def keys_add(
    agency: Annotated[str, typer.Argument(help="Agency code (spec/vocab.md) or name.")],
    role: Annotated[str, typer.Option(help="requester, pep, reviewer, auditor or admin.")],
    name: Annotated[
        str | None, typer.Option(help="The agency's own name, e.g. Glendale PD.")
    ] = None,
    state: Annotated[
        str | None, typer.Option(help="Two-letter state of a state or local agency.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an API key; the key is printed once, as the last word of the output.

    Example: sanctuary keys add ICE-ERO --role requester
    """
    from sanctuary.service.keys import add_key

    key, identity = add_key(db, agency, role, name=name, state=state)
    sys.stdout.write(
        f"created key {identity.key_id} for {identity.agency} ({identity.role}): {key}\n"
    )


@policy_app.command("test")
def policy_test(
    pack: Annotated[list[str] | None, typer.Argument(help="Pack ids (default: all).")] = None,
    packs: PacksOption = None,
) -> None:
    """Run the packs' scenario tests; exit 1 if any fails.

    Example: sanctuary policy test us-ca/los-angeles
    """
    from sanctuary.policy import bundled_packs_dir, engine_for
    from sanctuary.policy.testing import run_all, scenario_files

    engine = engine_for(packs)
    files = scenario_files(packs or bundled_packs_dir(), pack)
    passed = failed = 0
    for result in run_all(engine, files):
        if result.passed:
            passed += 1
            continue
        failed += 1
        for failure in result.failures:
            sys.stdout.write(
                f"FAIL {result.scenario.location}: {result.scenario.name}: {failure}\n"
            )
    sys.stdout.write(f"{passed} passed, {failed} failed\n")
    if failed or not passed:
        raise typer.Exit(1)


@policy_app.command("verify")
def policy_verify(
    pack: Annotated[list[str] | None, typer.Argument(help="Pack ids (default: all).")] = None,
    packs: PacksOption = None,
) -> None:
    """Prove the packs' declared properties (z3); print counterexamples; exit 1 unless all hold.

    Example: sanctuary policy verify us-ca/los-angeles
    """
    from sanctuary.policy import load_packs
    from sanctuary.policy.verify import report, verify

    results = verify(load_packs(packs), pack)
    sys.stdout.write(report(results))
    if not results or not all(result.ok for result in results):
        raise typer.Exit(1)


@policy_app.command("show")
def policy_show(
    pack: Annotated[str, typer.Argument(help="Pack id, e.g. us-ca/los-angeles.")],
    packs: PacksOption = None,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
) -> None:
    """Show the rules of a pack in force at a time (default: now), with citations.

    Example: sanctuary policy show us-ca --at 2019-01-01T00:00:00Z
    """
    from sanctuary.policy import load_packs
    from sanctuary.policy.show import rules_in_force

    when = _parse_time(at) or dt.datetime.now(dt.UTC)
    rows = rules_in_force(load_packs(packs), pack, when)
    if as_json:
        _write(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
        return
    for row in rows:
        sys.stdout.write(f"{row['id']}  [{row['effect']}, {row['status']}]  {row['citation']}\n")
        sys.stdout.write(
            f"    in force {row['effective_from']} .. {row['effective_to'] or 'open'}\n"
        )
        sys.stdout.write(f"    {row['summary']}\n")


class AuditEngine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@app.command()
def audit(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Audit log files.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (replaced atomically).")],
    fmt: Annotated[str, typer.Option("--format", help="auto, or an adapter name.")] = "auto",
    jurisdiction: Annotated[str, typer.Option(help="Whose law applies.")] = "us-ca",
    engine: Annotated[AuditEngine, typer.Option(help="SQL engine.")] = AuditEngine.duckdb,
    org: Annotated[str | None, typer.Option(help="The agency whose logs these are.")] = None,
) -> None:
    """Audit plate-reader access logs: findings.csv/.parquet, summary.json, report.html in --out.

    Example: sanctuary audit EPDSearchAuditLogs.csv --out audit-eugene --jurisdiction us-ca
    """
    from sanctuary.audit.run import run_audit

    summary = run_audit(
        files, out, format=fmt, jurisdiction=jurisdiction, engine=engine.value, org=org,
        progress=True,
    )  # fmt: skip
    counts = ", ".join(f"{k} {v}" for k, v in summary["by_finding"].items()) or "none"
    sys.stdout.write(f"{summary['rows_audited']} rows audited; findings: {counts}; wrote {out}\n")


from sanctuary.ledger.cli import ledger_app  # noqa: E402

app.add_typer(ledger_app, name="ledger")


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


@app.command()
def scan(
    target: Annotated[str, typer.Argument(metavar="URL|FILE", help="database URL, file or folder")],
    html: Annotated[Path | None, typer.Option("--html", help="also write the HTML page")] = None,
    sample: Annotated[int, typer.Option(min=1, help="rows sampled per table")] = 1_000,
) -> None:
    """Data inventory: which tables and columns hold which sensitive categories (counts and
    confidence, never values), and which forms or schemas collect immigration status. JSON on
    stdout.

    Example: sanctuary scan postgresql://readonly@db.city/jail --html inventory.html
    """
    from sanctuary.inventory import render_html
    from sanctuary.inventory import scan as run_scan

    def progress(table: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"scanning {table}\n")

    inventory = run_scan(target, sample=sample, progress=progress)
    if html is not None:
        tmp = html.with_name(f".{html.name}.tmp")
        tmp.write_text(render_html(inventory), encoding="utf-8")
        tmp.replace(html)  # nothing half-written
    sys.stdout.write(orjson.dumps(inventory, option=orjson.OPT_INDENT_2).decode() + "\n")


def main() -> None:
    try:
        app()
    except SanctuaryError as err:
        sys.stderr.write(f"sanctuary: {err.one_line()}\n")
        raise SystemExit(err.exit_code) from None
