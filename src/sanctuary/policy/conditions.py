"""The condition language of policy packs: parse, check, compile.

A condition is one line, Python-like, and deliberately tiny (docs/packs.md):
``immigration_enforcement and not legal_process.judicial_warrant``. It is parsed with Python's own
``ast`` in expression mode and then checked node by node against a whitelist, so a pack can never
run code: only fact names, literals, comparisons, boolean operators and ``overlaps``.

A checked condition compiles to a Python function of :class:`~sanctuary.policy.facts.Facts` (fast
single decisions). The same checked tree is what the SQL compiler walks for bulk evaluation.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from sanctuary.errors import PackError, did_you_mean
from sanctuary.policy.facts import CATALOGUE, Facts, FactType, slot_name
from sanctuary.vocab import vocabulary

Predicate = Callable[[Facts], bool]

_CONSTANTS = {
    "true": True,
    "false": False,
    "none": None,
    "True": True,
    "False": False,
    "None": None,
}


@dataclass(frozen=True)
class Condition:
    """A checked condition: its source text, its tree, the facts it reads, and its compiled form."""

    source: str
    tree: ast.expr
    facts: frozenset[str]
    test: Predicate


def always() -> Condition:
    tree = ast.Constant(value=True)
    return Condition("true", tree, frozenset(), lambda _f: True)


class _Checker:
    """Walks a parsed condition, refusing anything outside the language."""

    def __init__(self, source: str, location: str) -> None:
        self.source = source
        self.location = location
        self.facts: set[str] = set()

    def fail(self, message: str, help: str | None = None) -> PackError:
        return PackError(message, help=help, location=self.location)

    def fact_name(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(node.id)
        return ".".join(reversed(parts))

    def expr(self, node: ast.expr) -> str:
        """Check ``node``; return its type: ``bool``, ``str``, ``set``, ``list``, ``none``."""
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expr(value)
            return "bool"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.expr(node.operand)
            return "bool"
        if isinstance(node, ast.Compare):
            self.compare(node)
            return "bool"
        if isinstance(node, ast.Call):
            self.call(node)
            return "bool"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return "str"
        if isinstance(node, ast.Name) and node.id in _CONSTANTS:
            return "none" if _CONSTANTS[node.id] is None else "bool"
        if isinstance(node, ast.List | ast.Tuple):
            for element in node.elts:
                if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                    raise self.fail(f"a list in `{self.source}` may hold only quoted values")
            return "list"
        name = self.fact_name(node)
        if name is None:
            raise self.fail(
                f"`{ast.unparse(node)}` is not allowed in a condition",
                help="use facts, quoted values, lists, ==, !=, in, and, or, not, overlaps()",
            )
        return self.fact(name).kind

    def fact(self, name: str) -> FactType:
        if name not in CATALOGUE:
            raise self.fail(
                f"unknown fact `{name}`",
                help=did_you_mean(name, CATALOGUE) or "see the fact table in docs/packs.md",
            )
        self.facts.add(name)
        return CATALOGUE[name]

    def compare(self, node: ast.Compare) -> None:
        if len(node.ops) != 1:
            raise self.fail(f"chained comparison in `{self.source}`: use `and`")
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if not isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn):
            raise self.fail(f"only ==, !=, in, not in compare values (in `{self.source}`)")
        left_type, right_type = self.expr(left), self.expr(right)
        if isinstance(op, ast.In | ast.NotIn) and right_type not in ("list", "set"):
            raise self.fail(f"`in` needs a list or a set fact on its right (in `{self.source}`)")
        self.check_values(left, right)
        self.check_values(right, left)
        del left_type

    def call(self, node: ast.Call) -> None:
        if not (isinstance(node.func, ast.Name) and node.func.id == "overlaps"):
            raise self.fail(f"`{ast.unparse(node.func)}` is not a function of the language")
        if len(node.args) != 2 or node.keywords:
            raise self.fail('overlaps() takes two sets: `overlaps(data, ["home_address"])`')
        for arg in node.args:
            if self.expr(arg) not in ("set", "list"):
                raise self.fail(f"overlaps() takes sets or lists (in `{self.source}`)")
        self.check_values(node.args[0], node.args[1])
        self.check_values(node.args[1], node.args[0])

    def check_values(self, fact_node: ast.expr, values_node: ast.expr) -> None:
        """Values compared with a vocabulary-bound fact must belong to that vocabulary."""
        name = self.fact_name(fact_node)
        if name is None or name not in CATALOGUE or CATALOGUE[name].vocabulary is None:
            return
        allowed: frozenset[str] = getattr(vocabulary(), CATALOGUE[name].vocabulary or "")
        if isinstance(values_node, ast.Constant) and isinstance(values_node.value, str):
            values = [values_node.value]
        elif isinstance(values_node, ast.List | ast.Tuple):
            values = [str(e.value) for e in values_node.elts if isinstance(e, ast.Constant)]
        else:
            return
        for value in values:
            if value not in allowed:
                raise self.fail(
                    f"`{value}` is not a value of `{name}`",
                    help=did_you_mean(value, allowed) or f"one of: {', '.join(sorted(allowed))}",
                )


class _ToPython(ast.NodeTransformer):
    """Rewrites a checked tree into Python over a Facts object named ``f``."""

    def __init__(self, checker: _Checker) -> None:
        self.checker = checker

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        name = self.checker.fact_name(node)
        assert name is not None
        return ast.Attribute(value=ast.Name("f", ast.Load()), attr=slot_name(name), ctx=ast.Load())

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in _CONSTANTS:
            return ast.Constant(value=_CONSTANTS[node.id])
        if node.id == "overlaps":
            return node
        return ast.Attribute(
            value=ast.Name("f", ast.Load()), attr=slot_name(node.id), ctx=ast.Load()
        )

    def visit_List(self, node: ast.List) -> ast.expr:
        # Literal lists become frozensets: membership is O(1) and they cannot be mutated.
        values = frozenset(e.value for e in node.elts if isinstance(e, ast.Constant))
        return ast.Constant(value=values)  # type: ignore[arg-type]

    visit_Tuple = visit_List  # type: ignore[assignment]


def _overlaps(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    return bool(a and b and not a.isdisjoint(b))


def parse(source: str, location: str) -> Condition:
    """Parse and check ``source``; compile it. Errors name ``location`` (file:line)."""
    text = str(source).strip()
    if text in ("", "always", "true"):
        return always()
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as err:
        raise PackError(f"cannot parse condition `{text}`: {err.msg}", location=location) from None
    checker = _Checker(text, location)
    checker.expr(tree)
    python = _ToPython(checker).visit(ast.parse(text, mode="eval"))
    ast.fix_missing_locations(python)
    lambda_tree = ast.Expression(
        body=ast.Lambda(
            args=ast.arguments(
                posonlyargs=[], args=[ast.arg("f")], kwonlyargs=[], kw_defaults=[], defaults=[]
            ),
            body=python.body,
        )
    )
    ast.fix_missing_locations(lambda_tree)
    code = compile(lambda_tree, location, "eval")
    test: Predicate = eval(code, {"__builtins__": {}, "overlaps": _overlaps})
    return Condition(text, tree, frozenset(checker.facts), test)
