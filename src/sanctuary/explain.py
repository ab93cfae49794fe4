"""Decisions in words, for people: the demo, the console and reports use this one rendering."""

from __future__ import annotations

from sanctuary.model import Decision, Request


def explain(request: Request, decision: Decision) -> list[str]:
    """A few plain lines: who asked for what, the decision, and the provisions that decided it."""
    asked = ", ".join(request.data) if request.data else request.action.replace("_", " ")
    lines = [
        f"{request.requester.name or request.requester.agency} asks "
        f"{request.responder.department or request.responder.kind}: {request.action} ({asked})",
        f"  purpose: {request.purpose!r} -> {decision.purpose_assessment.governing}",
        f"  DECISION: {decision.decision.upper()}"
        + (f"  allowed: {', '.join(decision.allowed_data)}" if decision.allowed_data else "")
        + (f"  withheld: {', '.join(decision.withheld_data)}" if decision.withheld_data else ""),
    ]
    for reason in decision.reasons:
        scope = f" [{', '.join(reason.data)}]" if reason.data else ""
        flag = "" if reason.status == "verified" else f" ({reason.status})"
        lines.append(f"  - {reason.effect}{scope}: {reason.citation}{flag}")
        lines.append(f"      {reason.summary}")
    for exception in decision.exceptions:
        if exception.applied:
            lines.append(f"  exception applied: {exception.citation}: {exception.why}")
    if decision.obligations:
        duties = ", ".join(o.type + (f" to {o.to}" if o.to else "") for o in decision.obligations)
        lines.append(f"  obligations: {duties}")
    return lines
