"""Redaction operators: one module per operator, all registered in `interface`."""

from sanctuary.protect.operators import generalise, hmac_token, label, mask, remove
from sanctuary.protect.operators.interface import (
    Operator,
    Target,
    get_operator,
    operator_names,
    register,
)

__all__ = [
    "Operator",
    "Target",
    "generalise",
    "get_operator",
    "hmac_token",
    "label",
    "mask",
    "operator_names",
    "register",
    "remove",
]
