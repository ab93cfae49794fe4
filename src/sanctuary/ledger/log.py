"""The decision ledger: append, checkpoint, prove, export, verify.

Append contract (MUST words, as Tessera states its own):

* ``append``/``append_many`` MUST NOT return an index before the entry and the interior nodes it
  completes are committed durably; on any failure they raise ``LedgerError`` (usually
  ``LedgerUnavailable``) and the caller MUST NOT release what the entry records.
* Concurrent appenders (threads, processes, replicas on PostgreSQL) get distinct, consecutive
  indices: the next index is read under the store's exclusive write lock.
* *Sequenced* (has an index) and *covered by a signed checkpoint* are different states: a receipt
  carries a checkpoint only when one was asked for (``checkpoint=True``) or later via
  :meth:`Ledger.checkpoint`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from sanctuary.errors import (
    InputError,
    LedgerError,
    LedgerUnavailable,
    SanctuaryError,
    VerificationError,
)
from sanctuary.ledger import merkle, witness
from sanctuary.ledger.entries import check_entry, entry_for_decision, key_event_entry, leaf_bytes
from sanctuary.ledger.keys import load_or_create_secret, load_or_create_signer
from sanctuary.ledger.notes import (
    Checkpoint,
    Signer,
    Verifier,
    parse_vkey,
)
from sanctuary.ledger.stores import Store, StoredCheckpoint, default_url, open_store
from sanctuary.ledger.verify import VerifyReport, verify_store
from sanctuary.model import Receipt, construct

if TYPE_CHECKING:
    from sanctuary.model import Decision, Request

DEFAULT_ORIGIN = "sanctuary.invalid/decision-ledger"
_EXPORT_PAGE = 50_000


@dataclass(frozen=True)
class InclusionProof:
    index: int
    tree_size: int
    leaf_hash: bytes
    root_hash: bytes
    inclusion: list[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "root_hash": self.root_hash.hex(),
            "inclusion": [h.hex() for h in self.inclusion],
        }


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    consistency: list[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.old_size,
            "to": self.new_size,
            "old_root": self.old_root.hex(),
            "new_root": self.new_root.hex(),
            "consistency": [h.hex() for h in self.consistency],
        }


def _key_paths(url: str) -> tuple[Path, Path]:
    """Default signing and hash key files: beside a SQLite file, else in the working folder."""
    if url.startswith("sqlite:///"):
        db = Path(url[len("sqlite:///") :])
        return db.with_name(db.name + ".signing-key"), db.with_name(db.name + ".hash-key")
    return Path("sanctuary.signing-key"), Path("sanctuary.hash-key")


def _origin(store: Store, wanted: str | None) -> str:
    stored = store.get_meta("origin")
    if stored is None:
        store.set_meta(
            "origin", wanted or os.environ.get("SANCTUARY_LEDGER_ORIGIN") or DEFAULT_ORIGIN
        )
        stored = store.get_meta("origin")
    assert stored is not None
    return stored


def _signer(store: Store, path: Path, name: str) -> Signer:
    """The ledger's signing key; a missing or different key for an existing ledger is refused, so
    a wrong path can never start a second, unverifiable series of checkpoints."""
    known = store.get_meta("vkey")
    if known is not None and not path.exists():
        raise LedgerError(
            f"the signing key of this ledger is not at `{path}`",
            help="set SANCTUARY_SIGNING_KEY to its file",
        )
    signer = load_or_create_signer(path, name)
    if known is None:
        store.set_meta("vkey", signer.verifier.vkey())
        known = store.get_meta("vkey")
    if known != signer.verifier.vkey():
        raise LedgerError(f"the signing key at `{path}` is not this ledger's key")
    return signer


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


class Ledger:
    """A tamper-evident, append-only decision log over one store."""

    def __init__(
        self,
        store: Store,
        signer: Signer | None,
        verifier: Verifier,
        origin: str,
        hash_key_path: Path,
    ) -> None:
        self.store = store
        self.signer = signer
        self.verifier = verifier
        self.origin = origin
        self._hash_key_path = hash_key_path
        self._hash_key: bytes | None = None

    @classmethod
    def open(
        cls,
        url: str | None = None,
        signing_key_path: str | os.PathLike[str] | None = None,
        *,
        hash_key_path: str | os.PathLike[str] | None = None,
        origin: str | None = None,
        verifier_key: str | None = None,
    ) -> Ledger:
        """Open the ledger at ``url`` (default ``SANCTUARY_DB`` or ``sqlite:///./sanctuary.db``).

        The signing key comes from ``signing_key_path``, else ``SANCTUARY_SIGNING_KEY``, else a
        file beside the database; it is generated when the ledger is new, and an existing ledger
        refuses any other key. With ``verifier_key`` (vkey text) no private key is read: the
        ledger can be verified and proved from, but not signed (an auditor's copy). The origin line
        of checkpoints is fixed at creation (``origin``, ``SANCTUARY_LEDGER_ORIGIN``, or a
        placeholder).
        """
        url = url or default_url()
        store = open_store(url)
        try:
            default_sign, default_hash = _key_paths(url)
            hash_path = Path(hash_key_path or os.environ.get("SANCTUARY_HASH_KEY") or default_hash)
            fixed_origin = _origin(store, origin)
            signer: Signer | None = None
            if verifier_key is not None:
                try:
                    verifier = parse_vkey(verifier_key)
                except VerificationError as err:
                    raise InputError(err.message, location="verifier key") from None
            else:
                sign_path = Path(
                    signing_key_path or os.environ.get("SANCTUARY_SIGNING_KEY") or default_sign
                )
                signer = _signer(store, sign_path, fixed_origin)
                verifier = signer.verifier
        except BaseException:
            store.close()
            raise
        return cls(store, signer, verifier, fixed_origin, hash_path)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ------------------------------------------------------------------------------

    @property
    def hash_key(self) -> bytes:
        """The subject hash key (HMAC key for personal identifiers), created on first use."""
        if self._hash_key is None:
            self._hash_key = load_or_create_secret(self._hash_key_path)
        return self._hash_key

    def append(self, entry: dict[str, Any], *, checkpoint: bool = False) -> Receipt:
        """Append one entry durably; its receipt (with a fresh checkpoint if asked)."""
        return self.append_many([entry], checkpoint=checkpoint)[0]

    def append_many(
        self, entries: Sequence[dict[str, Any]], *, checkpoint: bool = False, checked: bool = False
    ) -> list[Receipt]:
        """Append entries in one durable transaction, at consecutive indices, in order.

        ``checked``: the caller has already run ``check_entry`` on every entry (the service's
        recorder does, in the caller's thread, so that the walk is not done while the
        database's write lock is held), so it is not run again here.
        """
        if not checked:
            for entry in entries:
                check_entry(entry)
        if not entries:
            return []
        time = _now()
        try:
            with self.store.write() as size:
                leaves = [leaf_bytes(e, size + i, time) for i, e in enumerate(entries)]
                hashes = merkle.leaf_hashes(leaves)
                frontier, made = merkle.extend(
                    size, self._fetch(merkle.frontier_nodes(size)), hashes
                )
                self.store.add(size, leaves, hashes, made)
                note = self._sign(size + len(leaves), merkle.fold(frontier)) if checkpoint else None
        except SanctuaryError:
            raise
        except Exception as err:  # fail closed: no index without a commit
            raise LedgerUnavailable(f"the ledger append failed: {type(err).__name__}") from None
        new_size = size + len(leaves)
        # Built without validation (construct): the values are ours and of the right types.
        return [
            construct(
                Receipt, index=size + i, leaf_hash=h.hex(), tree_size=new_size, checkpoint=note
            )
            for i, h in enumerate(hashes)
        ]

    def record_decision(
        self, request: Request, decision: Decision, *, checkpoint: bool = False
    ) -> Receipt:
        """Append the minimised entry of a decision (for ``sanctuary decide --record``)."""
        entry = entry_for_decision(request, decision, hash_key=self.hash_key)
        return self.append(entry, checkpoint=checkpoint)

    def _fetch_map(self, wanted: list[merkle.Node]) -> dict[merkle.Node, bytes]:
        got = self.store.nodes(wanted)
        missing = [n for n in wanted if n not in got]
        if missing:
            level, idx = missing[0]
            raise LedgerError(
                f"the ledger store is missing node {level}/{idx}",
                help="run `sanctuary ledger verify`",
            )
        return got

    def _fetch(self, wanted: list[merkle.Node]) -> list[bytes]:
        got = self._fetch_map(wanted)
        return [got[n] for n in wanted]

    def _root(self, size: int) -> bytes:
        return merkle.fold(self._fetch(merkle.frontier_nodes(size))) if size else merkle.EMPTY_ROOT

    def _sign(self, size: int, root: bytes) -> str:
        if self.signer is None:
            raise LedgerError("this ledger was opened with a verifier key only: it cannot sign")
        text = Checkpoint(self.origin, size, root).text()
        note = text + "\n" + self.signer.sign(text)
        self.store.add_checkpoint(StoredCheckpoint(size, root, note))
        return note

    # --- checkpoints --------------------------------------------------------------------------

    def verifier_key(self) -> str:
        """The public verifier key in C2SP vkey form."""
        return self.verifier.vkey()

    def checkpoint(self) -> str:
        """The latest signed checkpoint with stored cosignatures; signs one if the tree grew."""
        with self.store.read() as size:
            latest = self.store.latest_checkpoint()
        if latest is None or latest.tree_size < size:
            with self.store.write() as size:
                latest = self.store.latest_checkpoint()
                if latest is None or latest.tree_size < size:
                    root = self._root(size)
                    latest = StoredCheckpoint(size, root, self._sign(size, root))
        return latest.note + witness.served_lines(self.store, latest.tree_size)

    def add_witness(self, vkey: str) -> Receipt:
        """Trust a witness key (C2SP vkey) for cosignatures, and record it in the log."""
        known = witness.remember_witness(self.store, vkey)
        return self.append(key_event_entry(event="witness_added", vkey=known.vkey()))

    def add_cosignature(self, note: str, witness_key: str | None = None) -> list[str]:
        """Store witness signature lines found on a copy of one of our checkpoints.

        The note must carry our valid signature over a checkpoint we issued. Lines by a known
        witness (``add_witness``) or by ``witness_key`` are verified, and a bad one is refused;
        others are kept unverified and not served. Returns the key names stored.
        """
        extra = parse_vkey(witness_key) if witness_key else None
        return witness.store_cosignatures(self.store, self.verifier, self.origin, note, extra)

    # --- reading ------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        with self.store.read() as size:
            return size

    def _bounds(self, current: int, size: int | None, *what: tuple[str, int]) -> int:
        size = current if size is None else size
        if not 0 <= size <= current:
            raise InputError(
                f"tree size `{size}` is beyond the ledger's {current}", location="size"
            )
        for name, value in what:
            if not 0 <= value <= size:
                raise InputError(f"`{value}` is outside a tree of size {size}", location=name)
        return size

    def prove_inclusion(self, index: int, size: int | None = None) -> InclusionProof:
        """An RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` (default: all)."""
        with self.store.read() as current:
            size = self._bounds(current, size, ("index", index))
            if index >= size:
                raise InputError(
                    f"index `{index}` is outside a tree of size {size}", location="index"
                )
            ranges = merkle.inclusion_ranges(index, size)
            path = merkle.resolve(ranges, self._fetch_map)
            leaf = self._fetch([(0, index)])[0]
            root = self._root(size)
        return InclusionProof(index, size, leaf, root, path)

    def prove_consistency(self, old: int, new: int | None = None) -> ConsistencyProof:
        """An RFC 9162 consistency proof that the tree of ``old`` leaves is a prefix of ``new``."""
        with self.store.read() as current:
            new = self._bounds(current, new, ("from", old))
            path = merkle.resolve(merkle.consistency_ranges(old, new), self._fetch_map)
            return ConsistencyProof(old, new, self._root(old), self._root(new), path)

    def export(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        """``(index, leaf bytes)`` for ``start <= index < end`` (default: to the end)."""
        current = self.size
        end = current if end is None else min(end, current)
        if start < 0 or end < start:
            raise InputError(f"`{start}`..`{end}` is not a range of entries", location="start")
        # Pages of rows (immutable once written), so a long export holds no lock or snapshot.
        for lo in range(start, end, _EXPORT_PAGE):
            with self.store.read():
                rows = list(self.store.leaves(lo, min(end, lo + _EXPORT_PAGE)))
            yield from ((i, leaf) for i, leaf, _ in rows)

    def entry(self, index: int) -> dict[str, Any]:
        for _, leaf in self.export(index, index + 1):
            value: dict[str, Any] = orjson.loads(leaf)
            return value
        raise InputError(f"no entry `{index}`", location="index")

    def verify(self, checkpoint_text: str | None = None) -> VerifyReport:
        """Re-derive every hash and check every checkpoint (and the given one, if any)."""
        return verify_store(self.store, self.verifier, self.origin, checkpoint_text)


def append_all(ledger: Ledger, entries: Iterable[dict[str, Any]], batch: int = 1000) -> int:
    """Append an iterable in batches; the number appended."""
    done, chunk = 0, []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= batch:
            done += len(ledger.append_many(chunk))
            chunk = []
    if chunk:
        done += len(ledger.append_many(chunk))
    return done
