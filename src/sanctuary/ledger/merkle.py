"""RFC 9162 §2.1 Merkle tree: hashing, proof shapes, and proof verification.

Pure functions only. Proof *generation* is split in two so that a store can answer it with a few
reads: :func:`inclusion_ranges` / :func:`consistency_ranges` name the subtrees (``[start, end)``
leaf ranges) whose hashes make up a proof, in RFC order, and :func:`range_nodes` decomposes any such
range into complete, aligned subtrees ``(level, index)`` that a store keeps precomputed. Every proof
range is left-aligned on a power of two (it comes from splitting at the largest power of two), so
it decomposes into at most log2(n) complete subtrees, all but one of which are whole siblings.

Verification ports RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) step by step, as
transparency-dev/merkle ``proof/verify.go`` and sigstore-python do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from sanctuary.errors import VerificationError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Range = tuple[int, int]  # [start, end) leaf indices
Node = tuple[int, int]  # (level, index): leaves [index << level, (index + 1) << level)


class RootMismatchError(VerificationError):
    """A proof or a tree recomputed to a root other than the expected one."""

    code = "root_mismatch"

    def __init__(self, expected: bytes, calculated: bytes, *, what: str = "root") -> None:
        super().__init__(
            f"{what} mismatch: expected {expected.hex()}, calculated {calculated.hex()}"
        )
        self.expected = expected
        self.calculated = calculated


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 || leaf): the 0x00 prefix keeps a leaf from passing as an interior node."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def leaf_hashes(leaves: Sequence[bytes]) -> list[bytes]:
    """``leaf_hash`` of each leaf, in one loop (no call per leaf: an append hashes thousands)."""
    sha256, prefix = hashlib.sha256, b"\x00"
    return [sha256(prefix + leaf).digest() for leaf in leaves]


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(hashes: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves, straight from the RFC definition (reference, O(n))."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    # Pairing left to right and carrying an odd last node up unchanged is exactly the RFC's
    # split at the largest power of two.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


# --- proof shapes ---------------------------------------------------------------------------


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees of PATH(index, D[size]) (RFC 9162 §2.1.3.1), leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of size {size}")
    out: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
    out.reverse()
    return out


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The subtrees of PROOF(old, D[new]) (RFC 9162 §2.1.4.1), in proof order."""
    if not 0 <= old <= new:
        raise ValueError(f"cannot prove consistency from size {old} to size {new}")
    if old == 0 or old == new:
        return []
    out: list[Range] = []
    start, end, m, whole = 0, new, old, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        out.append((start, end))
    out.reverse()
    return out


def range_nodes(start: int, end: int) -> list[Node]:
    """Complete aligned subtrees covering ``[start, end)``, left to right.

    Valid for the ranges proofs use: ``start`` aligned on a power of two at least ``end - start``.
    """
    out: list[Node] = []
    pos = start
    for level in range((end - start).bit_length() - 1, -1, -1):
        if (end - start) >> level & 1:
            out.append((level, pos >> level))
            pos += 1 << level
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its complete subtrees (left to right), combined right to left."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def resolve(
    ranges: Iterable[Range], fetch: Callable[[list[Node]], dict[Node, bytes]]
) -> list[bytes]:
    """Turn proof ranges into hashes with one call to ``fetch`` (a store's batched node read)."""
    ranges = list(ranges)
    parts = [range_nodes(a, b) for a, b in ranges]
    wanted = sorted({n for p in parts for n in p})
    got = fetch(wanted) if wanted else {}
    return [fold([got[n] for n in p]) for p in parts]


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ---------------------------------------


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise VerificationError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1-5, without the compare)."""
    _check_hash(leaf, "leaf hash")
    if not 0 <= index < size:
        raise VerificationError(f"index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p, "proof hash")
        if sn == 0:
            raise VerificationError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("inclusion proof is too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise unless ``proof`` puts leaf hash ``leaf`` at ``index`` in the tree with ``root``."""
    _check_hash(root, "root hash")
    calculated = root_from_inclusion(index, size, leaf, proof)
    if calculated != root:
        raise RootMismatchError(root, calculated)


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise unless ``proof`` shows the tree (old, old_root) is a prefix of (new, new_root)."""
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    if not 0 <= old <= new:
        raise VerificationError(f"sizes go backwards: {old} > {new}")
    if old == new or old == 0:
        # Nothing to prove; a non-empty proof here is malleability, not harmless noise.
        if proof:
            raise VerificationError("consistency proof must be empty for these sizes")
        if old == new and old_root != new_root:
            raise RootMismatchError(new_root, old_root)
        return
    if not proof:
        raise VerificationError("consistency proof is empty")
    path = list(proof)
    if old & (old - 1) == 0:  # step 2: old is a power of two, its root is the first node
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    _check_hash(fr, "proof hash")
    for c in path[1:]:
        _check_hash(c, "proof hash")
        if sn == 0:
            raise VerificationError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("consistency proof is too short")
    if fr != old_root:
        raise RootMismatchError(old_root, fr, what="old root")
    if sr != new_root:
        raise RootMismatchError(new_root, sr, what="new root")


# --- compact range: the tree's right edge, for appends --------------------------------------


def frontier_nodes(size: int) -> list[Node]:
    """The complete subtrees whose hashes fold into the root of a tree of ``size`` leaves."""
    return range_nodes(0, size) if size else []


def extend(
    size: int, frontier: list[bytes], leaves: Sequence[bytes]
) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """Append leaf hashes to a tree of ``size`` whose frontier hashes (left to right) are given.

    Returns the new frontier and every newly completed interior node as ``(level, index, hash)``.
    """
    stack = list(frontier)  # hashes, largest subtree first; stack[-1] is the lowest level
    levels = [lvl for lvl, _ in frontier_nodes(size)]
    made: list[tuple[int, int, bytes]] = []
    n = size
    for h in leaves:
        level = 0
        # Merge while the new subtree is a right child: the low bits of n say how many times.
        while levels and levels[-1] == level:
            left = stack.pop()
            levels.pop()
            h = node_hash(left, h)
            level += 1
            made.append((level, n >> level, h))
        stack.append(h)
        levels.append(level)
        n += 1
    return stack, made
