"""A circle of co-authors: the key they share, and the sealed items drafts and
comments travel in (``docs/spec/circle.md``).

A circle key is 32 random bytes agreed in person (``szk1-`` code, like the
committee secret). Everything the circle says to itself travels as a *circle
item*, which has exactly the shape of a dead-drop file::

    item = drop_wrap(wrap_cap, root) || bundle sealed under root

``wrap_cap`` is derived from the circle key (``derive_key``), so a dead-drop key
never opens an item and a circle key never opens a dead-drop file; a courier
holding a stick sees files of the same form and cannot tell which is which. The
bundle is the ordinary envelope (``core/envelope.py``): no second sealing scheme.

The payload inside is ``0x01 || CBOR {"circle", "package", "comments"}`` (canonical order):
``circle`` the 16-byte circle id (a second check that the item is this circle's),
``package`` a version package (``docs/spec/package.md``), ``comments`` the
signed comments on that version, each ``[encoded, author key, signature]``. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from samizdat.core import cbor, codes
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import constant_time_equal, derive_key, sha256
from samizdat.errors import DecodeError

__all__ = [
    "CIRCLE_ID_BYTES",
    "ITEM_VERSION",
    "MAX_ITEM_COMMENTS",
    "CircleItem",
    "CircleKey",
    "ItemComment",
    "decode_item",
    "encode_item",
]

ITEM_VERSION: Final = 1
CIRCLE_ID_BYTES: Final = 16
MAX_ITEM_COMMENTS: Final = 10_000
"""More comments than this on one version are refused as hostile."""
_MAX_COMMENT_BYTES: Final = 70_000
"""An encoded comment: at most 16,384 characters of 4 UTF-8 bytes, plus its fields."""
_KEY_VERSION: Final = 1


@dataclass(frozen=True)
class CircleKey:
    """The key of one circle. Secret: ``repr=False``, not picklable."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) != 32:
            raise DecodeError("a circle key is 32 bytes")

    @property
    def circle_id(self) -> bytes:
        """A public name for the circle (what items say they belong to)."""
        return derive_key("samizdat 2026 circle id v1", self.key, length=CIRCLE_ID_BYTES)

    def wrap_cap(self) -> ReadCap:
        """The capability whose dead-drop wrap opens this circle's items."""
        return ReadCap(k=1, n=1, root_key=derive_key("samizdat 2026 circle wrap v1", self.key))

    def danger_real_key_string(self) -> str:
        """The key as text (``szk1-...``): whoever sees it reads the circle's drafts."""
        return codes.encode(codes.CIRCLE_KEY, bytes([_KEY_VERSION]) + self.key)

    @classmethod
    def parse(cls, text: str) -> CircleKey:
        """Strict decoding; a code of another kind is refused by name."""
        return cls(bytes(codes.decode(codes.CIRCLE_KEY, text)[1:]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CircleKey):
            return NotImplemented
        return constant_time_equal(self.key, other.key)

    def __hash__(self) -> int:
        return hash(sha256(self.key))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("circle keys are not picklable (they are secrets)")


@dataclass(frozen=True)
class ItemComment:
    """A comment as it travels: its encoding (``core/comments.py``), the
    commenter's pseudonym key and signature (checked by whoever stores it)."""

    encoded: bytes
    author: bytes
    signature: bytes


@dataclass(frozen=True)
class CircleItem:
    """What a circle item carries."""

    circle_id: bytes
    package: bytes
    comments: tuple[ItemComment, ...] = ()


def encode_item(item: CircleItem) -> bytes:
    """The canonical payload of a circle item."""
    return bytes([ITEM_VERSION]) + cbor.encode({
        "circle": item.circle_id,
        "comments": [[c.encoded, c.author, c.signature] for c in item.comments],
        "package": item.package,
    })


def decode_item(data: bytes, max_package: int) -> CircleItem:
    """Strict decoding of a circle item's payload, in bounded memory (read item by
    item: a hostile payload is refused at its first field out of place)."""
    if not data:
        raise DecodeError("an empty circle item")
    if data[0] != ITEM_VERSION:
        raise DecodeError("this circle item is from another samizdat version",
                          hint="upgrade samizdat")
    r = cbor.Reader(data[1:])
    r.map_head(3, "circle item")
    r.key("circle", "circle item")
    circle_id = r.bytes_("circle id", CIRCLE_ID_BYTES)
    if len(circle_id) != CIRCLE_ID_BYTES:
        raise DecodeError("circle item: wrong circle id")
    r.key("package", "circle item")
    package = r.bytes_("package", max_package)
    r.key("comments", "circle item")
    comments = []
    for _ in range(r.array_head(MAX_ITEM_COMMENTS, "comments")):
        if r.array_head(3, "comment") != 3:
            raise DecodeError("comment: wrong fields")
        encoded = r.bytes_("comment", _MAX_COMMENT_BYTES)
        author = r.bytes_("comment author", 32)
        signature = r.bytes_("comment signature", 64)
        if len(author) != 32 or len(signature) != 64:
            raise DecodeError("comment: wrong key or signature length")
        comments.append(ItemComment(encoded, author, signature))
    r.finish()
    return CircleItem(circle_id, package, tuple(comments))

