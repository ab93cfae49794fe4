"""The scanning engine: a recogniser catalogue compiled into two regex passes.

Pass 1 scans every *shape* (the token forms of identifiers) as one case-sensitive alternation;
pass 2 scans every *phrase* pattern (keyword-led values, status language) as another. Each hit is
then offered to the recognisers that claim it; only those candidates are validated and checked for
context. Two passes over the text, whatever the number of recognisers, is what makes this fast.

Overlap rule (one, on the original text): overlapping kept claims are merged into a single match
covering their union, labelled by the best claim (highest score, then longest span, then catalogue
order). Merging rather than dropping means no part of a detected identifier stays in clear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sanctuary.protect._dispatch import bucket
from sanctuary.protect.catalogue import Catalogue, PatternSpec, Recogniser, default_catalogue
from sanctuary.protect.validators import REGISTRY, Validator

_VALUE = re.compile(r"\(\?P<value>")
# A context word does not reach across a sentence: ". Next", "; ", or a blank line. "No. K123"
# (a number after an abbreviation) is not a break: the next word must look like a word.
_SENTENCE_BREAK = re.compile(r"[.!?]\s+(?=[A-Z][A-Za-z])|;|\n\s*\n")


@dataclass(frozen=True, slots=True)
class Match:
    """A detected span of the original text, and why it was detected (never its value)."""

    start: int
    end: int
    category: str
    label: str
    recogniser: str
    pattern: str
    score: float
    context: str | None = None
    merged: tuple[str, ...] = ()

    def explain(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "label": self.label,
            "recogniser": self.recogniser,
            "pattern": self.pattern,
            "context": self.context,
            "score": round(self.score, 3),
            "merged": list(self.merged),
        }


@dataclass(frozen=True, slots=True)
class _Claim:
    order: int
    recogniser: Recogniser
    pattern: PatternSpec
    validators: tuple[Validator, ...]


# (start, end, score, order, recogniser, pattern, context word)
_Hit = tuple[int, int, float, int, Recogniser, str, str | None]


def _compile_phrases(
    regexes: list[str], tail: str = r"(?!\w)"
) -> tuple[re.Pattern[str], dict[str | None, list[int]]]:
    """One alternation of every phrase pattern, dispatched on first letter (see _dispatch).

    It has no capturing groups: with ~170 of them the regex engine saves every group at every
    branch and runs four times slower. Which pattern matched is found afterwards by re-matching
    the few patterns of the matched first letter at the match start.
    """
    by_letter: dict[str | None, list[int]] = {}
    buckets = []
    for key, alternatives in bucket(regexes):
        rests = (_VALUE.sub("(?:", rest) for _, rest in alternatives)
        buckets.append(re.escape(key or "") + "(?:" + "|".join(rests) + ")")
        by_letter[key] = sorted({index for index, _ in alternatives})
    return re.compile(r"(?<!\w)(?:" + "|".join(buckets) + ")" + tail), by_letter


def _word_regex(word: str) -> str:
    body = r"\s+".join(re.escape(part) for part in word.split())
    return body + (r"(?!\w)" if word[-1].isalnum() else "")


def _norm(word: str) -> str:
    return " ".join(word.lower().split())


class Engine:
    """A compiled catalogue. Construction compiles regexes only; it loads no model."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.threshold = catalogue.threshold
        self._shape_names = list(catalogue.shapes)
        shape_claims: dict[str, list[_Claim]] = {name: [] for name in self._shape_names}
        phrase_claims: list[_Claim] = []
        for order, rec in enumerate(catalogue.recognisers):
            for spec in rec.patterns:
                claim = _Claim(order, rec, spec, tuple(REGISTRY[v] for v in spec.validators))
                if spec.shape is not None:
                    shape_claims[spec.shape].append(claim)
                else:
                    phrase_claims.append(claim)
        self._shape_rows = [
            [
                (
                    c.order,
                    c.recogniser,
                    c.pattern.name,
                    c.pattern.score,
                    c.pattern.vetoed_by_stop_label,
                    c.validators,
                )
                for c in shape_claims[name]
            ]
            for name in self._shape_names
        ]
        self._phrase_claims = phrase_claims
        alternatives = (
            f"(?P<s{i}>{catalogue.shapes[name]})" for i, name in enumerate(self._shape_names)
        )
        self._shapes = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
        regexes = [c.pattern.regex or "" for c in phrase_claims]
        self._phrases, self._phrase_by_letter = _compile_phrases(regexes)
        unguarded = self._phrase_by_letter.get(None, [])
        self._phrase_unguarded = sorted(unguarded)
        self._phrase_order = {
            k: sorted(set(v) | set(unguarded)) for k, v in self._phrase_by_letter.items() if k
        }
        self._phrase_alone = [re.compile(f"(?:{r})(?!\\w)") for r in regexes]
        self._label_of: dict[str, frozenset[int]] = {}
        words: set[str] = set(catalogue.stop_labels)
        for order, rec in enumerate(catalogue.recognisers):
            for word in rec.context:
                key = _norm(word)
                self._label_of[key] = self._label_of.get(key, frozenset()) | {order}
                words.add(word)
        for word in catalogue.stop_labels:
            self._label_of.setdefault(_norm(word), frozenset())
        # Longest first, so "passport number" wins over "passport" at the same position.
        ordered = sorted(words, key=lambda w: (-len(w), w))
        self._labels, _ = _compile_phrases([f"(?i:{_word_regex(w)})" for w in ordered], tail="")

    def _nearest_label(self, text: str, start: int) -> str | None:
        """The label word nearest before `start`, within the window and the same sentence."""
        lo = max(0, start - self.catalogue.context_window)
        last = None
        for found in self._labels.finditer(text, lo, start):
            last = found
        if last is None or _SENTENCE_BREAK.search(text, last.end(), start):
            return None
        return _norm(last.group(0))

    def _shape_hits(self, text: str, threshold: float) -> list[_Hit]:
        # The hot loop: locals and pre-built claim tuples keep Python overhead down.
        hits: list[_Hit] = []
        claims_of, label_of = self._shape_rows, self._label_of
        boost = self.catalogue.context_boost
        for m in self._shapes.finditer(text):
            start, end = m.span()
            value = m.group()
            looked, label, owners = False, None, None
            for order, rec, name, base, veto, checks in claims_of[(m.lastindex or 1) - 1]:
                if checks and not all(check(value) for check in checks):
                    continue
                if not looked and (base < threshold or veto):
                    label, looked = self._nearest_label(text, start), True
                    owners = label_of.get(label) if label is not None else None
                if veto and owners is not None and not owners:
                    continue  # the nearest label is a stop label
                score, context = base, None
                if owners and order in owners:
                    score, context = min(1.0, base + boost), label
                if score >= threshold:
                    hits.append((start, end, score, order, rec, name, context))
        return hits

    def _which_phrase(self, text: str, first: int) -> tuple[int, re.Match[str]] | None:
        """The first phrase pattern (in catalogue order) that matches at `first`."""
        for index in self._phrase_order.get(text[first], self._phrase_unguarded):
            found = self._phrase_alone[index].match(text, first)
            if found is not None:
                return index, found
        return None

    def _phrase_hits(self, text: str, threshold: float) -> list[_Hit]:
        hits: list[_Hit] = []
        for m in self._phrases.finditer(text):
            which = self._which_phrase(text, m.start())
            if which is None:  # cannot happen: the alternation is the union of the patterns
                continue
            index, found = which
            claim = self._phrase_claims[index]
            start, end = found.span("value") if "value" in found.re.groupindex else found.span()
            if start < 0:
                start, end = found.span()
            value = text[start:end]
            if claim.pattern.score >= threshold and all(c(value) for c in claim.validators):
                hits.append(
                    (
                        start,
                        end,
                        claim.pattern.score,
                        claim.order,
                        claim.recogniser,
                        claim.pattern.name,
                        None,
                    )
                )
        return hits

    def find(
        self,
        text: str,
        *,
        categories: frozenset[str] | None = None,
        threshold: float | None = None,
    ) -> list[Match]:
        limit = self.threshold if threshold is None else threshold
        hits = self._shape_hits(text, limit) + self._phrase_hits(text, limit)
        if categories is not None:
            hits = [h for h in hits if h[4].category in categories]
        return resolve(hits)


def _best(hit: _Hit) -> tuple[float, int, int]:
    return (-hit[2], hit[0] - hit[1], hit[3])


def resolve(hits: list[_Hit]) -> list[Match]:
    """Merge overlapping hits into one match each (see the module docstring)."""
    hits.sort(key=lambda h: (h[0], -h[1]))
    out: list[Match] = []
    i = 0
    while i < len(hits):
        cluster = [hits[i]]
        end = hits[i][1]
        i += 1
        while i < len(hits) and hits[i][0] < end:
            cluster.append(hits[i])
            end = max(end, hits[i][1])
            i += 1
        best = min(cluster, key=_best)
        others = tuple(sorted({h[4].name for h in cluster} - {best[4].name}))
        rec = best[4]
        start = cluster[0][0]
        out.append(
            Match(start, end, rec.category, rec.label, rec.name, best[5], best[2], best[6], others)
        )
    return out


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    return Engine(default_catalogue())
