"""Scenario tests for policy packs (docs/packs.md, "Scenario tests"), like ``opa test``.

A scenario gives a request, optionally the time the law is applied at, and what the decision must
show. Failures name the file, the line, the scenario and the field that differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sanctuary.errors import ScenarioError, did_you_mean
from sanctuary.model import Decision, Request
from sanctuary.policy.evaluate import Engine
from sanctuary.policy.yamlfile import LineDict, line_of, read_yaml

SCENARIO_KEYS = {"name", "at", "request", "expect"}
EXPECT_KEYS = {
    "decision", "rules", "not_rules", "obligations", "allowed_data", "withheld_data",
    "exceptions_applied",
}  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    name: str
    file: Path
    line: int
    at: dt.datetime | None
    request: Request
    expect: dict[str, Any]

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class ScenarioResult:
    scenario: Scenario
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def scenario_files(packs_dir: Path, only: list[str] | None = None) -> list[Path]:
    """The scenario files beside each pack (``<pack dir>/tests/*.yaml``), optionally of some."""
    files: list[Path] = []
    for pack_dir in sorted(p.parent for p in packs_dir.glob("*/pack.yaml")):
        if only and pack_dir.name not in {o.replace("/", "-") for o in only}:
            continue
        files.extend(sorted((pack_dir / "tests").glob("*.yaml")))
    return files


def load_scenarios(path: Path) -> list[Scenario]:
    raw = read_yaml(path, ScenarioError)
    defaults: dict[str, Any] = {}
    items = raw
    if isinstance(raw, dict):
        unknown = set(raw) - {"defaults", "scenarios"}
        if unknown:
            key = sorted(unknown)[0]
            raise ScenarioError(
                f"unknown key `{key}`",
                help=did_you_mean(key, ["defaults", "scenarios"]),
                location=f"{path}:{line_of(raw, key)}",
            )
        defaults = dict(raw.get("defaults") or {})
        items = raw.get("scenarios") or []
    if not isinstance(items, list):
        raise ScenarioError("a scenario file is a list of scenarios", location=str(path))
    return [_scenario(path, item, defaults, line_of(items, i)) for i, item in enumerate(items)]


def _scenario(path: Path, item: Any, defaults: dict[str, Any], line: int) -> Scenario:
    where = f"{path}:{line}"
    if not isinstance(item, LineDict):
        raise ScenarioError(
            "a scenario is a mapping with `name`, `request` and `expect`", location=where
        )
    _refuse_unknown(item, SCENARIO_KEYS, "scenario", path)
    if not isinstance(item.get("expect"), dict):
        raise ScenarioError("a scenario needs an `expect` mapping", location=where)
    _refuse_unknown(item["expect"], EXPECT_KEYS, "expect", path)
    name = str(item.get("name") or "").strip()
    if not name:
        raise ScenarioError("a scenario needs a `name` (a sentence)", location=where)
    merged = _merge(defaults, dict(item.get("request") or {}))
    try:
        request = Request.model_validate(merged)
    except ValidationError as err:
        first = err.errors()[0]
        field_path = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(
            f"scenario `{name}`: request field `{field_path}`: {first['msg'].lower()}",
            location=f"{path}:{line_of(item, 'request')}",
        ) from None
    at = _parse_at(item.get("at"), f"{path}:{line_of(item, 'at')}")
    return Scenario(name, path, line, at, request, dict(item["expect"]))


def _refuse_unknown(mapping: Any, allowed: set[str], what: str, path: Path) -> None:
    for key in mapping:
        if key not in allowed:
            raise ScenarioError(
                f"unknown key `{key}` in a {what}",
                help=did_you_mean(key, allowed) or f"allowed: {', '.join(sorted(allowed))}",
                location=f"{path}:{line_of(mapping, key)}",
            )


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _parse_at(value: Any, where: str) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise ScenarioError(
                f"`at` is not an RFC 3339 time: `{value}`", location=where
            ) from None
    if parsed.tzinfo is None:
        raise ScenarioError("`at` needs a time zone (e.g. `-08:00` or `Z`)", location=where)
    return parsed


def check(decision: Decision, expect: dict[str, Any]) -> list[str]:
    """Each way ``decision`` differs from ``expect``, as ``field: expected …, got …``."""
    failures: list[str] = []
    rules = [r.rule for r in decision.reasons]
    if "decision" in expect and decision.decision != expect["decision"]:
        failures.append(
            f"decision: expected {expect['decision']}, got {decision.decision} (rules: {rules})"
        )
    for rule in expect.get("rules") or []:
        if rule not in rules:
            failures.append(f"rules: expected `{rule}` among the reasons, got {rules}")
    for rule in expect.get("not_rules") or []:
        if rule in rules:
            failures.append(f"not_rules: `{rule}` must not be among the reasons")
    for key in ("allowed_data", "withheld_data"):
        if key in expect and sorted(getattr(decision, key)) != sorted(expect[key] or []):
            failures.append(
                f"{key}: expected {sorted(expect[key] or [])}, got {getattr(decision, key)}"
            )
    got_obligations = [o.model_dump(exclude_none=True) for o in decision.obligations]
    for wanted in expect.get("obligations") or []:
        if not any(all(o.get(k) == v for k, v in dict(wanted).items()) for o in got_obligations):
            failures.append(f"obligations: expected {dict(wanted)}, got {got_obligations}")
    if "exceptions_applied" in expect:
        applied = sorted({e.rule for e in decision.exceptions if e.applied})
        if applied != sorted(expect["exceptions_applied"] or []):
            failures.append(
                f"exceptions_applied: expected {sorted(expect['exceptions_applied'] or [])}, "
                f"got {applied}"
            )
    return failures


def run_scenario(engine: Engine, scenario: Scenario) -> ScenarioResult:
    try:
        decision = engine.decide(scenario.request, scenario.at)
    except Exception as err:  # a scenario that cannot be decided is a failure, reported as such
        return ScenarioResult(scenario, [f"error: {type(err).__name__}: {err}"])
    return ScenarioResult(scenario, check(decision, scenario.expect))


def run_all(engine: Engine, files: list[Path]) -> Iterator[ScenarioResult]:
    for path in files:
        for scenario in load_scenarios(path):
            yield run_scenario(engine, scenario)
