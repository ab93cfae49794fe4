"""`label`: replace the value with its data category, e.g. `[NATIONAL_IDS]`."""

from __future__ import annotations

from sanctuary.protect.operators.interface import Operator, Target, register


@register
class Label(Operator):
    name = "label"

    def replace(self, value: str, target: Target) -> str | None:
        return f"[{target.category.upper()}]"
