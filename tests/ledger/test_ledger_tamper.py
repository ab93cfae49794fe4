"""Tamper detection: one changed byte anywhere in the SQLite file's rows is found by verify, which
names the first bad entry index (or, for a checkpoint, the checkpoint)."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ledger_helpers import sample_entry

from sanctuary.ledger import Ledger
from sanctuary.ledger.notes import COSIGNATURE_V1, Signer, Verifier, parse_note

CHECKPOINTS = (7, 16, 24)


WITNESS = Signer("witness.example/w1", Ed25519PrivateKey.from_private_bytes(b"w" * 32))


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, sqlite3.Connection]]:
    tmp = tmp_path_factory.mktemp("tamper")
    ledger = Ledger.open(f"sqlite:///{tmp / 'x.db'}", tmp / "key")
    wkey = Verifier(WITNESS.name, COSIGNATURE_V1, WITNESS.verifier.public).vkey()
    ledger.add_witness(wkey)  # entry 0
    done = 1
    for size in CHECKPOINTS:
        ledger.append_many([sample_entry(i) for i in range(done, size)])
        note = ledger.checkpoint()
        done = size
    ledger.add_cosignature(note + WITNESS.cosign(parse_note(note).text, 1_700_000_000))
    raw = sqlite3.connect(tmp / "x.db", isolation_level=None)
    assert ledger.verify().ok
    yield ledger, raw
    raw.close()
    ledger.close()


def _cells(raw: sqlite3.Connection) -> list[tuple[str, str, str, tuple[int, ...], int]]:
    """(table, column, key column(s), key, length) for every stored blob or text cell."""
    cells: list[tuple[str, str, str, tuple[int, ...], int]] = []
    for idx, leaf, h in raw.execute("SELECT idx, leaf, leaf_hash FROM entries"):
        cells += [("entries", "leaf", "idx", (idx,), len(leaf))]
        cells += [("entries", "leaf_hash", "idx", (idx,), len(h))]
    for level, idx, h in raw.execute("SELECT level, idx, hash FROM nodes"):
        cells.append(("nodes", "hash", "level, idx", (level, idx), len(h)))
    for size, root, note in raw.execute("SELECT tree_size, root_hash, note FROM checkpoints"):
        cells.append(("checkpoints", "root_hash", "tree_size", (size,), len(root)))
        cells.append(("checkpoints", "note", "tree_size", (size,), len(note.encode())))
    for size, line in raw.execute("SELECT tree_size, line FROM cosignatures"):
        cells.append(("cosignatures", "line", "tree_size", (size,), len(line.encode())))
    return cells


def _expected(table: str, key: tuple[int, ...]) -> tuple[int | None, int | None]:
    if table == "entries":
        return key[0], None
    if table == "nodes":
        return key[1] << key[0], None
    return None, key[0]


def _flip(raw: sqlite3.Connection, table: str, column: str, keys: str, key: tuple[int, ...],
          pos: int, mask: int) -> bytes | str:  # fmt: skip
    where = " AND ".join(f"{k.strip()} = ?" for k in keys.split(","))
    (old,) = raw.execute(f"SELECT {column} FROM {table} WHERE {where}", key).fetchone()
    data = bytearray(old.encode() if isinstance(old, str) else old)
    data[pos] ^= mask
    new: bytes | str = bytes(data)
    if isinstance(old, str):
        new = bytes(data).decode("utf-8", errors="surrogateescape")
        # keep it a TEXT value even when the byte is no longer valid UTF-8
        raw.execute(
            f"UPDATE {table} SET {column} = CAST(? AS TEXT) WHERE {where}", (bytes(data), *key)
        )
    else:
        raw.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (new, *key))
    return old  # type: ignore[no-any-return]


def _check(ledger: Ledger, raw: sqlite3.Connection, cell: tuple, pos: int, mask: int) -> None:  # type: ignore[type-arg]
    table, column, keys, key, _ = cell
    old = _flip(raw, table, column, keys, key, pos, mask)
    try:
        report = ledger.verify()
    finally:
        where = " AND ".join(f"{k.strip()} = ?" for k in keys.split(","))
        raw.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (old, *key))
    assert not report.ok, (table, column, key, pos)
    assert (report.first_bad_index, report.bad_checkpoint) == _expected(table, key), (
        table, column, key, pos, report.problem,
    )  # fmt: skip


def test_every_byte_of_every_cell(setup: tuple[Ledger, sqlite3.Connection]) -> None:
    ledger, raw = setup
    rng = random.Random(6962)
    cells = _cells(raw)
    assert {(c[0], c[1]) for c in cells} == {
        ("entries", "leaf"), ("entries", "leaf_hash"), ("nodes", "hash"),
        ("checkpoints", "root_hash"), ("checkpoints", "note"), ("cosignatures", "line"),
    }  # fmt: skip
    for cell in cells:
        for pos in range(cell[4]):
            _check(ledger, raw, cell, pos, rng.randrange(1, 256))
    assert ledger.verify().ok


def test_removed_and_moved_rows(setup: tuple[Ledger, sqlite3.Connection]) -> None:
    ledger, raw = setup
    row = raw.execute("SELECT idx, leaf, leaf_hash FROM entries WHERE idx = 17").fetchone()
    raw.execute("DELETE FROM entries WHERE idx = 17")
    report = ledger.verify()
    raw.execute("INSERT INTO entries VALUES (?, ?, ?)", row)
    assert (report.ok, report.first_bad_index) == (False, 17)
    raw.execute("UPDATE entries SET idx = 1000 WHERE idx = 23")
    report = ledger.verify()
    raw.execute("UPDATE entries SET idx = 23 WHERE idx = 1000")
    assert not report.ok and report.first_bad_index == 23
    node = raw.execute("SELECT hash FROM nodes WHERE level = 3 AND idx = 2").fetchone()
    raw.execute("DELETE FROM nodes WHERE level = 3 AND idx = 2")
    report = ledger.verify()
    raw.execute("INSERT INTO nodes VALUES (3, 2, ?)", node)
    assert (report.ok, report.first_bad_index) == (False, 16)
    raw.execute("DELETE FROM entries WHERE idx >= 20")
    report = ledger.verify()
    # The leftover node 3/2 (leaves 16-23) and checkpoint 24 give it away; the node is lowest.
    assert (report.ok, report.first_bad_index) == (False, 16)  # leftover nodes give it away


def test_a_cleanly_truncated_tail_needs_an_outside_checkpoint(tmp_path: Path) -> None:
    with Ledger.open(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "key") as ledger:
        ledger.append_many([sample_entry(i) for i in range(30)])
        held = ledger.checkpoint()
        raw = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
        # Remove the tail and every trace of it, as an insider rewriting history would.
        raw.execute("DELETE FROM entries WHERE idx >= 25")
        raw.execute("DELETE FROM nodes WHERE ((idx + 1) << level) > 25")
        raw.execute("DELETE FROM checkpoints WHERE tree_size > 25")
        raw.close()
        assert ledger.verify().ok  # internally consistent...
        report = ledger.verify(held)  # ...but not with the checkpoint someone else holds
        assert (report.ok, report.first_bad_index) == (False, 25)
        assert "shorter than the given checkpoint" in (report.problem or "")


@pytest.mark.postgres
def test_postgres_rows_changed_by_one_byte_are_found(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    with Ledger.open(pg_url, tmp_path / "key") as ledger:
        ledger.append_many([sample_entry(i) for i in range(16)])
        ledger.checkpoint()
        ledger.append_many([sample_entry(i) for i in range(16, 21)])
        ledger.checkpoint()
        cases = [
            ("entries", "leaf", "idx = 9", (9, None)),
            ("entries", "leaf_hash", "idx = 20", (20, None)),
            ("nodes", "hash", "level = 2 AND idx = 3", (12, None)),
            ("nodes", "hash", "level = 4 AND idx = 0", (0, None)),
            ("checkpoints", "root_hash", "tree_size = 16", (None, 16)),
        ]
        with psycopg.connect(pg_url, autocommit=True) as raw:
            for table, column, where, expected in cases:
                (old,) = raw.execute(f"SELECT {column} FROM {table} WHERE {where}").fetchone()
                new = bytearray(old)
                new[len(new) // 2] ^= 0x20
                raw.execute(f"UPDATE {table} SET {column} = %s WHERE {where}", (bytes(new),))
                report = ledger.verify()
                raw.execute(f"UPDATE {table} SET {column} = %s WHERE {where}", (old,))
                assert not report.ok
                assert (report.first_bad_index, report.bad_checkpoint) == expected, report.problem
            (note,) = raw.execute("SELECT note FROM checkpoints WHERE tree_size = 21").fetchone()
            raw.execute(
                "UPDATE checkpoints SET note = %s WHERE tree_size = 21",
                (note.replace("21", "22", 1),),
            )
            report = ledger.verify()
            raw.execute("UPDATE checkpoints SET note = %s WHERE tree_size = 21", (note,))
            assert (report.ok, report.bad_checkpoint) == (False, 21)
        assert ledger.verify().ok


def test_index_field_check_matches_whole_values_only() -> None:
    from sanctuary.ledger.verify import _says_index

    assert _says_index(b'{"index":7,"kind":"x"}', 7)
    assert _says_index(b'{"a":1,"index":7}', 7)
    assert not _says_index(b'{"index":70,"kind":"x"}', 7)
    assert not _says_index(b'{"index":17}', 7) and not _says_index(b'{"kind":"x"}', 7)


def test_a_rehashed_leaf_with_another_index_is_found(tmp_path: Path) -> None:
    import hashlib

    with Ledger.open(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "key") as ledger:
        ledger.append_many([sample_entry(i) for i in range(6)])
        raw = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
        (leaf,) = raw.execute("SELECT leaf FROM entries WHERE idx = 5").fetchone()
        forged = leaf.replace(b'"index":5', b'"index":4')
        raw.execute(
            "UPDATE entries SET leaf = ?, leaf_hash = ? WHERE idx = 5",
            (forged, hashlib.sha256(b"\x00" + forged).digest()),
        )
        raw.close()
        report = ledger.verify()
        assert (report.ok, report.first_bad_index) == (False, 5)
        assert "does not say index 5" in (report.problem or "")
