"""Scoring of detections against the labelled corpus (protect_corpus.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from protect_corpus import Doc, Span

Detection = tuple[int, int, str]  # start, end, category
CATEGORIES = ["national_ids", "immigration_status", "citizenship", "place_of_birth"]


@dataclass
class Scores:
    planted: dict[str, int] = field(default_factory=dict)
    recalled: dict[str, int] = field(default_factory=dict)
    detected: dict[str, int] = field(default_factory=dict)
    correct: dict[str, int] = field(default_factory=dict)
    covered_any: int = 0
    planted_all: int = 0
    benign_tokens: int = 0
    benign_redacted: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str]] = field(default_factory=list)

    def recall(self, category: str) -> float:
        return self.recalled.get(category, 0) / max(1, self.planted.get(category, 0))

    def precision(self, category: str) -> float:
        return self.correct.get(category, 0) / max(1, self.detected.get(category, 0))

    @property
    def identifier_recall(self) -> float:
        """Share of planted spans fully covered by some redaction (any label)."""
        return self.covered_any / max(1, self.planted_all)

    @property
    def benign_rate(self) -> float:
        return self.benign_redacted / max(1, self.benign_tokens)


def _covered(span: Span, mask: list[bool], text: str) -> bool:
    return all(mask[i] or text[i].isspace() for i in range(span.start, span.end))


def score(docs: list[Doc], detections: list[list[Detection]]) -> Scores:
    """Recall (every non-space character of a planted span redacted, by a detection of the
    same category), precision (detections overlapping a planted span of their category) and the
    share of benign whitespace-separated tokens that any detection touches."""
    out = Scores()
    for doc, found in zip(docs, detections, strict=True):
        text = doc.text
        mask_any = [False] * len(text)
        masks: dict[str, list[bool]] = {}
        for start, end, category in found:
            m = masks.setdefault(category, [False] * len(text))
            for i in range(start, end):
                m[i] = mask_any[i] = True
            out.detected[category] = out.detected.get(category, 0) + 1
            hit = any(s.category == category and s.start < end and start < s.end for s in doc.spans)
            if hit:
                out.correct[category] = out.correct.get(category, 0) + 1
            else:
                out.false_positives.append((category, text[max(0, start - 30) : end + 5]))
        for span in doc.spans:
            out.planted_all += 1
            out.planted[span.category] = out.planted.get(span.category, 0) + 1
            if _covered(span, mask_any, text):
                out.covered_any += 1
            if _covered(span, masks.get(span.category, mask_any and [False] * len(text)), text):
                out.recalled[span.category] = out.recalled.get(span.category, 0) + 1
            else:
                out.misses.append((span.kind, text[max(0, span.start - 30) : span.end + 5]))
        for token in re.finditer(r"\S+", text):
            a, b = token.span()
            if any(s.start < b and a < s.end for s in doc.spans):
                continue
            out.benign_tokens += 1
            if any(mask_any[a:b]):
                out.benign_redacted += 1
    return out
