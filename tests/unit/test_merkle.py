"""The paragraph Merkle tree against RFC 6962's published test data, plus proofs for
every leaf of every small tree and rejection of every tampered proof."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core.merkle import (
    MerkleBuilder,
    inclusion_proof,
    merkle_root,
    node_hash,
    verify_inclusion,
)
from samizdat.errors import TextError, VerificationFailed

# Certificate Transparency's reference leaves and roots (RFC 6962 test data, as in
# google/certificate-transparency and transparency-dev/merkle).
CT_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]
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
CT_INCLUSION = [  # (1-based leaf, tree size, audit path)
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


LEAF_HASHES = [leaf(x) for x in CT_LEAVES]


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH written straight from the definition, independent of the
    code under test."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + reference_root(leaves[:k])
                          + reference_root(leaves[k:])).digest()


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_match_rfc6962_reference(n: int) -> None:
    assert merkle_root(LEAF_HASHES[:n]).hex() == CT_ROOTS[n - 1]


@pytest.mark.parametrize(("one_based", "size", "path"), CT_INCLUSION)
def test_inclusion_proofs_match_rfc6962_reference(one_based: int, size: int,
                                                  path: list[str]) -> None:
    proof = inclusion_proof(LEAF_HASHES[:size], one_based - 1)
    assert [p.hex() for p in proof] == path
    root = bytes.fromhex(CT_ROOTS[size - 1])
    assert verify_inclusion(root, LEAF_HASHES[one_based - 1], one_based - 1, size,
                            proof) == LEAF_HASHES[one_based - 1]


def test_every_leaf_of_every_tree_up_to_40_proves_and_tampering_fails() -> None:
    leaves = [leaf(i.to_bytes(2, "big")) for i in range(40)]
    for n in range(1, 41):
        root = merkle_root(leaves[:n])
        assert root == reference_root(leaves[:n])
        for i in range(n):
            proof = inclusion_proof(leaves[:n], i)
            verify_inclusion(root, leaves[i], i, n, proof)
            with pytest.raises(VerificationFailed):
                verify_inclusion(root, leaves[(i + 1) % 40], i, n, proof)
            if n > 1:
                with pytest.raises(VerificationFailed):
                    verify_inclusion(root, leaves[i], (i + 1) % n, n, proof)
                with pytest.raises(VerificationFailed):  # one proof hash flipped
                    bad = [*proof]
                    bad[0] = bytes([bad[0][0] ^ 1]) + bad[0][1:]
                    verify_inclusion(root, leaves[i], i, n, bad)
                with pytest.raises(VerificationFailed):  # truncated proof
                    verify_inclusion(root, leaves[i], i, n, proof[:-1])
            with pytest.raises(VerificationFailed):  # padded proof
                verify_inclusion(root, leaves[i], i, n, [*proof, root])


@pytest.mark.parametrize(("index", "size", "proof"), [
    (0, 0, []), (3, 3, []), (-1, 5, []),
    (0, 2, [b"short"]), (0, 2, [b"\x00" * 32] * 65),
])
def test_malformed_proofs_are_refused(index: int, size: int, proof: list[bytes]) -> None:
    with pytest.raises(VerificationFailed):
        verify_inclusion(b"\x00" * 32, b"\x00" * 32, index, size, proof)


def test_a_tree_needs_a_leaf() -> None:
    with pytest.raises(TextError):
        merkle_root([])
    with pytest.raises(TextError):
        MerkleBuilder().root()


def test_leaves_must_be_hashes() -> None:
    with pytest.raises(ValueError):
        merkle_root([b"abc"])


def test_node_hash_is_prefixed_so_a_node_is_not_a_leaf() -> None:
    a, b = leaf(b"a"), leaf(b"b")
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert node_hash(a, b) != leaf(a + b)


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=100))
@settings(max_examples=200)
def test_streaming_builder_equals_reference(leaves: list[bytes]) -> None:
    b = MerkleBuilder()
    for h in leaves:
        b.add(h)
        assert b.root() == reference_root(leaves[: len(b)])
