"""Canonical encoding of every signed or stored object: deterministic CBOR.

The subset of CBOR (RFC 8949) samizdat uses, encoded by the "core deterministic
encoding requirements" of RFC 8949 §4.2.1:

* unsigned and negative integers within 64 bits, byte strings, UTF-8 text strings,
  arrays, maps, ``true``, ``false`` and ``null``; no floats, tags or
  indefinite lengths;
* every integer and length in its shortest form;
* map keys (text or integers) unique and sorted by the bytewise order of their
  encodings.

The decoder accepts exactly what the encoder produces, so ``encode(decode(b)) == b``
for every accepted ``b``: one object has one encoding, and a signature over the
encoding is a signature over the object. Anything else (non-shortest forms,
unsorted or repeated keys, trailing bytes, invalid UTF-8, nesting deeper than
``max_depth``, lengths that run past the input) raises
:class:`~samizdat.errors.DecodeError`. Lengths are checked against the bytes that
remain before anything is allocated, so hostile input cannot make it allocate more
than the input's size. See ``docs/spec/encoding.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

from samizdat.errors import DecodeError

__all__ = ["Reader", "Value", "decode", "encode"]

Value: TypeAlias = (
    int | bytes | str | bool | Sequence["Value"] | Mapping[str | int, "Value"] | None
)
"""What can be encoded. Decoding gives ``list`` for arrays and ``dict`` for maps."""

_MAX_UINT = (1 << 64) - 1


def _head(major: int, n: int, out: bytearray) -> None:
    if n < 24:
        out.append((major << 5) | n)
    elif n < 0x100:
        out.append((major << 5) | 24)
        out.append(n)
    elif n < 0x10000:
        out.append((major << 5) | 25)
        out += n.to_bytes(2, "big")
    elif n < 0x100000000:
        out.append((major << 5) | 26)
        out += n.to_bytes(4, "big")
    else:
        out.append((major << 5) | 27)
        out += n.to_bytes(8, "big")


def _enc(value: Value, out: bytearray) -> None:
    if value is True:
        out.append(0xF5)
    elif value is False:
        out.append(0xF4)
    elif value is None:
        out.append(0xF6)
    elif isinstance(value, int):
        if 0 <= value <= _MAX_UINT:
            _head(0, value, out)
        elif -(1 << 64) <= value < 0:
            _head(1, -1 - value, out)
        else:
            raise ValueError("integer out of the 64-bit range")
    elif isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        _head(2, len(raw), out)
        out += raw
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _head(3, len(raw), out)
        out += raw
    elif isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            if isinstance(k, bool) or not isinstance(k, str | int):
                raise TypeError("map keys must be text or integers")
            kb = bytearray()
            _enc(k, kb)
            items.append((bytes(kb), v))
        items.sort(key=lambda kv: kv[0])
        for i in range(1, len(items)):
            if items[i][0] == items[i - 1][0]:
                raise ValueError("repeated map key")
        _head(5, len(items), out)
        for kbytes, v in items:
            out += kbytes
            _enc(v, out)
    elif isinstance(value, Sequence):
        _head(4, len(value), out)
        for item in value:
            _enc(item, out)
    else:
        raise TypeError(f"cannot encode {type(value).__name__}")


def encode(value: Value) -> bytes:
    """The one canonical encoding of ``value``."""
    out = bytearray()
    _enc(value, out)
    return bytes(out)


class Reader:
    """A strict reader over canonical CBOR, for decoders that follow a schema.

    :func:`decode` builds the whole value before its caller can look at it, so a
    hostile input shaped unlike the format (a package that is an array of millions
    of empty arrays) costs tens of bytes of memory per byte before it is refused.
    A decoder that knows its schema reads item by item instead (``map_head``,
    ``key``, ``array_head``, ``bytes_``, ``text``, ``value`` for small parts) and
    refuses the first item out of place, having built nothing. Everything read
    obeys the same canonical rules as :func:`decode`; :meth:`finish` refuses
    trailing bytes.
    """

    __slots__ = ("data", "max_depth", "pos")

    def __init__(self, data: bytes, max_depth: int = 16) -> None:
        self.data = data
        self.pos = 0
        self.max_depth = max_depth

    @property
    def remaining(self) -> int:
        """Bytes not read yet."""
        return len(self.data) - self.pos

    def _expect(self, major: int, what: str) -> int:
        got, n = self.head()
        if got != major:
            raise DecodeError(f"{what}: unexpected item")
        return n

    def map_head(self, pairs: int, what: str) -> None:
        """A map of exactly ``pairs`` pairs starts here."""
        if self._expect(5, what) != pairs:
            raise DecodeError(f"{what}: wrong fields")

    def map_head_of(self, allowed: tuple[int, ...], what: str) -> int:
        """A map of one of the ``allowed`` numbers of pairs (a schema with optional
        fields) starts here; returns how many."""
        pairs = self._expect(5, what)
        if pairs not in allowed:
            raise DecodeError(f"{what}: wrong fields")
        return pairs

    def key(self, name: str, what: str) -> None:
        """The next map key is the text ``name`` (schemas list keys in canonical
        order, so reading them in that order also checks they are sorted)."""
        raw = name.encode("utf-8")
        got = self._expect(3, what)
        if got != len(raw) or self.take(got) != raw:
            raise DecodeError(f"{what}: wrong fields")

    def array_head(self, limit: int, what: str) -> int:
        """An array of at most ``limit`` items (and no more than the bytes left)
        starts here; returns its length."""
        n = self._expect(4, what)
        if n > limit:
            raise DecodeError(f"{what}: too many items")
        if n > self.remaining:
            raise DecodeError("truncated: array longer than the data")
        return n

    def bytes_(self, what: str, limit: int | None = None) -> bytes:
        """A byte string of at most ``limit`` bytes."""
        n = self._expect(2, what)
        if limit is not None and n > limit:
            raise DecodeError(f"{what}: too large")
        return self.take(n)

    def text(self, what: str, limit: int | None = None) -> str:
        """A UTF-8 text string of at most ``limit`` bytes."""
        n = self._expect(3, what)
        if limit is not None and n > limit:
            raise DecodeError(f"{what}: too large")
        try:
            return self.take(n).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError("text is not valid UTF-8") from exc

    def finish(self) -> None:
        """Refuse anything after the value."""
        if self.pos != len(self.data):
            raise DecodeError("trailing bytes after the value")

    def take(self, n: int) -> bytes:
        """The next ``n`` raw bytes."""
        end = self.pos + n
        if end > len(self.data):
            raise DecodeError("truncated: a length runs past the end of the data")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def head(self) -> tuple[int, int]:
        """The next item's major type and argument, in shortest form."""
        b = self.take(1)[0]
        major, info = b >> 5, b & 0x1F
        if info < 24:
            return major, info
        if info > 27:
            if major == 7:
                return major, info
            raise DecodeError("indefinite lengths and reserved values are not allowed")
        size = 1 << (info - 24)
        n = int.from_bytes(self.take(size), "big")
        if n < (24 if size == 1 else 1 << (4 * size)):
            raise DecodeError("integer or length not in its shortest form")
        return major, n

    def value(self, depth: int = 0) -> Value:
        """One whole value (any type), nested at most ``max_depth - depth`` deep."""
        if depth > self.max_depth:
            raise DecodeError("nesting too deep")
        start = self.pos
        major, n = self.head()
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major == 2:
            return self.take(n)
        if major == 3:
            try:
                return self.take(n).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DecodeError("text is not valid UTF-8") from exc
        if major == 4:
            # every item takes at least one byte: a count past the input is a lie
            if n > len(self.data) - self.pos:
                raise DecodeError("truncated: array longer than the data")
            return [self.value(depth + 1) for _ in range(n)]
        if major == 5:
            if 2 * n > len(self.data) - self.pos:
                raise DecodeError("truncated: map longer than the data")
            result: dict[str | int, Value] = {}
            previous = b""
            for i in range(n):
                kstart = self.pos
                key = self.value(depth + 1)
                kbytes = self.data[kstart : self.pos]
                if isinstance(key, bool) or not isinstance(key, str | int):
                    raise DecodeError("map keys must be text or integers")
                if i and kbytes <= previous:
                    raise DecodeError("map keys not unique and sorted")
                previous = kbytes
                result[key] = self.value(depth + 1)
            return result
        if major == 7:
            if n == 20:
                return False
            if n == 21:
                return True
            if n == 22:
                return None
            raise DecodeError("floats and simple values are not allowed")
        self.pos = start
        raise DecodeError("tags are not allowed")


def decode(data: bytes, *, max_depth: int = 16) -> Value:
    """Decode one canonical value that fills ``data`` exactly.

    Raises :class:`DecodeError` for anything :func:`encode` would not have written.
    """
    reader = Reader(bytes(data), max_depth)
    try:
        value = reader.value(0)
    except RecursionError as exc:  # pragma: no cover - max_depth stops this first
        raise DecodeError("nesting too deep") from exc
    if reader.pos != len(reader.data):
        raise DecodeError("trailing bytes after the value")
    return value
