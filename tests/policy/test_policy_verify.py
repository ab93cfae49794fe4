"""policy verify: the bundled packs' properties hold; false properties are refuted by a concrete
request that the real engine confirms; property declarations are checked like rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctuary.cli import app
from sanctuary.errors import PackError
from sanctuary.model import Request
from sanctuary.policy import bundled_packs_dir, default_engine, load_pack, load_packs
from sanctuary.policy.verify import Result, target_verdict, verify

# Deliberately false properties (a fixture, never in the real packs): each has a counterexample.
FALSE_PROPERTIES = """
properties:
  - id: la.false.no_ice_request_ever_allowed
    summary: The naive reading, forgetting judicial process and the federal floor.
    from: 2024-12-09
    given: >-
      requester.kind == "federal_immigration"
      and purpose.category == "civil_immigration_enforcement"
    never: [allow, allow_redacted]
  - id: la.false.status_always_denied
    summary: Forgets 8 U.S.C. 1373.
    given: action == "disclose_information" and requester.kind == "federal_immigration"
    data: [immigration_status]
    always: deny
  - id: la.false.plate_reads_never_shared
    summary: Forgets that California public agencies may receive plate reads.
    given: action in ["disclose_information", "system_access"]
    data: [alpr_reads]
    always: deny
  - id: la.false.transfer_never_allowed
    summary: Forgets the judicial warrant.
    from: 2024-12-09
    given: action == "transfer_custody" and immigration_agency_involved
    never: [allow, allow_redacted]
  - id: la.false.address_ban_before_the_ordinance
    summary: The ordinance's ban read back before it took effect.
    to: 2024-12-09
    given: >-
      requester.kind == "federal_immigration"
      and purpose.category == "criminal_immigration_enforcement"
      and action == "disclose_information" and subject.trust_notification_ok
    data: [release_date]
    never: [allow, allow_redacted]
  - id: la.false.nothing_for_trust_eligible_people
    summary: Exercises the subject facts (convictions) of a counterexample.
    at: 2025-06-01
    given: >-
      action == "transfer_custody" and subject.trust_transfer_ok
      and legal_process.judicial_warrant
    never: [allow]
"""


@pytest.fixture(scope="module")
def fixture_packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("packs")
    for pack in ("us", "us-ca", "us-ca-los-angeles"):
        shutil.copy(bundled_packs_dir() / pack / "pack.yaml", root / f"{pack}.yaml")
        (root / pack).mkdir()
        text = (root / f"{pack}.yaml").read_text("utf-8")
        if pack == "us-ca-los-angeles":  # replace the real properties by the false ones
            text = text[: text.index("\nproperties:")] + "\n" + FALSE_PROPERTIES
        (root / pack / "pack.yaml").write_text(text, "utf-8")
    return root


@pytest.fixture(scope="module")
def false_results(fixture_packs: Path) -> list[Result]:
    return verify(load_packs(fixture_packs), ["us-ca/los-angeles"])


def test_every_bundled_property_is_proved() -> None:
    results = verify(load_packs())
    assert len(results) >= 8
    assert {r.pack for r in results} == {"us", "us-ca", "us-ca/los-angeles"}
    failing = [(r.prop.id, r.status, r.note, r.counterexample) for r in results if not r.ok]
    assert failing == []


def test_every_false_property_is_refuted(false_results: list[Result]) -> None:
    assert len(false_results) == FALSE_PROPERTIES.count("- id:")
    assert [r.status for r in false_results] == ["fails"] * len(false_results)


def test_counterexamples_replay_to_a_violation_in_the_real_engine(
    fixture_packs: Path, false_results: list[Result]
) -> None:
    """The encoding stays honest: the engine itself must give the violating verdict, for a
    request whose derived facts are exactly the ones z3 chose and that the property selects."""
    engine = default_engine()  # the bundled rules: the fixture changes only properties
    for result in false_results:
        example = result.counterexample
        assert example is not None, result.prop.id
        assert example.mismatched_facts == (), result.prop.id
        assert example.claimed == example.replayed, result.prop.id
        request = Request.model_validate(example.request)
        verdict, rules = target_verdict(engine.decide(request), example.target)
        assert verdict in result.prop.violations, result.prop.id
        assert rules == example.rules
        if result.prop.data is not None:
            assert example.target in result.prop.data
        day = request.time.astimezone(load_packs(fixture_packs)["us-ca/los-angeles"].timezone)
        assert result.prop.start <= day.date()
        assert result.prop.end is None or day.date() < result.prop.end


def test_counterexamples_are_plain(false_results: list[Result]) -> None:
    """Only what the violation needs: the naive ICE property is broken by a judicial warrant
    or the status floor, not by a relay, a task force or stray context."""
    by_id = {r.prop.id: r.counterexample for r in false_results}
    naive = by_id["la.false.no_ice_request_ever_allowed"]
    assert naive is not None
    assert "on_behalf_of" not in naive.request["requester"]
    assert "context" not in naive.request
    trust = by_id["la.false.nothing_for_trust_eligible_people"]
    assert trust is not None and trust.request["time"].startswith("2025-06-01")


def test_a_property_no_request_can_meet_is_vacuous_not_proved(tmp_path: Path) -> None:
    path = tmp_path / "us" / "pack.yaml"
    path.parent.mkdir()
    text = PACK_HEAD + (
        "  - id: p\n    summary: s\n    always: deny\n"
        "    given: requester.kind == 'federal_immigration' and not requester.federal\n"
    )
    path.write_text(text, "utf-8")
    [result] = verify(load_packs(tmp_path))
    assert result.status == "vacuous" and not result.ok


def test_cli_verify_exits_zero_on_the_bundled_packs() -> None:
    result = CliRunner().invoke(app, ["policy", "verify"])
    assert result.exit_code == 0, result.output
    assert "0 failed, 0 encoding gaps, 0 vacuous" in result.output
    assert "PROVED la.prop.no_personal_data_for_civil_enforcement" in result.output


def test_cli_verify_prints_the_counterexample_and_exits_one(fixture_packs: Path) -> None:
    result = CliRunner().invoke(
        app, ["policy", "verify", "us-ca/los-angeles", "--packs", str(fixture_packs)]
    )
    assert result.exit_code == 1
    assert "FAILS  la.false.status_always_denied" in result.output
    assert '"jurisdiction": "us-ca/los-angeles"' in result.output


def test_cli_verify_refuses_an_unknown_pack() -> None:
    result = CliRunner().invoke(app, ["policy", "verify", "us-tx"])
    assert result.exit_code != 0


PACK_HEAD = """pack: us
title: t
version: "1"
rules:
  - id: us.r
    citation: c
    summary: s
    status: verified
    effective_from: 2020-01-01
    effect: allow
properties:
"""


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("  - {id: p, summary: s, always: deny, at: 2021-01-01, from: 2020-01-01}", "not both", 12),
        ("  - id: p\n    summary: s\n    neverr: [allow]", "did you mean `never`", 14),
        ("  - {id: p, summary: s}", "either `never", 12),
        (
            "  - {id: p, summary: s, always: deny, given: requester.kindd == 'x'}",
            "unknown fact",
            12,
        ),
        ("  - {id: p, summary: s, never: [allow], from: 2021-01-01, to: 2020-01-01}", "ends", 12),
        ("  - {id: p, summary: s, never: [allow, allow_redacted, deny, escalate]}", "never", 12),
        ("  - {id: us.r, summary: s, never: [allow]}", "duplicate id", 12),
    ],
)
def test_bad_property_declarations_name_file_and_line(
    tmp_path: Path, body: str, message: str, line: int
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK_HEAD + body + "\n", "utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert message in str(caught.value) + str(caught.value.help or "")
    assert caught.value.location == f"{path}:{line}"
