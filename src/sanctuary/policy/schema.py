"""The policy-pack file format as pydantic models: structure checks and the published JSON Schema.

These models say what a pack file may contain. Meaning (conditions, vocabularies, dates, the chain)
is checked afterwards by :mod:`sanctuary.policy.load`, which also turns errors into file:line form.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sanctuary.model import Action, DataCategory, ObligationType, ResponderKind

Status = Literal["verified", "secondary", "unverified"]
RuleEffect = Literal["allow", "allow_redacted", "deny", "escalate", "obligate"]
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$"  # spec/request.md uses `us-ca.7284.6.a.1.C`


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ObligationSpec(_Spec):
    type: ObligationType
    to: str | None = None
    categories: list[DataCategory] | None = None
    note: str | None = None


class ExceptionSpec(_Spec):
    id: str = Field(pattern=ID_PATTERN)
    citation: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    when: str = Field(min_length=1)
    status: Status | None = None


class RuleSpec(_Spec):
    id: str = Field(pattern=ID_PATTERN)
    title: str | None = None
    citation: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    status: Status
    source: str | None = None
    effective_from: dt.date
    effective_to: dt.date | None = None
    responders: list[ResponderKind] | None = None
    actions: list[Action] | None = None
    data: list[DataCategory] | None = None
    when: str = "always"
    effect: RuleEffect
    withhold: list[DataCategory] | None = None
    redact: list[DataCategory] | None = None
    floor: bool = False
    exceptions: list[ExceptionSpec] = Field(default_factory=list)
    obligations: list[ObligationSpec] = Field(default_factory=list)


DecisionValue = Literal["allow", "allow_redacted", "deny", "escalate"]


class PropertySpec(_Spec):
    """A property counsel declares of the packs; ``sanctuary policy verify`` proves it (z3).

    For every request at this pack's jurisdiction, on a day in [from, to) (or on ``at``), for
    which ``given`` holds: the verdict on each target in ``data`` (a data category; absent: every
    target, including a request's whole action) is never one of ``never`` / always one of
    ``always``. See docs/verify.md.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=ID_PATTERN)
    summary: str = Field(min_length=1)
    citation: str | None = None
    at: dt.date | None = None
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    given: str = "always"
    data: list[DataCategory] | None = None
    never: list[DecisionValue] | None = None
    always: list[DecisionValue] | DecisionValue | None = None


class PackSpec(_Spec):
    pack: str = Field(pattern=r"^[a-z]{2}(-[a-z]{2})?(/[a-z0-9]+(-[a-z0-9]+)*)*$")
    title: str
    version: str = Field(min_length=1)
    timezone: str = "UTC"
    summary: str | None = None
    sources: list[str] = Field(default_factory=list)
    rules: list[RuleSpec]
    properties: list[PropertySpec] = Field(default_factory=list)


KEYS = {
    "pack": set(PackSpec.model_fields),
    "rule": set(RuleSpec.model_fields),
    "exception": set(ExceptionSpec.model_fields),
    "obligation": set(ObligationSpec.model_fields),
    "property": {f.alias or name for name, f in PropertySpec.model_fields.items()},
}
