"""The z3 encoding of "the verdict on one target" against the real engine, on random requests.

For each request, every fact variable is pinned to the value facts.derive gives it; z3 must then
find the derivation constraints satisfiable (else they exclude a real request and proofs would be
unsound) and give each target the verdict the engine gives it."""

from __future__ import annotations

import sys
from pathlib import Path

from sanctuary.errors import SanctuaryError
from sanctuary.policy import default_engine, load_packs
from sanctuary.policy.verify import Verifier, target_verdict

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from request_space import random_requests


def test_encoding_agrees_with_the_engine_on_random_requests() -> None:
    verifier = Verifier(load_packs())
    engine = default_engine()
    checked, disagreements = 0, []
    for request in random_requests(2500, seed=7):
        try:
            decision = engine.decide(request)
        except SanctuaryError:  # e.g. a data action without data: refused, nothing to compare
            continue
        for target, claimed in verifier.model_verdicts(request).items():
            checked += 1
            verdict, _ = target_verdict(decision, target)
            if verdict != claimed:
                disagreements.append((request.id, target, claimed, verdict))
    assert checked > 3000
    assert disagreements == []
