"""Comments on a paragraph of a draft, signed by the commenter's pseudonym.

A comment says which version and which paragraph it is about, by index and by the
paragraph's hash, so it follows the paragraph through later versions while the
paragraph is unchanged (the same hash is found there) and is *outdated* once it
changed. It is signed with the commenter's author key for that document, the same
pseudonym that signs their versions, so co-authors see who of them said what without
anybody's name.

Format (version 1): ``0x01 || CBOR {"doc", "ver", "n", "ph", "text", "at"}``; the
comment id is SHA-256 of those bytes; the signature is Ed25519 over
``"samizdat comment v1" || id``. Pure: bytes in, bytes out (``docs/spec/comments.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from samizdat.core import cbor, crypto
from samizdat.errors import DecodeError, InputError

__all__ = ["COMMENT_VERSION", "MAX_COMMENT_CHARS", "Comment", "decode_comment"]

COMMENT_VERSION: Final = 1
MAX_COMMENT_CHARS: Final = 16_384
"""Longest comment text: a note on a paragraph, not a document."""
_SIGNED: Final = b"samizdat comment v1"


@dataclass(frozen=True)
class Comment:
    """One comment: on paragraph ``paragraph`` (1-based) of ``version`` of
    ``document``, whose hash is ``paragraph_hash``; ``created`` in Unix seconds."""

    document: bytes
    version: bytes
    paragraph: int
    paragraph_hash: bytes
    text: str
    created: int

    def __post_init__(self) -> None:
        if not 0 < len(self.text) <= MAX_COMMENT_CHARS:
            raise InputError(f"a comment has 1 to {MAX_COMMENT_CHARS} characters")
        if self.paragraph < 1 or len(self.paragraph_hash) != 32:
            raise InputError("a comment names one paragraph of a version")

    def __repr__(self) -> str:
        return f"Comment(paragraph {self.paragraph} of {self.version.hex()[:12]})"

    def encode(self) -> bytes:
        return bytes([COMMENT_VERSION]) + cbor.encode({
            "doc": self.document, "ver": self.version, "n": self.paragraph,
            "ph": self.paragraph_hash, "text": self.text, "at": self.created,
        })

    @property
    def comment_id(self) -> bytes:
        return crypto.sha256(self.encode())

    def sign(self, seed: bytes) -> tuple[bytes, bytes]:
        """(public key, signature) by the author key with this Ed25519 seed."""
        return (crypto.ed25519_public_key(seed),
                crypto.ed25519_sign(seed, _SIGNED + self.comment_id))

    def verify(self, public_key: bytes, signature: bytes) -> Comment:
        """This comment, if ``signature`` by ``public_key`` holds; BadSignature else."""
        crypto.ed25519_verify(public_key, _SIGNED + self.comment_id, signature)
        return self


def decode_comment(data: bytes) -> Comment:
    """Parse an encoded comment strictly; :class:`DecodeError` otherwise."""
    if not data or data[0] != COMMENT_VERSION:
        raise DecodeError("comment: unknown version")
    if len(data) > 4 * MAX_COMMENT_CHARS + 256:
        raise DecodeError("comment: too large")
    value = cbor.decode(data[1:], max_depth=2)
    if not isinstance(value, dict) or set(value) != {"doc", "ver", "n", "ph", "text", "at"}:
        raise DecodeError("comment: not a comment")
    doc, ver, n, ph, text, at = (value[k] for k in ("doc", "ver", "n", "ph", "text", "at"))
    if not (isinstance(doc, bytes) and len(doc) == 32 and isinstance(ver, bytes)
            and len(ver) == 32 and isinstance(n, int) and not isinstance(n, bool)
            and isinstance(ph, bytes) and isinstance(text, str) and isinstance(at, int)
            and not isinstance(at, bool)):
        raise DecodeError("comment: a field has the wrong type")
    try:
        return Comment(doc, ver, n, ph, text, at)
    except InputError as exc:
        raise DecodeError(f"comment: {exc.message}") from None
