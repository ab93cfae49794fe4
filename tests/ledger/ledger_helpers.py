"""Small helpers shared by the ledger tests (imported by name: tests/ledger is on sys.path)."""

from __future__ import annotations

from typing import Any


def sample_entry(i: int) -> dict[str, Any]:
    return {"kind": "pack_change", "change": "added", "pack": {"id": f"p{i}", "version": str(i)}}
