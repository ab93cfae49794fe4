"""Compile pack conditions and rules to SQL, for bulk evaluation (DuckDB, Spark).

One semantics, many engines (DESIGN principle 6): a checked :class:`Condition` tree is compiled to
a sqlglot expression over a *facts relation* with one column per fact (``fact_column``), and that
expression is rendered for each engine's dialect (``render``), so DuckDB and Spark run the same
text. The semantics are those of the Python compiler in ``conditions.py``:

- every boolean leaf is ``coalesce(..., FALSE)``, so SQL's three-valued logic never leaks in and
  ``and``/``or``/``not`` behave as in Python;
- ``==``/``!=`` are null-safe (``none == none`` holds, as in Python);
- ``x in [..]`` with ``x`` none is false, ``x not in [..]`` true (Python's ``None in frozenset``);
- ``overlaps(set, [..])`` is an OR of ``array_contains``.

Column types of the facts relation: ``bool`` facts BOOLEAN, ``str`` facts VARCHAR (NULL for
none), ``set`` facts ARRAY<VARCHAR> (never NULL). ``tests/policy/test_policy_sql.py`` checks the
compiled SQL against the Python predicates on random facts, in DuckDB.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterable

import sqlglot
from sqlglot import exp

from sanctuary.errors import PackError
from sanctuary.policy.conditions import Condition
from sanctuary.policy.facts import CATALOGUE, slot_name
from sanctuary.policy.load import Pack, Rule

__all__ = [
    "compile_condition",
    "fact_column",
    "in_force_sql",
    "render",
    "rule_applies",
    "rules_for",
]

_CONSTANTS = {"true": True, "false": False, "none": None, "True": True, "False": False}
_CONSTANTS_NONE = {"none", "None"}


def fact_column(fact: str) -> str:
    """The facts relation's column for ``fact``: ``requester.kind`` -> ``f_requester__kind``."""
    return "f_" + slot_name(fact)


def render(expression: exp.Expr, dialect: str = "duckdb") -> str:
    """The SQL text of ``expression`` for ``dialect`` (``duckdb``, ``spark``)."""
    return expression.sql(dialect=dialect)


def _false() -> exp.Expr:
    return exp.false()


def _coalesce(e: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=e, expressions=[_false()])


def _fact_name(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id in _CONSTANTS or node.id in _CONSTANTS_NONE:
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class _Compiler:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, what: str) -> PackError:
        return PackError(f"cannot compile `{self.source}` to SQL: {what}", location="condition")

    def boolean(self, node: ast.expr) -> exp.Expr:
        """``node`` as a never-NULL boolean expression."""
        if isinstance(node, ast.BoolOp):
            parts = [self.boolean(v) for v in node.values]
            return exp.and_(*parts) if isinstance(node.op, ast.And) else exp.or_(*parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return exp.not_(exp.paren(self.boolean(node.operand)))
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.overlaps(node.args[0], node.args[1])
        if isinstance(node, ast.Constant):  # a literal alone: its truth value (`always` is True)
            return exp.true() if node.value else _false()
        if isinstance(node, ast.Name) and node.id in _CONSTANTS:
            return exp.true() if _CONSTANTS[node.id] else _false()
        if isinstance(node, ast.List | ast.Tuple):
            return exp.true() if node.elts else _false()
        return self.truthy(node)

    def truthy(self, node: ast.expr) -> exp.Expr:
        name = _fact_name(node)
        if name is None:
            raise self.fail(f"`{ast.unparse(node)}`")
        col = exp.column(fact_column(name))
        kind = CATALOGUE[name].kind
        if kind == "bool":
            return _coalesce(col)
        if kind == "set":
            return _coalesce(exp.GT(this=exp.ArraySize(this=col), expression=exp.Literal.number(0)))
        present = exp.Not(this=exp.Is(this=col, expression=exp.Null()))
        return _coalesce(exp.and_(present, exp.NEQ(this=col, expression=exp.Literal.string(""))))

    def value(self, node: ast.expr) -> exp.Expr:
        """A scalar operand: a fact column or a literal."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return exp.Literal.string(node.value)
        if isinstance(node, ast.Name) and node.id in _CONSTANTS_NONE:
            return exp.Null()
        if isinstance(node, ast.Name) and node.id in _CONSTANTS:
            return exp.true() if _CONSTANTS[node.id] else _false()
        name = _fact_name(node)
        if name is None:
            raise self.fail(f"`{ast.unparse(node)}`")
        return exp.column(fact_column(name))

    def compare(self, node: ast.Compare) -> exp.Expr:
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if isinstance(op, ast.Eq | ast.NotEq):
            eq = exp.NullSafeEQ(this=self.value(left), expression=self.value(right))
            return eq if isinstance(op, ast.Eq) else exp.not_(exp.paren(eq))
        inside = self.membership(left, right)
        return inside if isinstance(op, ast.In) else exp.not_(exp.paren(inside))

    def membership(self, item: ast.expr, container: ast.expr) -> exp.Expr:
        if isinstance(container, ast.List | ast.Tuple):
            values = [exp.Literal.string(str(e.value)) for e in container.elts]  # type: ignore[attr-defined]
            if not values:
                return _false()
            return _coalesce(exp.In(this=self.value(item), expressions=values))
        name = _fact_name(container)
        if name is None or CATALOGUE[name].kind != "set":
            raise self.fail("`in` needs a list or a set fact")
        array = exp.column(fact_column(name))
        return _coalesce(exp.ArrayContains(this=array, expression=self.value(item)))

    def overlaps(self, a: ast.expr, b: ast.expr) -> exp.Expr:
        if isinstance(a, ast.List | ast.Tuple):
            a, b = b, a
        if isinstance(a, ast.List | ast.Tuple):  # two literal lists: a constant
            left = {e.value for e in a.elts if isinstance(e, ast.Constant)}
            right = {e.value for e in b.elts if isinstance(e, ast.Constant)}  # type: ignore[attr-defined]
            return exp.true() if left & right else _false()
        if not isinstance(b, ast.List | ast.Tuple):
            raise self.fail("overlaps() of two set facts is not compiled (no pack uses it)")
        array = exp.column(fact_column(_fact_name(a) or ""))
        tests = [
            _coalesce(exp.ArrayContains(this=array, expression=exp.Literal.string(str(e.value))))
            for e in b.elts
            if isinstance(e, ast.Constant)
        ]
        return exp.or_(*tests) if tests else _false()


def compile_condition(condition: Condition) -> exp.Expr:
    """A checked condition as a never-NULL boolean sqlglot expression over the facts relation."""
    return exp.paren(_Compiler(condition.source).boolean(condition.tree))


def _instant_us(day: dt.date, pack: Pack) -> int:
    """Local midnight of ``day`` in the pack's zone, as POSIX microseconds."""
    moment = dt.datetime.combine(day, dt.time(), pack.timezone)
    return int(moment.timestamp()) * 1_000_000


def in_force_sql(rule: Rule, pack: Pack, time_us: str) -> exp.Expr:
    """``rule`` is in force at the event time (column ``time_us``: POSIX microseconds, UTC)."""
    col = exp.column(time_us)
    start = exp.GTE(this=col, expression=exp.Literal.number(_instant_us(rule.effective_from, pack)))
    if rule.effective_to is None:
        return start
    end = exp.LT(this=col, expression=exp.Literal.number(_instant_us(rule.effective_to, pack)))
    return exp.and_(start, end)


def rule_applies(rule: Rule, pack: Pack, time_us: str = "time_us") -> exp.Expr:
    """In force, its ``when`` holds, and none of its exceptions holds (docs/packs.md step 4)."""
    applies = exp.and_(in_force_sql(rule, pack, time_us), compile_condition(rule.when))
    if rule.exceptions:
        excepted = exp.or_(*(compile_condition(e.when) for e in rule.exceptions))
        applies = exp.and_(applies, exp.not_(exp.paren(excepted)))
    return exp.paren(applies)


def rules_for(
    packs: Iterable[Pack], action: str, data: str, responder: str
) -> list[tuple[int, Pack, Rule]]:
    """The rules of a chain that can apply to one (action, data category, responder) target:
    ``(position of the pack in the chain, pack, rule)``, in chain order."""
    out = []
    for i, pack in enumerate(packs):
        for rule in pack.rules:
            if rule.actions is not None and action not in rule.actions:
                continue
            if rule.responders is not None and responder not in rule.responders:
                continue
            if rule.data is not None and data not in rule.data:
                continue
            out.append((i, pack, rule))
    return out


def parse_sql(text: str, dialect: str = "duckdb") -> exp.Expr:
    """Parse SQL text written for ``dialect`` (to transpile whole queries between engines)."""
    parsed = sqlglot.parse_one(text, read=dialect)
    if parsed is None:
        raise PackError("empty SQL", location="sql")
    return parsed
