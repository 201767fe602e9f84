"""The frame shared by every committee message file (DKG rounds, commitments, shares).

A message file is ``b"SZCM"``, one version byte (``1``), then one canonical CBOR map
(:mod:`samizdat.core.cbor`) whose ``"t"`` key names its kind. Files travel by any
channel, so :func:`decode` treats them as hostile: size-capped before parsing, strict
CBOR, the kind checked, and typed field getters that raise
:class:`~samizdat.errors.DecodeError` with the field's name. See
``docs/spec/committee.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from samizdat.core import cbor
from samizdat.core import group as g
from samizdat.errors import DecodeError

__all__ = [
    "MAGIC",
    "MAX_MESSAGE_BYTES",
    "VERSION",
    "Fields",
    "decode",
    "encode",
]

MAGIC: Final = b"SZCM"
VERSION: Final = 1
MAX_MESSAGE_BYTES: Final = 256 * 1024
"""Larger than any honest message (a round-2 message for 255 members is ~45 KiB)."""


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
        raise DecodeError("not a samizdat committee message")
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
