"""An independent verifier, written from RFC 9162 and the C2SP specs alone (no sanctuary import).

It deliberately takes a different route from the ledger's own code: instead of the RFC's iterative
bit-twiddling algorithms it inverts the *definitions* (§2.1.3.1 PATH and §2.1.4.1 SUBPROOF) by
recursion, so that a bug shared by both implementations is unlikely.

Functions return True/False and never raise on malformed input.
"""

from __future__ import annotations

import base64
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _b64(text: str) -> bytes:
    """Strict base64: canonical encodings only (so a note has exactly one spelling)."""
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode() != text:
        raise ValueError("non-canonical base64")
    return raw


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf(data: bytes) -> bytes:
    return _h(b"\x00" + data)


def node(left: bytes, right: bytes) -> bytes:
    return _h(b"\x01" + left + right)


def _k(n: int) -> int:
    """Largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over raw leaf data, RFC 9162 §2.1.1 verbatim."""
    if not leaves:
        return _h(b"")
    if len(leaves) == 1:
        return leaf(leaves[0])
    k = _k(len(leaves))
    return node(mth(leaves[:k]), mth(leaves[k:]))


def _root_from_path(m: int, n: int, leaf_hash: bytes, path: list[bytes]) -> bytes | None:
    """Invert PATH(m, D[n]): the last path element is the sibling at the top of the tree."""
    if n == 1:
        return leaf_hash if not path else None
    if not path:
        return None
    k = _k(n)
    top, rest = path[-1], path[:-1]
    if m < k:
        sub = _root_from_path(m, k, leaf_hash, rest)
        return None if sub is None else node(sub, top)
    sub = _root_from_path(m - k, n - k, leaf_hash, rest)
    return None if sub is None else node(top, sub)


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, path: list[bytes], root: bytes
) -> bool:
    if not (0 <= index < size) or len(leaf_hash) != 32 or len(root) != 32:
        return False
    if any(len(p) != 32 for p in path) or len(path) > 64:
        return False
    return _root_from_path(index, size, leaf_hash, list(path)) == root


def _subproof(
    m: int, n: int, proof: list[bytes], whole: bool, first: bytes
) -> tuple[bytes, bytes] | None:
    """Invert SUBPROOF(m, D[n], b): (hash of the old tree's part here, hash of this subtree)."""
    if m == n:
        if whole:  # this subtree *is* the old tree, whose root the verifier already holds
            return (first, first) if not proof else None
        return (proof[0], proof[0]) if len(proof) == 1 else None
    if not proof:
        return None
    k = _k(n)
    last, rest = proof[-1], proof[:-1]
    if m <= k:
        sub = _subproof(m, k, rest, whole, first)
        return None if sub is None else (sub[0], node(sub[1], last))
    sub = _subproof(m - k, n - k, rest, False, first)
    return None if sub is None else (node(last, sub[0]), node(last, sub[1]))


def verify_consistency(
    first_size: int, second_size: int, first: bytes, second: bytes, proof: list[bytes]
) -> bool:
    if not 0 <= first_size <= second_size or len(first) != 32 or len(second) != 32:
        return False
    if any(len(p) != 32 for p in proof) or len(proof) > 128:
        return False
    if first_size == 0:
        return not proof
    if first_size == second_size:
        return not proof and first == second
    got = _subproof(first_size, second_size, list(proof), True, first)
    return got is not None and got == (first, second)


# --- C2SP signed-note / tlog-checkpoint / vkey --------------------------------------------


def parse_vkey(vkey: str) -> tuple[str, bytes, int, bytes] | None:
    """(name, key id, type, public key) from `name+hexid+base64(type||key)`."""
    try:
        name, hexid, blob = vkey.strip().split("+", 2)
        raw = _b64(blob)
    except ValueError:
        return None
    if not name or len(raw) != 33:
        return None
    kid = _h(name.encode() + b"\n" + raw)[:4]
    if kid.hex() != hexid:
        return None
    return name, kid, raw[0], raw[1:]


def open_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes] | None:
    """(origin, size, root) if `note` is a checkpoint validly signed by `vkey`, else None."""
    key = parse_vkey(vkey)
    if key is None or key[2] != 0x01 or not note.endswith("\n"):
        return None
    name, kid, _, public = key
    sep = note.rfind("\n\n")
    if sep < 0:
        return None
    text, sigs = note[: sep + 1], note[sep + 2 :].split("\n")
    if sigs[-1] != "" or len(sigs) < 2:
        return None
    ok = False
    for line in sigs[:-1]:
        if not line.startswith("\u2014 ") or line.count(" ") != 2:
            return None
        who, blob = line[2:].split(" ")
        try:
            raw = _b64(blob)
        except ValueError:
            return None
        if who != name or raw[:4] != kid:
            continue  # unknown key: ignored, as the spec says
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], text.encode())
        except InvalidSignature:
            return None  # a known key whose signature fails: reject
        ok = True
    if not ok:
        return None
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "" or not lines[1].isdigit():
        return None
    if lines[1] != str(int(lines[1])):
        return None
    try:
        root = _b64(lines[2])
    except ValueError:
        return None
    if len(root) != 32:
        return None
    return lines[0], int(lines[1]), root


def verify_cosignature(note: str, witness_vkey: str) -> bool:
    """True if the note carries a valid tlog-cosignature/v1 (type 0x04) by the witness."""
    key = parse_vkey(witness_vkey)
    if key is None or key[2] != 0x04:
        return False
    name, kid, _, public = key
    sep = note.rfind("\n\n")
    text = note[: sep + 1]
    for line in note[sep + 2 :].split("\n")[:-1]:
        who, _, blob = line[2:].partition(" ")
        try:
            raw = _b64(blob)
        except ValueError:
            return False
        if who == name and raw[:4] == kid and len(raw) == 4 + 8 + 64:
            (stamp,) = struct.unpack(">Q", raw[4:12])
            msg = f"cosignature/v1\ntime {stamp}\n".encode() + text.encode()
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(raw[12:], msg)
            except InvalidSignature:
                return False
            return True
    return False
