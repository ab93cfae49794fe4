"""The tamper-evident decision ledger: an RFC 9162 Merkle log with C2SP signed checkpoints.

    from sanctuary.ledger import Ledger, entry_for_decision

    with Ledger.open("sqlite:///./sanctuary.db") as ledger:
        receipt = ledger.append(entry_for_decision(request, decision, hash_key=ledger.hash_key))
        note = ledger.checkpoint()
        proof = ledger.prove_inclusion(receipt.index)

See ``docs/ledger-trust-model.md`` for who claims what and who checks it.
"""

from __future__ import annotations

from sanctuary.ledger.entries import (
    EntryError,
    entry_for_decision,
    key_event_entry,
    keyed_hash,
    pack_change_entry,
    review_entry,
)
from sanctuary.ledger.log import ConsistencyProof, InclusionProof, Ledger, append_all
from sanctuary.ledger.merkle import (
    EMPTY_ROOT,
    RootMismatchError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from sanctuary.ledger.notes import Checkpoint, open_checkpoint, parse_vkey
from sanctuary.ledger.stores import open_store
from sanctuary.ledger.verify import VerifyReport

__all__ = [
    "EMPTY_ROOT",
    "Checkpoint",
    "ConsistencyProof",
    "EntryError",
    "InclusionProof",
    "Ledger",
    "RootMismatchError",
    "VerifyReport",
    "append_all",
    "entry_for_decision",
    "key_event_entry",
    "keyed_hash",
    "leaf_hash",
    "node_hash",
    "open_checkpoint",
    "open_store",
    "pack_change_entry",
    "parse_vkey",
    "review_entry",
    "verify_consistency",
    "verify_inclusion",
]
