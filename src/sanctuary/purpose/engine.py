"""The Python assessor: text -> tokens (with offsets) -> phrase matches -> rule -> Assessment.

Normalisation (mirrored exactly by the SQL screen): %XX escapes become separators, letters are
lower-cased and stripped of accents, tokens are runs of [a-z0-9]. Offsets always point into the
ORIGINAL text, so evidence can be highlighted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sanctuary.purpose.lexicon import NUM, Lexicon, Phrase, lexicon

__all__ = ["Assessment", "Signal", "assess_uncached"]

_TOKEN = re.compile(r"[a-z0-9]+")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_DIGITS3 = re.compile(r"[0-9]{3}")
_REDACTION = frozenset("*—–-_")


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence: ``text`` is ``original[start:end]``."""

    text: str
    start: int
    end: int
    signal: str


@dataclass(frozen=True, slots=True)
class Assessment:
    category: str
    score: float
    evidence: tuple[Signal, ...]


@dataclass(frozen=True, slots=True)
class _Tok:
    word: str
    forms: frozenset[str]  # canonical tokens this one stands for (itself included)
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Match:
    phrase: Phrase
    first: int  # token index
    stop: int  # token index after the last


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    base = unicodedata.normalize("NFKD", c)[:1].lower()
    return base if base.isascii() and base.isalnum() else " "


def _fold(text: str) -> str:
    """Lower-case, strip accents, blank %XX escapes; same length as ``text`` (offsets survive)."""
    if "%" in text:
        text = _ESCAPE.sub("   ", text)
    if text.isascii():
        return text.lower()
    return "".join(c.lower() if c.isascii() else _fold_char(c) for c in text)


def _forms(word: str, lex: Lexicon) -> frozenset[str]:
    forms = lex.variants.get(word) or frozenset((word,))
    if not word.isalpha() and _DIGITS3.search(word):
        forms = forms | {NUM}
    return forms


def _tokens(text: str, lex: Lexicon) -> list[_Tok]:
    raw = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(_fold(text))]
    out: list[_Tok] = []
    i = 0
    while i < len(raw):
        word, start, end = raw[i]
        if len(word) == 1 and word.isalpha():
            merged = _acronym_run(raw, i, lex)
            if merged:
                out.append(_Tok(merged, _forms(merged, lex), start, raw[i + len(merged) - 1][2]))
                i += len(merged)
                continue
        out.append(_Tok(word, _forms(word, lex), start, end))
        i += 1
    return out


def _acronym_run(raw: list[tuple[str, int, int]], i: int, lex: Lexicon) -> str | None:
    """ "I C E", "I.C.E.": the longest acronym spelled by single letters starting at ``i``."""
    letters = []
    for word, _, _ in raw[i : i + lex.max_acronym]:
        if len(word) != 1 or not word.isalpha():
            break
        letters.append(word)
    for n in range(len(letters), 1, -1):
        candidate = "".join(letters[:n])
        if candidate in lex.acronyms:
            return candidate
    return None


def _phrase_at(phrase: Phrase, toks: list[_Tok], i: int) -> bool:
    n = len(phrase.positions)
    if i + n > len(toks) or (phrase.at_start and i) or (phrase.at_end and i + n != len(toks)):
        return False
    return all(not pos.isdisjoint(toks[i + k].forms) for k, pos in enumerate(phrase.positions))


def _matches(toks: list[_Tok], lex: Lexicon) -> list[_Match]:
    found: list[_Match] = []
    for i, tok in enumerate(toks):
        seen: set[int] = set()
        for form in tok.forms:
            for phrase in lex.index.get(form, ()):
                if id(phrase) not in seen and _phrase_at(phrase, toks, i):
                    seen.add(id(phrase))
                    found.append(_Match(phrase, i, i + len(phrase.positions)))
    return found


def _resolve(found: list[_Match], lex: Lexicon) -> list[_Match]:
    """Keep suppressors greedily (leftmost, then longest); drop immigration matches they overlap.

    This is what the SQL screen does with one global ``regexp_replace`` of the suppressor phrases
    followed by ``regexp_matches`` of the immigration phrases.
    """
    groups = lex.groups
    suppressors = sorted(
        (m for m in found if groups[m.phrase.group].scope == "suppress"),
        key=lambda m: (m.first, -(m.stop - m.first)),
    )
    kept: list[_Match] = []
    blocked: set[int] = set()
    edge = 0
    for m in suppressors:
        if m.first >= edge:
            kept.append(m)
            blocked.update(range(m.first, m.stop))
            edge = m.stop
    for m in found:
        scope = groups[m.phrase.group].scope
        if scope == "category" or (
            scope == "immigration" and blocked.isdisjoint(range(m.first, m.stop))
        ):
            kept.append(m)
    return kept


def _decide(flags: set[str], lex: Lexicon) -> str:
    for rule in lex.rules:
        if all(not clause.isdisjoint(flags) for clause in rule.all) and rule.none.isdisjoint(flags):
            return rule.category
    return "unknown"


_IMMIGRATION = frozenset({"civil_immigration_enforcement", "criminal_immigration_enforcement"})


def _score(category: str, kept: list[_Match], flags: set[str], lex: Lexicon) -> float:
    """1 - prod(1 - weight) over the evidence for the category; 0.3 when nothing explains it."""
    groups = lex.groups
    if category in _IMMIGRATION:
        weights = [
            groups[m.phrase.group].weight
            for m in kept
            if groups[m.phrase.group].scope == "immigration"
        ]
        if "negation" in flags:  # a negated mention elsewhere in the text lowers confidence
            weights = [w * 0.8 for w in weights]
    else:
        wanted = lex.rule_groups[category]
        weights = [groups[m.phrase.group].weight for m in kept if m.phrase.group in wanted]
    if not weights:
        return 0.3
    miss = 1.0
    for w in weights:
        miss *= 1.0 - w
    return round(min(0.99, 1.0 - miss), 3)


def _evidence(
    category: str, kept: list[_Match], toks: list[_Tok], text: str, lex: Lexicon
) -> tuple[Signal, ...]:
    """Signals for the immigration groups, suppressors, and the groups behind the category.

    One signal per span (the heaviest group's), and a span inside a larger span of the same signal
    is dropped ("8 USC 1326" is one statute, not three).
    """
    groups = lex.groups
    shown = lex.rule_groups[category] | {"criminal_specific"}
    best: dict[tuple[int, int], tuple[float, int, str]] = {}
    for m in kept:
        group = groups[m.phrase.group]
        if group.scope == "category" and m.phrase.group not in shown:
            continue
        span = (toks[m.first].start, toks[m.stop - 1].end)
        # Heaviest group wins a span; on a tie, the group written first in the lexicon.
        rank = (group.weight, -lex.order[group.name], group.signal)
        if span not in best or rank > best[span]:
            best[span] = rank
    out: list[Signal] = []
    reach: dict[str, int] = {}  # signal -> furthest end so far (spans come sorted by start)
    for start, end in sorted(best, key=lambda s: (s[0], -s[1])):
        signal = best[(start, end)][2]
        if end <= reach.get(signal, -1):
            continue  # inside an earlier span of the same signal
        reach[signal] = end
        out.append(Signal(text[start:end], start, end, signal))
    return tuple(out)


def _empty(text: str) -> Assessment:
    stripped = text.strip()
    why = "redacted" if stripped and set(stripped) <= _REDACTION else "empty"
    return Assessment("unknown", 0.95, (Signal(text, 0, len(text), why),))


def assess_uncached(text: str) -> Assessment:
    """Assess one reason string (see ``sanctuary.purpose.assess`` for the cached entry point)."""
    lex = lexicon()
    toks = _tokens(text, lex)
    if not toks:
        return _empty(text)
    kept = _resolve(_matches(toks, lex), lex)
    flags = {m.phrase.group for m in kept}
    if any(not t.word.isdigit() for t in toks):
        flags.add("_letters")
    category = _decide(flags, lex)
    score = _score(category, kept, flags, lex)
    return Assessment(category, score, _evidence(category, kept, toks, text, lex))
