"""Full verification (the ledger's fsck): re-derive every hash from the leaves, then check every
stored interior node, every stored checkpoint and, if given, an outside checkpoint against them.

The recomputed tree is held level by level in flat byte arrays (32 bytes a hash), so a million
entries need about 64 MB and no per-hash objects.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from sanctuary.errors import SanctuaryError
from sanctuary.ledger.merkle import EMPTY_ROOT, fold, range_nodes
from sanctuary.ledger.notes import Verifier, open_checkpoint
from sanctuary.ledger.stores.interface import Store
from sanctuary.ledger.witness import check_cosignatures


@dataclass
class VerifyReport:
    ok: bool
    tree_size: int
    entries_checked: int
    checkpoints_checked: int
    first_bad_index: int | None = None
    bad_checkpoint: int | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Finding:
    index: int | None
    checkpoint: int | None
    problem: str


class _Tree:
    """Recomputed hashes, level by level; ``good`` leaves are those before the first bad one."""

    def __init__(self) -> None:
        self.levels: list[bytearray] = [bytearray()]

    def hash(self, level: int, idx: int) -> bytes:
        return bytes(self.levels[level][32 * idx : 32 * idx + 32])

    def root(self, size: int) -> bytes:
        if size == 0:
            return EMPTY_ROOT
        return fold([self.hash(lvl, i) for lvl, i in range_nodes(0, size)])

    def build_up(self) -> None:
        while len(self.levels[-1]) >= 64:
            below = memoryview(self.levels[-1])
            out = bytearray()
            sha256 = hashlib.sha256
            for off in range(0, len(below) - 63, 64):
                out += sha256(b"\x01" + below[off : off + 64]).digest()
            self.levels.append(out)


def _says_index(leaf: bytes, idx: int) -> bool:
    """Whether the leaf carries ``"index":<idx>`` as a whole value.

    A substring test, not a parse: parsing a million leaves costs more than hashing them, and
    this is defence in depth (a leaf moved to another position already fails the stored leaf
    hash or, once covered, the signed root). Canonical JSON has exactly one spelling of it.
    """
    marker = b'"index":%d' % idx
    pos = leaf.find(marker)
    while pos >= 0:
        end = pos + len(marker)
        if end < len(leaf) and leaf[end] in b",}":
            return True
        pos = leaf.find(marker, pos + 1)
    return False


def _check_leaves(store: Store, size: int, tree: _Tree) -> _Finding | None:
    expected = 0
    level0 = tree.levels[0]
    sha256 = hashlib.sha256
    for idx, leaf, stored in store.leaves(0, size):
        if idx != expected:
            return _Finding(expected, None, f"entry {expected} is missing")
        computed = sha256(b"\x00" + leaf).digest()
        if computed != stored:
            return _Finding(idx, None, f"entry {idx}: stored leaf hash does not match the leaf")
        if not _says_index(leaf, idx):
            return _Finding(idx, None, f"entry {idx}: the leaf does not say index {idx}")
        level0 += computed
        expected += 1
    if expected != size:
        return _Finding(expected, None, f"entry {expected} is missing")
    return None


def _check_level(store: Store, level: int, size: int, good: int, tree: _Tree) -> _Finding | None:
    complete = good >> level  # nodes over good leaves only: these we can vouch for
    seen = 0
    for idx, stored in store.level(level):
        if idx >= size >> level:
            return _Finding(idx << level, None, f"node {level}/{idx} lies beyond the tree")
        if idx >= complete:
            continue  # covers a leaf already found bad
        if idx != seen:
            return _Finding(seen << level, None, f"node {level}/{seen} is missing")
        if tree.hash(level, idx) != stored:
            return _Finding(idx << level, None, f"node {level}/{idx}: stored hash does not match")
        seen += 1
    if seen < complete:
        return _Finding(seen << level, None, f"node {level}/{seen} is missing")
    return None


def _check_nodes(store: Store, size: int, good: int, tree: _Tree) -> _Finding | None:
    """Compare stored interior nodes with the recomputed ones; the lowest bad index wins."""
    found = [
        _check_level(store, level, size, good, tree)
        for level in range(1, max(store.max_level(), len(tree.levels) - 1) + 1)
    ]
    real = [f for f in found if f is not None]
    return min(real, key=lambda f: f.index or 0) if real else None


def _check_checkpoints(
    store: Store, verifier: Verifier, origin: str, size: int, good: int, tree: _Tree
) -> tuple[int, _Finding | None]:
    checked = 0
    for cp in store.checkpoints():
        checked += 1
        try:
            parsed = open_checkpoint(cp.note, [verifier], origin)
        except SanctuaryError as err:
            return checked, _Finding(None, cp.tree_size, f"checkpoint {cp.tree_size}: {err}")
        if (parsed.size, parsed.root) != (cp.tree_size, cp.root_hash):
            return checked, _Finding(
                None,
                cp.tree_size,
                f"checkpoint {cp.tree_size}: stored columns differ from its note",
            )
        if parsed.size > size:
            return checked, _Finding(size, cp.tree_size, "the ledger is shorter than a checkpoint")
        damaged = check_cosignatures(store, cp.tree_size, cp.note[: cp.note.rfind("\n\n") + 1])
        if damaged:
            return checked, _Finding(None, cp.tree_size, f"checkpoint {cp.tree_size}: {damaged}")
        if parsed.size <= good and tree.root(parsed.size) != parsed.root:
            return checked, _Finding(
                None,
                cp.tree_size,
                f"checkpoint {cp.tree_size}: root mismatch: signed {parsed.root.hex()}, "
                f"calculated {tree.root(parsed.size).hex()}",
            )
    return checked, None


def _check_given(
    text: str, verifier: Verifier, origin: str, size: int, tree: _Tree
) -> _Finding | None:
    try:
        parsed = open_checkpoint(text, [verifier], origin)
    except SanctuaryError as err:
        return _Finding(None, None, f"the given checkpoint: {err}")
    if parsed.size > size:
        return _Finding(size, parsed.size, "the ledger is shorter than the given checkpoint")
    calculated = tree.root(parsed.size)
    if calculated != parsed.root:
        return _Finding(
            None,
            parsed.size,
            f"the given checkpoint is not consistent: root mismatch: signed {parsed.root.hex()}, "
            f"calculated {calculated.hex()}",
        )
    return None


def verify_store(
    store: Store, verifier: Verifier, origin: str, checkpoint_text: str | None = None
) -> VerifyReport:
    """Check everything; the report names the first bad entry index (or checkpoint)."""
    with store.read() as size:
        tree = _Tree()
        leaf_problem = _check_leaves(store, size, tree)
        good = len(tree.levels[0]) // 32
        tree.build_up()
        findings = [leaf_problem, _check_nodes(store, size, good, tree)]
        checked, cp_problem = _check_checkpoints(store, verifier, origin, size, good, tree)
        findings.append(cp_problem)
        if checkpoint_text is not None:
            findings.append(_check_given(checkpoint_text, verifier, origin, size, tree))
    real = [f for f in findings if f is not None]
    report = VerifyReport(
        ok=not real, tree_size=size, entries_checked=good, checkpoints_checked=checked
    )
    if real:
        indexed = [f for f in real if f.index is not None]
        first = min(indexed, key=lambda f: f.index or 0) if indexed else real[0]
        report.first_bad_index = first.index
        report.bad_checkpoint = first.checkpoint
        report.problem = first.problem
    return report
