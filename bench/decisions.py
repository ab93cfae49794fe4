"""Decisions per second for the Los Angeles chain, side by side with cedarpy and pycasbin.

    .venv/bin/pip install -c constraints.txt -e '.[dev,bench]'
    .venv/bin/python bench/decisions.py [--n 100000] [--quick]

Measures, in one run and one process (single-threaded; each measure run --repeat times, median
and best printed, every run of a "never seen" or "asked again" measure on requests of its own):
1. Sanctuary on parsed requests, full reasons: decided again (memo warm), asked again by new
   request objects with new ids, never seen before, and cold (memo off: every rule evaluated);
2. Sanctuary from request JSON text to Decision JSON text (strict parse, validate, decide, dump);
3. cedarpy with a faithful encoding of the same packs (bench/cedar_encoding.py explains how), with
   pre-parsed policy and entity handles and dict UIDs (the fastest mode measured in
   shared/reference/policy-engines.md);
4. pycasbin on the requests its priority model can express (single target, no federal floor);
and checks that Cedar agrees with Sanctuary on every request (applicable rules and final decision),
and pycasbin on every request it can express.
"""

from __future__ import annotations

import argparse
import functools
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cedar_encoding import context as cedar_context
from cedar_encoding import encode
from request_space import random_bodies, random_requests

from sanctuary.jsonio import decision_json, loads_strict, request_from_obj
from sanctuary.model import Request
from sanctuary.policy import engine_for
from sanctuary.policy.evaluate import (
    WHOLE_ACTION,
    Engine,
    _assemble,
    _evaluate,
    _Parts,
    _Trace,
    _vote,
)
from sanctuary.policy.facts import derive


def rate(label: str, n: int, seconds: list[float], rows: list[tuple[str, float]]) -> float:
    """Print the best and the median of the runs; return (and record) the median rate."""
    per_second = [n / s for s in seconds]
    best, median = max(per_second), statistics.median(per_second)
    rows.append((label, median))
    print(f"  {label:<56} {median:>10,.0f}/s {best:>10,.0f}/s  {1e6 / median:>7.2f} µs")
    return median


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def targets_of(request: Request) -> tuple[str, ...]:
    return tuple(sorted(set(request.data))) or (WHOLE_ACTION,)


def sanctuary_applicable(engine: Engine, request: Request) -> set[str]:
    when = request.time
    assert when is not None
    plan_key = engine._plan_key(request, when)
    plan = engine._plans.get(plan_key) or engine._new_plan(plan_key, when)
    facts = derive(request, when, plan_key[0].home_state)
    trace = _evaluate(plan.rules, facts, targets_of(request))
    voted = {v.rule.id for votes in trace.votes.values() for v in votes}
    return voted | {r.id for r in trace.obligation_rules}


class CedarEngine:
    """Cedar decides which rules apply; the documented combination turns that into a decision."""

    def __init__(self, engine: Engine) -> None:
        import cedarpy

        self.cedarpy = cedarpy
        self.engine = engine
        self.entities = cedarpy.Entities.from_json_str("[]")
        self.chains: dict[str, Any] = {}
        self.parts = _Parts()

    def _policies(self, jurisdiction: str) -> Any:
        if jurisdiction not in self.chains:
            chain = self.engine.chain(jurisdiction)
            text, rules = encode(chain)
            self.chains[jurisdiction] = (chain, self.cedarpy.PolicySet.from_str(text), rules)
        return self.chains[jurisdiction]

    def applicable(self, request: Request) -> tuple[Any, Any, set[int], list[str]]:
        chain, policies, _rules = self._policies(request.jurisdiction)
        when = request.time
        assert when is not None
        facts = derive(request, when, self.engine._chain(request.jurisdiction).home_state)
        cedar_request = {
            "principal": {"type": "Requester", "id": "r"},
            "action": {"type": "Action", "id": "decide"},
            "resource": {"type": "Request", "id": "q"},
            "context": cedar_context(facts, when, chain),
        }
        result = self.cedarpy.is_authorized(cedar_request, policies, self.entities)
        indices = {int(p.removeprefix("policy")) for p in result.diagnostics.reasons}
        return chain, facts, indices, list(result.diagnostics.errors)

    def decide(self, request: Request) -> tuple[str, list[str], list[str], set[str]]:
        _chain, facts, indices, errors = self.applicable(request)
        if errors:
            raise RuntimeError(f"cedar errors: {errors[:1]}")
        rules = self.chains[request.jurisdiction][2]
        targets = targets_of(request)
        trace = _Trace(votes={t: [] for t in targets})
        whole = targets == (WHOLE_ACTION,)
        for index in sorted(indices):
            pack_index, rule = rules[index]
            covered = targets if rule.data is None else tuple(t for t in targets if t in rule.data)
            if whole and rule.data is not None:
                continue
            _vote(trace, rule, pack_index, covered)
        outcome = _assemble(self.parts, facts, targets, trace)
        applicable = {rules[i][1].id for i in indices if not (whole and rules[i][1].data)}
        return outcome.decision, outcome.allowed, outcome.withheld, applicable


def agreement_with_cedar(engine: Engine, cedar: CedarEngine, requests: list[Request]) -> int:
    disagreements = 0
    for request in requests:
        ours = engine.decide(request)
        theirs = cedar.decide(request)
        same = (ours.decision, ours.allowed_data, ours.withheld_data) == theirs[:3]
        same = same and sanctuary_applicable(engine, request) == theirs[3]
        if not same:
            disagreements += 1
            if disagreements <= 3:
                print(f"    DISAGREE {request.id}: sanctuary={ours.decision} cedar={theirs[0]}")
    return disagreements


def bench_casbin(engine: Engine, requests: list[Request], rows: list[tuple[str, float]]) -> None:
    try:
        from casbin_encoding import CasbinEngine
    except ImportError as err:  # pragma: no cover - optional anchor
        print(f"  pycasbin: not measured ({err})")
        return
    casbin_engine = CasbinEngine(engine)
    subset = [r for r in requests if casbin_engine.expressible(r)]
    disagreements = sum(casbin_engine.decide(r) != engine.decide(r).decision for r in subset)
    seconds = [timed(lambda: [casbin_engine.decide(r) for r in subset])]
    rate(
        f"pycasbin, priority model ({len(subset):,} expressible requests)",
        len(subset),
        seconds,
        rows,
    )
    print(f"    pycasbin disagreements: {disagreements} of {len(subset):,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 requests (a smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (median, best)")
    args = parser.parse_args()
    n = 10_000 if args.quick else args.n
    print(f"generating {n:,} random requests (seeded)…")
    bodies = random_bodies(n)
    requests = random_requests(n)
    texts = [orjson.dumps(b).decode() for b in bodies]
    rows: list[tuple[str, float]] = []
    repeat = args.repeat
    # Requests never seen before: another seeded draw for each run (a partly warm memo).
    fresh = [random_requests(n, seed=99 + k) for k in range(repeat)]
    # The same questions asked again by new request objects with new ids, as a records system
    # asks the same question about another record: parsed anew, nothing shared with the first.
    again = [
        [Request.model_validate({**b, "id": f"again{k}-{i}"}) for i, b in enumerate(bodies)]
        for k in range(repeat)
    ]
    print("Sanctuary (us → us-ca → us-ca/los-angeles, full reasons):")
    print(f"  {'':<56} {'median':>12} {'best':>12}  (of {repeat} runs)")
    warm = engine_for()
    for request in requests:  # plans and memo built, as in a long-running service
        warm.decide(request)
    # As `sanctuary serve` does after start-up (`_tune_runtime` in service/app.py says why):
    # loaded packs frozen out of the collector, larger collection thresholds.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)

    def single(engine: Engine, batch: list[Request]) -> None:
        for request in batch:  # one call per request, result dropped (as a service would)
            engine.decide(request)

    def runs(fn: Callable[[int], Any]) -> list[float]:
        return [timed(functools.partial(fn, k)) for k in range(repeat)]

    sanctuary = rate(
        "parsed requests decided again (memo warm, same objects)",
        n,
        runs(lambda _: single(warm, requests)),
        rows,
    )
    rate(
        "parsed requests asked again (new objects and ids)",
        n,
        runs(lambda k: single(warm, again[k])),
        rows,
    )
    rate(
        "parsed requests never seen before (memo warm on others)",
        n,
        runs(lambda k: single(warm, fresh[k])),
        rows,
    )
    cold = engine_for()
    cold.memo = False
    rate(
        "parsed requests, memo off (every rule evaluated)",
        n,
        runs(lambda _: single(cold, requests)),
        rows,
    )
    rate("batch API decide_many, memo warm", n, runs(lambda _: warm.decide_many(requests)), rows)

    def json_path(_: int) -> None:
        for text in texts:
            decision_json(warm.decide(request_from_obj(loads_strict(text))))

    json_rate = rate("request JSON text → Decision JSON text", n, runs(json_path), rows)
    print("cedarpy (same rules, same facts; handles pre-parsed, dict UIDs):")
    cedar = CedarEngine(warm)
    sample = requests[: min(n, 20_000)]
    cedar_rate = rate(
        "cedarpy + combination",
        len(sample),
        runs(lambda _: [cedar.decide(r) for r in sample]),
        rows,
    )
    print("agreement:")
    disagreements = agreement_with_cedar(warm, cedar, requests)
    print(f"    cedar disagreements: {disagreements} of {n:,} requests")
    bench_casbin(warm, requests[: min(n, 20_000)], rows)
    print("ratios:")
    print(f"  Sanctuary parsed (decided again) / cedarpy: {sanctuary / cedar_rate:,.1f}×")
    print(f"  Sanctuary JSON→JSON / cedarpy: {json_rate / cedar_rate:,.1f}×")
    print("targets: ≥200,000/s parsed, ≥50,000/s JSON→JSON (rates above: median of the runs)")


if __name__ == "__main__":
    main()
