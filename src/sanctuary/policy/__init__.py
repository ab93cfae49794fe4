"""Ordinance as code: load policy packs, decide requests, run the packs' scenario tests.

>>> from sanctuary.policy import default_engine
>>> decision = default_engine().decide(request)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sanctuary.policy.conditions import Condition, parse
from sanctuary.policy.evaluate import Engine
from sanctuary.policy.load import Pack, Rule, bundled_packs_dir, load_pack, load_packs

__all__ = [
    "Condition",
    "Engine",
    "Pack",
    "Rule",
    "bundled_packs_dir",
    "default_engine",
    "engine_for",
    "load_pack",
    "load_packs",
    "parse",
]


def engine_for(directory: Path | None = None) -> Engine:
    """An engine over the packs in ``directory`` (default: the bundled packs)."""
    return Engine(load_packs(directory))


@cache
def default_engine() -> Engine:
    """The engine over the bundled packs, loaded once per process."""
    return engine_for(None)
