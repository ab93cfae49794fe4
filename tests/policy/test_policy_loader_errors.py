"""One bad pack per loader error: each is refused with file, line and a useful hint."""

from pathlib import Path

import pytest

from sanctuary.errors import PackError
from sanctuary.policy import load_pack

GOOD_RULE = """\
  - id: t.rule
    citation: "Test Code § 1"
    summary: A test rule.
    status: verified
    effective_from: 2020-01-01
    when: immigration_enforcement
    effect: deny
"""


def pack_text(rules: str = GOOD_RULE, head: str = "") -> str:
    return f"pack: us\ntitle: Test\nversion: '1'\n{head}rules:\n{rules}"


BAD = {
    "unknown-rule-key": (GOOD_RULE.replace("effect:", "efect:"), "", "did you mean `effect`", 11),
    "unknown-pack-key": (GOOD_RULE, "titel: x\n", "did you mean `title`", 4),
    "unknown-fact": (
        GOOD_RULE.replace("immigration_enforcement", "immigration_enforcment"),
        "",
        "did you mean `immigration_enforcement`",
        10,
    ),
    "value-outside-vocabulary": (
        GOOD_RULE.replace("when: immigration_enforcement", 'when: action == "detian"'),
        "",
        "did you mean `detain`",
        10,
    ),
    "condition-syntax": (
        GOOD_RULE.replace("when: immigration_enforcement", "when: action ==="),
        "",
        "cannot parse condition",
        10,
    ),
    "code-in-condition": (
        GOOD_RULE.replace("when: immigration_enforcement", "when: __import__('os')"),
        "",
        "not a function of the language",
        10,
    ),
    "ends-before-start": (
        GOOD_RULE + "    effective_to: 2019-01-01\n",
        "",
        "ends before it starts",
        12,
    ),
    "floor-on-deny": (GOOD_RULE + "    floor: true\n", "", "only an allow can be a floor", 12),
    "bad-effect": (GOOD_RULE.replace("effect: deny", "effect: forbid"), "", "`rules.0.effect`", 11),
    "missing-citation": (
        GOOD_RULE.replace('    citation: "Test Code § 1"\n', ""),
        "",
        "`rules.0.citation`",
        5,
    ),
    "unknown-timezone": (GOOD_RULE, "timezone: Mars/Olympus\n", "unknown time zone", 4),
    "duplicate-rule-id": (GOOD_RULE + GOOD_RULE, "", "duplicate rule id `t.rule`", 12),
    "duplicate-yaml-key": (GOOD_RULE + "    effect: allow\n", "", "duplicate key `effect`", 12),
    "unknown-data-category": (GOOD_RULE + "    data: [home_adress]\n", "", "`rules.0.data.0`", 12),
    "withhold-on-deny": (
        GOOD_RULE + "    withhold: [home_address]\n",
        "",
        "belong to `allow_redacted`",
        12,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_pack_is_refused_with_its_file_and_line(case: str, tmp_path: Path) -> None:
    rules, head, message, line = BAD[case]
    path = tmp_path / "pack.yaml"
    path.write_text(pack_text(rules, head), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    text = caught.value.one_line()
    assert message in text
    assert f"{path}:{line}" in text


def test_a_good_pack_loads(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(pack_text(), encoding="utf-8")
    pack = load_pack(path)
    assert [r.id for r in pack.rules] == ["t.rule"]
    assert pack.rules[0].pack == "us@1"
