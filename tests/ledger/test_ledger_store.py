"""The Ledger API on every store (SQLite always, PostgreSQL when SANCTUARY_TEST_PG is set)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import rfc9162_verifier as ref
from ledger_helpers import sample_entry

from conftest import LedgerFactory
from sanctuary.errors import InputError, LedgerError
from sanctuary.ledger import (
    EntryError,
    Ledger,
    merkle,
    open_store,
)
from sanctuary.ledger.notes import Signer, parse_note
from sanctuary.model import Receipt


def test_append_returns_receipts_with_consecutive_indices(open_ledger: LedgerFactory) -> None:
    ledger = open_ledger()
    first = ledger.append(sample_entry(0))
    assert isinstance(first, Receipt)
    assert (first.index, first.tree_size, first.checkpoint) == (0, 1, None)
    batch = ledger.append_many([sample_entry(i) for i in range(1, 6)])
    assert [r.index for r in batch] == [1, 2, 3, 4, 5]
    assert all(r.tree_size == 6 for r in batch)
    assert ledger.append_many([]) == []
    entry = ledger.entry(3)
    assert entry["index"] == 3 and entry["pack"]["id"] == "p3" and entry["time"].endswith("Z")
    leaf = next(iter(ledger.export(3, 4)))[1]
    assert batch[2].leaf_hash == merkle.leaf_hash(leaf).hex()


def test_receipt_checkpoint_covers_the_entry(open_ledger: LedgerFactory) -> None:
    ledger = open_ledger()
    ledger.append_many([sample_entry(i) for i in range(9)])
    receipt = ledger.append(sample_entry(9), checkpoint=True)
    assert receipt.checkpoint is not None
    origin, size, root = ref.open_checkpoint(receipt.checkpoint, ledger.verifier_key()) or (
        "",
        0,
        b"",
    )
    assert (origin, size) == ("city.example/decisions", 10)
    proof = ledger.prove_inclusion(receipt.index, size)
    assert ref.verify_inclusion(
        receipt.index, size, bytes.fromhex(receipt.leaf_hash), proof.inclusion, root
    )


def test_proofs_verify_for_every_index_and_pair(open_ledger: LedgerFactory) -> None:
    ledger = open_ledger()
    for start in range(0, 37, 6):  # uneven batches
        ledger.append_many([sample_entry(i) for i in range(start, min(start + 6, 37))])
    roots = {n: ledger.prove_consistency(0, n).new_root for n in range(38)}
    for n in (1, 2, 5, 16, 17, 37):
        for m in range(n):
            p = ledger.prove_inclusion(m, n)
            assert p.root_hash == roots[n]
            assert ref.verify_inclusion(m, n, p.leaf_hash, p.inclusion, p.root_hash)
        for m in range(n + 1):
            c = ledger.prove_consistency(m, n)
            assert ref.verify_consistency(m, n, c.old_root, c.new_root, c.consistency)


def test_checkpoint_is_reused_until_the_tree_grows(open_ledger: LedgerFactory) -> None:
    ledger = open_ledger()
    empty = ledger.checkpoint()
    assert ref.open_checkpoint(empty, ledger.verifier_key()) == (
        "city.example/decisions", 0, merkle.EMPTY_ROOT,
    )  # fmt: skip
    ledger.append(sample_entry(0))
    one = ledger.checkpoint()
    assert one != empty and ledger.checkpoint() == one
    assert [c.tree_size for c in ledger.store.checkpoints()] == [0, 1]
    assert ledger.verify(one).ok


def test_verify_passes_and_rejects_a_foreign_checkpoint(
    open_ledger: LedgerFactory, tmp_path: Path
) -> None:
    ledger = open_ledger()
    ledger.append_many([sample_entry(i) for i in range(20)])
    held = ledger.checkpoint()
    ledger.append_many([sample_entry(i) for i in range(20, 30)])
    report = ledger.verify(held)
    assert report.ok and report.tree_size == 30 and report.entries_checked == 30
    forged = held.replace("\n20\n", "\n21\n")
    bad = ledger.verify(forged)
    assert not bad.ok and "given checkpoint" in (bad.problem or "")


def test_cosignatures_are_verified_and_stored(open_ledger: LedgerFactory) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sanctuary.ledger.notes import COSIGNATURE_V1, Verifier

    ledger = open_ledger()
    ledger.append_many([sample_entry(i) for i in range(5)])
    note = ledger.checkpoint()
    witness = Signer("witness.example/w1", Ed25519PrivateKey.generate())
    wkey = Verifier(witness.name, COSIGNATURE_V1, witness.verifier.public).vkey()
    text = parse_note(note).text
    cosigned = note + witness.cosign(text, 1_700_000_000)
    assert ledger.add_cosignature(cosigned, wkey) == ["witness.example/w1"]
    assert ledger.store.cosignatures(5)[0][2] is True
    served = ledger.checkpoint()
    assert served == cosigned
    assert ref.verify_cosignature(served, wkey)
    assert ref.open_checkpoint(served, ledger.verifier_key()) is not None  # witness line ignored
    forged = note + witness.cosign(text.replace("\n5\n", "\n6\n"), 1_700_000_000)
    with pytest.raises(InputError):
        ledger.add_cosignature(forged, wkey)


def test_known_witnesses_are_logged_and_checked(open_ledger: LedgerFactory) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sanctuary.ledger.notes import COSIGNATURE_V1, Verifier

    ledger = open_ledger()
    witness = Signer("witness.example/w2", Ed25519PrivateKey.generate())
    wkey = Verifier(witness.name, COSIGNATURE_V1, witness.verifier.public).vkey()
    receipt = ledger.add_witness(wkey)
    assert ledger.entry(receipt.index)["event"] == "witness_added"
    stranger = Signer("stranger.example/w", Ed25519PrivateKey.generate())
    note = ledger.checkpoint()
    text = parse_note(note).text
    both = note + witness.cosign(text, 1_700_000_001) + stranger.cosign(text, 1_700_000_001)
    assert sorted(ledger.add_cosignature(both)) == ["stranger.example/w", "witness.example/w2"]
    served = ledger.checkpoint()
    assert ref.verify_cosignature(served, wkey) and "stranger" not in served
    assert ledger.verify().ok
    with pytest.raises(InputError):
        ledger.add_witness(Verifier(witness.name, COSIGNATURE_V1, stranger.verifier.public).vkey())


def test_bad_entries_are_refused_before_anything_is_written(open_ledger: LedgerFactory) -> None:
    ledger = open_ledger()
    for bad in (
        {"kind": "gossip"},
        {"kind": "review", "index": 3},
        {"kind": "review", "score": 0.5},
        ["not", "a", "dict"],
    ):
        with pytest.raises(EntryError):
            ledger.append_many([sample_entry(0), bad])  # type: ignore[list-item]
    assert ledger.size == 0


def test_out_of_range_proofs_are_input_errors(open_ledger: LedgerFactory) -> None:
    ledger = open_ledger()
    ledger.append_many([sample_entry(i) for i in range(4)])
    for call in (
        lambda: ledger.prove_inclusion(4),
        lambda: ledger.prove_inclusion(0, 5),
        lambda: ledger.prove_consistency(3, 5),
        lambda: ledger.prove_consistency(4, 3),
    ):
        with pytest.raises(InputError):
            call()


def test_threads_get_distinct_consecutive_indices(open_ledger: LedgerFactory) -> None:
    shared = open_ledger()
    own = [open_ledger() for _ in range(3)]  # separate connections contend on the store's lock
    got: list[int] = []
    lock = threading.Lock()

    def work(ledger: Ledger, k: int) -> None:
        for i in range(25):
            receipts = ledger.append_many([sample_entry(i)] * (1 + i % 3))
            with lock:
                got.extend(r.index for r in receipts)

    threads = [threading.Thread(target=work, args=(led, k)) for k, led in enumerate([shared, *own])]
    threads += [threading.Thread(target=work, args=(shared, 9))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(len(got)))
    assert shared.verify().ok


APPENDER = textwrap.dedent(
    """
    import os, sys, time
    from sanctuary.ledger import Ledger
    url, key, hkey, count, go = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    with Ledger.open(url, key, hash_key_path=hkey, origin="city.example/decisions") as led:
        open(f"{go}.ready.{os.getpid()}", "w").close()
        while not os.path.exists(go):  # start together
            time.sleep(0.001)
        for i in range(count):
            entry = {"kind": "key_event", "event": "created", "vkey": str(i)}
            r = led.append_many([entry] * (1 + i % 2))
            print(" ".join(str(x.index) for x in r), flush=True)
            time.sleep(0.001)  # a service does other work between appends
    """
)


def test_two_processes_append_concurrently(
    open_ledger: LedgerFactory, store_url: str, tmp_path: Path
) -> None:
    ledger = open_ledger()  # creates the schema and the key first
    go = tmp_path / "go"
    args = [str(tmp_path / "signing-key"), str(tmp_path / "hash-key"), "150", str(go)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, store_url, *args], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.ready.*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)  # both children have imported and opened the ledger
    go.touch()
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    each = [[int(x) for x in out.split()] for out in outs]
    assert sorted(each[0] + each[1]) == list(range(2 * 225))
    # They really ran at the same time: neither got one contiguous block.
    assert max(each[0]) > min(each[1]) and max(each[1]) > min(each[0])
    assert ledger.size == 450 and ledger.verify().ok


def test_schema_is_versioned_and_reopening_is_idempotent(store_url: str) -> None:
    store = open_store(store_url)
    assert store.schema_version() == 1
    store.close()
    again = open_store(store_url)
    assert again.schema_version() == 1
    again.close()


def test_origin_is_fixed_at_creation(store_url: str, tmp_path: Path) -> None:
    key = tmp_path / "k"
    with Ledger.open(store_url, key, hash_key_path=tmp_path / "h", origin="a.example/log") as one:
        vkey = one.verifier_key()
    with Ledger.open(store_url, key, hash_key_path=tmp_path / "h", origin="b.example/log") as two:
        assert two.origin == "a.example/log" and two.verifier_key() == vkey


def test_an_existing_ledger_refuses_a_missing_or_other_key(
    open_ledger: LedgerFactory, store_url: str, tmp_path: Path
) -> None:
    ledger = open_ledger()
    ledger.append(sample_entry(0))
    with pytest.raises(LedgerError) as err:
        Ledger.open(store_url, tmp_path / "elsewhere" / "key")
    assert "not at" in err.value.message
    assert not (tmp_path / "elsewhere" / "key").exists()  # no second key was made
    other = tmp_path / "other-key"
    Ledger.open(f"sqlite:///{tmp_path / 'other.db'}", other).close()
    with pytest.raises(LedgerError) as err:
        Ledger.open(store_url, other)
    assert "not this ledger's key" in err.value.message


def test_a_verifier_key_alone_verifies_and_proves_but_cannot_sign(
    open_ledger: LedgerFactory, store_url: str
) -> None:
    ledger = open_ledger()
    ledger.append_many([sample_entry(i) for i in range(7)])
    held = ledger.checkpoint()
    ledger.append(sample_entry(7))
    with Ledger.open(store_url, verifier_key=ledger.verifier_key()) as auditor:
        assert auditor.verify(held).ok
        assert auditor.prove_inclusion(3).root_hash == ledger.prove_inclusion(3).root_hash
        with pytest.raises(LedgerError):
            auditor.checkpoint()  # the tree grew past the last checkpoint: would need to sign
    with pytest.raises(InputError):
        Ledger.open(store_url, verifier_key="not+a+key")


def test_batch_size_does_not_change_the_tree(open_ledger: LedgerFactory, tmp_path: Path) -> None:
    ledger = open_ledger()  # a large batch (COPY on PostgreSQL) then small ones (one statement)
    ledger.append_many([sample_entry(i) for i in range(150)])
    for i in range(150, 170):
        ledger.append(sample_entry(i))
    leaves = [leaf for _, leaf in ledger.export()]
    assert ref.mth(leaves) == ledger.prove_consistency(0, 170).new_root
    assert ref.mth(leaves[:150]) == ledger.prove_consistency(150, 170).old_root
    assert ledger.verify().ok
