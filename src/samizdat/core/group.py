"""The Ed25519 prime-order group, as libsodium exposes it, for FROST and the DKG.

This is the only module besides :mod:`samizdat.core.crypto` that imports PyNaCl.
It is a thin, typed layer over ``nacl.bindings``: scalars modulo the group order
``L`` and points of the prime-order subgroup, both as their canonical 32-byte
encodings (RFC 9591 §6.5: ``SerializeScalar`` is little-endian, ``SerializeElement``
is the RFC 8032 point encoding). No field arithmetic is written here: every group
operation is libsodium's.

Why bytes rather than classes: every value crosses a file or the store sooner or
later, and FROST's hashes are defined over the encodings. ``Scalar`` and ``Point``
are ``NewType`` s over ``bytes`` so that mypy keeps them apart at no run-time cost.

Decoding (:func:`scalar`, :func:`point`) is strict: non-canonical scalars
(``>= L``), encodings that are not on the curve, small-order points and the identity
are rejected with :class:`~samizdat.errors.DecodeError`, as RFC 9591's
``DeserializeScalar`` / ``DeserializeElement`` require.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final, NewType

import nacl.bindings as _sodium
import nacl.exceptions as _nacl_exc

from samizdat.core.crypto import Rng
from samizdat.errors import CryptoError, DecodeError

__all__ = [
    "BASE",
    "IDENTITY",
    "ORDER",
    "ZERO",
    "Point",
    "Scalar",
    "base_mult",
    "point",
    "point_add",
    "point_sub",
    "point_sum",
    "random_scalar",
    "scalar",
    "scalar_add",
    "scalar_from_int",
    "scalar_from_wide",
    "scalar_inv",
    "scalar_mul",
    "scalar_mult",
    "scalar_neg",
    "scalar_sub",
    "scalar_to_int",
    "sha512_scalar",
]

Scalar = NewType("Scalar", bytes)
"""A canonical 32-byte little-endian integer in ``[0, L)``."""

Point = NewType("Point", bytes)
"""A 32-byte encoding of a point of the prime-order subgroup (or the identity)."""

ORDER: Final = 2**252 + 27742317777372353535851937790883648493
"""``L``, the order of the prime-order subgroup."""

ZERO: Final = Scalar(bytes(32))
IDENTITY: Final = Point(b"\x01" + bytes(31))
BASE: Final = Point(bytes.fromhex("58" + "66" * 31))


# ------------------------------------------------------------------------ scalars


def scalar(data: bytes) -> Scalar:
    """Decode a canonical scalar; :class:`DecodeError` if it is not 32 bytes or >= L."""
    if len(data) != 32:
        raise DecodeError("a scalar is 32 bytes")
    if int.from_bytes(data, "little") >= ORDER:
        raise DecodeError("scalar is not reduced modulo the group order")
    return Scalar(bytes(data))


def scalar_from_int(value: int) -> Scalar:
    """The scalar ``value mod L`` (also for negative values)."""
    return Scalar((value % ORDER).to_bytes(32, "little"))


def scalar_to_int(s: Scalar) -> int:
    """The integer a scalar encodes."""
    return int.from_bytes(s, "little")


def scalar_from_wide(data: bytes) -> Scalar:
    """Reduce a 64-byte little-endian integer modulo L (libsodium's scalar_reduce)."""
    if len(data) != 64:
        raise CryptoError("a wide scalar is 64 bytes")
    return Scalar(bytes(_sodium.crypto_core_ed25519_scalar_reduce(data)))


def sha512_scalar(*parts: bytes) -> Scalar:
    """SHA-512 of the concatenation of ``parts``, reduced modulo L.

    This is how RFC 9591's H1, H2 and H3 (and RFC 8032's challenge) map bytes to a
    scalar for Ed25519.
    """
    h = hashlib.sha512()
    for p in parts:
        h.update(p)
    return scalar_from_wide(h.digest())


def random_scalar(rng: Rng) -> Scalar:
    """A uniformly random scalar from 64 bytes of ``rng`` (reduced, so bias ~2^-259)."""
    raw = rng(64)
    if len(raw) != 64:
        raise CryptoError("the random source returned the wrong number of bytes")
    return scalar_from_wide(raw)


def scalar_add(a: Scalar, b: Scalar) -> Scalar:
    """``a + b mod L``."""
    return Scalar(bytes(_sodium.crypto_core_ed25519_scalar_add(a, b)))


def scalar_sub(a: Scalar, b: Scalar) -> Scalar:
    """``a - b mod L``."""
    return Scalar(bytes(_sodium.crypto_core_ed25519_scalar_sub(a, b)))


def scalar_mul(a: Scalar, b: Scalar) -> Scalar:
    """``a * b mod L``."""
    return Scalar(bytes(_sodium.crypto_core_ed25519_scalar_mul(a, b)))


def scalar_neg(a: Scalar) -> Scalar:
    """``-a mod L``."""
    return Scalar(bytes(_sodium.crypto_core_ed25519_scalar_negate(a)))


def scalar_inv(a: Scalar) -> Scalar:
    """``a^-1 mod L``; :class:`CryptoError` for zero, which has no inverse."""
    if a == ZERO:
        raise CryptoError("zero has no inverse")
    return Scalar(bytes(_sodium.crypto_core_ed25519_scalar_invert(a)))


# ------------------------------------------------------------------------- points


def point(data: bytes) -> Point:
    """Decode a point of the prime-order subgroup, rejecting the identity, small-order
    points and encodings not on the curve (RFC 9591 ``DeserializeElement``)."""
    if len(data) != 32:
        raise DecodeError("a group element is 32 bytes")
    if not _sodium.crypto_core_ed25519_is_valid_point(bytes(data)):
        raise DecodeError("not a valid group element (off the curve, small order or identity)")
    # libsodium accepts a non-canonical y (>= p) for a few values; the RFC does not
    y = int.from_bytes(data, "little") & ((1 << 255) - 1)
    if y >= 2**255 - 19:
        raise DecodeError("group element is not canonically encoded")
    return Point(bytes(data))


def base_mult(s: Scalar) -> Point:
    """``s * B`` for the standard base point, without clamping."""
    if s == ZERO:
        return IDENTITY
    return Point(bytes(_sodium.crypto_scalarmult_ed25519_base_noclamp(s)))


def scalar_mult(s: Scalar, p: Point) -> Point:
    """``s * P`` without clamping (identity for a zero scalar or the identity)."""
    if s == ZERO or p == IDENTITY:
        return IDENTITY
    try:
        return Point(bytes(_sodium.crypto_scalarmult_ed25519_noclamp(s, p)))
    except (_nacl_exc.RuntimeError, _nacl_exc.ValueError) as exc:
        raise CryptoError("point multiplication failed (invalid point)") from exc


def point_add(p: Point, q: Point) -> Point:
    """``P + Q``."""
    try:
        return Point(bytes(_sodium.crypto_core_ed25519_add(p, q)))
    except (_nacl_exc.RuntimeError, _nacl_exc.ValueError) as exc:
        raise CryptoError("point addition failed (invalid point)") from exc


def point_sub(p: Point, q: Point) -> Point:
    """``P - Q``."""
    try:
        return Point(bytes(_sodium.crypto_core_ed25519_sub(p, q)))
    except (_nacl_exc.RuntimeError, _nacl_exc.ValueError) as exc:
        raise CryptoError("point subtraction failed (invalid point)") from exc


def point_sum(points: Iterable[Point]) -> Point:
    """The sum of ``points`` (the identity for none)."""
    total = IDENTITY
    for p in points:
        total = point_add(total, p)
    return total
