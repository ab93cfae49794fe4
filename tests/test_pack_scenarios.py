"""Every scenario beside every bundled pack, one pytest test each (also `sanctuary policy test`).

A failure names the scenario's file and line and each field that differs.
"""

from __future__ import annotations

import pytest

from sanctuary.policy import bundled_packs_dir, default_engine
from sanctuary.policy.testing import Scenario, load_scenarios, run_scenario, scenario_files

SCENARIOS: list[Scenario] = [
    s for f in scenario_files(bundled_packs_dir()) for s in load_scenarios(f)
]


@pytest.mark.parametrize(
    "scenario", SCENARIOS, ids=[f"{s.file.parent.parent.name}:{s.line}:{s.name}" for s in SCENARIOS]
)
def test_scenario(scenario: Scenario) -> None:
    result = run_scenario(default_engine(), scenario)
    assert result.passed, f"{scenario.location}: {scenario.name}\n  " + "\n  ".join(result.failures)


def test_the_packs_have_enough_scenarios() -> None:
    # The issue asks for at least 80 across the three packs; the floor keeps them from eroding.
    assert len(SCENARIOS) >= 80
