"""`remove`: drop the value (empty text, null cell)."""

from __future__ import annotations

from sanctuary.protect.operators.interface import Operator, Target, register


@register
class Remove(Operator):
    name = "remove"

    def replace(self, value: str, target: Target) -> str | None:
        return None
