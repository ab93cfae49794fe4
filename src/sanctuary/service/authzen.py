"""OpenID AuthZEN Authorization API 1.0 over Sanctuary: an existing gateway or PEP can ask without
custom code. docs/authzen.md gives the mapping with examples.

    subject   {type: "agency", id: <agency code or name>, properties: {name, state, on_behalf_of,
               agreements, members}}                                     -> requester
    action    {name: <action>}                                           -> action
    resource  {type: <data category> | "action", properties: {data: [...]}} -> data
    context   {jurisdiction, responder, purpose, purpose_category, legal_process, subject,
               context, time, id}                                         -> the rest of Request

``decision`` is true for allow and allow_redacted (the withheld categories are in the context),
false for deny and escalate; the full Sanctuary Decision rides in ``context.sanctuary``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sanctuary.jsonio import request_from_obj
from sanctuary.model import Decision, Request
from sanctuary.vocab import vocabulary

_REQUESTER_PROPERTIES = ("name", "state", "on_behalf_of", "agreements", "members")
_CONTEXT_FIELDS = ("jurisdiction", "responder", "purpose", "purpose_category", "legal_process",
                   "subject", "context", "time", "id")  # fmt: skip


class _Open(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Subject(_Open):
    type: str = "agency"
    id: str
    properties: dict[str, Any] = Field(default_factory=dict)


class Action(_Open):
    name: str
    properties: dict[str, Any] = Field(default_factory=dict)


class Resource(_Open):
    type: str
    id: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class Evaluation(_Open):
    subject: Subject
    action: Action
    resource: Resource
    context: dict[str, Any] = Field(default_factory=dict)


class EvaluationItem(_Open):
    subject: Subject | None = None
    action: Action | None = None
    resource: Resource | None = None
    context: dict[str, Any] | None = None


class EvaluationsOptions(_Open):
    evaluations_semantic: Literal["execute_all", "deny_on_first_deny", "permit_on_first_permit"] = (
        "execute_all"
    )


class Evaluations(_Open):
    subject: Subject | None = None
    action: Action | None = None
    resource: Resource | None = None
    context: dict[str, Any] | None = None
    evaluations: list[EvaluationItem] = Field(default_factory=list)
    options: EvaluationsOptions = Field(default_factory=EvaluationsOptions)


def to_request(evaluation: Evaluation) -> Request:
    """The Sanctuary Request an AuthZEN evaluation stands for."""
    requester: dict[str, Any] = {"agency": evaluation.subject.id}
    for key in _REQUESTER_PROPERTIES:
        if key in evaluation.subject.properties:
            requester[key] = evaluation.subject.properties[key]
    resource = evaluation.resource
    data = list(resource.properties.get("data") or [])
    if resource.type in vocabulary().data_categories:
        data = [resource.type, *data]
    body: dict[str, Any] = {
        k: evaluation.context[k] for k in _CONTEXT_FIELDS if k in evaluation.context
    }
    unknown = sorted(set(evaluation.context) - set(_CONTEXT_FIELDS))
    if unknown:  # strict as everywhere: an unknown key must not be silently ignored
        body[unknown[0]] = evaluation.context[unknown[0]]
    body.setdefault("purpose", "")
    body.update({"requester": requester, "action": evaluation.action.name})
    if data:
        body["data"] = data
    return request_from_obj(body, "authzen")


def merge(defaults: Evaluations, item: EvaluationItem) -> Evaluation:
    """An item of an /evaluations call, with the call's top-level values as defaults."""
    values = {
        "subject": item.subject or defaults.subject,
        "action": item.action or defaults.action,
        "resource": item.resource or defaults.resource,
        "context": {**(defaults.context or {}), **(item.context or {})},
    }
    return Evaluation.model_validate({k: v for k, v in values.items() if v is not None})


def to_response(decision: Decision) -> dict[str, Any]:
    allowed = decision.decision in ("allow", "allow_redacted")
    summary = "; ".join(f"{r.effect}: {r.citation}" for r in decision.reasons)
    context: dict[str, Any] = {
        "reason_admin": {"en": f"{decision.decision}. {summary}"},
        "sanctuary": decision.to_json_dict(),
    }
    if decision.withheld_data:
        context["withheld_data"] = decision.withheld_data
    return {"decision": allowed, "context": context}
