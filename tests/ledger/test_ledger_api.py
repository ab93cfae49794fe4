"""The public surface of sanctuary.ledger is pinned (as httpx pins its exported members)."""

from __future__ import annotations

import sanctuary.ledger
import sanctuary.ledger.stores

PUBLIC = [
    "EMPTY_ROOT", "Checkpoint", "ConsistencyProof", "EntryError", "InclusionProof", "Ledger",
    "RootMismatchError", "VerifyReport", "append_all", "entry_for_decision", "key_event_entry",
    "keyed_hash", "leaf_hash", "node_hash", "open_checkpoint", "open_store", "pack_change_entry",
    "parse_vkey", "review_entry", "verify_consistency", "verify_inclusion",
]  # fmt: skip


def test_exported_members() -> None:
    assert sorted(sanctuary.ledger.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(sanctuary.ledger, name) is not None
    assert sorted(sanctuary.ledger.stores.__all__) == [
        "DEFAULT_URL", "Store", "StoredCheckpoint", "default_url", "open_store",
    ]  # fmt: skip


def test_ledger_methods_the_service_and_cli_use() -> None:
    for method in (
        "open", "append", "append_many", "record_decision", "checkpoint", "prove_inclusion",
        "prove_consistency", "export", "entry", "verify", "verifier_key", "add_cosignature",
    ):  # fmt: skip
        assert callable(getattr(sanctuary.ledger.Ledger, method))


def test_append_all_batches(tmp_path: object) -> None:
    from pathlib import Path

    from ledger_helpers import sample_entry

    path = Path(str(tmp_path))
    with sanctuary.ledger.Ledger.open(f"sqlite:///{path / 'x.db'}") as ledger:
        assert sanctuary.ledger.append_all(ledger, (sample_entry(i) for i in range(25)), 10) == 25
        assert ledger.size == 25 and [i for i, _ in ledger.export(20)] == [20, 21, 22, 23, 24]
