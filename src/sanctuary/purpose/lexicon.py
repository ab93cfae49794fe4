"""Load ``lexicon.yaml`` into the matcher tables shared by the Python assessor and the SQL screen.

The YAML is the single source: phrases, token variants (letter-by-letter acronyms, leetspeak,
one-typo spellings), groups with weights, and the ordered decision rules. This module expands it
once (cached) into exact-lookup tables for Python; ``sql.py`` expands the same data into RE2.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sanctuary.errors import InternalError

__all__ = ["NUM", "Group", "Lexicon", "Phrase", "Rule", "edit1", "leet_forms", "lexicon"]

NUM = "<num>"  # token class: a token holding 3+ consecutive digits
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # what a normalised token is made of
SCOPES = frozenset({"suppress", "immigration", "category"})
BUILTIN_FLAGS = frozenset({"_empty", "_letters"})


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    signal: str
    weight: float
    scope: str  # suppress: removes tokens before immigration groups; immigration; category
    why: str


@dataclass(frozen=True, slots=True)
class Phrase:
    positions: tuple[frozenset[str], ...]  # canonical tokens allowed at each position
    group: str
    at_start: bool
    at_end: bool
    source: str  # the phrase as written in the YAML


@dataclass(frozen=True, slots=True)
class Rule:
    category: str
    all: tuple[frozenset[str], ...]  # each clause: at least one of these groups matched
    none: frozenset[str]  # none of these matched


@dataclass(frozen=True)
class Lexicon:
    groups: dict[str, Group]
    phrases: tuple[Phrase, ...]
    rules: tuple[Rule, ...]
    acronyms: frozenset[str]
    leet: dict[str, str]
    leet_tokens: frozenset[str]
    fuzzy_tokens: frozenset[str]
    # Python tables
    index: dict[str, tuple[Phrase, ...]]  # first-position canonical -> phrases, longest first
    variants: dict[str, frozenset[str]]  # a spelling -> the canonical tokens it stands for
    max_acronym: int
    rule_groups: dict[str, frozenset[str]]  # category -> the groups its rules name
    order: dict[str, int]  # group -> its position in the YAML (ties in evidence)


def leet_forms(token: str, leet: dict[str, str]) -> set[str]:
    """Every spelling of ``token`` with any of its letters replaced by a leet/OCR look-alike."""
    choices = [c + leet.get(c, "") for c in token]
    return {"".join(p) for p in itertools.product(*choices)}


def edit1(token: str) -> set[str]:
    """Spellings one Damerau edit away (over ``ALPHABET``), the token itself included."""
    out = {token}
    for i in range(len(token) + 1):
        left, right = token[:i], token[i:]
        out.update(left + c + right for c in ALPHABET)  # insertion
        if right:
            out.add(left + right[1:])  # deletion
            out.update(left + c + right[1:] for c in ALPHABET)  # substitution
        if len(right) > 1:
            out.add(left + right[1] + right[0] + right[2:])  # transposition
    return out


def _fail(message: str, where: str) -> InternalError:
    return InternalError(message, location=f"purpose/lexicon.yaml:{where}")


def _parse_phrase(source: str, group: str, sets: dict[str, frozenset[str]]) -> Phrase:
    parts = source.split()
    at_start = bool(parts) and parts[0] == "^"
    at_end = bool(parts) and parts[-1] == "$"
    parts = parts[1 if at_start else 0 : len(parts) - 1 if at_end else len(parts)]
    if not parts:
        raise _fail(f"empty phrase `{source}`", f"groups.{group}")
    positions: list[frozenset[str]] = []
    for part in parts:
        if part.startswith("$"):
            if part[1:] not in sets:
                raise _fail(f"unknown token set `{part}`", f"groups.{group}")
            positions.append(sets[part[1:]])
            continue
        alts = frozenset(part.split("|"))
        bad = [a for a in alts if a != NUM and (not a or any(c not in ALPHABET for c in a))]
        if bad:
            raise _fail(f"token `{bad[0]}` is not normalised ([a-z0-9])", f"groups.{group}")
        positions.append(alts)
    return Phrase(tuple(positions), group, at_start, at_end, source)


def _variant_table(raw: dict[str, Any]) -> dict[str, frozenset[str]]:
    leet: dict[str, str] = raw["leet"]
    table: dict[str, set[str]] = {}
    for token in raw["leet_tokens"]:
        for form in leet_forms(token, leet):
            table.setdefault(form, set()).add(token)
    for token in raw["fuzzy_tokens"]:
        for form in edit1(token):
            table.setdefault(form, set()).add(token)
    return {form: frozenset(tokens | {form}) for form, tokens in table.items()}


def _rules(raw: list[dict[str, Any]], groups: dict[str, Group]) -> tuple[Rule, ...]:
    known = set(groups) | BUILTIN_FLAGS
    rules = []
    for n, entry in enumerate(raw):
        clauses = tuple(frozenset(c) for c in entry.get("all", []))
        none = frozenset(entry.get("none", []))
        for name in set().union(*clauses, none):
            if name not in known:
                raise _fail(f"rule names unknown group `{name}`", f"rules[{n}]")
        rules.append(Rule(entry["category"], clauses, none))
    return tuple(rules)


@cache
def lexicon() -> Lexicon:
    """The packaged lexicon, expanded once."""
    text = resources.files(__package__).joinpath("lexicon.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    sets = {name: frozenset(tokens) for name, tokens in raw["sets"].items()}
    groups: dict[str, Group] = {}
    phrases: list[Phrase] = []
    for name, entry in raw["groups"].items():
        scope = entry.get("scope", "category")
        if scope not in SCOPES:
            raise _fail(f"unknown scope `{scope}`", f"groups.{name}")
        groups[name] = Group(name, entry["signal"], float(entry["weight"]), scope, entry["why"])
        phrases.extend(_parse_phrase(p, name, sets) for p in entry["phrases"])
    # Longest first, so a longer phrase ("ice cream", "illegal alien") wins where both start.
    phrases.sort(key=lambda p: -len(p.positions))
    index: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        for token in phrase.positions[0]:
            index.setdefault(token, []).append(phrase)
    acronyms = frozenset(raw["acronyms"])
    rules = _rules(raw["rules"], groups)
    rule_groups: dict[str, set[str]] = {}
    for rule in rules:
        rule_groups.setdefault(rule.category, set()).update(*rule.all)
    return Lexicon(
        groups=groups,
        phrases=tuple(phrases),
        rules=rules,
        acronyms=acronyms,
        leet=dict(raw["leet"]),
        leet_tokens=frozenset(raw["leet_tokens"]),
        fuzzy_tokens=frozenset(raw["fuzzy_tokens"]),
        index={token: tuple(p) for token, p in index.items()},
        variants=_variant_table(raw),
        max_acronym=max(len(a) for a in acronyms),
        rule_groups={c: frozenset(g) for c, g in rule_groups.items()},
        order={name: n for n, name in enumerate(groups)},
    )
