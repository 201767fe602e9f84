"""Read capabilities: the short secret that finds, rebuilds and opens an envelope.

A :class:`ReadCap` is what a person hands over beside the bytes (spoken, written on
paper, shown as a QR code). Whoever holds it and enough shards can read the
document; whoever holds shards without it holds random bytes.

Design (see ``docs/spec/capability.md``):

* a frozen dataclass whose secret (the envelope's root key) is ``repr=False``, so a
  cap can be logged, put in an exception or printed by a debugger without leaking;
* the one serializer is called :meth:`ReadCap.danger_real_capability_string`, so every
  call site that can leak a cap says so in its name (the tahoe-capabilities habit);
* the text form is a :mod:`samizdat.core.codes` code of kind
  :data:`~samizdat.core.codes.READ_CAP`: ``sz1-`` followed by lowercase RFC 4648
  base32 without padding of ``version | k | n | root key | checksum``; the 4-byte
  checksum catches typing mistakes before any shard is touched. The QR form is the
  same string in upper case, which fits QR's compact alphanumeric mode (45 symbols,
  5.5 bits per character);
* :meth:`ReadCap.parse` is strict: anything else raises
  :class:`~samizdat.errors.DecodeError` whose message never repeats the input, and
  a code of another kind (an invite, a dead-drop key) raises
  :class:`~samizdat.errors.WrongCode` saying what it is.

A :class:`DropKey` is the key everyone using one dead drop shares. Inside, it opens
files exactly like a k = 1, n = 1 capability (:meth:`DropKey.as_cap`); its text
form is its own kind of code (``szd1-``), so that neither can be given for the
other.

Only derivation downwards exists: the cap gives the envelope's subkeys
(:meth:`ReadCap.subkey`), nothing gives the cap back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from samizdat.core import codes
from samizdat.core.crypto import constant_time_equal, derive_key, sha256
from samizdat.errors import DecodeError

__all__ = [
    "CAP_PREFIX",
    "CAP_VERSION",
    "DROP_KEY_PREFIX",
    "MAX_SHARDS",
    "DropKey",
    "ReadCap",
]

CAP_VERSION: Final = 1
"""Version byte of the capability encoding (and of the envelope format it opens)."""

CAP_PREFIX: Final = codes.READ_CAP.prefix
"""Human-visible prefix: says "this is a samizdat read capability, format 1"."""

DROP_KEY_PREFIX: Final = codes.DROP_KEY.prefix
"""Human-visible prefix of a dead-drop key."""

MAX_SHARDS: Final = 255
"""zfec allows up to 256 shares; one byte holds n."""

ROOT_KEY_BYTES: Final = 32


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

    def danger_real_capability_string(self) -> str:
        """The capability as text: whoever sees this string can read the document.

        Never log it, put it in an exception, or pass it as a child process argument
        (use a file or the ``SAMIZDAT_CAP`` environment variable instead).
        """
        return codes.encode(codes.READ_CAP, bytes([CAP_VERSION, self.k, self.n]) + self.root_key)

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
        """Strictly decode a capability string (either case; spaces, line breaks and
        grouping dashes ignored). Raises :class:`DecodeError` for anything else
        (:class:`~samizdat.errors.WrongCode` for a code of another kind); the message
        never quotes the input, which may be a real capability with one typo."""
        body = codes.decode(codes.READ_CAP, text)
        return cls(k=body[1], n=body[2], root_key=bytes(body[3:]))


@dataclass(frozen=True)
class DropKey:
    """The key shared by everyone who uses one dead drop. Secret: ``repr=False``."""

    root_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.root_key, bytes) or len(self.root_key) != ROOT_KEY_BYTES:
            raise DecodeError("a dead-drop key is 32 bytes")

    def as_cap(self) -> ReadCap:
        """The capability that opens (and seals) the drop's key wraps."""
        return ReadCap(k=1, n=1, root_key=self.root_key)

    def danger_real_key_string(self) -> str:
        """The key as text (``szd1-...``): whoever sees it can read and fill the drop."""
        return codes.encode(codes.DROP_KEY, bytes([CAP_VERSION]) + self.root_key)

    @classmethod
    def parse(cls, text: str) -> DropKey:
        """Strict decoding; a read capability given here is refused by name."""
        return cls(bytes(codes.decode(codes.DROP_KEY, text)[1:]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DropKey):
            return NotImplemented
        return constant_time_equal(self.root_key, other.root_key)

    def __hash__(self) -> int:
        return hash(sha256(self.root_key))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("dead-drop keys are not picklable (they are secrets)")
