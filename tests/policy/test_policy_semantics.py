"""The combination semantics of docs/packs.md, each on a tiny pack chain built for the test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sanctuary.errors import JurisdictionError, RequestError
from sanctuary.model import Request
from sanctuary.policy import Engine, load_packs
from sanctuary.policy.conditions import Condition

RULE = """\
  - id: {id}
    citation: "{citation}"
    summary: test
    status: verified
    effective_from: {start}
{extra}"""


def rule(
    rule_id: str, effect: str, *, when: str = "always", start: str = "2000-01-01", **fields: Any
) -> str:
    extra = f"    effect: {effect}\n    when: '{when}'\n"
    for key, value in fields.items():
        extra += f"    {key}: {value}\n"
    return RULE.format(id=rule_id, citation=f"Cite {rule_id}", start=start, extra=extra)


def chain(tmp_path: Path, **packs: list[str]) -> Engine:
    """Write packs (keyword = folder, e.g. us_ca for us-ca) and return an engine over them."""
    ids = {"us": "us", "us_ca": "us-ca", "la": "us-ca/los-angeles"}
    for name, rules in packs.items():
        folder = tmp_path / name
        folder.mkdir()
        body = "".join(rules) if rules else "  []\n"
        head = f"pack: {ids[name]}\ntitle: t\nversion: '1'\ntimezone: America/Los_Angeles\n"
        text = f"{head}rules:\n{body}"
        (folder / "pack.yaml").write_text(text, encoding="utf-8")
    return Engine(load_packs(tmp_path))


def request(**overrides: Any) -> Request:
    base: dict[str, Any] = {
        "jurisdiction": "us-ca/los-angeles",
        "time": "2025-03-04T17:05:00-08:00",
        "responder": {"kind": "law_enforcement"},
        "requester": {"agency": "ICE-ERO"},
        "action": "disclose_information",
        "purpose": "removal case",
        "purpose_category": "civil_immigration_enforcement",
        "data": ["home_address"],
    }
    base.update(overrides)
    return Request.model_validate(base)


def rules_of(decision: Any) -> list[str]:
    return [r.rule for r in decision.reasons]


def test_deny_overrides_allow_within_a_layer(tmp_path: Path) -> None:
    engine = chain(tmp_path, us_ca=[rule("ca.allow", "allow"), rule("ca.deny", "deny")])
    decision = engine.decide(request())
    assert decision.decision == "deny"
    assert rules_of(decision) == ["ca.deny"]


def test_a_stricter_local_layer_overrides_a_looser_state_layer(tmp_path: Path) -> None:
    engine = chain(tmp_path, us_ca=[rule("ca.allow", "allow")], la=[rule("la.deny", "deny")])
    assert engine.decide(request()).decision == "deny"


def test_a_looser_local_layer_cannot_override_a_state_deny(tmp_path: Path) -> None:
    engine = chain(tmp_path, us_ca=[rule("ca.deny", "deny")], la=[rule("la.allow", "allow")])
    assert engine.decide(request()).decision == "deny"


def test_a_federal_floor_allows_status_despite_local_deny_but_nothing_else(tmp_path: Path) -> None:
    floor = rule(
        "us.floor", "allow_redacted", data="[immigration_status, citizenship]", floor="true"
    )
    engine = chain(tmp_path, us=[floor], la=[rule("la.deny", "deny")])
    decision = engine.decide(request(data=["immigration_status", "home_address"]))
    assert decision.decision == "allow_redacted"
    assert decision.allowed_data == ("immigration_status",)
    assert decision.withheld_data == ("home_address",)
    assert set(rules_of(decision)) == {"us.floor", "la.deny"}


def test_no_applicable_rule_means_deny_with_the_default_reason(tmp_path: Path) -> None:
    engine = chain(tmp_path, us=[rule("us.other", "allow", when='action == "assist"')])
    decision = engine.decide(request())
    assert decision.decision == "deny"
    assert rules_of(decision) == ["default.no_permitting_rule"]
    assert decision.reasons[0].citation


def test_an_exception_lifts_its_rule_and_is_reported(tmp_path: Path) -> None:
    deny = rule("ca.deny", "deny") + (
        "    exceptions:\n"
        "      - id: public\n        citation: Cite public\n        summary: already public\n"
        "        when: context.information_publicly_available\n"
    )
    engine = chain(tmp_path, us_ca=[deny, rule("ca.allow", "allow")])
    lifted = engine.decide(request(context={"information_publicly_available": True}))
    assert lifted.decision == "allow"
    assert [(e.rule, e.applied) for e in lifted.exceptions] == [("ca.deny", True)]
    kept = engine.decide(request())
    assert kept.decision == "deny"
    assert [(e.rule, e.applied) for e in kept.exceptions] == [("ca.deny", False)]


@pytest.mark.parametrize(
    ("effect", "expected"), [("deny", "deny"), ("allow", "escalate"), ("escalate", "escalate")]
)
def test_a_rule_that_errors_votes_protectively_and_is_never_skipped(
    tmp_path: Path, effect: str, expected: str
) -> None:
    engine = chain(tmp_path, us_ca=[rule("ca.broken", effect), rule("ca.allow", "allow")])
    broken = engine.packs["us-ca"].rules[0]

    def explode(_facts: object) -> bool:
        raise ZeroDivisionError

    object.__setattr__(broken, "when", Condition("explode", broken.when.tree, frozenset(), explode))
    decision = engine.decide(request())
    assert decision.decision == expected
    assert any(r.rule == "ca.broken" and r.error for r in decision.reasons)


def test_effective_dates_are_local_midnight_from_inclusive_to_exclusive(tmp_path: Path) -> None:
    ordinance = rule("la.deny", "deny", start="2024-12-09", effective_to="2025-01-01")
    engine = chain(tmp_path, us_ca=[rule("ca.allow", "allow")], la=[ordinance])

    def at(text: str) -> str:
        return engine.decide(request(), dt.datetime.fromisoformat(text)).decision

    assert at("2024-12-08T23:59:59-08:00") == "allow"
    assert at("2024-12-09T00:00:00-08:00") == "deny"
    assert at("2024-12-09T07:59:59+00:00") == "allow"  # still 8 December in Los Angeles
    assert at("2024-12-31T23:59:59-08:00") == "deny"
    assert at("2025-01-01T00:00:00-08:00") == "allow"


def test_a_data_action_without_data_is_refused(tmp_path: Path) -> None:
    engine = chain(tmp_path, us=[rule("us.allow", "allow")])
    with pytest.raises(RequestError, match="`data`"):
        engine.decide(request(data=[]))


def test_a_jurisdiction_without_packs_is_refused(tmp_path: Path) -> None:
    engine = chain(tmp_path, us_ca=[rule("ca.allow", "allow")])
    with pytest.raises(JurisdictionError):
        engine.decide(request(jurisdiction="fr"))


def test_a_form_number_overrides_a_declared_judicial_type(tmp_path: Path) -> None:
    judicial = rule("ca.judicial", "allow", when="legal_process.judicial_warrant")
    engine = chain(tmp_path, us_ca=[judicial])
    paper = {"type": "judicial_warrant", "form": "I-200"}
    assert engine.decide(request(legal_process=paper)).decision == "deny"
    signed = {"type": "judicial_warrant", "form": "AO-442", "signed_by_judge": True}
    assert engine.decide(request(legal_process=signed)).decision == "allow"
    unsigned = {"type": "judicial_warrant", "signed_by_judge": False}
    assert engine.decide(request(legal_process=unsigned)).decision == "deny"


def test_the_more_protective_of_declared_and_assessed_purpose_governs(tmp_path: Path) -> None:
    engine = chain(tmp_path, us_ca=[rule("ca.allow", "allow", when="not purpose.immigration")])
    laundered = request(
        requester={"agency": "FBI"},
        purpose="ICE detainer follow-up",
        purpose_category="criminal_investigation",
    )
    decision = engine.decide(laundered)
    assert decision.decision == "deny"
    assert decision.purpose_assessment.declared == "criminal_investigation"
    assert decision.purpose_assessment.governing == "civil_immigration_enforcement"


def test_obligation_rules_add_obligations_without_voting(tmp_path: Path) -> None:
    notice = rule("ca.notice", "obligate") + "    obligations:\n      - {type: notify_subject}\n"
    engine = chain(tmp_path, us_ca=[notice, rule("ca.deny", "deny")])
    decision = engine.decide(request())
    assert decision.decision == "deny"
    assert [o.type for o in decision.obligations] == ["notify_subject"]


def test_any_escalated_target_escalates_the_whole_request(tmp_path: Path) -> None:
    escalate = rule("ca.review", "escalate", data="[criminal_history]")
    engine = chain(tmp_path, us_ca=[rule("ca.allow", "allow"), escalate])
    decision = engine.decide(request(data=["criminal_history", "home_address"]))
    assert decision.decision == "escalate"
    assert decision.allowed_data == ()
    assert {o.type for o in decision.obligations} == {"counsel_review"}


def test_withheld_categories_of_an_allow_redacted_rule_are_denied(tmp_path: Path) -> None:
    partial = rule(
        "ca.partial", "allow_redacted", withhold="[place_of_birth]", redact="[national_ids]"
    )
    engine = chain(tmp_path, us_ca=[partial])
    decision = engine.decide(request(data=["incident_report", "place_of_birth"]))
    assert decision.decision == "allow_redacted"
    assert decision.allowed_data == ("incident_report",)
    assert decision.withheld_data == ("place_of_birth",)
    assert any(
        o.type == "redact" and o.categories == ["national_ids"] for o in decision.obligations
    )
