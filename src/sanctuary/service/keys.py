"""Creating keys outside the running service (the `keys add` command, the demo)."""

from __future__ import annotations

import datetime as dt

from sanctuary.ledger import Ledger
from sanctuary.ledger.stores import default_url
from sanctuary.service.identity import Identity, identity_of, mint_key
from sanctuary.service.store import ServiceStore


def add_key(
    db: str | None,
    agency: str,
    role: str,
    *,
    name: str | None = None,
    state: str | None = None,
    signing_key: str | None = None,
) -> tuple[str, Identity]:
    """Create a key; its creation is a ledger entry, written before the key can be used."""
    url = db or default_url()
    key, row = mint_key(agency, role, name=name, state=state)
    with Ledger.open(url, signing_key) as ledger:
        event = {
            "kind": "key_event",
            "event": "api_key_created",
            "key_id": row.key_id,
            "agency": row.agency,
            "role": row.role,
        }
        receipt = ledger.append(event)
    store = ServiceStore(url)
    try:
        store.add_key(row, dt.datetime.now(dt.UTC).isoformat(), receipt.index)
    finally:
        store.close()
    return key, identity_of(row)
