"""The one small interface every ledger store implements.

A store keeps four things: the leaves (canonical entry bytes and their leaf hashes, by index), the
hashes of every complete interior subtree ``(level, index)`` so that any proof is one batched read
of O(log n) rows, the signed checkpoints, and witness cosignatures. It knows nothing about Merkle
trees beyond storing these rows; the tree logic lives in ``sanctuary.ledger.merkle``.

Writes happen inside :meth:`Store.write`, which serialises appenders across threads, processes and
(for PostgreSQL) hosts, and commits durably on exit: once it returns, the rows survive a crash.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

Node = tuple[int, int]
NodeRow = tuple[int, int, bytes]


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str


class Store(abc.ABC):
    """A ledger store. Use one instance per thread of work or share it: methods are locked."""

    url: str

    @abc.abstractmethod
    def write(self) -> contextlib.AbstractContextManager[int]:
        """Exclusive, durable write transaction; yields the tree size at its start."""

    @abc.abstractmethod
    def read(self) -> contextlib.AbstractContextManager[int]:
        """A consistent read snapshot; yields the tree size in it."""

    @abc.abstractmethod
    def add(
        self, start: int, leaves: Sequence[bytes], hashes: Sequence[bytes], nodes: Sequence[NodeRow]
    ) -> None:
        """Insert leaves ``start…`` with their hashes and the interior nodes they complete."""

    @abc.abstractmethod
    def nodes(self, wanted: Sequence[Node]) -> dict[Node, bytes]:
        """Hashes of complete subtrees; level 0 is the leaf hash. Missing ones are left out."""

    @abc.abstractmethod
    def leaves(self, start: int, end: int) -> Iterator[tuple[int, bytes, bytes]]:
        """``(index, leaf bytes, stored leaf hash)`` for stored indices in ``[start, end)``."""

    @abc.abstractmethod
    def level(self, level: int) -> Iterator[tuple[int, bytes]]:
        """Every stored interior node of ``level`` (>= 1) as ``(index, hash)``, by index."""

    @abc.abstractmethod
    def max_level(self) -> int:
        """The highest stored interior level (0 when there is none)."""

    @abc.abstractmethod
    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, by tree size."""

    @abc.abstractmethod
    def add_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        """Store a checkpoint (a second one for the same size is ignored)."""

    @abc.abstractmethod
    def add_cosignature(self, tree_size: int, key_name: str, line: str, verified: bool) -> None:
        """Store (or replace) a witness's signature line beside a checkpoint."""

    @abc.abstractmethod
    def cosignatures(self, tree_size: int) -> list[tuple[str, str, bool]]:
        """``(key name, signature line, verified)`` stored beside a checkpoint."""

    @abc.abstractmethod
    def get_meta(self, key: str) -> str | None: ...

    @abc.abstractmethod
    def set_meta(self, key: str, value: str) -> None:
        """Set a value if it is not set yet (first writer wins)."""

    @abc.abstractmethod
    def schema_version(self) -> int: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        found = self.checkpoints()
        return found[-1] if found else None
