"""``sanctuary audit``: read the logs, evaluate the jurisdiction's pack in bulk, write the outputs.

>>> from sanctuary.audit.run import run_audit
>>> summary = run_audit(["EPDSearchAuditLogs.csv"], Path("out"))     # doctest: +SKIP
>>> summary["by_finding"]                                              # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from sanctuary.audit.engines import ENGINES, run_duckdb_outputs, run_engine_to
from sanctuary.audit.findings import FINDINGS, plan_for
from sanctuary.audit.outputs import atomic_dir, stream_outputs, summarise
from sanctuary.audit.prepare import Progress, prepare
from sanctuary.audit.stages import stage
from sanctuary.errors import InputError
from sanctuary.policy import default_engine
from sanctuary.reports.audit_report import render_report

__all__ = ["run_audit"]

METHOD_VERSION = "1"
SORT_LIMIT = 2_000_000  # rows audited; beyond it findings are written unsorted (a sort of
# millions of wide rows would cost more than the rest of the audit)


def _home(jurisdiction: str) -> str:
    state = jurisdiction.partition("/")[0]
    return state.split("-")[1].upper() if "-" in state else ""


@contextmanager
def _progress(enabled: bool) -> Iterator[tuple[Progress | None, Any]]:
    """A rich progress bar on stderr when it is a terminal; otherwise nothing."""
    if not enabled or not sys.stderr.isatty():
        yield None, lambda _text: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
        TextColumn("{task.completed:,} rows"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    )  # fmt: skip
    with bar:
        task = bar.add_task("reading logs", total=None)
        yield (
            lambda n: bar.advance(task, n),
            lambda text: bar.update(task, description=text),
        )


def run_audit(
    paths: Iterable[str | Path],
    out: Path,
    *,
    format: str = "auto",
    jurisdiction: str = "us-ca",
    engine: str = "duckdb",
    org: str | None = None,
    progress: bool = False,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Audit ``paths`` under ``jurisdiction``'s packs and write the four outputs into ``out``."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine `{engine}`", help="duckdb or spark", location="--engine")
    files = [Path(p) for p in paths]
    if not files:
        raise InputError("no log file given", location="FILE")
    with stage("packs"):
        chain = default_engine().chain(jurisdiction)  # unknown jurisdiction: exit 2 before work
        plan, home = plan_for(chain), _home(jurisdiction)
    with (
        tempfile.TemporaryDirectory(prefix="sanctuary-audit-") as work,
        _progress(progress) as (
            advance,
            describe,
        ),
    ):
        with stage("prepare (read logs)"):
            prepared = prepare(
                files, Path(work) / "input.parquet", format=format, org=org, home=home or None,
                progress=advance, now=now, direct=engine == "duckdb",
            )  # fmt: skip
        describe(f"evaluating with {engine}, writing outputs")
        # Large audits stream unsorted (see engines.audit_sql); small ones are sorted by row.
        ordered = prepared.rows <= SORT_LIMIT
        meta = _meta(jurisdiction, engine, chain, plan, prepared)
        reports = [r.as_dict() for r in prepared.reports]
        with atomic_dir(out) as folder:
            if engine == "duckdb":
                totals, agg = run_duckdb_outputs(
                    prepared.path, plan, home, folder, direct=prepared.direct, ordered=ordered
                )
            else:
                raw = Path(work) / "raw.parquet"
                totals = run_engine_to(engine, prepared.path, plan, home, raw, ordered=ordered)
                agg = stream_outputs(raw, plan, folder)
            with stage("summary.json"):
                summary = summarise(agg, totals, meta, reports)
                (folder / "summary.json").write_bytes(
                    orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
                )
            with stage("report.html"):
                (folder / "report.html").write_text(render_report(summary, agg, plan), "utf-8")
    return summary


def _meta(jurisdiction: str, engine: str, chain: Any, plan: Any, prepared: Any) -> dict[str, Any]:
    """What summary.json says about the run itself."""
    return {
        "jurisdiction": jurisdiction,
        "engine": engine,
        "packs": [{"id": p.id, "version": p.version} for p in chain],
        "rules_evaluated": [r.id for _, _, r in plan.rules],
        "finding_rules": {k: [plan.rule(i).id for i in v] for k, v in plan.candidates.items()},
        "finding_values": [s.name for s in FINDINGS],
        "rows_audited": prepared.rows,
        "owners": prepared.owners,
        "notes": prepared.notes,
        "method_version": METHOD_VERSION,
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
