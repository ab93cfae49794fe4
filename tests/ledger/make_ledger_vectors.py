"""Generate the golden tamper vectors: ``python tests/ledger/make_ledger_vectors.py``.

Deterministic (fixed leaves, an Ed25519 key derived from a fixed seed, Ed25519 signatures are
deterministic), so the test can regenerate them and compare with the committed file. Each tampered
vector is named by its mutation and is rejected by both the ledger and the independent verifier.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sanctuary.ledger import merkle
from sanctuary.ledger.notes import Checkpoint, Signer

OUT = Path(__file__).with_name("vectors")
ORIGIN = "city.example/decisions"


def _tree(n: int) -> tuple[list[bytes], dict[merkle.Node, bytes]]:
    hashes = [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]
    _, made = merkle.extend(0, [], hashes)
    nodes = {(lvl, i): h for lvl, i, h in made} | {(0, i): h for i, h in enumerate(hashes)}
    return hashes, nodes


def _root(nodes: dict[merkle.Node, bytes], size: int) -> bytes:
    return merkle.fold([nodes[n] for n in merkle.frontier_nodes(size)])


def _proof(nodes: dict[merkle.Node, bytes], ranges: list[merkle.Range]) -> list[str]:
    return [h.hex() for h in merkle.resolve(ranges, lambda w: {n: nodes[n] for n in w})]


def _mutations(proof: list[str], extra: str) -> dict[str, list[str]]:
    swapped = list(proof)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    return {
        "truncated-proof": proof[:-1],
        "extended-proof": [*proof, extra],
        "swapped-sibling": swapped,
        "trailing-garbage": [proof[0] + "00", *proof[1:]],
    }


def _inclusion(index: int, size: int) -> list[dict[str, Any]]:
    hashes, nodes = _tree(size)
    base = {
        "kind": "inclusion",
        "index": index,
        "tree_size": size,
        "leaf_hash": hashes[index].hex(),
        "root_hash": _root(nodes, size).hex(),
        "inclusion": _proof(nodes, merkle.inclusion_ranges(index, size)),
    }
    out = [{"name": "valid", "valid": True, **base}]
    other = (index + 1) % size
    out.append({**base, "name": "wrong-leaf", "valid": False, "leaf_hash": hashes[other].hex()})
    out.append({**base, "name": "wrong-index", "valid": False, "index": other})
    # An inclusion proof binds the size only through the proof's shape (13 and 14 give the same
    # path for index 4); the signed checkpoint binds it. So the mutation doubles the size.
    out.append({**base, "name": "wrong-size", "valid": False, "tree_size": size * 2})
    for name, proof in _mutations(base["inclusion"], hashes[0].hex()).items():
        out.append({**base, "name": name, "valid": False, "inclusion": proof})
    return out


def _consistency(old: int, new: int) -> list[dict[str, Any]]:
    _, nodes = _tree(new)
    base = {
        "kind": "consistency",
        "from": old,
        "to": new,
        "old_root": _root(nodes, old).hex(),
        "new_root": _root(nodes, new).hex(),
        "consistency": _proof(nodes, merkle.consistency_ranges(old, new)),
    }
    out = [{"name": "valid", "valid": True, **base}]
    out.append({**base, "name": "wrong-size", "valid": False, "from": old + 1})
    for name, proof in _mutations(base["consistency"], nodes[(0, 0)].hex()).items():
        out.append({**base, "name": name, "valid": False, "consistency": proof})
    return out


def _checkpoints() -> tuple[str, list[dict[str, Any]]]:
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"sanctuary test vectors").digest())
    signer = Signer(ORIGIN, key)
    _, nodes = _tree(13)
    text = Checkpoint(ORIGIN, 13, _root(nodes, 13)).text()
    note = text + "\n" + signer.sign(text)
    sig_line = note.split("\n")[-2]
    name, blob = sig_line[2:].split(" ")
    bad_sig = blob[:10] + ("A" if blob[10] != "A" else "B") + blob[11:]
    grown = text.replace("\n13\n", "\n14\n")
    out = [
        {"name": "valid", "valid": True, "note": note},
        {"name": "wrong-signature", "valid": False, "note": note.replace(blob, bad_sig)},
        {
            "name": "wrong-key-name",
            "valid": False,
            "note": note.replace(f"— {name} ", "— other.example/log "),
        },
        {"name": "trailing-garbage", "valid": False, "note": note + "garbage\n"},
        {"name": "wrong-size", "valid": False, "note": grown + note[len(text) :]},
    ]
    return signer.verifier.vkey(), [{"kind": "checkpoint", **v} for v in out]


def build() -> dict[str, Any]:
    vkey, checkpoints = _checkpoints()
    return {
        "description": "RFC 9162 proofs and C2SP checkpoints; leaves are b'leaf <i>'; "
        "each invalid vector is named by its mutation.",
        "vkey": vkey,
        "vectors": [
            *_inclusion(4, 13),
            *_inclusion(6, 8),
            *_consistency(4, 13),
            *_consistency(7, 13),
            *_consistency(3, 8),
            *checkpoints,
        ],
    }


def render() -> dict[str, str]:
    """One file per mutation (``valid.json``, ``wrong-leaf.json``…), each listing its vectors."""
    everything = build()
    files: dict[str, str] = {}
    for name in dict.fromkeys(v["name"] for v in everything["vectors"]):
        doc = {
            "description": everything["description"],
            "vkey": everything["vkey"],
            "vectors": [v for v in everything["vectors"] if v["name"] == name],
        }
        files[f"{name}.json"] = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    return files


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for filename, text in render().items():
        (OUT / filename).write_text(text, encoding="utf-8")
