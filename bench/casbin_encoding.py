"""pycasbin encoding of Sanctuary packs, for the requests casbin's model can express.

Casbin returns one effect per enforcement (allow or deny). With the ``priority`` effect, every
row's effect set to allow (a match) with Sanctuary's own effect carried in the row, and rows
ordered by Sanctuary's ranking (deny, escalate, allow_redacted, allow), the first matching row is
the decision: exactly Sanctuary's result for a request with a single target (one data category,
or none) that no federal floor touches. A rule's withheld categories become a deny row of their
own. Those requests are measured; the others are left out and counted. Each row's condition is the
rule's own checked condition rewritten over ``r.sub`` (the same facts Sanctuary derives), with its
scope, effective dates and negated exceptions.
"""

from __future__ import annotations

import ast
import datetime as dt
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import casbin

from sanctuary.model import Request
from sanctuary.policy.evaluate import RANK, Engine
from sanctuary.policy.facts import CATALOGUE, derive, slot_name
from sanctuary.policy.load import Rule

EPOCH = dt.date(1970, 1, 1)
MODEL = """
[request_definition]
r = sub
[policy_definition]
p = sub_rule, eft, rid, priority
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = eval(p.sub_rule)
"""
FLOOR_DATA = {"immigration_status", "citizenship"}


class _Rewrite(ast.NodeTransformer):
    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        return self._fact(ast.unparse(node))

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in ("true", "True", "false", "False", "none", "None"):
            return ast.Constant(
                value={"t": True, "T": True, "f": False, "F": False}.get(node.id[0])
            )
        return self._fact(node.id) if node.id in CATALOGUE else node

    def visit_List(self, node: ast.List) -> ast.expr:
        return ast.Tuple(elts=[self.visit(e) for e in node.elts], ctx=ast.Load())

    def visit_Call(self, node: ast.Call) -> ast.expr:
        # overlaps(a, b) -> any member of the literal side is in the fact side
        fact, literal = node.args
        if isinstance(fact, ast.List):
            fact, literal = literal, fact
        members = literal.elts if isinstance(literal, ast.List) else []
        tests = [
            ast.Compare(left=m, ops=[ast.In()], comparators=[self.visit(fact)]) for m in members
        ]
        return ast.BoolOp(op=ast.Or(), values=tests) if len(tests) > 1 else tests[0]

    @staticmethod
    def _fact(name: str) -> ast.expr:
        return ast.parse(f"r.sub.{slot_name(name)}", mode="eval").body


def _condition(rule: Rule, pack_index: int) -> str:
    day = f"r.sub.day_{pack_index}"
    parts = [f"{day} >= {(rule.effective_from - EPOCH).days}"]
    if rule.effective_to:
        parts.append(f"{day} < {(rule.effective_to - EPOCH).days}")
    if rule.actions is not None:
        parts.append(f"r.sub.action in {tuple(sorted(rule.actions))!r}")
    if rule.responders is not None:
        parts.append(f"r.sub.responder__kind in {tuple(sorted(rule.responders))!r}")
    if rule.data is not None:
        parts.append(f"r.sub.target in {tuple(sorted(rule.data))!r}")
    parts.append(
        "(" + ast.unparse(_Rewrite().visit(ast.parse(rule.when.source, mode="eval"))) + ")"
    )
    for exception in rule.exceptions:
        rewritten = ast.unparse(_Rewrite().visit(ast.parse(exception.when.source, mode="eval")))
        parts.append(f"not ({rewritten})")
    return " and ".join(parts)


class CasbinEngine:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.enforcers: dict[str, casbin.Enforcer] = {}

    def _enforcer(self, jurisdiction: str) -> casbin.Enforcer:
        if jurisdiction not in self.enforcers:
            with tempfile.TemporaryDirectory() as folder:
                model = Path(folder) / "model.conf"
                model.write_text(MODEL)
                enforcer = casbin.Enforcer(str(model))
            rows: list[tuple[str, str, str]] = []  # (condition, effect, rule id)
            for i, pack in enumerate(self.engine.chain(jurisdiction)):
                for rule in pack.rules:
                    if rule.effect == "obligate":
                        continue
                    condition = _condition(rule, i)
                    if rule.withhold:  # withheld categories are a deny of this rule for them
                        held = tuple(sorted(rule.withhold))
                        rows.append((f"{condition} and r.sub.target in {held!r}", "deny", rule.id))
                        condition = f"{condition} and r.sub.target not in {held!r}"
                    rows.append((condition, rule.effect, rule.id))
            rows.sort(key=lambda row: -RANK[row[1]])
            for priority, (condition, effect, rule_id) in enumerate(rows, start=1):
                # casbin knows only allow/deny effects: every row "allows" (= matches) and carries
                # Sanctuary's effect beside the rule id, read back from the explanation.
                enforcer.add_policy(condition, "allow", f"{effect}|{rule_id}", str(priority))
            self.enforcers[jurisdiction] = enforcer
        return self.enforcers[jurisdiction]

    def expressible(self, request: Request) -> bool:
        data = set(request.data)
        return (
            len(data) <= 1
            and not (data & FLOOR_DATA)
            and not any(
                r.withhold for p in self.engine.chain(request.jurisdiction) for r in p.rules
            )
        )

    def decide(self, request: Request) -> str:
        when = request.time
        assert when is not None
        chain = self.engine.chain(request.jurisdiction)
        facts = derive(request, when, self.engine._chain(request.jurisdiction).home_state)
        sub: dict[str, Any] = {slot_name(n): facts.get(n) for n in CATALOGUE}
        sub["target"] = request.data[0] if request.data else "*"
        for i, pack in enumerate(chain):
            sub[f"day_{i}"] = (when.astimezone(pack.timezone).date() - EPOCH).days
        _allowed, explain = self._enforcer(request.jurisdiction).enforce_ex(SimpleNamespace(**sub))
        if not explain:
            return "deny"
        return str(explain[2]).split("|", 1)[0]
