"""Every code a person handles by hand, in one text format.

Five kinds of secret leave the store as short strings that people read aloud, type,
copy from paper or scan as QR codes. They share one shape (``docs/spec/codes.md``)::

    code     = prefix || lowercase(base32(body || checksum))    RFC 4648, no padding
    checksum = SHA-256(context || body)[:4]

    kind               prefix   context                                     body
    read capability    sz1-     "samizdat 2026 read capability checksum v1\\0"  35 bytes
    invite             szi1-    "samizdat 2026 invite checksum v1\\0"          36..290 bytes
    dead-drop key      szd1-    "samizdat 2026 dead-drop key checksum v1\\0"   33 bytes
    committee secret   szc1-    "samizdat 2026 committee secret checksum v1\\0" 21 bytes
    circle key         szk1-    "samizdat 2026 circle key checksum v1\\0"       33 bytes

The first byte of every body is the kind's format version (0x01). The context names
the kind, so a body moved under another kind's prefix fails its checksum; the
prefix names the kind, so a code pasted where another kind is expected is refused
with a message that says what it is ("this is an invite, not a read capability")
before any of it is used: a bundle's read capability given as a dead-drop key
would otherwise seal files that nobody can open.

Reading forgives what people do to codes: any case (QR codes carry them in upper
case, for QR's alphanumeric mode), spaces, line breaks, and dashes after the prefix
(for grouping). It does not forgive anything else: non-canonical base32 (non-zero
padding bits), a wrong length, a wrong checksum, an unknown version. Error messages
never repeat the input, which may be a real secret with one typo.

This module only turns bytes into text and back (no I/O: the command line reads
codes from arguments, files, standard input and the environment in
:mod:`samizdat.cli.codes`); what a body means belongs to its
kind's module (:mod:`samizdat.core.caps`, :mod:`samizdat.core.invite`,
:mod:`samizdat.core.committee_wire`).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final

from samizdat.core.crypto import constant_time_equal, sha256
from samizdat.errors import DecodeError, WrongCode

__all__ = [
    "CHECKSUM_BYTES",
    "CIRCLE_KEY",
    "COMMITTEE_SECRET",
    "DROP_KEY",
    "INVITE",
    "KINDS",
    "LEGACY_INVITE_PREFIX",
    "MAX_CODE_CHARS",
    "READ_CAP",
    "CodeKind",
    "checksum",
    "decode",
    "encode",
    "identify",
]

CHECKSUM_BYTES: Final = 4
"""32 bits: a random typo passes with probability 2^-32."""
MAX_CODE_CHARS: Final = 1024
"""Longer input is refused before any work (the longest code, an invite naming a
253-character host, is under 480 characters)."""
LEGACY_INVITE_PREFIX: Final = "sz1-"
"""Invites of the first format also started with ``sz1-`` (with a 2-byte BLAKE3
check); they are single-use and expire within 30 days, so none is accepted any
more: they are recognised only to say so."""


@dataclass(frozen=True)
class CodeKind:
    """One kind of hand-held code: its name for people, its prefix, its checksum
    context and the lengths its body may have (the version byte included)."""

    name: str
    prefix: str
    context: bytes
    min_body: int
    max_body: int
    version: int = 1
    where: str = ""
    """Where this kind of code is used, for the hint when it is pasted elsewhere."""

    @property
    def article(self) -> str:
        """``"a"`` or ``"an"``, for messages."""
        return "an" if self.name[0] in "aeiou" else "a"


READ_CAP: Final = CodeKind(
    "read capability", "sz1-", b"samizdat 2026 read capability checksum v1\x00", 35, 35,
    where="import, recover, scan and verify take it (--cap, --cap-file, SAMIZDAT_CAP)",
)
INVITE: Final = CodeKind(
    "invite", "szi1-", b"samizdat 2026 invite checksum v1\x00", 36, 290,
    where="'samizdat contact accept' takes it",
)
DROP_KEY: Final = CodeKind(
    "dead-drop key", "szd1-", b"samizdat 2026 dead-drop key checksum v1\x00", 33, 33,
    where="'samizdat deaddrop sync DIR --cap KEY' takes it",
)
COMMITTEE_SECRET: Final = CodeKind(
    "committee secret", "szc1-", b"samizdat 2026 committee secret checksum v1\x00", 21, 21,
    where="'committee dkg1 --secret-file' or SAMIZDAT_COMMITTEE_SECRET takes it",
)
CIRCLE_KEY: Final = CodeKind(
    "circle key", "szk1-", b"samizdat 2026 circle key checksum v1\x00", 33, 33,
    where="'samizdat circle join NAME --code-file F' takes it",
)
KINDS: Final = (READ_CAP, INVITE, DROP_KEY, COMMITTEE_SECRET, CIRCLE_KEY)
_ALPHABET: Final = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def checksum(kind: CodeKind, body: bytes) -> bytes:
    """The 4-byte checksum of ``body`` as a code of ``kind``.

    Unkeyed on purpose: it only has to catch typing mistakes, and it tells nobody
    anything the code itself does not.
    """
    return sha256(kind.context + body)[:CHECKSUM_BYTES]


def encode(kind: CodeKind, body: bytes) -> str:
    """``body`` as a code of ``kind``: whoever sees the result holds the secret."""
    if not kind.min_body <= len(body) <= kind.max_body or body[0] != kind.version:
        raise ValueError(f"not a body of {kind.article} {kind.name}")
    raw = body + checksum(kind, body)
    return kind.prefix + base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def _normalise(text: str) -> str:
    if not isinstance(text, str):
        raise DecodeError("a code is text")
    if len(text) > MAX_CODE_CHARS:
        raise DecodeError("this is too long to be a samizdat code")
    return "".join(text.split()).lower()


def identify(text: str) -> CodeKind | None:
    """The kind a code's prefix names, or ``None`` (no prefix of ours)."""
    s = _normalise(text)
    for kind in KINDS:
        if s.startswith(kind.prefix):
            return kind
    return None


def _wrong_kind(found: CodeKind, expected: CodeKind) -> WrongCode:
    return WrongCode(
        f"this is {found.article} {found.name}, not {expected.article} {expected.name}",
        hint=f"{found.where}; {expected.article} {expected.name} starts with "
        f"'{expected.prefix}'",
    )


def decode(kind: CodeKind, text: str) -> bytes:
    """The body of a code of ``kind`` (version byte first), checked.

    Raises :class:`~samizdat.errors.WrongCode` when ``text`` is a code of another
    kind, and :class:`~samizdat.errors.DecodeError` for anything else that is not a
    well-formed code of ``kind``.
    """
    s = _normalise(text)
    found = identify(s)
    if found is None:
        raise DecodeError(
            f"this is not {kind.article} samizdat {kind.name}",
            hint=f"{kind.article} {kind.name} starts with '{kind.prefix}'",
        )
    b32 = s[len(found.prefix):].replace("-", "")
    if found is READ_CAP and kind is INVITE and len(b32) != _chars(READ_CAP.max_body):
        raise DecodeError(
            "this is an invite code of an earlier samizdat version, which is no longer "
            "accepted", hint="ask for a new invite: they now start with 'szi1-'",
        )
    if found is not kind:
        raise _wrong_kind(found, kind)
    if not b32 or not set(b32) <= _ALPHABET:
        raise DecodeError(
            f"the {kind.name} contains characters that are not base32",
            hint=f"only letters a-z and digits 2-7 follow '{kind.prefix}'",
        )
    lo, hi = _chars(kind.min_body), _chars(kind.max_body)
    if not lo <= len(b32) <= hi:
        raise DecodeError(
            f"the {kind.name} has the wrong length",
            hint="check it for missing or extra characters",
        )
    upper = b32.upper()
    try:
        raw = base64.b32decode(upper + "=" * (-len(upper) % 8))
    except (binascii.Error, ValueError):
        raise DecodeError(f"the {kind.name} has the wrong length",
                          hint="check it for missing or extra characters") from None
    # one code, one spelling: the unused bits of the last character must be zero
    # (-8 * len(raw) mod 5 of them: 3 for a read capability, 39 bytes in 63 characters)
    if base64.b32encode(raw).decode("ascii").rstrip("=") != upper:
        raise DecodeError(f"the {kind.name} is not in its canonical form",
                          hint="check its last character")
    body, check = raw[:-CHECKSUM_BYTES], raw[-CHECKSUM_BYTES:]
    if not kind.min_body <= len(body) <= kind.max_body:
        raise DecodeError(f"the {kind.name} has the wrong length",
                          hint="check it for missing or extra characters")
    if not constant_time_equal(checksum(kind, body), check):
        raise DecodeError(
            f"the {kind.name} has a typo (its checksum does not match)",
            hint="compare it character by character with the original",
        )
    if body[0] != kind.version:
        raise DecodeError(f"this {kind.name} is from a newer version of samizdat",
                          hint="upgrade samizdat")
    return body


def _chars(body_bytes: int) -> int:
    return -(-(body_bytes + CHECKSUM_BYTES) * 8 // 5)
