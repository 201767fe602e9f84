"""The Merkle tree over a text's paragraphs (RFC 6962 / RFC 9162 §2.1, SHA-256).

Why a tree and not one hash of the whole text: a retyped or partial copy can then be
checked paragraph by paragraph. Given the signed root (the *text id*) and a short
inclusion proof, anyone can confirm that one paragraph, at one position, belongs to
the signed text without seeing the others.

* leaf hash: ``SHA-256(0x00 || paragraph UTF-8)`` (:func:`samizdat.core.text.paragraph_hash`);
* node hash: ``SHA-256(0x01 || left || right)``;
* for ``n > 1`` leaves, the left subtree holds the largest power of two ``k < n``.

The prefixes keep a leaf from ever being taken for a node (second-preimage attacks).
The tree is the one Certificate Transparency uses, so its inclusion proofs can be
checked by existing tools. See ``docs/spec/text.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from samizdat.core import crypto
from samizdat.errors import TextError, VerificationFailed

__all__ = [
    "HASH_BYTES",
    "MerkleBuilder",
    "inclusion_proof",
    "merkle_root",
    "node_hash",
    "verify_inclusion",
]

HASH_BYTES: Final = 32
_NODE_PREFIX: Final = b"\x01"


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return crypto.sha256(_NODE_PREFIX + left + right)


def _check_leaves(leaf_hashes: Sequence[bytes]) -> None:
    if not leaf_hashes:
        raise TextError("a text has at least one paragraph")
    for h in leaf_hashes:
        if len(h) != HASH_BYTES:
            raise ValueError("a leaf hash is 32 bytes")


def _root(leaves: Sequence[bytes]) -> bytes:
    n = len(leaves)
    if n == 1:
        return leaves[0]
    k = 1 << ((n - 1).bit_length() - 1)  # largest power of two < n
    return node_hash(_root(leaves[:k]), _root(leaves[k:]))


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root over these leaf hashes: a text's id. At least one leaf."""
    _check_leaves(leaf_hashes)
    builder = MerkleBuilder()
    for h in leaf_hashes:
        builder.add(h)
    return builder.root()


class MerkleBuilder:
    """Computes the same root as :func:`merkle_root` from leaves added one by one,
    keeping only O(log n) hashes: the roots of the perfect subtrees seen so far, like
    the digits of a binary counter. This is what lets a 200 MB text be hashed in
    bounded memory."""

    __slots__ = ("_count", "_stack")

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (height, subtree root)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, leaf_hash: bytes) -> None:
        """Append the next leaf hash."""
        if len(leaf_hash) != HASH_BYTES:
            raise ValueError("a leaf hash is 32 bytes")
        height, h = 0, leaf_hash
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            h = node_hash(left, h)
            height += 1
        self._stack.append((height, h))
        self._count += 1

    def root(self) -> bytes:
        """The root of the leaves added so far (at least one)."""
        if not self._stack:
            raise TextError("a text has at least one paragraph")
        # Perfect subtrees, left to right, have strictly decreasing heights; RFC 6962
        # joins the rightmost ones first.
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path (RFC 6962 §2.1.1 PATH) for leaf ``index`` (0-based)."""
    _check_leaves(leaf_hashes)
    if not 0 <= index < len(leaf_hashes):
        raise IndexError("leaf index out of range")
    proof: list[bytes] = []
    leaves = leaf_hashes
    m = index
    # walk down from the root, collecting the sibling of each subtree holding m
    stack: list[bytes] = []
    while len(leaves) > 1:
        n = len(leaves)
        k = 1 << ((n - 1).bit_length() - 1)
        if m < k:
            stack.append(_root(leaves[k:]))
            leaves = leaves[:k]
        else:
            stack.append(_root(leaves[:k]))
            leaves = leaves[k:]
            m -= k
    proof.extend(reversed(stack))  # the path lists siblings from the leaf up
    return proof


def verify_inclusion(
    root: bytes, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """Check that ``leaf_hash`` is leaf ``index`` (0-based) of the ``size``-leaf tree
    with this ``root`` (RFC 9162 §2.1.3.2). Returns the verified leaf hash.

    Raises :class:`VerificationFailed` if the proof does not lead to the root or is
    malformed (wrong lengths, index out of range, too long or too short).
    """
    if not 0 <= index < size:
        raise VerificationFailed("inclusion proof: paragraph index out of range")
    if len(root) != HASH_BYTES or len(leaf_hash) != HASH_BYTES:
        raise VerificationFailed("inclusion proof: hashes are 32 bytes")
    if len(proof) > 64 or any(len(p) != HASH_BYTES for p in proof):
        raise VerificationFailed("inclusion proof is malformed")
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise VerificationFailed("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationFailed("inclusion proof is too short")
    if not crypto.constant_time_equal(r, root):
        raise VerificationFailed("this paragraph is not part of the signed text")
    return leaf_hash
