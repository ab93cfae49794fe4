"""Helpers shared by the service tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ICE asks a California jail for a status and an address: denied, with reasons to check.
ICE_ASK: dict[str, Any] = {
    "time": "2025-03-04T17:05:00-08:00",
    "jurisdiction": "us-ca",
    "responder": {"kind": "jail", "department": "county jail"},
    "requester": {"agency": "ICE-ERO"},
    "action": "disclose_information",
    "purpose": "ICE+ERO warrant service",
    "data": ["immigration_status", "home_address"],
}


@dataclass
class Keys:
    pep: str
    ice: str
    fbi: str
    reviewer: str
    auditor: str


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
