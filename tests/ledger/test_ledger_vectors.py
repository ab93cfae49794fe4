"""Golden tamper vectors: the valid ones verify, each mutation is rejected, by both verifiers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import make_ledger_vectors
import pytest
import rfc9162_verifier as ref

from sanctuary.errors import VerificationError
from sanctuary.ledger import merkle
from sanctuary.ledger.notes import open_checkpoint, parse_vkey

VECTOR_DIR = Path(__file__).with_name("vectors")
MUTATIONS = {
    "wrong-leaf", "wrong-index", "truncated-proof", "extended-proof", "swapped-sibling",
    "wrong-size", "trailing-garbage", "wrong-signature", "wrong-key-name",
}  # fmt: skip


def _load() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(VECTOR_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for i, vector in enumerate(doc["vectors"]):
            out.append((f"{path.stem}[{i}]-{vector['kind']}", {**vector, "vkey": doc["vkey"]}))
    return out


VECTORS = _load()


def _hashes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def ours(v: dict[str, Any]) -> bool:
    try:
        if v["kind"] == "inclusion":
            merkle.verify_inclusion(
                v["index"], v["tree_size"], bytes.fromhex(v["leaf_hash"]),
                _hashes(v["inclusion"]), bytes.fromhex(v["root_hash"]),
            )  # fmt: skip
        elif v["kind"] == "consistency":
            merkle.verify_consistency(
                v["from"], v["to"], bytes.fromhex(v["old_root"]), bytes.fromhex(v["new_root"]),
                _hashes(v["consistency"]),
            )  # fmt: skip
        else:
            open_checkpoint(v["note"], [parse_vkey(v["vkey"])], "city.example/decisions")
    except VerificationError:
        return False
    return True


def theirs(v: dict[str, Any]) -> bool:
    if v["kind"] == "inclusion":
        return ref.verify_inclusion(
            v["index"], v["tree_size"], bytes.fromhex(v["leaf_hash"]),
            _hashes(v["inclusion"]), bytes.fromhex(v["root_hash"]),
        )  # fmt: skip
    if v["kind"] == "consistency":
        return ref.verify_consistency(
            v["from"], v["to"], bytes.fromhex(v["old_root"]), bytes.fromhex(v["new_root"]),
            _hashes(v["consistency"]),
        )  # fmt: skip
    return ref.open_checkpoint(v["note"], v["vkey"]) is not None


def test_every_named_mutation_has_vectors() -> None:
    names = {v["name"] for _, v in VECTORS}
    assert names == MUTATIONS | {"valid"}
    assert {v["kind"] for _, v in VECTORS if v["name"] == "valid"} == {
        "inclusion", "consistency", "checkpoint",
    }  # fmt: skip


@pytest.mark.parametrize(("vid", "vector"), VECTORS, ids=[vid for vid, _ in VECTORS])
def test_vector(vid: str, vector: dict[str, Any]) -> None:
    assert ours(vector) is vector["valid"], vid
    assert theirs(vector) is vector["valid"], vid


def test_vectors_regenerate_identically() -> None:
    committed = {p.name: p.read_text(encoding="utf-8") for p in VECTOR_DIR.glob("*.json")}
    assert make_ledger_vectors.render() == committed
