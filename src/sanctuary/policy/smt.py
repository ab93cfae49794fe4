"""The packs of one jurisdiction chain as a z3 formula: the verdict on ONE target of a request.

Every fact of the catalogue is a z3 variable of its type: a bool; an ``EnumSort`` per vocabulary
(plus ``__none__`` for facts that may be absent and ``__other__`` for free text outside the
vocabulary); a set as one bool per member. Each pack of the chain has its own day (an ``Int``,
the proleptic ordinal of the local date in the pack's zone). The target is one more enum: a data
category, or ``*`` for a request that names no data (evaluate.WHOLE_ACTION).

The semantics encoded are those of :mod:`sanctuary.policy.evaluate` for one target: rule applies
(in force on its pack's day, action and responder match, target covered, ``when`` holds, no
exception holds) -> votes (``withhold`` turns an allow_redacted into deny for those targets);
a floor allow from pack i sets aside deny/escalate votes of packs after i; the strongest vote
wins; no vote -> deny. Verdicts are ranks: 1 allow, 2 allow_redacted, 3 escalate, 4 deny.

Facts are derived from a request (facts.py), so they are not independent: ``derivations`` states
the links that matter. Links left out only widen the space searched (more counterexamples, never
fewer), so a proof stays a proof; the replay in verify.py catches counterexamples that no real
request can produce. What is left free is listed in docs/verify.md.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import z3

from sanctuary.errors import SanctuaryError
from sanctuary.policy.conditions import _CONSTANTS
from sanctuary.policy.evaluate import DATA_ACTIONS, RANK, WHOLE_ACTION
from sanctuary.policy.facts import (
    ADMINISTRATIVE_TYPES,
    CATALOGUE,
    IMMIGRATION_PURPOSES,
    JUDICIAL_TYPES,
    JUDICIAL_WARRANT_TYPES,
    NON_IMMIGRATION_PURPOSES,
    PUBLIC_AGENCY_KINDS,
    Facts,
    slot_name,
)
from sanctuary.policy.load import Pack, Rule
from sanctuary.purpose import PROTECTIVE_ORDER
from sanctuary.vocab import vocabulary

NONE = "__none__"
OTHER = "__other__"
VERDICT_NAMES = {rank: effect for effect, rank in RANK.items()}
# Days the search covers: requests dated 1900-01-01 .. 2199-12-31 (local date).
FIRST_DAY = dt.date(1900, 1, 1).toordinal()
LAST_DAY = dt.date(2199, 12, 31).toordinal()
_STATES = (
    "AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE"
)
US_STATES = tuple(
    f"{_STATES} NH NJ NM NV NY OH OK OR PA PR RI SC SD TN TX UT VA VT WA WI WV WY".split()
)
# Facts that may be absent (Python None) in a Facts object.
NULLABLE = frozenset(
    {"on_behalf_of.agency", "on_behalf_of.kind", "purpose.declared", "legal_process.form",
     "requester.state"}
)  # fmt: skip
# The classes for which 7282.5(a) permits notification and transfer with no look-back (trust.py).
TRUST_ALWAYS = frozenset(
    {"serious_felony", "violent_felony", "felony_state_prison", "sex_offender_registrant",
     "federal_aggravated_felony", "federal_felony_warrant"}
)  # fmt: skip
TRUST_LOOK_BACK = frozenset({"listed_felony", "wobbler_misdemeanor"})


class EncodingError(SanctuaryError):
    code = "encoding_error"


@dataclass(frozen=True)
class Enum:
    """One z3 enumeration: the sort and its constants by value."""

    sort: z3.SortRef
    consts: dict[str, z3.ExprRef]

    def value(self, model: z3.ModelRef, var: z3.ExprRef) -> str:
        got = model.eval(var, model_completion=True)
        return next(name for name, const in self.consts.items() if z3.eq(const, got))


@cache
def enum(name: str, values: tuple[str, ...]) -> Enum:
    """The enum sort ``name`` over ``values`` (cached: z3 refuses two sorts of one name)."""
    sort, consts = z3.EnumSort(f"S_{name}", [f"{name}!{v}" for v in values])
    return Enum(sort, dict(zip(values, consts, strict=True)))


def fact_enum(fact: str) -> Enum:
    """The enum a string fact ranges over."""
    if fact == "requester.state":
        return enum("state", (*US_STATES, OTHER, NONE))
    name = CATALOGUE[fact].vocabulary or ""
    values = tuple(sorted(getattr(vocabulary(), name)))
    if fact == "legal_process.form":
        return enum(name, (*values, OTHER, NONE))
    return enum(name, (*values, NONE))


def set_members(fact: str) -> tuple[str, ...]:
    return tuple(sorted(getattr(vocabulary(), CATALOGUE[fact].vocabulary or "")))


@dataclass
class Encoding:
    """The variables of one chain, the derivation constraints, and the verdict on the target."""

    packs: tuple[Pack, ...]
    home_state: str | None
    scalars: dict[str, z3.ExprRef] = field(default_factory=dict)
    sets: dict[str, dict[str, z3.BoolRef]] = field(default_factory=dict)
    target: z3.ExprRef | None = None
    targets: Enum | None = None
    days: list[z3.ArithRef] = field(default_factory=list)
    unsigned: z3.BoolRef = field(default_factory=lambda: z3.Bool("unsigned_by_judge"))
    constraints: list[z3.BoolRef] = field(default_factory=list)
    verdict: z3.ArithRef | None = None

    # -- values ------------------------------------------------------------------------------
    def const(self, fact: str, value: str | None) -> z3.ExprRef | None:
        """The enum constant of ``value`` for ``fact`` (None when it cannot be a value of it)."""
        consts = fact_enum(fact).consts
        return consts.get(NONE if value is None else value)

    def is_value(self, fact: str, value: str | None) -> z3.BoolRef:
        const = self.const(fact, value)
        return z3.BoolVal(False) if const is None else self.scalars[fact] == const

    def one_of(self, fact: str, values: frozenset[str] | tuple[str, ...]) -> z3.BoolRef:
        return z3.Or([self.is_value(fact, v) for v in sorted(values)] or [z3.BoolVal(False)])

    def target_in(self, values: frozenset[str]) -> z3.BoolRef:
        assert self.targets is not None and self.target is not None
        consts = self.targets.consts
        return z3.Or([self.target == consts[v] for v in sorted(values) if v in consts] or [False])

    def is_target(self, value: str) -> z3.BoolRef:
        assert self.targets is not None and self.target is not None
        return self.target == self.targets.consts[value]

    # -- fixing a concrete request (the differential test) -----------------------------------
    def fix(self, facts: Facts, target: str, days: list[int], unsigned: bool) -> list[z3.BoolRef]:
        """Constraints that pin every fact to the values derived for a concrete request."""
        pinned: list[z3.BoolRef] = [self.is_target(target), self.unsigned == unsigned]
        pinned += [day == value for day, value in zip(self.days, days, strict=True)]
        for fact, var in self.scalars.items():
            value = getattr(facts, slot_name(fact))
            if CATALOGUE[fact].kind == "bool":
                pinned.append(var == z3.BoolVal(bool(value)))
                continue
            const = self.const(fact, value)
            if const is None:  # free text outside the vocabulary
                const = self.const(fact, OTHER)
            if const is None:
                raise EncodingError(f"`{fact}` = `{value}` has no value in the encoding")
            pinned.append(var == const)
        for fact, members in self.sets.items():
            present = getattr(facts, slot_name(fact))
            pinned += [bit == z3.BoolVal(m in present) for m, bit in members.items()]
        return pinned


def encode_chain(packs: tuple[Pack, ...], home_state: str | None) -> Encoding:
    """Variables, derivations and the verdict on one target for the chain ``packs``."""
    enc = Encoding(packs, home_state)
    for fact, kind in CATALOGUE.items():
        key = fact.replace(".", "_")
        if kind.kind == "bool":
            enc.scalars[fact] = z3.Bool(key)
        elif kind.kind == "str":
            enc.scalars[fact] = z3.Const(key, fact_enum(fact).sort)
        else:
            enc.sets[fact] = {m: z3.Bool(f"{key}!{m}") for m in set_members(fact)}
    enc.targets = enum("target", (*sorted(vocabulary().data_categories), WHOLE_ACTION))
    enc.target = z3.Const("target", enc.targets.sort)
    enc.days = [z3.Int(f"day!{pack.id}") for pack in packs]
    enc.constraints = derivations(enc)
    enc.verdict = verdict(enc)
    return enc


def derivations(enc: Encoding) -> list[z3.BoolRef]:
    """What facts.derive makes true of every request (see the module docstring)."""
    s, v = enc.scalars, vocabulary()
    out: list[z3.BoolRef] = []
    for fact in s:
        if CATALOGUE[fact].kind == "str" and fact not in NULLABLE:
            out.append(z3.Not(enc.is_value(fact, None)))
    # The target: a data category in `data`, or the whole action when `data` is empty.
    data = enc.sets["data"]
    whole = enc.is_target(WHOLE_ACTION)
    out.append(whole == z3.Not(z3.Or(list(data.values()))))
    out += [z3.Implies(enc.is_target(c), bit) for c, bit in data.items()]
    out.append(z3.Implies(enc.one_of("action", DATA_ACTIONS), z3.Not(whole)))
    out += _requester_derivations(enc, v.agencies)
    out += _purpose_derivations(enc)
    out += _process_derivations(enc, v.forms)
    out += _subject_derivations(enc)
    # Every pack of a chain reads the same instant; local dates differ by at most a day.
    for day in enc.days:
        out += [day >= FIRST_DAY, day <= LAST_DAY]
        out += [z3.And(day - other <= 1, other - day <= 1) for other in enc.days]
    return out


def _requester_derivations(enc: Encoding, agencies: dict[str, Any]) -> list[z3.BoolRef]:
    s = enc.scalars
    out: list[z3.BoolRef] = []
    for code, agency in agencies.items():
        out.append(z3.Implies(enc.is_value("requester.agency", code),
                              enc.is_value("requester.kind", agency.kind)))  # fmt: skip
        out.append(z3.Implies(enc.is_value("on_behalf_of.agency", code),
                              enc.is_value("on_behalf_of.kind", agency.kind)))  # fmt: skip
    absent = enc.is_value("on_behalf_of.agency", None)
    out.append(absent == enc.is_value("on_behalf_of.kind", None))
    out.append(s["on_behalf_of.present"] == z3.Not(absent))
    home = enc.is_value("requester.state", enc.home_state) if enc.home_state else False
    out.append(s["requester.in_state"] == home)
    federal = enc.one_of("requester.kind", ("federal_immigration", "federal_other"))
    out.append(s["requester.federal"] == federal)
    public = z3.And(s["requester.in_state"], enc.one_of("requester.kind", PUBLIC_AGENCY_KINDS))
    out.append(s["requester.public_agency_in_state"] == public)
    involved = z3.Or(
        enc.is_value("requester.kind", "federal_immigration"),
        enc.is_value("on_behalf_of.kind", "federal_immigration"),
        enc.sets["requester.member_kinds"]["federal_immigration"],
        enc.sets["requester.agreements"]["287g"],
    )
    out.append(s["immigration_agency_involved"] == involved)
    enforcement = z3.Or(
        s["purpose.immigration"],
        z3.And(involved, z3.Not(enc.one_of("purpose.category", NON_IMMIGRATION_PURPOSES))),
    )
    out.append(s["immigration_enforcement"] == enforcement)
    return out


def _purpose_derivations(enc: Encoding) -> list[z3.BoolRef]:
    """governing = the more protective of declared and assessed (PROTECTIVE_ORDER)."""
    from sanctuary.purpose import assess

    s = enc.scalars

    def rank(fact: str) -> z3.ArithRef:
        expr: z3.ArithRef = z3.IntVal(len(PROTECTIVE_ORDER))
        for i, category in reversed(list(enumerate(PROTECTIVE_ORDER))):
            expr = z3.If(enc.is_value(fact, category), z3.IntVal(i), expr)
        return expr

    declared, assessed = s["purpose.declared"], s["purpose.assessed"]
    no_declared = enc.is_value("purpose.declared", None)
    governing = z3.If(
        no_declared,
        assessed,
        z3.If(rank("purpose.declared") <= rank("purpose.assessed"), declared, assessed),
    )
    return [
        s["purpose.category"] == governing,
        s["purpose.immigration"] == enc.one_of("purpose.category", IMMIGRATION_PURPOSES),
        z3.Implies(s["purpose.empty"], enc.is_value("purpose.assessed", assess("").category)),
    ]


def _process_derivations(enc: Encoding, forms: dict[str, str]) -> list[z3.BoolRef]:
    s = enc.scalars
    out = [
        z3.Implies(enc.is_value("legal_process.form", form), enc.is_value("legal_process.type", t))
        for form, t in forms.items()
    ]
    signed = z3.Not(enc.unsigned)
    out += [
        s["legal_process.judicial"]
        == z3.And(enc.one_of("legal_process.type", JUDICIAL_TYPES), signed),
        s["legal_process.judicial_warrant"]
        == z3.And(enc.one_of("legal_process.type", JUDICIAL_WARRANT_TYPES), signed),
        s["legal_process.administrative"] == enc.one_of("legal_process.type", ADMINISTRATIVE_TYPES),
    ]
    return out


def _subject_derivations(enc: Encoding) -> list[z3.BoolRef]:
    """Consent and the TRUST gate (trust.py), as far as they follow from the classes alone: the
    look-back windows depend on dates, so listed felonies and wobblers are left free."""
    s, classes = enc.scalars, enc.sets["subject.conviction_classes"]
    notify, transfer = s["subject.trust_notification_ok"], s["subject.trust_transfer_ok"]
    always = z3.Or([classes[c] for c in sorted(TRUST_ALWAYS)])
    qualifying = z3.Or([classes[c] for c in sorted(TRUST_ALWAYS | TRUST_LOOK_BACK)])
    return [
        z3.Implies(s["subject.consent_to_requester"], s["subject.consent"]),
        z3.Implies(transfer, notify),
        z3.Implies(transfer, qualifying),
        z3.Implies(always, transfer),
    ]


# -- conditions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    """A sub-expression of a condition: what it is, and its z3 (or Python) value."""

    kind: str  # bool | str | lit | none | set | list
    value: Any
    fact: str | None = None


def condition(enc: Encoding, tree: ast.expr) -> z3.BoolRef:
    """A checked condition tree as a z3 formula (its truth value, as evaluate.py reads it)."""
    return _truth(_term(enc, tree))


def _truth(term: _Term) -> z3.BoolRef:
    if term.kind == "bool":
        return term.value if isinstance(term.value, z3.BoolRef) else z3.BoolVal(bool(term.value))
    if term.kind == "str":
        return term.value != fact_enum(term.fact or "").consts[NONE]
    if term.kind == "set":
        return z3.Or(list(term.value.values()))
    if term.kind in ("lit", "list"):
        return z3.BoolVal(bool(term.value))
    return z3.BoolVal(False)  # none


def _fact_name(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _term(enc: Encoding, node: ast.expr) -> _Term:
    if isinstance(node, ast.BoolOp):
        parts = [_truth(_term(enc, v)) for v in node.values]
        return _Term("bool", z3.And(parts) if isinstance(node.op, ast.And) else z3.Or(parts))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _Term("bool", z3.Not(_truth(_term(enc, node.operand))))
    if isinstance(node, ast.Compare):
        return _Term("bool", _compare(enc, node))
    if isinstance(node, ast.Call):
        a, b = (_members(_term(enc, arg)) for arg in node.args)
        return _Term("bool", z3.Or([z3.And(a[m], b[m]) for m in a if m in b] or [False]))
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return _Term("bool", node.value)
        return _Term("lit", node.value)
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        value = _CONSTANTS[node.id]
        return _Term("none", None) if value is None else _Term("bool", value)
    if isinstance(node, ast.List | ast.Tuple):
        return _Term("list", [e.value for e in node.elts if isinstance(e, ast.Constant)])
    name = _fact_name(node)
    if name is None or name not in CATALOGUE:
        raise EncodingError(f"cannot encode `{ast.unparse(node)}`")
    kind = CATALOGUE[name].kind
    if kind == "set":
        return _Term("set", enc.sets[name], name)
    return _Term(kind, enc.scalars[name], name)


def _members(term: _Term) -> dict[str, Any]:
    """A set or list as {member: z3 bool or True}."""
    if term.kind == "set":
        return dict(term.value)
    if term.kind == "list":
        return {m: z3.BoolVal(True) for m in term.value}
    raise EncodingError(f"`{term.kind}` is not a set")


def _compare(enc: Encoding, node: ast.Compare) -> z3.BoolRef:
    left, right = _term(enc, node.left), _term(enc, node.comparators[0])
    op = node.ops[0]
    if isinstance(op, ast.Eq | ast.NotEq):
        equal = _equal(left, right)
        return equal if isinstance(op, ast.Eq) else z3.Not(equal)
    contained = _contains(right, left)
    return contained if isinstance(op, ast.In) else z3.Not(contained)


def _equal(a: _Term, b: _Term) -> z3.BoolRef:
    if a.kind in ("lit", "none") and b.kind == "str":
        a, b = b, a
    if a.kind == "str" and b.kind in ("lit", "none", "str"):
        consts = fact_enum(a.fact or "").consts
        if b.kind == "str":
            other = fact_enum(b.fact or "").consts
            common = [n for n in consts if n in other and n != OTHER]
            return z3.Or([z3.And(a.value == consts[n], b.value == other[n]) for n in common])
        const = consts.get(NONE if b.kind == "none" else b.value)
        return z3.BoolVal(False) if const is None else a.value == const
    if a.kind == "bool" and b.kind == "bool":
        return _truth(a) == _truth(b)
    if a.kind in ("set", "list") and b.kind in ("set", "list"):
        ma, mb = _members(a), _members(b)
        keys = sorted(set(ma) | set(mb))
        return z3.And([ma.get(k, z3.BoolVal(False)) == mb.get(k, z3.BoolVal(False)) for k in keys])
    if a.kind in ("lit", "none") and b.kind in ("lit", "none"):
        return z3.BoolVal(a.value == b.value)
    if {a.kind, b.kind} <= {"bool", "none", "lit"}:
        return z3.BoolVal(False)  # Python: True == None / True == "x" is False
    raise EncodingError(f"cannot compare a {a.kind} with a {b.kind}")


def _contains(container: _Term, item: _Term) -> z3.BoolRef:
    members = _members(container)
    if item.kind == "lit":
        return members.get(item.value, z3.BoolVal(False))
    if item.kind == "none":
        return z3.BoolVal(False)
    if item.kind == "str":
        consts = fact_enum(item.fact or "").consts
        return z3.Or([z3.And(item.value == consts[m], bit) for m, bit in members.items()
                      if m in consts] or [False])  # fmt: skip
    raise EncodingError(f"cannot test whether a {item.kind} is in a set")


# -- rules and the verdict -------------------------------------------------------------------


def _applies(enc: Encoding, rule: Rule, day: z3.ArithRef) -> z3.BoolRef:
    """Whether ``rule`` votes (or obligates) on the target (evaluate._evaluate)."""
    parts = [day >= rule.effective_from.toordinal()]
    if rule.effective_to is not None:
        parts.append(day < rule.effective_to.toordinal())
    if rule.actions is not None:
        parts.append(enc.one_of("action", rule.actions))
    if rule.responders is not None:
        parts.append(enc.one_of("responder.kind", rule.responders))
    if rule.data is not None:
        parts.append(enc.target_in(rule.data))  # never the whole action
    parts.append(condition(enc, rule.when.tree))
    parts += [z3.Not(condition(enc, e.when.tree)) for e in rule.exceptions]
    return z3.And(parts)


def verdict(enc: Encoding) -> z3.ArithRef:
    """The rank of the verdict on the target (evaluate._winners, default deny)."""
    # (pack index, applies, rank) for each vote a rule can cast on the target.
    votes: list[tuple[int, z3.BoolRef, int, bool]] = []
    for i, (pack, day) in enumerate(zip(enc.packs, enc.days, strict=True)):
        for rule in pack.rules:
            if rule.effect == "obligate":
                continue
            applies = _applies(enc, rule, day)
            rank = RANK[rule.effect]
            if rule.withhold:
                withheld = enc.target_in(rule.withhold)
                votes.append((i, z3.And(applies, withheld), RANK["deny"], rule.floor))
                votes.append((i, z3.And(applies, z3.Not(withheld)), rank, rule.floor))
            else:
                votes.append((i, applies, rank, rule.floor))
    allows = RANK["allow_redacted"]
    floor_in = [
        z3.Or([a for j, a, r, floor in votes if j == i and floor and r <= allows] or [False])
        for i in range(len(enc.packs))
    ]
    kept: dict[int, list[z3.BoolRef]] = {rank: [] for rank in VERDICT_NAMES}
    for i, applies, rank, _ in votes:
        if rank > allows and i > 0:  # set aside by a floor allow of an earlier pack
            applies = z3.And(applies, z3.Not(z3.Or(floor_in[:i])))
        kept[rank].append(applies)
    result: z3.ArithRef = z3.IntVal(RANK["deny"])  # no vote: default deny
    for rank in sorted(VERDICT_NAMES):  # weakest first, so the strongest ends outermost
        result = z3.If(z3.Or(kept[rank] or [False]), z3.IntVal(rank), result)
    return result
