"""`mask`: replace every letter and digit with a mask character, keeping separators and length."""

from __future__ import annotations

from sanctuary.protect.operators.interface import Operator, Target, register


@register
class Mask(Operator):
    name = "mask"

    def __init__(self, char: str = "*") -> None:
        if len(char) != 1 or char.isalnum():
            raise ValueError("the mask character must be one non-alphanumeric character")
        self.char = char

    def replace(self, value: str, target: Target) -> str | None:
        return "".join(self.char if c.isalnum() else c for c in value)
