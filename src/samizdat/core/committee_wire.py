"""The frame shared by every committee message file (DKG rounds, commitments, shares).

A message file is ``b"SZCM"``, one version byte (``1``), then one canonical CBOR map
(:mod:`samizdat.core.cbor`) whose ``"t"`` key names its kind. Files travel by any
channel, so :func:`decode` treats them as hostile: size-capped before parsing, strict
CBOR, the kind checked, and typed field getters that raise
:class:`~samizdat.errors.DecodeError` with the field's name. See
``docs/spec/committee.md``.

A committee that shares a secret (:class:`CommitteeSecret`, handed over in person)
*seals* every frame (:func:`seal` / :func:`unseal`): ``nonce || ChaCha20-Poly1305``
of the length-prefixed, zero-padded frame, so that a courier holds bytes that look
random: no magic, no kind, no n, k or index, and sizes rounded to a coarse bucket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from samizdat.core import cbor, codes
from samizdat.core import group as g
from samizdat.core.crypto import (
    Aead,
    Rng,
    derive_key,
)
from samizdat.core.envelope import padme
from samizdat.errors import CryptoError, DecodeError

__all__ = [
    "MAGIC",
    "MAX_MESSAGE_BYTES",
    "SEALED_MIN_BYTES",
    "SECRET_PREFIX",
    "VERSION",
    "CommitteeSecret",
    "Fields",
    "decode",
    "encode",
    "is_sealable_size",
    "seal",
    "seal_key",
    "unseal",
]

MAGIC: Final = b"SZCM"
VERSION: Final = 1
MAX_MESSAGE_BYTES: Final = 256 * 1024
"""Larger than any honest message (a round-2 message for 255 members is ~45 KiB)."""

SECRET_PREFIX: Final = codes.COMMITTEE_SECRET.prefix
"""Human-visible prefix of a committee secret code (distinct from caps' ``sz1-``)."""
SECRET_VERSION: Final = 1
SECRET_BYTES: Final = 20
"""160 random bits: far beyond guessing, and the code stays 40 characters long."""
SEAL_KEY_CONTEXT: Final = "samizdat 2026 committee messages v1"
SEAL_AAD: Final = b"samizdat 2026 committee sealed message v1"
SEAL_NONCE_BYTES: Final = 12
SEAL_TAG_BYTES: Final = 16
SEALED_MIN_BYTES: Final = 1024
"""Padded plaintext is at least this long: commitments, shares, final files and the
round messages of small committees all look the same size."""
_LEN_BYTES: Final = 4
_NOT_OURS: Final = "not a message of this committee, or the committee secret is wrong"


@dataclass(frozen=True)
class CommitteeSecret:
    """The secret a committee's members share in person; it seals their message
    files. The value is ``repr=False`` and the one serializer says "danger"."""

    value: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.value, bytes) or len(self.value) != SECRET_BYTES:
            raise DecodeError(f"a committee secret is {SECRET_BYTES} bytes")

    @classmethod
    def generate(cls, rng: Rng) -> CommitteeSecret:
        return cls(rng(SECRET_BYTES))

    def danger_real_secret_string(self) -> str:
        """``szc1-`` + lowercase base32 of version | secret | checksum (a
        :mod:`samizdat.core.codes` code). Whoever sees it can read and forge the
        committee's message files: never log it or pass it as a process argument."""
        return codes.encode(codes.COMMITTEE_SECRET, bytes([SECRET_VERSION]) + self.value)

    @classmethod
    def parse(cls, text: str) -> CommitteeSecret:
        """Strict parse; errors never repeat the input."""
        return cls(bytes(codes.decode(codes.COMMITTEE_SECRET, text)[1:]))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("committee secrets are not picklable")


def seal_key(secret: CommitteeSecret) -> bytes:
    """The 32-byte key that seals this committee's message files."""
    return derive_key(SEAL_KEY_CONTEXT, secret.value)


def _padded_size(frame_len: int) -> int:
    return padme(max(frame_len + _LEN_BYTES, SEALED_MIN_BYTES))


def is_sealable_size(frame_len: int) -> bool:
    """Whether a frame of this length still fits :data:`MAX_MESSAGE_BYTES` sealed."""
    return _padded_size(frame_len) + SEAL_NONCE_BYTES + SEAL_TAG_BYTES <= MAX_MESSAGE_BYTES


def seal(key: bytes, frame: bytes, rng: Rng) -> bytes:
    """``nonce(12) || AEAD(key, nonce, len(4, big-endian) || frame || zeros)`` with the
    plaintext padded to Padmé(max(len + 4, 1024)) bytes. The nonce is random: two
    seals of one frame share no byte pattern."""
    if not is_sealable_size(len(frame)):
        raise DecodeError("committee message is too large")
    size = _padded_size(len(frame))
    plain = len(frame).to_bytes(_LEN_BYTES, "big") + frame
    plain += bytes(size - len(plain))
    nonce = rng(SEAL_NONCE_BYTES)
    return nonce + Aead(key).encrypt(nonce, plain, SEAL_AAD)


def unseal(key: bytes, data: bytes) -> bytes:
    """The frame inside a sealed file, or :class:`DecodeError` with one message for
    every failure of authentication (another committee, a wrong secret, a changed
    byte, a plaintext file), so a probe learns nothing about why."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise DecodeError("committee message is too large")
    if len(data) < SEAL_NONCE_BYTES + SEAL_TAG_BYTES + SEALED_MIN_BYTES:
        raise DecodeError(_NOT_OURS, hint="every member must use the same committee secret")
    nonce, body = data[:SEAL_NONCE_BYTES], data[SEAL_NONCE_BYTES:]
    try:
        plain = Aead(key).decrypt(nonce, body, SEAL_AAD)
    except CryptoError:
        raise DecodeError(_NOT_OURS,
                          hint="every member must use the same committee secret") from None
    length = int.from_bytes(plain[:_LEN_BYTES], "big")
    if length > len(plain) - _LEN_BYTES or _padded_size(length) != len(plain):
        raise DecodeError("sealed committee message has a bad length")
    if any(plain[_LEN_BYTES + length:]):
        raise DecodeError("sealed committee message has non-zero padding")
    return plain[_LEN_BYTES:_LEN_BYTES + length]


def encode(kind: str, body: Mapping[str, cbor.Value]) -> bytes:
    """Frame ``body`` as a message of ``kind``."""
    fields: dict[str | int, cbor.Value] = {"t": kind}
    for key, value in body.items():
        fields[key] = value
    return MAGIC + bytes([VERSION]) + cbor.encode(fields)


class Fields:
    """Typed, checked access to a decoded message's fields."""

    __slots__ = ("_data", "kind")

    def __init__(self, kind: str, data: dict[str | int, cbor.Value]) -> None:
        self.kind = kind
        self._data = data

    def _get(self, key: str) -> cbor.Value:
        if key not in self._data:
            raise DecodeError(f"{self.kind} message has no '{key}' field")
        return self._data[key]

    def expect_keys(self, *keys: str) -> None:
        """Reject unknown fields: one message, one encoding."""
        extra = set(self._data) - set(keys) - {"t"}
        if extra:
            raise DecodeError(f"{self.kind} message has unknown fields")

    def int_in(self, key: str, lo: int, hi: int) -> int:
        v = self._get(key)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise DecodeError(f"{self.kind} message: '{key}' is not an integer in {lo}..{hi}")
        return v

    def raw(self, key: str, size: int | None = None, max_size: int = 1 << 16) -> bytes:
        v = self._get(key)
        if not isinstance(v, bytes):
            raise DecodeError(f"{self.kind} message: '{key}' is not bytes")
        if size is not None and len(v) != size:
            raise DecodeError(f"{self.kind} message: '{key}' is not {size} bytes")
        if len(v) > max_size:
            raise DecodeError(f"{self.kind} message: '{key}' is too long")
        return v

    def point(self, key: str) -> g.Point:
        return g.point(self.raw(key, 32))

    def scalar(self, key: str) -> g.Scalar:
        return g.scalar(self.raw(key, 32))

    def points(self, key: str, count: int) -> list[g.Point]:
        v = self._get(key)
        if not isinstance(v, list) or len(v) != count:
            raise DecodeError(f"{self.kind} message: '{key}' is not a list of {count} points")
        out = []
        for item in v:
            if not isinstance(item, bytes):
                raise DecodeError(f"{self.kind} message: '{key}' holds a non-bytes item")
            out.append(g.point(item))
        return out

    def int_map(self, key: str, lo: int, hi: int, max_item: int) -> dict[int, bytes]:
        v = self._get(key)
        if not isinstance(v, dict):
            raise DecodeError(f"{self.kind} message: '{key}' is not a map")
        out: dict[int, bytes] = {}
        for k, item in v.items():
            if isinstance(k, bool) or not isinstance(k, int) or not lo <= k <= hi:
                raise DecodeError(f"{self.kind} message: '{key}' has a key out of range")
            if not isinstance(item, bytes) or len(item) > max_item:
                raise DecodeError(f"{self.kind} message: '{key}' has a bad item")
            out[k] = item
        return out


def decode(data: bytes, kind: str | None = None) -> Fields:
    """Parse a message file; with ``kind``, insist on that kind."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise DecodeError("committee message is too large")
    if len(data) < len(MAGIC) + 2 or not data.startswith(MAGIC):
        raise DecodeError("not a samizdat committee message",
                          hint="a sealed file needs the committee secret given to 'dkg1'")
    if data[len(MAGIC)] != VERSION:
        raise DecodeError(f"committee message version {data[len(MAGIC)]} is not supported")
    body = cbor.decode(data[len(MAGIC) + 1 :], max_depth=4)
    if not isinstance(body, dict):
        raise DecodeError("committee message body is not a map")
    t = body.get("t")
    if not isinstance(t, str):
        raise DecodeError("committee message has no kind")
    if kind is not None and t != kind:
        raise DecodeError(f"expected a {kind} message, got a {t} message")
    return Fields(t, body)
