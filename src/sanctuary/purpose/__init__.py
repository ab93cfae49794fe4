"""Purpose assessment: free text -> category, score, evidence (first version)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Assessment", "Signal", "assess", "more_protective"]

PROTECTIVE_ORDER = (
    "civil_immigration_enforcement", "criminal_immigration_enforcement", "unknown", "other",
    "records_request", "task_force", "criminal_investigation", "statistical",
    "public_safety_emergency", "victim_services",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Signal:
    text: str
    start: int
    end: int
    signal: str


@dataclass(frozen=True, slots=True)
class Assessment:
    category: str
    score: float
    evidence: tuple[Signal, ...]


_IMMIGRATION = re.compile(r"\b(ice|ero|hsi|cbp|immigration|deportation|removal|detainer)\b", re.I)


@lru_cache(maxsize=65536)
def assess(text: str) -> Assessment:
    match = _IMMIGRATION.search(text)
    if match:
        signal = Signal(match.group(0), match.start(), match.end(), "immigration_term")
        return Assessment("civil_immigration_enforcement", 0.9, (signal,))
    if not text.strip():
        return Assessment("unknown", 1.0, ())
    return Assessment("criminal_investigation", 0.5, ())


def more_protective(a: str, b: str) -> str:
    return a if PROTECTIVE_ORDER.index(a) <= PROTECTIVE_ORDER.index(b) else b
