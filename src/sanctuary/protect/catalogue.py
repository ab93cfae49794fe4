"""Load the recogniser catalogue (recognisers.yaml) into plain, frozen records.

Loading only reads and checks data: no pattern is compiled here (engine.py does that) and no model
is downloaded anywhere. Errors name the catalogue file and the recogniser or pattern at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sanctuary.protect._errors import RecogniserError
from sanctuary.protect.validators import REGISTRY

CATEGORIES = frozenset(
    {"immigration_status", "citizenship", "place_of_birth", "national_ids", "home_address"}
    | {"work_address", "contact_info", "release_date", "custody_status", "booking_record"}
    | {"criminal_history", "court_dates", "alpr_reads", "vehicle_records", "drivers_license"}
    | {"photo", "biometrics", "utility_records", "benefits_records", "school_records"}
    | {"health_records", "tax_records", "employment_records", "incident_report"}
    | {"aggregate_statistics", "other"}
)


@dataclass(frozen=True)
class PatternSpec:
    """One way a recogniser finds its data: a shared shape or its own phrase regex."""

    name: str
    score: float
    shape: str | None = None
    regex: str | None = None
    validators: tuple[str, ...] = ()
    # When the nearest label before the candidate is a stop label ("Report number A12345678"),
    # drop the claim even if its score passes: for strong but ambiguous shapes.
    vetoed_by_stop_label: bool = False


@dataclass(frozen=True)
class Recogniser:
    name: str
    label: str
    category: str
    description: str
    source: str
    patterns: tuple[PatternSpec, ...]
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    threshold: float
    context_window: int
    context_boost: float
    stop_labels: tuple[str, ...]
    shapes: dict[str, str]
    recognisers: tuple[Recogniser, ...]
    origin: str = "recognisers.yaml"


def default_catalogue() -> Catalogue:
    text = resources.files("sanctuary.protect").joinpath("recognisers.yaml").read_text("utf-8")
    return parse_catalogue(text, origin="recognisers.yaml")


def load_catalogue(path: Path) -> Catalogue:
    return parse_catalogue(path.read_text("utf-8"), origin=str(path))


def _fail(origin: str, where: str, message: str) -> RecogniserError:
    return RecogniserError(message, location=f"{origin}:{where}")


def _check_regex(origin: str, where: str, regex: str) -> None:
    try:
        re.compile(regex)
    except re.error as err:
        raise _fail(origin, where, f"bad regular expression: {err}") from None


_PATTERN_KEYS = {"name", "score", "shape", "regex", "validators", "vetoed_by_stop_label"}
_TOP_KEYS = {"version", "threshold", "context_window", "context_boost", "stop_labels", "shapes"}
_TOP_KEYS |= {"recognisers"}


def _refuse_unknown(origin: str, where: str, raw: dict[str, Any], known: set[str]) -> None:
    from sanctuary.errors import did_you_mean

    for key in raw:
        if key not in known:
            raise RecogniserError(
                f"unknown key `{key}`", location=f"{origin}:{where}", help=did_you_mean(key, known)
            )


def check_categories(categories: frozenset[str] | set[str] | None) -> frozenset[str] | None:
    """Refuse an unknown category: a typo must not silently leave data unredacted."""
    from sanctuary.errors import did_you_mean
    from sanctuary.protect._errors import RedactionInputError

    if categories is None:
        return None
    for category in categories:
        if category not in CATEGORIES:
            raise RedactionInputError(
                f"unknown data category `{category}`", help=did_you_mean(category, CATEGORIES)
            )
    return frozenset(categories)


def _pattern(origin: str, rec: str, raw: dict[str, Any], shapes: dict[str, str]) -> PatternSpec:
    where = f"{rec}.{raw.get('name', '?')}"
    _refuse_unknown(origin, where, raw, _PATTERN_KEYS)
    spec = PatternSpec(
        name=str(raw["name"]),
        score=float(raw["score"]),
        shape=raw.get("shape"),
        regex=raw.get("regex"),
        validators=tuple(raw.get("validators", ())),
        vetoed_by_stop_label=bool(raw.get("vetoed_by_stop_label", False)),
    )
    if (spec.shape is None) == (spec.regex is None):
        raise _fail(origin, where, "a pattern needs exactly one of `shape` or `regex`")
    if spec.shape is not None and spec.shape not in shapes:
        raise _fail(origin, where, f"unknown shape `{spec.shape}`")
    if spec.regex is not None:
        _check_regex(origin, where, spec.regex)
    for name in spec.validators:
        if name not in REGISTRY:
            raise _fail(origin, where, f"unknown validator `{name}`")
    if not 0.0 <= spec.score <= 1.0:
        raise _fail(origin, where, "score must be between 0 and 1")
    return spec


def _recogniser(origin: str, raw: dict[str, Any], shapes: dict[str, str]) -> Recogniser:
    name = str(raw.get("name", "?"))
    known = {"name", "label", "category", "description", "source", "patterns", "context"}
    _refuse_unknown(origin, name, raw, known)
    if raw.get("category") not in CATEGORIES:
        raise _fail(origin, name, f"unknown data category `{raw.get('category')}`")
    try:
        patterns = tuple(_pattern(origin, name, p, shapes) for p in raw["patterns"])
        return Recogniser(
            name=name,
            label=str(raw["label"]),
            category=str(raw["category"]),
            description=str(raw["description"]),
            source=str(raw["source"]),
            patterns=patterns,
            context=tuple(str(c) for c in raw.get("context", ())),
        )
    except KeyError as err:
        raise _fail(origin, name, f"missing key `{err.args[0]}`") from None


def parse_catalogue(text: str, *, origin: str) -> Catalogue:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = str(mark.line + 1) if mark is not None else "1"
        raise _fail(origin, line, "the catalogue is not valid YAML") from None
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise _fail(origin, "1", "not a version 1 recogniser catalogue")
    _refuse_unknown(origin, "1", raw, _TOP_KEYS)
    shapes = {str(k): str(v) for k, v in raw.get("shapes", {}).items()}
    for name, regex in shapes.items():
        _check_regex(origin, f"shapes.{name}", regex)
    recognisers = tuple(_recogniser(origin, r, shapes) for r in raw["recognisers"])
    names = [r.name for r in recognisers]
    if len(set(names)) != len(names):
        raise _fail(origin, "recognisers", "recogniser names must be unique")
    return Catalogue(
        threshold=float(raw["threshold"]),
        context_window=int(raw["context_window"]),
        context_boost=float(raw["context_boost"]),
        stop_labels=tuple(str(s) for s in raw.get("stop_labels", ())),
        shapes=shapes,
        recognisers=recognisers,
        origin=origin,
    )
