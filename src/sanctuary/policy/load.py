"""Load policy packs: YAML -> checked :class:`Pack` objects; errors name file, line and field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from sanctuary.errors import PackError, did_you_mean
from sanctuary.policy.conditions import Condition, parse
from sanctuary.policy.schema import KEYS, ExceptionSpec, PackSpec, PropertySpec, RuleSpec
from sanctuary.policy.yamlfile import LineDict, LineList, line_of, read_yaml


@dataclass(frozen=True, eq=False)  # identity: rules are compared and hashed by object
class RuleException:
    id: str
    citation: str
    summary: str
    when: Condition
    status: str


@dataclass(frozen=True, eq=False)  # identity: rules are compared and hashed by object
class Rule:
    id: str
    pack: str  # `id@version` of the pack that holds the rule
    title: str | None
    citation: str
    summary: str
    status: str
    source: str | None
    effective_from: dt.date
    effective_to: dt.date | None
    responders: frozenset[str] | None
    actions: frozenset[str] | None
    data: frozenset[str] | None
    when: Condition
    effect: str
    withhold: frozenset[str]
    redact: frozenset[str]
    floor: bool
    exceptions: tuple[RuleException, ...]
    obligations: tuple[dict[str, Any], ...]
    location: str

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


VERDICTS = frozenset({"allow", "allow_redacted", "deny", "escalate"})


@dataclass(frozen=True, eq=False)
class Property:
    """A declared property of the packs (docs/verify.md), checked by ``policy verify``.

    ``violations`` are the verdicts that break it (``never``, or the complement of ``always``);
    ``start``/``end`` bound the days, in the pack's zone, over which it must hold (end exclusive).
    """

    id: str
    summary: str
    citation: str | None
    start: dt.date
    end: dt.date | None
    given: Condition
    data: frozenset[str] | None
    violations: frozenset[str]
    location: str


@dataclass(frozen=True, eq=False)  # identity: rules are compared and hashed by object
class Pack:
    id: str
    title: str
    version: str
    timezone: ZoneInfo
    rules: tuple[Rule, ...]
    path: Path
    properties: tuple[Property, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def boundaries(self) -> set[float]:
        """Every instant (POSIX seconds) at which a rule of this pack comes into or out of force:
        local midnight, in the pack's zone, of each effective date."""
        days = {rule.effective_from for rule in self.rules}
        days.update(rule.effective_to for rule in self.rules if rule.effective_to)
        return {dt.datetime.combine(day, dt.time(), self.timezone).timestamp() for day in days}


def bundled_packs_dir() -> Path:
    return Path(str(resources.files("sanctuary").joinpath("packs")))


def load_pack(path: Path) -> Pack:
    """Read and check one pack file."""
    raw = read_yaml(path, PackError)
    if not isinstance(raw, LineDict):
        raise PackError(
            "a pack file is a mapping with `pack`, `version` and `rules`", location=str(path)
        )
    _refuse_unknown_keys(raw, path)
    try:
        spec = PackSpec.model_validate(dict(raw))
    except ValidationError as err:
        raise _located(err, raw, path) from None
    try:
        zone = ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PackError(
            f"unknown time zone `{spec.timezone}`", location=f"{path}:{line_of(raw, 'timezone')}"
        ) from None
    rules = tuple(
        _rule(f"{spec.pack}@{spec.version}", rule, raw["rules"], i, path)
        for i, rule in enumerate(spec.rules)
    )
    _check_unique_ids(rules, path)
    earliest = min((rule.effective_from for rule in rules), default=dt.date(1970, 1, 1))
    properties = tuple(
        _property(prop, raw["properties"], i, path, earliest)
        for i, prop in enumerate(spec.properties)
    )
    seen = {rule.id for rule in rules}
    for prop in properties:
        if prop.id in seen:
            raise PackError(f"duplicate id `{prop.id}`", location=prop.location)
        seen.add(prop.id)
    return Pack(spec.pack, spec.title, spec.version, zone, rules, path, properties)


def load_packs(directory: Path | None = None) -> dict[str, Pack]:
    """Every ``*/pack.yaml`` under ``directory`` (default: the bundled packs), by pack id."""
    root = directory or bundled_packs_dir()
    if not root.is_dir():
        raise PackError(f"no packs folder at `{root}`", location=str(root))
    packs: dict[str, Pack] = {}
    for path in sorted(root.glob("*/pack.yaml")):
        pack = load_pack(path)
        if pack.id in packs:
            raise PackError(f"pack `{pack.id}` is defined twice", location=str(path))
        packs[pack.id] = pack
    if not packs:
        raise PackError(f"no `*/pack.yaml` under `{root}`", location=str(root))
    all_ids: dict[str, str] = {}
    for pack in packs.values():
        for rule in pack.rules:
            if rule.id in all_ids:
                raise PackError(
                    f"rule id `{rule.id}` is also used in {all_ids[rule.id]}",
                    location=rule.location,
                )
            all_ids[rule.id] = rule.location
    return packs


def _rule(pack_ref: str, spec: RuleSpec, raw_rules: LineList, index: int, path: Path) -> Rule:
    raw = raw_rules[index]
    location = f"{path}:{line_of(raw_rules, index)}"

    def where(key: str) -> str:
        return f"{path}:{line_of(raw, key)}"

    if spec.effective_to is not None and spec.effective_to <= spec.effective_from:
        raise PackError(f"rule `{spec.id}` ends before it starts", location=where("effective_to"))
    if spec.floor and spec.effect not in ("allow", "allow_redacted"):
        raise PackError(f"rule `{spec.id}`: only an allow can be a floor", location=where("floor"))
    if (spec.withhold or spec.redact) and spec.effect != "allow_redacted":
        raise PackError(
            f"rule `{spec.id}`: `withhold`/`redact` belong to `allow_redacted` rules",
            location=where("withhold" if spec.withhold else "redact"),
        )
    exceptions = tuple(
        _exception(spec, exc, raw.get("exceptions"), j, path)
        for j, exc in enumerate(spec.exceptions)
    )
    return Rule(
        id=spec.id,
        pack=pack_ref,
        title=spec.title,
        citation=spec.citation,
        summary=" ".join(spec.summary.split()),
        status=spec.status,
        source=spec.source,
        effective_from=spec.effective_from,
        effective_to=spec.effective_to,
        responders=frozenset(spec.responders) if spec.responders is not None else None,
        actions=frozenset(spec.actions) if spec.actions is not None else None,
        data=frozenset(spec.data) if spec.data is not None else None,
        when=parse(spec.when, where("when")),
        effect=spec.effect,
        withhold=frozenset(spec.withhold or ()),
        redact=frozenset(spec.redact or ()),
        floor=spec.floor,
        exceptions=exceptions,
        obligations=tuple(o.model_dump(exclude_none=True) for o in spec.obligations),
        location=location,
    )


def _exception(rule: RuleSpec, spec: ExceptionSpec, raw: Any, j: int, path: Path) -> RuleException:
    item = raw[j] if isinstance(raw, list) else None
    location = f"{path}:{line_of(item, 'when') or line_of(raw, j)}"
    return RuleException(
        id=f"{rule.id}#{spec.id}",
        citation=spec.citation,
        summary=" ".join(spec.summary.split()),
        when=parse(spec.when, location),
        status=spec.status or rule.status,
    )


def _property(
    spec: PropertySpec, raw_list: LineList, index: int, path: Path, earliest: dt.date
) -> Property:
    raw = raw_list[index]
    location = f"{path}:{line_of(raw_list, index)}"

    def where(key: str) -> str:
        return f"{path}:{line_of(raw, key) or line_of(raw_list, index)}"

    if spec.at is not None and (spec.from_ is not None or spec.to is not None):
        raise PackError(
            f"property `{spec.id}`: give `at` or `from`/`to`, not both", location=where("at")
        )
    start = spec.at or spec.from_ or earliest
    end = spec.at + dt.timedelta(days=1) if spec.at else spec.to
    if end is not None and end <= start:
        raise PackError(f"property `{spec.id}` ends before it starts", location=where("to"))
    if (spec.never is None) == (spec.always is None):
        raise PackError(
            f"property `{spec.id}`: say either `never: [...]` or `always: ...`",
            help="e.g. `never: [allow, allow_redacted]` or `always: deny`",
            location=location,
        )
    violations: frozenset[str]
    if spec.never is not None:
        violations = frozenset(spec.never)
    else:
        always = [spec.always] if isinstance(spec.always, str) else list(spec.always or [])
        violations = VERDICTS - frozenset(always)
    if not violations or violations == VERDICTS:
        raise PackError(f"property `{spec.id}` can never hold or never fail", location=location)
    return Property(
        id=spec.id,
        summary=" ".join(spec.summary.split()),
        citation=spec.citation,
        start=start,
        end=end,
        given=parse(spec.given, where("given")),
        data=frozenset(spec.data) if spec.data is not None else None,
        violations=violations,
        location=location,
    )


def _refuse_unknown_keys(raw: LineDict, path: Path) -> None:
    """Unknown keys anywhere are refused with a "did you mean" hint (a typo must not be ignored)."""

    def check(mapping: Any, level: str) -> None:
        if not isinstance(mapping, LineDict):
            return
        for key in mapping:
            if key not in KEYS[level]:
                raise PackError(
                    f"unknown key `{key}` in a {level}",
                    help=did_you_mean(key, KEYS[level])
                    or f"allowed: {', '.join(sorted(KEYS[level]))}",
                    location=f"{path}:{line_of(mapping, key)}",
                )

    check(raw, "pack")
    for rule in raw.get("rules") or []:
        check(rule, "rule")
        if isinstance(rule, LineDict):
            for exc in rule.get("exceptions") or []:
                check(exc, "exception")
            for obligation in rule.get("obligations") or []:
                check(obligation, "obligation")
    for prop in raw.get("properties") or []:
        check(prop, "property")


def _located(err: ValidationError, raw: LineDict, path: Path) -> PackError:
    """The first validation error, located at its file:line with the field path."""
    first = err.errors()[0]
    node: Any = raw
    line = raw.line
    for part in first["loc"]:
        if isinstance(node, LineDict | LineList):
            line = line_of(node, part) or line
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    field = ".".join(str(p) for p in first["loc"])
    message = first["msg"].lower()
    return PackError(f"`{field}`: {message}", location=f"{path}:{line}")


def _check_unique_ids(rules: tuple[Rule, ...], path: Path) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise PackError(f"duplicate rule id `{rule.id}`", location=rule.location)
        seen.add(rule.id)
    del path
