"""How long `sanctuary policy verify` takes on the Los Angeles chain (us, us-ca, us-ca/los-angeles).

    .venv/bin/python bench/verify.py [--runs 5]

Measures, median of --runs fresh processes (each a cold start of the verifier, as the CLI is):
1. importing z3 alone;
2. encoding the chain (every rule of the three packs as one z3 formula over the facts);
3. checking every property declared in the Los Angeles pack (encoding excluded);
4. the whole verify of the LA pack, z3 import excluded and included.
Anchors measured in the same run: the Los Angeles scenario tests (`sanctuary policy test
us-ca/los-angeles`) in the same fresh-process setting, and deciding 10,000 random requests with the
engine. The reference figure (shared/reference/policy-engines.md section 4) is 2-16 ms per
property for a 4-rule policy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# Runs in a fresh interpreter so that z3 and the packs are imported and loaded cold each time.
CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import z3  # noqa: F401
t_z3 = time.perf_counter()
from sanctuary.policy import load_packs
from sanctuary.policy.verify import Verifier
packs = load_packs()
t_load = time.perf_counter()
verifier = Verifier(packs)
enc = verifier.encoding("us-ca/los-angeles")
t_enc = time.perf_counter()
pack = packs["us-ca/los-angeles"]
results = [verifier.check(pack, prop) for prop in pack.properties]
t_end = time.perf_counter()
assert all(r.ok for r in results), [(r.prop.id, r.status) for r in results]
print(json.dumps({
    "import_z3": t_z3 - t0, "load_packs": t_load - t_z3, "encode": t_enc - t_load,
    "check": t_end - t_enc, "per_property": [r.seconds for r in results],
    "verify_no_import": t_end - t_z3, "verify_with_import": t_end - t0,
    "properties": len(results),
}))
"""

ANCHOR = r"""
import json, sys, time
t0 = time.perf_counter()
from sanctuary.policy import bundled_packs_dir, engine_for
from sanctuary.policy.testing import run_all, scenario_files
engine = engine_for(None)
results = list(run_all(engine, scenario_files(bundled_packs_dir(), ["us-ca/los-angeles"])))
t1 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from request_space import random_requests
requests = random_requests(10_000)
t2 = time.perf_counter()
for request in requests:
    try:
        engine.decide(request)
    except Exception:
        pass
t3 = time.perf_counter()
print(json.dumps({"scenarios": len(results), "scenario_tests": t1 - t0, "decide_10k": t3 - t2}))
"""


def child(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    rows = [child(CHILD) for _ in range(runs)]
    anchors = [child(ANCHOR, str(BENCH)) for _ in range(runs)]

    def med(key: str, table: list[dict[str, float]] = rows) -> float:
        return statistics.median(float(r[key]) for r in table) * 1000

    per_property = sorted(p * 1000 for r in rows for p in r["per_property"])  # type: ignore[union-attr]
    print(
        f"Los Angeles chain: {int(rows[0]['properties'])} properties, median of {runs} fresh runs"
    )
    print(f"  import z3                       {med('import_z3'):8.1f} ms")
    print(f"  load packs                      {med('load_packs'):8.1f} ms")
    print(f"  encode the chain                {med('encode'):8.1f} ms")
    print(f"  check all properties            {med('check'):8.1f} ms")
    print(
        f"  per property                    {statistics.median(per_property):8.1f} ms median, "
        f"{per_property[0]:.1f}-{per_property[-1]:.1f} ms range (reference: 2-16 ms, 4 rules)"
    )
    print(f"  verify, z3 import excluded      {med('verify_no_import'):8.1f} ms")
    print(f"  verify, z3 import included      {med('verify_with_import'):8.1f} ms")
    scen, tests, decide = (
        med("scenarios", anchors) / 1000,
        med("scenario_tests", anchors),
        med("decide_10k", anchors),
    )
    print(f"anchor: LA scenario tests ({scen:.0f})  {tests:8.1f} ms")
    print(f"anchor: decide 10,000 requests   {decide:8.1f} ms")
    print(f"ratio verify (no import) / scenario tests: {med('verify_no_import') / tests:.2f}")


if __name__ == "__main__":
    main()
