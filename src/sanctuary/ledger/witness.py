"""Witness cosignatures: accepted on a copy of one of our checkpoints, kept beside it.

A witness (tlog-witness) returns its signature line for a checkpoint it has checked for
consistency; the ledger stores the line and serves it on the checkpoint note. Witness keys the
ledger knows (``Ledger.add_witness``, kept in the store's meta table as ``witness:<name>`` and
recorded in the log as a ``key_event``) are verified on arrival and again by ``verify``; lines by
unknown keys are stored unverified and not served.
"""

from __future__ import annotations

from sanctuary.errors import InputError, VerificationError
from sanctuary.ledger.notes import Verifier, open_checkpoint, parse_note, parse_vkey
from sanctuary.ledger.stores.interface import Store


def witness_key(store: Store, name: str) -> Verifier | None:
    text = store.get_meta(f"witness:{name}")
    return parse_vkey(text) if text else None


def remember_witness(store: Store, vkey: str) -> Verifier:
    """Record a witness's verifier key; a different key under a known name is refused."""
    try:
        witness = parse_vkey(vkey)
    except VerificationError as err:
        raise InputError(err.message, location="witness key") from None
    store.set_meta(f"witness:{witness.name}", witness.vkey())
    if store.get_meta(f"witness:{witness.name}") != witness.vkey():
        raise InputError(f"witness `{witness.name}` is already known with another key")
    return witness


def store_cosignatures(
    store: Store, ours: Verifier, origin: str, note: str, extra: Verifier | None = None
) -> list[str]:
    """Store the non-log signature lines of ``note``; the names stored."""
    checkpoint = open_checkpoint(note, [ours], origin)
    issued = {c.tree_size: c for c in store.checkpoints()}.get(checkpoint.size)
    if issued is None or issued.root_hash != checkpoint.root:
        raise InputError(f"no checkpoint of size `{checkpoint.size}` was issued by this ledger")
    parsed = parse_note(note)
    stored: list[str] = []
    for sig in parsed.signatures:
        if (sig.name, sig.key_id) == (ours.name, ours.key_id):
            continue
        known = extra if extra and extra.name == sig.name else witness_key(store, sig.name)
        verified = False
        if known is not None and known.key_id == sig.key_id:
            if not known.verify(parsed.text, sig.sig):
                raise InputError(f"the cosignature by `{sig.name}` does not verify")
            verified = True
        store.add_cosignature(checkpoint.size, sig.name, sig.line, verified)
        stored.append(sig.name)
    return stored


def served_lines(store: Store, tree_size: int) -> str:
    """The verified cosignature lines to append to a checkpoint note."""
    return "".join(line for _, line, ok in store.cosignatures(tree_size) if ok)


def check_cosignatures(store: Store, tree_size: int, text: str) -> str | None:
    """Re-verify stored cosignatures by known witnesses; a problem, or None."""
    for name, line, _ in store.cosignatures(tree_size):
        known = witness_key(store, name)
        if known is None:
            continue
        try:
            sig = parse_note(text + "\n" + line).signatures[0]
        except VerificationError:
            return f"the cosignature by `{name}` is damaged"
        if (sig.name, sig.key_id) != (known.name, known.key_id) or not known.verify(text, sig.sig):
            return f"the cosignature by `{name}` does not verify"
    return None
