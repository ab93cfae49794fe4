"""``sanctuary policy verify``: prove the properties counsel declared in the packs, or refute them.

A property (docs/verify.md) says what the verdict on a target may never be, for the requests a
condition selects, over a span of days. z3 searches for a request that breaks it over the
encoding of :mod:`sanctuary.policy.smt`: none (unsat) is a proof; a model is turned into a
concrete Request, which is replayed through the real engine. Only a replay that really breaks the
property is reported as a counterexample; a model the engine does not confirm is reported as an
encoding gap (the encoding is wrong somewhere), never as a proof.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import z3

from sanctuary.errors import PackError
from sanctuary.model import Decision, Request
from sanctuary.policy.evaluate import RANK, WHOLE_ACTION, Engine
from sanctuary.policy.facts import CATALOGUE, derive, slot_name
from sanctuary.policy.load import Pack, Property
from sanctuary.policy.smt import (
    NONE,
    OTHER,
    Encoding,
    EncodingError,
    condition,
    encode_chain,
    fact_enum,
)
from sanctuary.purpose import assess
from sanctuary.vocab import vocabulary

# A purpose text per assessed category (checked against the assessor when used).
SAMPLE_PURPOSES = {
    "civil_immigration_enforcement": "removal proceedings",
    "criminal_immigration_enforcement": "8 USC 1326 re-entry investigation",
    "unknown": "***",
    "other": "see attached",
    "records_request": "public records request",
    "task_force": "task force operation",
    "criminal_investigation": "stolen vehicle",
    "statistical": "annual statistics report",
    "public_safety_emergency": "missing person",
    "victim_services": "U visa certification",
}
MAX_ATTEMPTS = 8  # models tried when a model's days cannot be one instant


@dataclass(frozen=True)
class Counterexample:
    request: dict[str, Any]  # a concrete Request, as JSON
    target: str  # the data category, or `*` for the whole action
    claimed: str  # the verdict z3 claims for the target
    replayed: str  # the verdict the engine gives it
    decision: str  # the engine's decision on the whole request
    rules: tuple[str, ...]  # the rules that decided the target in the replay
    mismatched_facts: tuple[str, ...]  # facts the realised request does not give as z3 chose


@dataclass(frozen=True)
class Result:
    pack: str
    prop: Property
    status: str  # proved | fails | gap | vacuous
    seconds: float
    counterexample: Counterexample | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "proved"


class Verifier:
    """Encodes each chain once and checks the properties of its packs against it."""

    def __init__(self, packs: dict[str, Pack]) -> None:
        self.packs = packs
        self.engine = Engine(packs)
        self._encodings: dict[str, Encoding] = {}
        self._solvers: dict[str, z3.Solver] = {}

    def encoding(self, jurisdiction: str) -> Encoding:
        enc = self._encodings.get(jurisdiction)
        if enc is None:
            chain = self.engine.chain(jurisdiction)
            enc = encode_chain(chain, home_state(jurisdiction))
            self._encodings[jurisdiction] = enc
        return enc

    def check(self, pack: Pack, prop: Property) -> Result:
        started = time.perf_counter()
        enc = self.encoding(pack.id)
        index = [p.id for p in enc.packs].index(pack.id)
        solver = z3.Solver()
        solver.add(enc.constraints)
        solver.add(scope(enc, prop, index))
        assert enc.verdict is not None
        solver.add(z3.Or([enc.verdict == RANK[v] for v in sorted(prop.violations)]))
        for _ in range(MAX_ATTEMPTS):
            answer = solver.check()
            if answer == z3.unsat:
                return self._proved(enc, pack, prop, index, started)
            if answer != z3.sat:
                note = f"z3 answered `{answer}`: neither proved nor refuted"
                return Result(pack.id, prop, "gap", time.perf_counter() - started, note=note)
            solver.push()
            prefer_plain(solver, enc)
            solver.check()
            model = solver.model()
            when = instant(enc, model, index)
            solver.add([d == local_day(when, p) for d, p in zip(enc.days, enc.packs, strict=True)])
            if solver.check() == z3.sat:
                example = self.replay(enc, solver.model(), prop, pack, when)
                solver.pop()
                status = "fails" if example.replayed in prop.violations else "gap"
                note = "" if status == "fails" else "the engine does not confirm z3's model"
                return Result(pack.id, prop, status, time.perf_counter() - started, example, note)
            solver.pop()
            solver.add(z3.Not(z3.And([d == model.eval(d) for d in enc.days])))
        note = "no model whose days are one instant was found"
        return Result(pack.id, prop, "gap", time.perf_counter() - started, note=note)

    def _proved(
        self, enc: Encoding, pack: Pack, prop: Property, index: int, started: float
    ) -> Result:
        """A proof counts only if some request is in the property's scope: a `given` no request
        can meet (a typo, two facts that exclude each other) would prove anything."""
        solver = z3.Solver()
        solver.add(enc.constraints)
        solver.add(scope(enc, prop, index))
        if solver.check() == z3.unsat:
            note = "vacuous: no request meets `given` on these days and targets"
            return Result(pack.id, prop, "vacuous", time.perf_counter() - started, note=note)
        return Result(pack.id, prop, "proved", time.perf_counter() - started)

    def model_verdicts(self, request: Request) -> dict[str, str]:
        """The verdict the encoding gives each target of a concrete ``request`` (at its time),
        with every fact pinned to the value facts.derive gives it. Raises EncodingError when the
        derivation constraints exclude the request (they would be unsound)."""
        when = request.time or dt.datetime.now(dt.UTC)
        enc = self.encoding(request.jurisdiction)
        facts = derive(request, when, enc.home_state)
        days = [local_day(when, p) for p in enc.packs]
        process = request.legal_process
        unsigned = process is not None and process.signed_by_judge is False
        assert enc.verdict is not None
        solver = self._solvers.get(request.jurisdiction)
        if solver is None:
            solver = self._solvers[request.jurisdiction] = z3.Solver()
            solver.add(enc.constraints)
        verdicts: dict[str, str] = {}
        targets: list[str] = sorted(set(request.data)) or [WHOLE_ACTION]
        for target in targets:
            solver.push()
            solver.add(enc.fix(facts, target, days, unsigned))
            if solver.check() != z3.sat:
                solver.pop()
                raise EncodingError(f"the encoding excludes request `{request.id}` ({target})")
            rank = solver.model().eval(enc.verdict, model_completion=True).as_long()
            solver.pop()
            verdicts[target] = {r: e for e, r in RANK.items()}[rank]
        return verdicts

    def replay(
        self,
        enc: Encoding,
        model: z3.ModelRef,
        prop: Property | None,
        pack: Pack,
        when: dt.datetime,
    ) -> Counterexample:
        """Realise ``model`` as a request at ``pack``'s jurisdiction, decide it with the engine,
        and say what the engine gave the model's target (and any fact the request does not
        give as the model has it)."""
        assert enc.targets is not None and enc.target is not None and enc.verdict is not None
        target = enc.targets.value(model, enc.target)
        body = realise(enc, model, pack.id, when)
        request = Request.model_validate(body)
        decision = self.engine.decide(request)
        facts = derive(request, when, enc.home_state)
        mismatched = tuple(f for f in CATALOGUE if _fact_value(enc, model, f) != _derived(facts, f))
        if prop is not None and not prop.given.test(facts):
            mismatched += ("(given does not hold)",)
        replayed, rules = target_verdict(decision, target)
        claimed = model.eval(enc.verdict, model_completion=True).as_long()
        return Counterexample(
            request=body,
            target=target,
            claimed={r: e for e, r in RANK.items()}[claimed],
            replayed=replayed,
            decision=decision.decision,
            rules=rules,
            mismatched_facts=mismatched,
        )


def preferences(enc: Encoding) -> list[z3.BoolRef]:
    """What makes a counterexample plain, most wanted first: no other data, no relay, no
    papers, no subject or context facts, nothing declared. Each is kept only if it still leaves
    a violation, so the printed request shows only what the violation needs."""
    s = enc.scalars
    wanted: list[z3.BoolRef] = [z3.Not(bit) for bit in enc.sets["data"].values()]
    wanted += [
        enc.is_value("on_behalf_of.agency", None),
        enc.is_value("purpose.declared", None),
        z3.Not(s["purpose.empty"]),
        enc.is_value("legal_process.form", None),
        enc.is_value("legal_process.type", "none"),
        z3.Not(enc.unsigned),
        z3.Not(s["legal_process.names_subject"]),
        enc.is_value("requester.state", None),
        z3.Not(enc.is_value("requester.state", OTHER)),
        z3.Not(enc.is_value("legal_process.form", OTHER)),
    ]
    for fact in ("requester.agreements", "requester.member_kinds", "subject.conviction_classes"):
        wanted += [z3.Not(bit) for bit in enc.sets[fact].values()]
    wanted += [
        z3.Not(var)
        for fact, var in s.items()
        if fact.startswith(("subject.", "context.")) and CATALOGUE[fact].kind == "bool"
    ]
    return wanted


def prefer_plain(solver: z3.Solver, enc: Encoding) -> None:
    """Add each preference that keeps ``solver`` satisfiable (greedy, in order)."""
    for wanted in preferences(enc):
        solver.push()
        solver.add(wanted)
        ok = solver.check() == z3.sat
        solver.pop()
        if ok:
            solver.add(wanted)


def home_state(jurisdiction: str) -> str | None:
    state = jurisdiction.partition("/")[0]
    return state.split("-")[1].upper() if "-" in state else None


def scope(enc: Encoding, prop: Property, index: int) -> list[z3.BoolRef]:
    """The requests a property speaks of: its days (in its pack's zone), `given`, its targets."""
    day = enc.days[index]
    out = [day >= prop.start.toordinal(), condition(enc, prop.given.tree)]
    if prop.end is not None:
        out.append(day < prop.end.toordinal())
    if prop.data is not None:
        out.append(enc.target_in(prop.data))
    return out


def local_day(when: dt.datetime, pack: Pack) -> int:
    return when.astimezone(pack.timezone).date().toordinal()


def instant(enc: Encoding, model: z3.ModelRef, index: int) -> dt.datetime:
    """An instant on the model's day of the property's pack at which the other packs' days are
    the model's too, if there is one (else local noon)."""
    days = [model.eval(d, model_completion=True).as_long() for d in enc.days]
    day = dt.date.fromordinal(days[index])
    zone = enc.packs[index].timezone
    candidates = [dt.datetime.combine(day, dt.time(h, 30), zone) for h in (12, 0, 23, 6, 18)]
    for when in candidates:
        if all(local_day(when, p) == d for p, d in zip(enc.packs, days, strict=True)):
            return when
    return candidates[0]


def _fact_value(enc: Encoding, model: z3.ModelRef, fact: str) -> object:
    if fact in enc.sets:
        return frozenset(m for m, bit in enc.sets[fact].items() if z3.is_true(model.eval(bit)))
    var = enc.scalars[fact]
    if CATALOGUE[fact].kind == "bool":
        return z3.is_true(model.eval(var, model_completion=True))
    value = fact_enum(fact).value(model, var)
    return None if value == NONE else value


def _derived(facts: Any, fact: str) -> object:
    value = getattr(facts, slot_name(fact))
    free_text = fact in ("requester.state", "legal_process.form") and value is not None
    if free_text and value not in fact_enum(fact).consts:
        return OTHER
    return value


def target_verdict(decision: Decision, target: str) -> tuple[str, tuple[str, ...]]:
    """The verdict the engine gave ``target`` and the rules that gave it, read from the reasons
    (every reason that decided a target names it; the whole action's reasons name no data)."""
    deciding = [
        r
        for r in decision.reasons
        if r.effect != "obligate"
        and ((r.data is None) if target == WHOLE_ACTION else (target in (r.data or ())))
    ]
    if not deciding:
        raise PackError(f"the decision gives no verdict for `{target}`", location="verify")
    return deciding[0].effect, tuple(r.rule for r in deciding)


# -- realising a model as a concrete request -------------------------------------------------


def realise(enc: Encoding, model: z3.ModelRef, jurisdiction: str, when: dt.datetime) -> dict:
    """A Request (JSON) whose derived facts are the model's."""

    def value(fact: str) -> Any:
        return _fact_value(enc, model, fact)

    assert enc.targets is not None and enc.target is not None
    body: dict[str, Any] = {
        "id": "counterexample",
        "time": when.isoformat(),
        "jurisdiction": jurisdiction,
        "responder": {"kind": value("responder.kind")},
        "requester": _requester(value),
        "action": value("action"),
    }
    body.update(_purpose(value))
    if enc.targets.value(model, enc.target) != WHOLE_ACTION:
        body["data"] = sorted(value("data"))
    process = _process(value, z3.is_true(model.eval(enc.unsigned)))
    if process is not None:
        body["legal_process"] = process
    subject = _subject(value, value("requester.agency"), when.date())
    if subject is not None:
        body["subject"] = subject
    context: dict[str, Any] = {
        key.split(".")[1]: True
        for key in CATALOGUE
        if key.startswith("context.") and key != "context.has_case_number" and value(key)
    }
    if value("context.has_case_number"):
        context["case_number"] = "CASE-0001"
    if context:
        body["context"] = context
    return body


def _agency_of_kind(kind: str) -> str:
    agencies = vocabulary().agencies
    return next(code for code in sorted(agencies) if agencies[code].kind == kind)


def _requester(value: Any) -> dict[str, Any]:
    requester: dict[str, Any] = {"agency": value("requester.agency")}
    state = value("requester.state")
    if state == OTHER:  # a code outside the list of US states (z3 avoids it when it can)
        state = "ZZ"
    if state is not None:
        requester["state"] = state
    if value("on_behalf_of.agency") is not None:
        requester["on_behalf_of"] = value("on_behalf_of.agency")
    if value("requester.agreements"):
        requester["agreements"] = sorted(value("requester.agreements"))
    kinds = sorted(value("requester.member_kinds"))
    if kinds:
        requester["members"] = [_agency_of_kind(k) for k in kinds]
    return requester


def _purpose(value: Any) -> dict[str, Any]:
    assessed = value("purpose.assessed")
    text = "" if value("purpose.empty") else SAMPLE_PURPOSES[assessed]
    if assess(text).category != assessed:  # the assessor changed: the replay will show it
        text = SAMPLE_PURPOSES[assessed]
    out: dict[str, Any] = {"purpose": text}
    if value("purpose.declared") is not None:
        out["purpose_category"] = value("purpose.declared")
    return out


def _process(value: Any, unsigned: bool) -> dict[str, Any] | None:
    kind, form = value("legal_process.type"), value("legal_process.form")
    process: dict[str, Any] = {}
    if form == OTHER:
        process["form"] = "X-0000"  # not a known form: the declared type stands
        if kind != "other":
            process["type"] = kind
    elif form is not None:
        process["form"] = form
    elif kind != "none":
        process["type"] = kind
    if unsigned:
        process["signed_by_judge"] = False
    if value("legal_process.names_subject"):
        process["names_subject"] = True
    return process or None


def _subject(value: Any, agency: str, day: dt.date) -> dict[str, Any] | None:
    subject: dict[str, Any] = {}
    for key in ("in_custody", "victim_or_witness"):
        if value(f"subject.{key}"):
            subject[key] = True
    if value("subject.consent"):
        subject["consent"] = {"written": True, "to": agency if value(
            "subject.consent_to_requester") else None}  # fmt: skip
    notify, transfer = value("subject.trust_notification_ok"), value("subject.trust_transfer_ok")
    classes = sorted(value("subject.conviction_classes"))
    # Recent convictions count under the look-back windows; old ones (16 years) do not.
    years = 1 if transfer else 16
    convictions: list[dict[str, Any]] = []
    for cls in classes:
        if cls == "sex_offender_registrant":
            subject["sex_offender_registrant"] = True
            continue
        when = day.replace(year=day.year - years, day=min(day.day, 28))
        convictions.append({"class": cls, "date": when.isoformat()})
    if notify and not transfer:  # 7282.5(b): held to answer on a serious felony
        convictions.append({"class": "serious_felony", "held_to_answer": True})
    if convictions:
        subject["convictions"] = convictions
    return subject or None


# -- running --------------------------------------------------------------------------------


def verify(packs: dict[str, Pack], pack_ids: list[str] | None = None) -> list[Result]:
    """Check the declared properties of ``pack_ids`` (default: every pack)."""
    chosen = pack_ids or sorted(packs)
    for pack_id in chosen:
        if pack_id not in packs:
            raise PackError(f"no pack `{pack_id}`", location="PACK")
    verifier = Verifier(packs)
    return [verifier.check(packs[p], prop) for p in chosen for prop in packs[p].properties]


def report(results: list[Result]) -> str:
    """The results as text for counsel: one line per property, counterexamples in full."""
    import orjson

    lines: list[str] = [] if results else ["no properties declared in these packs"]
    for result in results:
        ms = result.seconds * 1000
        word = {"proved": "PROVED", "fails": "FAILS ", "gap": "GAP   ", "vacuous": "VACUOUS"}[
            result.status
        ]
        lines.append(f"{word} {result.prop.id}  ({result.pack}, {ms:.1f} ms)")
        if result.ok:
            continue
        lines.append(f"    property: {result.prop.summary}")
        lines.append(f"    declared at {result.prop.location}")
        if result.note:
            lines.append(f"    {result.note}")
        example = result.counterexample
        if example is None:
            continue
        lines.append(
            f"    counterexample: target `{example.target}` gets `{example.replayed}` from the "
            f"engine (z3 said `{example.claimed}`; whole decision `{example.decision}`), "
            f"decided by {', '.join(example.rules)}"
        )
        if example.mismatched_facts:
            lines.append(f"    facts z3 chose but the request does not give: "
                         f"{', '.join(example.mismatched_facts)}")  # fmt: skip
        request = orjson.dumps(example.request, option=orjson.OPT_INDENT_2).decode()
        lines.append("    request: " + request.replace("\n", "\n    "))
    proved = sum(r.ok for r in results)
    failed = sum(r.status == "fails" for r in results)
    vacuous = sum(r.status == "vacuous" for r in results)
    gaps = len(results) - proved - failed - vacuous
    ms = sum(r.seconds for r in results) * 1000
    lines.append(f"{proved} proved, {failed} failed, {gaps} encoding gaps, {vacuous} vacuous")
    lines[-1] += f" ({ms:.0f} ms)"
    return "\n".join(lines) + "\n"
