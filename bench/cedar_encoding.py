"""A faithful Cedar encoding of Sanctuary packs, for the side-by-side benchmark.

How the encodings are made equivalent:
- Cedar decides allow/deny only; Sanctuary has four effects, per-target votes, floors and
  exceptions. So Cedar is asked the part that is policy logic: WHICH RULES APPLY. Each rule
  becomes one ``permit`` whose condition is the rule's own condition, its scope (actions,
  responders, data), its effective dates, and the negation of each exception. Cedar's
  ``diagnostics.reasons`` then lists exactly the applicable rules.
- The documented combination (docs/packs.md steps 5–8) is applied to that set by the same small
  function for both engines, so a disagreement can only come from rule applicability.
- Both engines see the same facts: Sanctuary's derived facts (agency resolution, purpose assessment,
  the TRUST gate) are passed to Cedar as its ``context``; effective dates as day numbers per pack.
The translation is mechanical (conditions are walked as the same checked AST the engine compiles),
so it covers every rule of every pack, not a hand-picked subset.
"""

from __future__ import annotations

import ast
import datetime as dt
from typing import Any

from sanctuary.policy.facts import CATALOGUE, Facts, slot_name
from sanctuary.policy.load import Pack, Rule

EPOCH = dt.date(1970, 1, 1)


def _lit(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(values: Any) -> str:
    return "[" + ", ".join(_lit(v) for v in sorted(values)) + "]"


def _fact(name: str) -> str:
    return f"context.{slot_name(name)}"


def _expr(node: ast.expr) -> str:
    if isinstance(node, ast.BoolOp):
        joiner = " && " if isinstance(node.op, ast.And) else " || "
        return "(" + joiner.join(_expr(v) for v in node.values) + ")"
    if isinstance(node, ast.UnaryOp):
        return f"!({_expr(node.operand)})"
    if isinstance(node, ast.Compare):
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if isinstance(op, ast.Eq | ast.NotEq):
            symbol = "==" if isinstance(op, ast.Eq) else "!="
            return f"({_value(left)} {symbol} {_value(right)})"
        contains = f"{_value(right)}.contains({_value(left)})"
        return contains if isinstance(op, ast.In) else f"!({contains})"
    if isinstance(node, ast.Call):
        return f"{_value(node.args[0])}.containsAny({_value(node.args[1])})"
    if isinstance(node, ast.Constant):
        return "true" if node.value else "false"
    if isinstance(node, ast.Name) and node.id in ("true", "True", "false", "False"):
        return "true" if node.id in ("true", "True") else "false"
    return f"({_value(node)} == true)"


def _value(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return _lit(str(node.value)) if node.value is not None else '""'
    if isinstance(node, ast.Name) and node.id in ("none", "None"):
        return '""'
    if isinstance(node, ast.List | ast.Tuple):
        return _list([e.value for e in node.elts if isinstance(e, ast.Constant)])
    name = ast.unparse(node)
    if name in CATALOGUE:
        return _fact(name)
    raise ValueError(f"cannot encode `{name}`")


def _rule_condition(rule: Rule, pack_index: int) -> str:
    day = f"context.day_{pack_index}"
    parts = [f"{day} >= {(rule.effective_from - EPOCH).days}"]
    if rule.effective_to:
        parts.append(f"{day} < {(rule.effective_to - EPOCH).days}")
    if rule.actions is not None:
        parts.append(f"{_list(rule.actions)}.contains(context.action)")
    if rule.responders is not None:
        parts.append(f"{_list(rule.responders)}.contains(context.responder__kind)")
    if rule.data is not None:
        parts.append(f"context.data.containsAny({_list(rule.data)})")
    parts.append(_expr(rule.when.tree))
    parts.extend(f"!({_expr(e.when.tree)})" for e in rule.exceptions)
    return " && ".join(parts)


def encode(chain: tuple[Pack, ...]) -> tuple[str, list[tuple[int, Rule]]]:
    """Cedar policy text for ``chain`` and the rule behind each ``policyN`` id, in order."""
    texts: list[str] = []
    rules: list[tuple[int, Rule]] = []
    for pack_index, pack in enumerate(chain):
        for rule in pack.rules:
            condition = _rule_condition(rule, pack_index)
            texts.append(
                f'@id("{rule.id}")\npermit (principal, action, resource)\nwhen {{ {condition} }};'
            )
            rules.append((pack_index, rule))
    return "\n\n".join(texts), rules


def context(facts: Facts, at: dt.datetime, chain: tuple[Pack, ...]) -> dict[str, Any]:
    """Sanctuary's facts as a Cedar context (none becomes the empty string; sets become lists)."""
    result: dict[str, Any] = {}
    for name, kind in CATALOGUE.items():
        value = facts.get(name)
        if kind.kind == "set":
            result[slot_name(name)] = sorted(value) if value else []  # type: ignore[call-overload]
        elif kind.kind == "bool":
            result[slot_name(name)] = bool(value)
        else:
            result[slot_name(name)] = value or ""
    for i, pack in enumerate(chain):
        result[f"day_{i}"] = (at.astimezone(pack.timezone).date() - EPOCH).days
    return result
