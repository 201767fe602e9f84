"""The statement a committee signs, and its minisign packaging.

What the committee signs is not an opaque hash but a short, canonical,
human-readable UTF-8 text (version 1)::

    samizdat-statement: 1
    document: <64 hex>
    title: <title, escaped to one line>
    version: <64 hex>
    text-id: <64 hex: Merkle root of the paragraph hashes>
    text-sha256: <64 hex: SHA-256 of the normalized text, as `sha256sum text.txt`>
    paragraphs: <count>
    p 1 <64 hex: paragraph leaf hash>
    ...
    final

Why text: anyone can read what was signed, and a retyped copy can be checked
paragraph by paragraph against the statement alone (the ``p`` lines), without the
authentic text. :func:`Statement.parse` accepts exactly what :meth:`Statement.encode`
writes (one statement, one encoding), and checks that the ``p`` lines hash to the
text id.

The minisign side (why two signatures): minisign checks a signature over the file
(algorithm ``Ed``: Ed25519 over the raw bytes) and a *global signature* over
``signature || trusted_comment``. Both must verify under the one committee key, so a
final version carries two FROST signatures: the statement signature, then the
comment signature made after the first is known. The key id is 8 bytes derived from
the group key, so that it reveals nothing else.

The signify side (one round): signify (OpenBSD's tool, Debian ``signify-openbsd``)
checks a plain Ed25519 signature over the file, with no trusted comment, so the
statement signature of the FIRST signing round is already a signify signature.
``statement.txt.sig`` and ``committee.sig.pub`` carry it and the group key in
signify's format (``Ed`` + the same 8-byte key number + raw key or signature, in
base64 under an ``untrusted comment:`` line); ``committee.pem`` is the same key as an
X.509 SubjectPublicKeyInfo for ``openssl pkeyutl -verify -rawin``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final

from samizdat.core.crypto import derive_key
from samizdat.core.merkle import merkle_root
from samizdat.errors import DecodeError

__all__ = [
    "MAX_STATEMENT_BYTES",
    "STATEMENT_VERSION",
    "MinisignSignature",
    "Statement",
    "escape_title",
    "minisign_key_id",
    "minisign_public_key",
    "openssl_public_key_pem",
    "parse_minisign_public_key",
    "parse_public_key_file",
    "parse_signify_signature",
    "signify_public_key",
    "signify_signature",
    "trusted_comment",
    "unescape_title",
]

STATEMENT_VERSION: Final = 1
MAX_STATEMENT_BYTES: Final = 64 * 1024 * 1024
_HEX: Final = frozenset("0123456789abcdef")


def escape_title(title: str) -> str:
    """One line: backslash as ``\\\\``, control and line-separator characters as
    ``\\uXXXX``."""
    out = []
    for c in title:
        if c == "\\":
            out.append("\\\\")
        elif ord(c) < 0x20 or ord(c) == 0x7F or c in "\x85\u2028\u2029" or 0x80 <= ord(c) < 0xA0:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


def unescape_title(text: str) -> str:
    """The inverse of :func:`escape_title`; only canonical escapes are accepted."""
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if text[i + 1 : i + 2] == "\\":
            out.append("\\")
            i += 2
            continue
        code = text[i + 2 : i + 6]
        if text[i + 1 : i + 2] != "u" or len(code) != 4 or not set(code) <= _HEX:
            raise DecodeError("statement title has a bad escape")
        out.append(chr(int(code, 16)))
        i += 6
    title = "".join(out)
    if escape_title(title) != text:
        raise DecodeError("statement title is not canonically escaped")
    return title


def _hex32(value: str, what: str) -> bytes:
    if len(value) != 64 or not set(value) <= _HEX:
        raise DecodeError(f"statement: {what} is not 64 lowercase hex characters")
    return bytes.fromhex(value)


@dataclass(frozen=True)
class Statement:
    """"Version V of document D, with this text, is final." """

    document: bytes
    title: str
    version: bytes
    text_id: bytes
    text_sha256: bytes
    paragraph_hashes: tuple[bytes, ...]

    def encode(self) -> bytes:
        """The exact bytes the committee signs."""
        lines = [
            f"samizdat-statement: {STATEMENT_VERSION}",
            f"document: {self.document.hex()}",
            f"title: {escape_title(self.title)}",
            f"version: {self.version.hex()}",
            f"text-id: {self.text_id.hex()}",
            f"text-sha256: {self.text_sha256.hex()}",
            f"paragraphs: {len(self.paragraph_hashes)}",
        ]
        lines += [f"p {i} {h.hex()}" for i, h in enumerate(self.paragraph_hashes, start=1)]
        lines.append("final")
        return ("\n".join(lines) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> Statement:
        """Parse a statement strictly; :class:`DecodeError` for anything else."""
        if len(data) > MAX_STATEMENT_BYTES:
            raise DecodeError("statement is too large")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError("statement is not UTF-8") from exc
        if not text.endswith("\n"):
            raise DecodeError("statement does not end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 9:
            raise DecodeError("statement is truncated")
        header = ["samizdat-statement", "document", "title", "version", "text-id",
                  "text-sha256", "paragraphs"]
        values = []
        for line, key in zip(lines[:7], header, strict=True):
            prefix = key + ": "
            if not line.startswith(prefix):
                raise DecodeError(f"statement: expected the '{key}:' line")
            values.append(line[len(prefix) :])
        if values[0] != str(STATEMENT_VERSION):
            raise DecodeError(f"statement version {values[0][:10]!r} is not supported")
        count_text = values[6]
        # isdigit() alone takes "²" (int() then raises ValueError) and other scripts' digits
        if not (count_text.isascii() and count_text.isdigit()) or (
            count_text != str(int(count_text)) or int(count_text) < 1
        ):
            raise DecodeError("statement: bad paragraph count")
        count = int(count_text)
        if len(lines) != 8 + count:
            raise DecodeError("statement: the paragraph lines do not match the count")
        hashes = []
        for i, line in enumerate(lines[7 : 7 + count], start=1):
            prefix = f"p {i} "
            if not line.startswith(prefix):
                raise DecodeError(f"statement: expected paragraph line {i}")
            hashes.append(_hex32(line[len(prefix) :], f"paragraph {i}"))
        if lines[-1] != "final":
            raise DecodeError("statement does not end with 'final'")
        statement = cls(
            document=_hex32(values[1], "document"),
            title=unescape_title(values[2]),
            version=_hex32(values[3], "version"),
            text_id=_hex32(values[4], "text-id"),
            text_sha256=_hex32(values[5], "text-sha256"),
            paragraph_hashes=tuple(hashes),
        )
        if merkle_root(statement.paragraph_hashes) != statement.text_id:
            raise DecodeError("statement: the paragraph hashes do not give its text id")
        if statement.encode() != data:
            raise DecodeError("statement is not in canonical form")
        return statement


# ---------------------------------------------------------------------- minisign

_MINISIGN_ALG: Final = b"Ed"


def minisign_key_id(group_key: bytes) -> bytes:
    """Minisign's 8-byte key id for a committee: derived from the group key only."""
    return derive_key("samizdat 2026 minisign key id v1", group_key, length=8)


def _key_id_text(key_id: bytes) -> str:
    # minisign prints the id as a little-endian 64-bit integer in upper-case hex
    return f"{int.from_bytes(key_id, 'little'):016X}"


def minisign_public_key(group_key: bytes) -> str:
    """The committee key in minisign's public key file format (``committee.pub``)."""
    key_id = minisign_key_id(group_key)
    blob = base64.b64encode(_MINISIGN_ALG + key_id + group_key).decode("ascii")
    return f"untrusted comment: minisign public key {_key_id_text(key_id)}\n{blob}\n"


def parse_minisign_public_key(data: bytes) -> bytes:
    """The group key in a minisign public key file; :class:`DecodeError` if it is not
    one, or if its key id is not the one samizdat derives for that key."""
    if len(data) > 4096:
        raise DecodeError("public key file is too large")
    try:
        lines = data.decode("ascii").splitlines()
    except UnicodeDecodeError as exc:
        raise DecodeError("public key file is not ASCII") from exc
    if len(lines) != 2 or not lines[0].startswith("untrusted comment: "):
        raise DecodeError("not a minisign public key file")
    try:
        blob = base64.b64decode(lines[1].strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecodeError("public key file: bad base64") from exc
    if len(blob) != 42 or blob[:2] != _MINISIGN_ALG:
        raise DecodeError("public key file: not an Ed25519 minisign key")
    group_key = blob[10:]
    if blob[2:10] != minisign_key_id(group_key):
        raise DecodeError("public key file: key id does not belong to this key")
    return group_key


def trusted_comment(statement: Statement) -> str:
    """The trusted comment minisign shows after verifying: what was signed, no names."""
    return f"samizdat final: version {statement.version.hex()} text-sha256 " + (
        statement.text_sha256.hex()
    )


def _signature_lines(data: bytes, limit: int) -> list[str]:
    """A signature file's lines (minisign or signify), bounded and UTF-8."""
    if len(data) > limit:
        raise DecodeError("signature file is too large")
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise DecodeError("signature file is not UTF-8") from exc
    return lines[:-1] if lines[-1] == "" else lines


def _signature_b64(line: str) -> bytes:
    try:
        return base64.b64decode(line.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecodeError("signature file: bad base64") from exc


@dataclass(frozen=True)
class MinisignSignature:
    """A ``.minisig`` file: the statement signature, the trusted comment and the
    global (comment) signature over ``signature || trusted_comment``."""

    key_id: bytes
    signature: bytes
    comment: str
    global_signature: bytes

    @staticmethod
    def global_message(signature: bytes, comment: str) -> bytes:
        """What the comment signature signs."""
        return signature + comment.encode("utf-8")

    def encode(self) -> bytes:
        sig = base64.b64encode(_MINISIGN_ALG + self.key_id + self.signature).decode("ascii")
        glob = base64.b64encode(self.global_signature).decode("ascii")
        return (
            "untrusted comment: signature from a samizdat committee\n"
            f"{sig}\ntrusted comment: {self.comment}\n{glob}\n"
        ).encode()

    @classmethod
    def parse(cls, data: bytes) -> MinisignSignature:
        lines = _signature_lines(data, 16384)
        if (len(lines) != 4 or not lines[0].startswith("untrusted comment: ")
                or not lines[2].startswith("trusted comment: ")):
            raise DecodeError("not a minisign signature file")
        sig = _signature_b64(lines[1])
        glob = _signature_b64(lines[3])
        if len(sig) != 74 or sig[:2] != _MINISIGN_ALG or len(glob) != 64:
            raise DecodeError("signature file: not a legacy Ed25519 minisign signature")
        return cls(sig[2:10], sig[10:], lines[2][len("trusted comment: ") :], glob)


# ----------------------------------------------------------------------- signify

_SIGNIFY_SIG_COMMENT: Final = "untrusted comment: verify with committee.sig.pub"
_ED25519_SPKI_PREFIX: Final = bytes.fromhex("302a300506032b6570032100")


def signify_public_key(group_key: bytes) -> str:
    """The committee key as a signify public key file (``committee.sig.pub``)."""
    blob = base64.b64encode(_MINISIGN_ALG + minisign_key_id(group_key) + group_key)
    return f"untrusted comment: samizdat committee public key\n{blob.decode('ascii')}\n"


def signify_signature(group_key: bytes, signature: bytes) -> bytes:
    """The statement signature as a signify signature file (``statement.txt.sig``)."""
    if len(signature) != 64:
        raise ValueError("an Ed25519 signature is 64 bytes")
    blob = base64.b64encode(_MINISIGN_ALG + minisign_key_id(group_key) + signature)
    return f"{_SIGNIFY_SIG_COMMENT}\n{blob.decode('ascii')}\n".encode("ascii")


def parse_signify_signature(data: bytes) -> tuple[bytes, bytes]:
    """(key number, signature) of a signify signature file; :class:`DecodeError` if
    it is not one."""
    lines = _signature_lines(data, 4096)
    if len(lines) != 2 or not lines[0].startswith("untrusted comment: "):
        raise DecodeError("not a signify signature file")
    blob = _signature_b64(lines[1])
    if len(blob) != 74 or blob[:2] != _MINISIGN_ALG:
        raise DecodeError("signature file: not an Ed25519 signify signature")
    return blob[2:10], blob[10:]


def openssl_public_key_pem(group_key: bytes) -> str:
    """The committee key as a PEM SubjectPublicKeyInfo (``committee.pem``), for
    ``openssl pkeyutl -verify -pubin -inkey committee.pem -rawin``."""
    der = base64.b64encode(_ED25519_SPKI_PREFIX + group_key).decode("ascii")
    return f"-----BEGIN PUBLIC KEY-----\n{der}\n-----END PUBLIC KEY-----\n"


def parse_public_key_file(data: bytes) -> bytes:
    """The 32-byte key in a committee public key file samizdat wrote: minisign
    (``committee.pub``), signify (``committee.sig.pub``, the same layout) or PEM
    (``committee.pem``). :class:`DecodeError` for anything else."""
    if len(data) > 4096:
        raise DecodeError("public key file is too large")
    if data.startswith(b"-----BEGIN PUBLIC KEY-----"):
        lines = data.decode("ascii", "replace").strip().splitlines()
        try:
            der = base64.b64decode("".join(lines[1:-1]), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecodeError("public key file: bad base64") from exc
        if (lines[-1] != "-----END PUBLIC KEY-----" or len(der) != 44
                or der[:12] != _ED25519_SPKI_PREFIX):
            raise DecodeError("public key file: not an Ed25519 public key")
        return der[12:]
    return parse_minisign_public_key(data)
