"""FROST(Ed25519, SHA-512) threshold signing, as RFC 9591 specifies it.

A committee whose members each hold a share ``s_i`` of a group secret ``s`` (from
:mod:`samizdat.core.dkg`; nobody ever holds ``s``) produces, with any ``k`` of them,
one ordinary Ed25519 signature under the group key ``Y = s*B``. Nothing in the
signature says who signed or how many members there are: that is the point.

Two rounds (RFC 9591 §5):

1. :func:`commit`: each signer draws two single-use nonces and publishes their
   commitments ``(D_i, E_i)``. The nonces must be used for exactly one signature
   and then destroyed; reusing them for two messages reveals ``s_i``. Keeping that
   promise across days is the store's job (``store/committee.py``).
2. :func:`sign`: given the message and the commitments of all signers, each signer
   computes its share ``z_i``. :func:`aggregate` checks every share against the
   signer's public verification share (naming the bad signer) and sums them.

Everything is pure: randomness comes in as bytes or an ``rng``; group operations
are libsodium's (:mod:`samizdat.core.group`). The hash functions are the RFC's
H1..H5 with ``contextString = "FROST-ED25519-SHA512-v1"``; H2 has no context so
that the result is a standard RFC 8032 signature.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from samizdat.core import group as g
from samizdat.core.crypto import Rng, ed25519_verify
from samizdat.errors import BadSignature, CryptoError, InputError

__all__ = [
    "CONTEXT_STRING",
    "MAX_SIGNERS",
    "BadShare",
    "Commitment",
    "Nonces",
    "aggregate",
    "binding_factor_input",
    "binding_factors",
    "challenge",
    "commit",
    "commit_with_randomness",
    "encode_commitment_list",
    "group_commitment",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "identifier_scalar",
    "lagrange_coefficient",
    "nonce_generate",
    "sign",
    "verify_share",
]

CONTEXT_STRING: Final = b"FROST-ED25519-SHA512-v1"
MAX_SIGNERS: Final = 255
"""The largest committee samizdat accepts (identifiers are 1..255)."""


class BadShare(BadSignature):
    """A signature share does not verify against its signer's verification share.

    ``identifier`` names the signer so that the committee knows whom to ask again.
    """

    def __init__(self, identifier: int) -> None:
        super().__init__(
            f"the signature share of member {identifier} is invalid",
            hint=f"ask member {identifier} to sign again with a fresh commitment",
        )
        self.identifier = identifier


# ------------------------------------------------------------------------- hashes


def h1(m: bytes) -> g.Scalar:
    """RFC 9591 H1: binding factors."""
    return g.sha512_scalar(CONTEXT_STRING, b"rho", m)


def h2(m: bytes) -> g.Scalar:
    """RFC 9591 H2: the challenge; plain SHA-512 as in RFC 8032."""
    return g.sha512_scalar(m)


def h3(m: bytes) -> g.Scalar:
    """RFC 9591 H3: nonce derivation."""
    return g.sha512_scalar(CONTEXT_STRING, b"nonce", m)


def h4(m: bytes) -> bytes:
    """RFC 9591 H4: the message hash inside binding factors."""
    return hashlib.sha512(CONTEXT_STRING + b"msg" + m).digest()


def h5(m: bytes) -> bytes:
    """RFC 9591 H5: the hash of the encoded commitment list."""
    return hashlib.sha512(CONTEXT_STRING + b"com" + m).digest()


# ---------------------------------------------------------------------- round one


@dataclass(frozen=True)
class Nonces:
    """A signer's two single-use secret nonces. Never printed."""

    hiding: g.Scalar = field(repr=False)
    binding: g.Scalar = field(repr=False)


@dataclass(frozen=True)
class Commitment:
    """A signer's public commitment to its nonces: ``D = d*B``, ``E = e*B``."""

    identifier: int
    hiding: g.Point
    binding: g.Point

    def __post_init__(self) -> None:
        _check_identifier(self.identifier)


def _check_identifier(identifier: int) -> None:
    if isinstance(identifier, bool) or not 1 <= identifier <= MAX_SIGNERS:
        raise InputError(f"a member index is between 1 and {MAX_SIGNERS}")


def identifier_scalar(identifier: int) -> g.Scalar:
    """A member's index as the scalar the RFC calls its identifier."""
    _check_identifier(identifier)
    return g.scalar_from_int(identifier)


def nonce_generate(secret: g.Scalar, random_bytes: bytes) -> g.Scalar:
    """RFC 9591 §4.1: ``H3(random_bytes || SerializeScalar(secret))``.

    Mixing the secret share in means a weak random source alone cannot make two
    signers (or two sessions) pick the same nonce.
    """
    if len(random_bytes) != 32:
        raise CryptoError("nonce randomness is 32 bytes")
    return h3(random_bytes + secret)


def commit_with_randomness(
    identifier: int, secret: g.Scalar, hiding_random: bytes, binding_random: bytes
) -> tuple[Nonces, Commitment]:
    """Round one with the randomness given explicitly (for the RFC vectors)."""
    nonces = Nonces(nonce_generate(secret, hiding_random), nonce_generate(secret, binding_random))
    return nonces, Commitment(
        identifier, g.base_mult(nonces.hiding), g.base_mult(nonces.binding)
    )


def commit(identifier: int, secret: g.Scalar, rng: Rng) -> tuple[Nonces, Commitment]:
    """Round one: fresh single-use nonces and their public commitment."""
    return commit_with_randomness(identifier, secret, rng(32), rng(32))


# ---------------------------------------------------------------------- round two


def _sorted_commitments(commitments: Sequence[Commitment]) -> list[Commitment]:
    ordered = sorted(commitments, key=lambda c: c.identifier)
    for a, b in itertools.pairwise(ordered):
        if a.identifier == b.identifier:
            raise InputError(f"two commitments from member {a.identifier}")
    if not ordered:
        raise InputError("no commitments")
    return ordered


def encode_commitment_list(commitments: Sequence[Commitment]) -> bytes:
    """RFC 9591 §4.3 ``encode_group_commitment_list``, sorted by identifier."""
    return b"".join(
        identifier_scalar(c.identifier) + c.hiding + c.binding
        for c in _sorted_commitments(commitments)
    )


def binding_factor_input(
    group_key: g.Point, commitments: Sequence[Commitment], message: bytes, identifier: int
) -> bytes:
    """The bytes H1 hashes into member ``identifier``'s binding factor."""
    prefix = group_key + h4(message) + h5(encode_commitment_list(commitments))
    return prefix + identifier_scalar(identifier)


def binding_factors(
    group_key: g.Point, commitments: Sequence[Commitment], message: bytes
) -> dict[int, g.Scalar]:
    """RFC 9591 §4.4: one binding factor per signer, tying its nonces to this
    message and this exact set of commitments."""
    ordered = _sorted_commitments(commitments)
    prefix = group_key + h4(message) + h5(encode_commitment_list(ordered))
    return {c.identifier: h1(prefix + identifier_scalar(c.identifier)) for c in ordered}


def group_commitment(
    commitments: Sequence[Commitment], factors: Mapping[int, g.Scalar]
) -> g.Point:
    """RFC 9591 §4.5: ``R = sum(D_i + rho_i * E_i)``, the signature's R."""
    return g.point_sum(
        g.point_add(c.hiding, g.scalar_mult(factors[c.identifier], c.binding))
        for c in _sorted_commitments(commitments)
    )


def challenge(r: g.Point, group_key: g.Point, message: bytes) -> g.Scalar:
    """RFC 9591 §4.6: ``H2(R || Y || msg)``, the RFC 8032 challenge."""
    return h2(r + group_key + message)


def lagrange_coefficient(identifiers: Sequence[int], identifier: int) -> g.Scalar:
    """RFC 9591 §4.2 ``derive_interpolating_value``: the Lagrange coefficient at 0."""
    if identifier not in identifiers:
        raise InputError(f"member {identifier} is not among the signers")
    if len(set(identifiers)) != len(identifiers):
        raise InputError("a member appears twice among the signers")
    x_i = identifier_scalar(identifier)
    num = g.scalar_from_int(1)
    den = g.scalar_from_int(1)
    for j in identifiers:
        if j == identifier:
            continue
        x_j = identifier_scalar(j)
        num = g.scalar_mul(num, x_j)
        den = g.scalar_mul(den, g.scalar_sub(x_j, x_i))
    return g.scalar_mul(num, g.scalar_inv(den))


def sign(
    identifier: int,
    secret: g.Scalar,
    group_key: g.Point,
    nonces: Nonces,
    message: bytes,
    commitments: Sequence[Commitment],
) -> g.Scalar:
    """Round two (RFC 9591 §5.2): this signer's share
    ``z_i = d_i + e_i*rho_i + lambda_i*s_i*c``.

    The caller must destroy ``nonces`` before the share leaves the machine.
    """
    ordered = _sorted_commitments(commitments)
    own = [c for c in ordered if c.identifier == identifier]
    if not own:
        raise InputError("this member's own commitment is not among the commitments")
    if own[0] != Commitment(identifier, g.base_mult(nonces.hiding), g.base_mult(nonces.binding)):
        raise InputError("the commitment listed for this member is not the one its nonces make")
    factors = binding_factors(group_key, ordered, message)
    r = group_commitment(ordered, factors)
    lam = lagrange_coefficient([c.identifier for c in ordered], identifier)
    c = challenge(r, group_key, message)
    return g.scalar_add(
        g.scalar_add(nonces.hiding, g.scalar_mul(nonces.binding, factors[identifier])),
        g.scalar_mul(g.scalar_mul(lam, secret), c),
    )


def verify_share(
    identifier: int,
    verification_share: g.Point,
    share: g.Scalar,
    commitments: Sequence[Commitment],
    group_key: g.Point,
    message: bytes,
) -> None:
    """RFC 9591 §5.4: check one share; :class:`BadShare` naming its signer if not."""
    ordered = _sorted_commitments(commitments)
    factors = binding_factors(group_key, ordered, message)
    c = challenge(group_commitment(ordered, factors), group_key, message)
    _verify_share(identifier, verification_share, share, ordered, factors, c)


def _verify_share(
    identifier: int,
    verification_share: g.Point,
    share: g.Scalar,
    ordered: list[Commitment],
    factors: Mapping[int, g.Scalar],
    c: g.Scalar,
) -> None:
    own = [x for x in ordered if x.identifier == identifier]
    if not own:
        raise BadShare(identifier)
    comm = g.point_add(own[0].hiding, g.scalar_mult(factors[identifier], own[0].binding))
    lam = lagrange_coefficient([x.identifier for x in ordered], identifier)
    expected = g.point_add(comm, g.scalar_mult(g.scalar_mul(c, lam), verification_share))
    if g.base_mult(share) != expected:
        raise BadShare(identifier)


def aggregate(
    group_key: g.Point,
    message: bytes,
    commitments: Sequence[Commitment],
    shares: Mapping[int, g.Scalar],
    verification_shares: Mapping[int, g.Point],
    *,
    threshold: int,
) -> bytes:
    """RFC 9591 §5.3: check every share, sum them, check the result.

    Returns the 64-byte Ed25519 signature ``R || z``. Raises :class:`InputError` for
    fewer than ``threshold`` signers or shares that do not match the commitments,
    :class:`BadShare` naming the first bad signer (before anything is summed), and
    :class:`BadSignature` if the sum somehow does not verify.
    """
    ordered = _sorted_commitments(commitments)
    ids = [c.identifier for c in ordered]
    if len(ids) < threshold:
        raise InputError(
            f"{len(ids)} signers, but the committee needs {threshold}",
            hint="collect commitments and shares from more members",
        )
    missing = [i for i in ids if i not in shares]
    if missing:
        raise InputError(f"no signature share from member {missing[0]}")
    extra = [i for i in shares if i not in ids]
    if extra:
        raise InputError(f"a share from member {extra[0]}, who made no commitment here")
    factors = binding_factors(group_key, ordered, message)
    r = group_commitment(ordered, factors)
    c = challenge(r, group_key, message)
    for i in ids:
        if i not in verification_shares:
            raise InputError(f"member {i} is not on this committee")
        _verify_share(i, verification_shares[i], shares[i], ordered, factors, c)
    z = g.ZERO
    for i in ids:
        z = g.scalar_add(z, shares[i])
    signature = r + z
    ed25519_verify(group_key, message, signature)
    return signature
