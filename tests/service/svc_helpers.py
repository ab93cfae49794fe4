"""Helpers shared by the service tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Keys:
    pep: str
    ice: str
    fbi: str
    reviewer: str
    auditor: str


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
