"""Vocabularies (spec/vocab.md) as data, and the resolver for free-text agency names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from sanctuary.errors import VocabularyError, did_you_mean

__all__ = [
    "Agency",
    "Vocabulary",
    "normalise_name",
    "resolve_agency",
    "vocabulary",
]


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    kind: str
    name: str


@dataclass(frozen=True)
class Vocabulary:
    responder_kinds: frozenset[str]
    agency_kinds: frozenset[str]
    actions: frozenset[str]
    data_categories: frozenset[str]
    legal_process_types: frozenset[str]
    purpose_categories: frozenset[str]
    decisions: frozenset[str]
    obligation_types: frozenset[str]
    conviction_classes: frozenset[str]
    agreements: frozenset[str]
    forms: dict[str, str]
    agencies: dict[str, Agency]
    convictions: dict[str, tuple[str, ...]]

    @property
    def agency_codes(self) -> frozenset[str]:
        return frozenset(self.agencies)

    @property
    def form_numbers(self) -> frozenset[str]:
        return frozenset(self.forms)

    def check(self, term: str, field: str, value: str) -> str:
        """Return ``value`` if it is in the vocabulary ``term``; else raise naming ``field``."""
        allowed: frozenset[str] = getattr(self, term)
        if value not in allowed:
            raise VocabularyError(
                f"unknown value `{value}` for `{field}`",
                help=did_you_mean(value, allowed) or f"one of: {', '.join(sorted(allowed))}",
                location=field,
            )
        return value


def _load(name: str) -> Any:
    return yaml.safe_load(resources.files(__package__).joinpath(name).read_text("utf-8"))


@cache
def vocabulary() -> Vocabulary:
    terms = _load("terms.yaml")
    agencies_raw = _load("agencies.yaml")
    convictions_raw = _load("convictions.yaml")
    agencies = {
        code: Agency(code=code, kind=entry["kind"], name=entry["name"])
        for code, entry in agencies_raw.items()
    }
    return Vocabulary(
        **{k: frozenset(v) for k, v in terms.items() if k != "forms"},
        forms=dict(terms["forms"]),
        agencies=agencies,
        convictions={code: tuple(classes) for code, classes in convictions_raw.items()},
    )


_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}[a-z]?\.?")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_name(text: str) -> str:
    """Fold case, punctuation and spacing: ``"I.C.E. / E.R.O."`` -> ``"ice ero"``."""
    lowered = text.lower()
    lowered = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), lowered)
    return _NON_WORD.sub(" ", lowered).strip()


@cache
def _alias_index() -> tuple[dict[str, str], list[tuple[tuple[str, ...], str]]]:
    exact: dict[str, str] = {}
    phrases: list[tuple[tuple[str, ...], str]] = []
    for code, entry in _load("agencies.yaml").items():
        for alias in [code, entry["name"], *entry.get("aliases", [])]:
            key = normalise_name(alias)
            if key:
                exact.setdefault(key, code)
                phrases.append((tuple(key.split()), code))
    # Longest phrase first: "border patrol" must beat "patrol", "ice ero" must beat "ice".
    phrases.sort(key=lambda p: -len(p[0]))
    return exact, phrases


@lru_cache(maxsize=4096)
def resolve_agency(text: str) -> Agency:
    """Resolve a code or a free-text agency name to an Agency; ``UNKNOWN`` when nothing matches.

    A code or a whole name/alias wins; otherwise the longest alias found as a run of whole words
    (so ``"ERO Los Angeles Field Office"`` is ``ICE-ERO`` and ``"Office of Justice"`` is not ICE).
    """
    vocab = vocabulary()
    if text in vocab.agencies:
        return vocab.agencies[text]
    exact, phrases = _alias_index()
    key = normalise_name(text)
    if key in exact:
        return vocab.agencies[exact[key]]
    words = key.split()
    for phrase, code in phrases:
        n = len(phrase)
        if any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)):
            return vocab.agencies[code]
    return vocab.agencies["UNKNOWN"]
