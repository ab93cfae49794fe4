"""The operator plug point: what replaces a detected value.

An operator receives the original value and a `Target` (its data category, label and kind) and
returns the replacement, or None to remove the value (an empty string in text, a null in a
column). Built-in operators register through `register`, the same registry a third party uses.
Operators must be pure and deterministic for a given configuration; any exception they raise
makes the whole redaction fail (nothing is released).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from sanctuary.protect._errors import RedactionInputError


@dataclass(frozen=True, slots=True)
class Target:
    """What a value is: its data category, a finer label, and a kind that drives generalising."""

    category: str
    label: str = ""
    kind: str = "text"  # text | date | address | number


class Operator(ABC):
    name: ClassVar[str]

    @abstractmethod
    def replace(self, value: str, target: Target) -> str | None:
        """The replacement of `value`, or None to remove it."""


_REGISTRY: dict[str, type[Operator]] = {}


def register(cls: type[Operator]) -> type[Operator]:
    _REGISTRY[cls.name] = cls
    return cls


def operator_names() -> list[str]:
    return sorted(_REGISTRY)


def get_operator(name: str, **options: Any) -> Operator:
    """Build the named operator (e.g. `get_operator("hmac", key=...)`)."""
    from sanctuary.errors import did_you_mean

    if name not in _REGISTRY:
        raise RedactionInputError(f"unknown operator `{name}`", help=did_you_mean(name, _REGISTRY))
    return _REGISTRY[name](**options)
