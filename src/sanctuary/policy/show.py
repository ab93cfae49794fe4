"""What counsel sees of a pack: the rules in force at a time, in reading order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sanctuary.errors import InputError, did_you_mean
from sanctuary.policy.load import Pack


def rules_in_force(packs: dict[str, Pack], pack_id: str, at: dt.datetime) -> list[dict[str, Any]]:
    if pack_id not in packs:
        raise InputError(
            f"no pack `{pack_id}`",
            help=did_you_mean(pack_id, packs) or f"packs: {', '.join(packs)}",
        )
    pack = packs[pack_id]
    day = at.astimezone(pack.timezone).date()
    return [
        {
            "id": rule.id,
            "title": rule.title,
            "citation": rule.citation,
            "status": rule.status,
            "effect": rule.effect,
            "floor": rule.floor,
            "effective_from": rule.effective_from.isoformat(),
            "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
            "actions": sorted(rule.actions) if rule.actions else None,
            "responders": sorted(rule.responders) if rule.responders else None,
            "data": sorted(rule.data) if rule.data else None,
            "when": rule.when.source,
            "exceptions": [
                {"id": e.id, "citation": e.citation, "when": e.when.source, "summary": e.summary}
                for e in rule.exceptions
            ],
            "obligations": list(rule.obligations),
            "summary": rule.summary,
            "location": rule.location,
        }
        for rule in pack.rules
        if rule.in_force(day)
    ]
