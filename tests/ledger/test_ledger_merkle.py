"""The Merkle core against RFC 9162's definitions, published vectors and an independent verifier."""

from __future__ import annotations

import hashlib

import pytest
import rfc9162_verifier as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.errors import VerificationError
from sanctuary.ledger import merkle

# RFC 6962 reference leaves and roots used by the Certificate Transparency implementations'
# merkle tree tests (roots of the first 1..8 leaves).
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def leaves(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


class Tree:
    """A whole tree in memory, answering node reads the way a store does."""

    def __init__(self, n: int) -> None:
        self.data = leaves(n)
        self.hashes = [merkle.leaf_hash(d) for d in self.data]
        _, made = merkle.extend(0, [], self.hashes)
        self.nodes = {(lvl, i): h for lvl, i, h in made}
        self.nodes.update({(0, i): h for i, h in enumerate(self.hashes)})

    def fetch(self, wanted: list[merkle.Node]) -> dict[merkle.Node, bytes]:
        return {n: self.nodes[n] for n in wanted}

    def root(self, size: int) -> bytes:
        if size == 0:
            return merkle.EMPTY_ROOT
        return merkle.fold([self.nodes[n] for n in merkle.frontier_nodes(size)])

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return merkle.resolve(merkle.inclusion_ranges(index, size), self.fetch)

    def consistency(self, old: int, new: int) -> list[bytes]:
        return merkle.resolve(merkle.consistency_ranges(old, new), self.fetch)


TREES = {n: Tree(n) for n in (1, 2, 3, 7, 8, 13, 64, 300)}


def test_hashing_is_rfc9162_domain_separated() -> None:
    assert merkle.EMPTY_ROOT.hex() == hashlib.sha256(b"").hexdigest()
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_match_the_published_ct_vectors(n: int) -> None:
    hashes = [merkle.leaf_hash(d) for d in CT_LEAVES[:n]]
    assert merkle.root_of(hashes).hex() == CT_ROOTS[n - 1]
    frontier, _ = merkle.extend(0, [], hashes)
    assert merkle.fold(frontier).hex() == CT_ROOTS[n - 1]
    assert ref.mth(CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]


@given(st.integers(1, 300))
@settings(max_examples=60, deadline=None)
def test_incremental_extension_equals_the_definition(n: int) -> None:
    data = leaves(n)
    hashes = [merkle.leaf_hash(d) for d in data]
    # Split the appends at an arbitrary point: batches must not change any hash.
    cut = n // 3
    frontier, made1 = merkle.extend(0, [], hashes[:cut])
    frontier, made2 = merkle.extend(cut, frontier, hashes[cut:])
    assert merkle.fold(frontier) == ref.mth(data) == merkle.root_of(hashes)
    # Only complete subtrees are stored: floor(n / 2^L) at each level L >= 1.
    assert len(made1) + len(made2) == n - bin(n).count("1")


@pytest.mark.parametrize("n", range(1, 301))
def test_every_inclusion_proof_verifies_at_every_size(n: int) -> None:
    tree = TREES[300]
    root = tree.root(n)
    assert root == merkle.root_of(tree.hashes[:n])
    for m in range(n):
        proof = tree.inclusion(m, n)
        merkle.verify_inclusion(m, n, tree.hashes[m], proof, root)
        assert ref.verify_inclusion(m, n, tree.hashes[m], proof, root)


@pytest.mark.parametrize("n", range(1, 65))
def test_every_consistency_proof_verifies_for_small_sizes(n: int) -> None:
    tree = TREES[64]
    for m in range(0, n + 1):
        proof = tree.consistency(m, n)
        merkle.verify_consistency(m, n, tree.root(m), tree.root(n), proof)
        assert ref.verify_consistency(m, n, tree.root(m), tree.root(n), proof)


@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
@settings(max_examples=300, deadline=None)
def test_consistency_proofs_verify_at_larger_sizes(pair: tuple[int, int]) -> None:
    m, n = pair
    tree = TREES[300]
    proof = tree.consistency(m, n)
    merkle.verify_consistency(m, n, tree.root(m), tree.root(n), proof)
    assert ref.verify_consistency(m, n, tree.root(m), tree.root(n), proof)


@given(
    st.integers(2, 300).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))), st.data()
)
@settings(max_examples=200, deadline=None)
def test_any_single_bit_flip_in_an_inclusion_proof_is_rejected(
    pair: tuple[int, int], data: st.DataObject
) -> None:
    m, n = pair
    tree = TREES[300]
    proof = tree.inclusion(m, n)
    k = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    bad = list(proof)
    bad[k] = bytes(b ^ (1 << (bit % 8)) if j == bit // 8 else b for j, b in enumerate(bad[k]))
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(m, n, tree.hashes[m], bad, tree.root(n))
    assert not ref.verify_inclusion(m, n, tree.hashes[m], bad, tree.root(n))


@given(
    st.integers(2, 300).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))), st.data()
)
@settings(max_examples=200, deadline=None)
def test_a_changed_consistency_proof_is_rejected(
    pair: tuple[int, int], data: st.DataObject
) -> None:
    m, n = pair
    tree = TREES[300]
    proof = tree.consistency(m, n)
    k = data.draw(st.integers(0, len(proof) - 1))
    bad = list(proof)
    bad[k] = hashlib.sha256(bad[k]).digest()
    with pytest.raises(VerificationError):
        merkle.verify_consistency(m, n, tree.root(m), tree.root(n), bad)
    assert not ref.verify_consistency(m, n, tree.root(m), tree.root(n), bad)


def test_root_mismatch_names_both_roots_in_hex() -> None:
    tree = TREES[13]
    proof = tree.inclusion(4, 13)
    wrong = hashlib.sha256(b"other").digest()
    with pytest.raises(merkle.RootMismatchError) as err:
        merkle.verify_inclusion(4, 13, tree.hashes[4], proof, wrong)
    assert wrong.hex() in str(err.value)
    assert tree.root(13).hex() in str(err.value)
    assert err.value.code == "root_mismatch"


def test_proof_lengths_match_the_reference_table() -> None:
    # Reference Part B1: max inclusion-proof hashes at 10^3 and 10^6 entries are 10 and 20.
    assert max(len(merkle.inclusion_ranges(i, 1000)) for i in range(1000)) == 10
    assert len(merkle.inclusion_ranges(0, 10**6)) == 20


def test_ranges_refuse_impossible_requests() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)
    with pytest.raises(VerificationError):
        merkle.verify_consistency(3, 3, merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, [merkle.EMPTY_ROOT])
