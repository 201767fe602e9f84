"""Read capabilities: the short secret that finds, rebuilds and opens an envelope.

A :class:`ReadCap` is what a person hands over beside the bytes (spoken, written on
paper, shown as a QR code). Whoever holds it and enough shards can read the
document; whoever holds shards without it holds random bytes.

Design (see ``docs/spec/capability.md``):

* a frozen dataclass whose secret (the envelope's root key) is ``repr=False``, so a
  cap can be logged, put in an exception or printed by a debugger without leaking;
* the one serializer is called :meth:`ReadCap.danger_real_capability_string`, so every
  call site that can leak a cap says so in its name (the tahoe-capabilities habit);
* the text form is ``sz1-`` followed by lowercase RFC 4648 base32 without padding of
  ``version | k | n | root key | checksum``; the 4-byte checksum catches typing
  mistakes before any shard is touched. The QR form is the same string in upper case,
  which fits QR's compact alphanumeric mode (45 symbols, 5.5 bits per character);
* :meth:`ReadCap.parse` is strict: anything else raises
  :class:`~samizdat.errors.DecodeError` whose message never repeats the input.

Only derivation downwards exists: the cap gives the envelope's subkeys
(:meth:`ReadCap.subkey`), nothing gives the cap back.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Final

from samizdat.core.crypto import constant_time_equal, derive_key, sha256
from samizdat.errors import DecodeError

__all__ = [
    "CAP_PREFIX",
    "CAP_VERSION",
    "MAX_SHARDS",
    "ReadCap",
]

CAP_VERSION: Final = 1
"""Version byte of the capability encoding (and of the envelope format it opens)."""

CAP_PREFIX: Final = "sz1-"
"""Human-visible prefix: says "this is a samizdat read capability, format 1"."""

MAX_SHARDS: Final = 255
"""zfec allows up to 256 shares; one byte holds n."""

ROOT_KEY_BYTES: Final = 32
_CHECKSUM_BYTES: Final = 4
_BODY_BYTES: Final = 3 + ROOT_KEY_BYTES
_RAW_BYTES: Final = _BODY_BYTES + _CHECKSUM_BYTES
# base32 without padding: ceil(39 * 8 / 5) = 63 characters
_B32_CHARS: Final = -(-_RAW_BYTES * 8 // 5)
_CHECKSUM_CONTEXT: Final = b"samizdat 2026 read capability checksum v1\x00"


def _checksum(body: bytes) -> bytes:
    # A plain (unkeyed) hash: it only has to catch typos, and it reveals nothing
    # the cap itself does not already reveal to whoever can see it.
    return sha256(_CHECKSUM_CONTEXT + body)[:_CHECKSUM_BYTES]


@dataclass(frozen=True)
class ReadCap:
    """The capability to read one envelope: its threshold ``k`` of ``n`` shards, and
    the secret ``root_key`` every envelope key is derived from.

    ``k`` and ``n`` are not secret to the holder but are kept inside the cap (not in
    the shards), so a shard alone reveals neither.
    """

    k: int
    n: int
    root_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not (1 <= self.k <= self.n <= MAX_SHARDS):
            raise DecodeError(
                f"a capability needs 1 <= k <= n <= {MAX_SHARDS}",
                hint="check the --k and --n values",
            )
        if not isinstance(self.root_key, bytes) or len(self.root_key) != ROOT_KEY_BYTES:
            raise DecodeError("a capability's key is 32 bytes")

    # ------------------------------------------------------------------ secrets

    def subkey(self, purpose: str) -> bytes:
        """A 32-byte key for one ``purpose`` of this envelope (BLAKE3 derive-key, so
        subkeys are independent and none gives back the root key). ``k`` and ``n``
        are bound in: the same root key with another threshold opens nothing."""
        return derive_key(
            f"samizdat 2026-11 envelope v{CAP_VERSION} {purpose}",
            self.root_key + bytes([self.k, self.n]),
        )

    def subkey_bytes(self, purpose: str, length: int) -> bytes:
        """``length`` bytes of key material for ``purpose`` (like :meth:`subkey`, for
        callers that split one derivation into several keys)."""
        return derive_key(
            f"samizdat 2026-11 envelope v{CAP_VERSION} {purpose}",
            self.root_key + bytes([self.k, self.n]),
            length=length,
        )

    def _raw(self) -> bytes:
        body = bytes([CAP_VERSION, self.k, self.n]) + self.root_key
        return body + _checksum(body)

    def danger_real_capability_string(self) -> str:
        """The capability as text: whoever sees this string can read the document.

        Never log it, put it in an exception, or pass it as a child process argument
        (use a file or the ``SAMIZDAT_CAP`` environment variable instead).
        """
        b32 = base64.b32encode(self._raw()).decode("ascii").rstrip("=").lower()
        return CAP_PREFIX + b32

    def danger_real_capability_qr_text(self) -> str:
        """The same capability in upper case, so a QR code can use its alphanumeric
        mode (smaller code, easier to scan). :meth:`parse` accepts both forms."""
        return self.danger_real_capability_string().upper()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReadCap):
            return NotImplemented
        return (self.k, self.n) == (other.k, other.n) and constant_time_equal(
            self.root_key, other.root_key
        )

    def __hash__(self) -> int:
        return hash((self.k, self.n, sha256(self.root_key)))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("read capabilities are not picklable (they are secrets)")

    # ------------------------------------------------------------------ parsing

    @classmethod
    def parse(cls, text: str) -> ReadCap:
        """Strictly decode a capability string (either case, surrounding whitespace
        ignored). Raises :class:`DecodeError` for anything else; the message never
        quotes the input, which may be a real capability with one typo."""
        if not isinstance(text, str):
            raise DecodeError("a capability is text")
        s = text.strip()
        if len(s) != len(CAP_PREFIX) + _B32_CHARS:
            if s[: len(CAP_PREFIX)].lower() != CAP_PREFIX:
                raise DecodeError(
                    "this is not a samizdat read capability",
                    hint=f"a capability starts with '{CAP_PREFIX}'",
                )
            raise DecodeError(
                "the read capability has the wrong length",
                hint=f"a capability is '{CAP_PREFIX}' followed by {_B32_CHARS} characters",
            )
        if s[: len(CAP_PREFIX)].lower() != CAP_PREFIX:
            raise DecodeError(
                "this is not a samizdat read capability",
                hint=f"a capability starts with '{CAP_PREFIX}'",
            )
        body32 = s[len(CAP_PREFIX) :].upper()
        pad = "=" * (-len(body32) % 8)
        try:
            raw = base64.b32decode(body32 + pad, casefold=False)
        except (binascii.Error, ValueError) as exc:
            raise DecodeError(
                "the read capability contains characters that are not base32",
                hint="only letters a-z and digits 2-7 follow the prefix",
            ) from exc
        # base32 of 39 bytes leaves 1 unused bit in the last character: must be zero,
        # so that one capability has exactly one spelling.
        if len(raw) != _RAW_BYTES or base64.b32encode(raw).decode("ascii").rstrip(
            "="
        ) != body32:
            raise DecodeError("the read capability is not in its canonical form")
        body, check = raw[:_BODY_BYTES], raw[_BODY_BYTES:]
        if not constant_time_equal(_checksum(body), check):
            raise DecodeError(
                "the read capability has a typo (its checksum does not match)",
                hint="compare it character by character with the original",
            )
        if body[0] != CAP_VERSION:
            raise DecodeError(
                "this read capability is from a newer version of samizdat",
                hint="upgrade samizdat",
            )
        return cls(k=body[1], n=body[2], root_key=bytes(body[3:]))
