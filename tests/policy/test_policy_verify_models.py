"""The other direction of the differential test: random z3 models of each chain (random facts,
targets and days, each kept only if the derivations allow it) are realised as concrete requests
and replayed. Every fact z3 chose must be what the engine derives from the request, and the
engine's verdict on the target must be z3's. This exercises the realisation of counterexamples
(forms, consent, convictions, relays, dates) over far more of the space than the false properties
do, and the encoding on points the random request generator seldom reaches."""

from __future__ import annotations

import random

import pytest
import z3

from sanctuary.policy import load_packs
from sanctuary.policy.smt import Encoding, fact_enum
from sanctuary.policy.verify import Verifier, instant, local_day

PACKS = load_packs()


def choices(enc: Encoding) -> list[z3.BoolRef]:
    """Single-fact constraints to draw from: every value of every fact, and the days around
    every effective date of the chain."""
    out: list[z3.BoolRef] = []
    for fact, var in enc.scalars.items():
        if var.sort() == z3.BoolSort():
            out += [var, z3.Not(var)]
        else:
            out += [var == const for const in fact_enum(fact).consts.values()]
    out += [bit for members in enc.sets.values() for bit in members.values()]
    assert enc.targets is not None and enc.target is not None
    out += [enc.target == const for const in enc.targets.consts.values()]
    out.append(enc.unsigned)
    bounds = {r.effective_from for p in enc.packs for r in p.rules if r.effective_from.year >= 1900}
    bounds |= {r.effective_to for p in enc.packs for r in p.rules if r.effective_to}
    for day in bounds:
        out += [enc.days[-1] == day.toordinal() + k for k in (-1, 0)]
    return out


@pytest.mark.parametrize("jurisdiction", ["us-ca/los-angeles", "us-ca", "us"])
def test_random_models_realise_and_replay_exactly(jurisdiction: str) -> None:
    verifier = Verifier(PACKS)
    enc = verifier.encoding(jurisdiction)
    pack = PACKS[jurisdiction]
    rng = random.Random(11)
    pool = choices(enc)
    solver = z3.Solver()
    solver.add(enc.constraints)
    problems = []
    for _ in range(60):
        solver.push()
        for wanted in rng.sample(pool, 40):
            solver.push()
            solver.add(wanted)
            ok = solver.check() == z3.sat
            solver.pop()
            if ok:
                solver.add(wanted)
        assert solver.check() == z3.sat
        model = solver.model()
        when = instant(enc, model, len(enc.packs) - 1)
        solver.add([d == local_day(when, p) for d, p in zip(enc.days, enc.packs, strict=True)])
        if solver.check() != z3.sat:  # days no instant gives: nothing to realise
            solver.pop()
            continue
        example = verifier.replay(enc, solver.model(), None, pack, when)
        solver.pop()
        if example.mismatched_facts or example.claimed != example.replayed:
            problems.append(example)
    assert problems == []
