"""The text model: what a document's content *is*, independent of how it was typed.

A signature must survive a retyping. Two copies that a careful reader would call
"the same text" (rewrapped lines, doubled spaces, CRLF line ends, an extra blank
line, decomposed accents) must give the same bytes to hash, and a copy with one
changed word must not. This module turns any text into a tuple of *normalized
paragraphs*; everything that is signed (paragraph hashes, the Merkle root that is the
text id, ``text-sha256``) is computed from them. The rules are specified, with the
reasons for each, in ``docs/spec/text.md``; in short:

1. line ends: CRLF, CR, NEL (U+0085) and LINE SEPARATOR (U+2028) end a line;
   PARAGRAPH SEPARATOR (U+2029) ends a paragraph;
2. invisible format characters (soft hyphen, zero-width spaces and joiners, bidi
   controls, BOM, tag characters) are dropped: a retyping cannot see them, and they
   are the classic way to watermark copies so that a leak can be traced;
3. a line holding only whitespace is blank; blank lines separate paragraphs;
4. inside a paragraph, every run of whitespace (any Unicode space, NBSP, tab, the
   line breaks of a wrapped paragraph) becomes one U+0020; leading and trailing
   whitespace is dropped;
5. each paragraph is put in Unicode NFC;
6. typographic quotes, dashes, ligatures, hyphenation are *not* folded: a changed
   visible character is a change, reported as such.

Input that is not text (NUL or other control characters, invalid UTF-8, lone
surrogates) and text with no paragraph at all raise :class:`TextError`. Memory is
bounded: :class:`Normalizer` holds at most one paragraph, and a paragraph over
:data:`MAX_PARAGRAPH_BYTES` (or, before folding, over :data:`MAX_RAW_PARAGRAPH_CHARS`)
is refused, so a 200 MB file streams through in a few megabytes.

This module is pure: it never opens a file. Callers read chunks and pass them in.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from samizdat.core import crypto
from samizdat.core.merkle import MerkleBuilder
from samizdat.errors import TextError

__all__ = [
    "INVISIBLE_CHARACTERS",
    "LEAF_PREFIX",
    "MAX_PARAGRAPH_BYTES",
    "MAX_RAW_PARAGRAPH_CHARS",
    "WHITESPACE_CHARACTERS",
    "Normalizer",
    "Text",
    "TextDigest",
    "TextDigester",
    "decode_text_bytes",
    "decode_text_stream",
    "digest_paragraphs",
    "digest_text_stream",
    "iter_paragraphs",
    "normalize",
    "normalize_inline",
    "normalized_bytes",
    "paragraph_hash",
]

MAX_PARAGRAPH_BYTES: Final = 1 << 20
"""Largest normalized paragraph accepted, in UTF-8 bytes (1 MiB). Real prose
paragraphs are a few KiB; the limit keeps memory bounded on hostile input."""

MAX_RAW_PARAGRAPH_CHARS: Final = 2 * MAX_PARAGRAPH_BYTES
"""Longest raw paragraph (before whitespace folding) accepted, in code points. A
paragraph is buffered whole until its end is seen, so this bounds memory for a file
with no blank line (or no newline) at all."""

LEAF_PREFIX: Final = b"\x00"
"""RFC 6962 leaf prefix: a paragraph's hash is SHA-256(0x00 || UTF-8 bytes)."""

WHITESPACE_CHARACTERS: Final = frozenset(
    "\t\v\f\x20\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
"""Characters folded to one space inside a line (fixed list, not ``str.isspace``, so
that the result does not depend on the Unicode version Python ships)."""

_LINE_BREAK = "\n"
_PARAGRAPH_BREAK = "\u2029"

INVISIBLE_CHARACTERS: Final = frozenset(
    ["\xad", "\u061c", "\u180e", "\ufeff"]
    + [chr(c) for c in range(0x200B, 0x2010)]  # ZWSP ZWNJ ZWJ LRM RLM
    + [chr(c) for c in range(0x202A, 0x202F)]  # bidi embeddings and overrides
    + [chr(c) for c in range(0x2060, 0x2065)]  # word joiner, invisible operators
    + [chr(c) for c in range(0x2066, 0x2070)]  # bidi isolates, deprecated formats
    + ["\U000e0001"]
    + [chr(c) for c in range(0xE0020, 0xE0080)]  # tag characters
)
"""Format characters dropped before anything else (see ``docs/spec/text.md``)."""

# Control characters that make an input "not text". TAB, LF, VT, FF, CR and NEL are
# allowed (they are whitespace or line ends); everything else in C0, DEL and C1 is
# refused, as are lone surrogates (a ``str`` can hold them, UTF-8 cannot).
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")

# Whitespace other than U+0020 becomes U+0020; NEL and LINE SEPARATOR become LF;
# PARAGRAPH SEPARATOR becomes a blank line; invisibles vanish. Regular expressions
# do it in C and cost one scan when, as usual, there is nothing to replace.
_WHITESPACE_RE = re.compile(
    "[" + "".join(sorted(c for c in WHITESPACE_CHARACTERS if c != " ")) + "]"
)
_INVISIBLE_RE = re.compile(
    "[" + "".join(sorted(c for c in INVISIBLE_CHARACTERS if ord(c) < 0x10000))
    + "\U000e0001\U000e0020-\U000e007f]"
)
_LINE_END_RE = re.compile("[\x85\u2028]")
# A paragraph break: a line end followed by one or more lines holding only spaces.
_BREAK_RE = re.compile("\n *\n(?: *\n)*")
_SPACES = re.compile(" {2,}")
# Anything the two steps above or the control check would act on. Most chunks of
# real text hold none of these: one scan then replaces five.
_SPECIAL_RE = re.compile(
    _FORBIDDEN.pattern[:-1] + "\r\x85\u2028\u2029"
    + _WHITESPACE_RE.pattern[1:-1] + _INVISIBLE_RE.pattern[1:]
)
# For ASCII chunks the same question is answered ~10x faster by deleting every
# byte that needs no work (LF and printable ASCII) and looking at what is left.
_ASCII_PLAIN = b"\n" + bytes(range(0x20, 0x7F))


def _clean(chunk: str) -> str:
    """Context-free rewriting of a chunk (CR already turned into LF)."""
    chunk = _INVISIBLE_RE.sub("", chunk)
    chunk = _WHITESPACE_RE.sub(" ", chunk)
    chunk = _LINE_END_RE.sub(_LINE_BREAK, chunk)
    return chunk.replace(_PARAGRAPH_BREAK, "\n\n")


def _fold(raw: str) -> str:
    """One paragraph's raw lines (spaces and LFs only) -> its normal form."""
    folded = raw.replace(_LINE_BREAK, " ")
    if "  " in folded:  # a substring test is ~6x faster than always substituting
        folded = _SPACES.sub(" ", folded)
    return unicodedata.normalize("NFC", folded.strip(" "))


def _check_text(chunk: str, offset: int) -> None:
    bad = _FORBIDDEN.search(chunk)
    if bad is not None:
        char = bad.group()
        what = "a NUL byte" if char == "\x00" else f"control character U+{ord(char):04X}"
        raise TextError(
            f"not a text file: {what} at character {offset + bad.start()}",
            hint="give a plain UTF-8 text file (.txt)",
        )


@dataclass(frozen=True)
class Text:
    """A normalized text: its paragraphs, each already in normal form.

    Build one with :func:`normalize` (never directly from raw input), so that
    ``paragraphs`` is always non-empty, NFC, with single spaces and no blank ones.
    """

    paragraphs: tuple[str, ...]

    def __repr__(self) -> str:
        # a document's text never goes to logs: show its size only
        return f"Text(<{len(self.paragraphs)} paragraphs>)"

    @property
    def leaf_hashes(self) -> tuple[bytes, ...]:
        """The paragraph hashes, in order: the Merkle tree's leaves."""
        return tuple(paragraph_hash(p) for p in self.paragraphs)

    def to_bytes(self) -> bytes:
        """:func:`normalized_bytes` of this text."""
        return normalized_bytes(self.paragraphs)


class Normalizer:
    """Streaming normalization: feed text chunks, get completed paragraphs.

    Holds at most one unfinished paragraph in memory. A chunk may end anywhere, even
    between the CR and LF of one line end. Feeding the whole text at once or one
    character at a time gives the same paragraphs.
    """

    __slots__ = ("_finished", "_offset", "_open_spaces", "_parts", "_pending_cr",
                 "_pending_len")

    def __init__(self) -> None:
        # Cleaned text after the last paragraph break seen, kept as pieces so that
        # feeding a paragraph line by line (or character by character) costs linear
        # time: the pieces are joined once, when a break completes the paragraph.
        self._parts: list[str] = []
        self._pending_len = 0
        # If the pending text ends in a line end followed by spaces only, how many
        # spaces (a paragraph break may be in progress there); else -1.
        self._open_spaces = -1
        self._pending_cr = False  # last chunk ended in CR: a following LF is the same end
        self._offset = 0  # characters seen, for error messages
        self._finished = False

    def __repr__(self) -> str:
        return f"<Normalizer: {self._offset} characters read>"

    def feed(self, chunk: str) -> list[str]:
        """Take the next piece of text; return the paragraphs it completed."""
        if self._finished:
            raise ValueError("Normalizer.feed() after finish()")
        if not chunk:
            return []
        if chunk.isascii():
            special = bool(chunk.encode("ascii").translate(None, _ASCII_PLAIN))
        else:
            special = _SPECIAL_RE.search(chunk) is not None
        if special:
            _check_text(chunk, self._offset)
        self._offset += len(chunk)
        if self._pending_cr and chunk[0] == "\n":
            chunk = chunk[1:]
        self._pending_cr = chunk.endswith("\r")
        if special:
            chunk = _clean(chunk.replace("\r\n", "\n").replace("\r", "\n"))
        if not chunk:
            return []
        if _LINE_BREAK not in chunk:  # no break can end here
            if self._open_spaces >= 0 and not chunk.strip(" "):
                self._open_spaces += len(chunk)
            else:
                self._open_spaces = -1
            return self._keep(chunk)
        # A break may begin at the pending text's open line end; none lies before it.
        head = "\n" + " " * self._open_spaces if self._open_spaces >= 0 else ""
        region = head + chunk
        breaks = list(_BREAK_RE.finditer(region))
        if not breaks:
            rest = chunk[chunk.rfind(_LINE_BREAK) + 1 :]
            self._open_spaces = -1 if rest.strip(" ") else len(rest)
            return self._keep(chunk)
        # Everything before the last break is complete; a break touching the end of
        # the chunk may still grow (more blank lines), which changes nothing.
        last = breaks[-1]
        done = "".join(self._parts) + chunk
        cut = len(done) - len(region)
        self._parts = []
        self._pending_len = 0
        out = self._paragraphs(done[: cut + last.start()])
        rest = done[cut + last.end() :]
        # (with no LF in ``rest`` a new break could only lengthen the one just taken)
        lf = rest.rfind(_LINE_BREAK)
        tail = rest[lf + 1 :]
        self._open_spaces = -1 if lf < 0 or tail.strip(" ") else len(tail)
        self._keep(rest)
        return out

    def finish(self) -> list[str]:
        """End of input: return the last paragraphs. The normalizer is then spent."""
        if self._finished:
            raise ValueError("Normalizer.finish() called twice")
        self._finished = True
        out = self._paragraphs("".join(self._parts))
        self._parts = []
        return out

    def _keep(self, text: str) -> list[str]:
        if text:
            self._parts.append(text)
            self._pending_len += len(text)
            if self._pending_len > MAX_RAW_PARAGRAPH_CHARS:
                raise TextError(
                    f"a paragraph is longer than {MAX_RAW_PARAGRAPH_CHARS} characters",
                    hint="this does not look like prose; separate paragraphs with blank lines",
                )
        return []

    def _paragraphs(self, text: str) -> list[str]:
        out: list[str] = []
        for raw in _BREAK_RE.split(text):
            p = _fold(raw)
            if not p:
                continue
            if len(p) > MAX_PARAGRAPH_BYTES // 4 and len(p.encode("utf-8")) > MAX_PARAGRAPH_BYTES:
                raise TextError(
                    f"a paragraph is larger than {MAX_PARAGRAPH_BYTES // 1024} KiB",
                    hint="separate paragraphs with blank lines",
                )
            out.append(p)
        return out


def normalize(text: str) -> Text:
    """Normalize a whole text held in memory. Raises :class:`TextError` if it has
    forbidden characters, an oversized paragraph, or no paragraph at all."""
    n = Normalizer()
    paragraphs = n.feed(text)
    paragraphs += n.finish()
    if not paragraphs:
        raise TextError("the text is empty", hint="the file has no visible text")
    return Text(tuple(paragraphs))


def normalize_inline(text: str) -> str:
    """Normalize a short one-line string (a title) by the same rules as a
    paragraph, line breaks included in the whitespace folded to one space. May
    return ``""``; raises :class:`TextError` on forbidden characters."""
    _check_text(text, 0)
    return _fold(_clean(text.replace("\r", "\n")).replace("\n", " "))


def paragraph_hash(paragraph: str) -> bytes:
    """SHA-256(0x00 || UTF-8 of a normalized paragraph): its Merkle leaf hash."""
    return crypto.sha256(LEAF_PREFIX + paragraph.encode("utf-8"))


def normalized_bytes(paragraphs: Sequence[str]) -> bytes:
    """The canonical byte form of a text: paragraphs joined by one blank line, with a
    final newline, in UTF-8. ``text-sha256`` is computed over these bytes, and
    ``samizdat read`` prints them. Normalizing them again gives the same paragraphs."""
    return ("\n\n".join(paragraphs) + "\n").encode("utf-8")


# ------------------------------------------------------------------ bytes → text


def decode_text_bytes(data: bytes) -> str:
    """Decode a file's bytes as UTF-8 text (a leading BOM dropped).

    Raises :class:`TextError`, with one line for a person, on invalid UTF-8, on
    binary content (NUL or other control characters) and on empty content.
    """
    text = "".join(decode_text_stream([data]))
    if not text.strip():
        raise TextError("the file is empty", hint="give a text file with some text in it")
    return text


def decode_text_stream(chunks: Iterable[bytes]) -> Iterator[str]:
    """Decode UTF-8 chunks incrementally (a multi-byte character may straddle two
    chunks). Raises :class:`TextError` as :func:`decode_text_bytes` does, except
    that emptiness is left to the normalizer."""
    offset = 0
    for text in _decode_utf8(chunks):
        _check_text(text, offset)
        offset += len(text)
        yield text


def _decode_utf8(chunks: Iterable[bytes]) -> Iterator[str]:
    """Strict incremental UTF-8, first BOM dropped; no check for control characters
    (the :class:`Normalizer` does that in the same scan as its other work)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    consumed = 0
    first = True
    for chunk in chunks:
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise TextError(
                f"not UTF-8 text: invalid byte at offset {consumed + exc.start}",
                hint="convert the file to UTF-8 (e.g. iconv -t UTF-8)",
            ) from None
        consumed += len(chunk)
        if first and text:
            first = False
            text = text.removeprefix("\ufeff")
        if text:
            yield text
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise TextError(
            "not UTF-8 text: the file ends inside a character",
            hint="the file may be truncated or in another encoding",
        ) from None
    if tail:  # pragma: no cover - strict UTF-8 never yields text at the end
        yield tail


# ------------------------------------------------------------ streaming digests


@dataclass(frozen=True)
class TextDigest:
    """What is signed about a text, computed without holding it: the Merkle root of
    its paragraph hashes (the text id), the paragraph count and the SHA-256 of its
    normalized bytes."""

    text_id: bytes
    paragraphs: int
    text_sha256: bytes
    size: int
    """Length of :func:`normalized_bytes`, in bytes."""


class TextDigester:
    """Hash normalized paragraphs as they stream by, in O(log n) memory."""

    __slots__ = ("_count", "_merkle", "_sha", "_size")

    def __init__(self) -> None:
        self._merkle = MerkleBuilder()
        self._sha = crypto.sha256_hasher()
        self._count = 0
        self._size = 0

    def add(self, paragraph: str) -> None:
        """Add the next normalized paragraph."""
        raw = paragraph.encode("utf-8")
        if self._count:
            self._sha.update(b"\n\n")
            self._size += 2
        self._sha.update(raw)
        self._size += len(raw)
        self._merkle.add(crypto.sha256(LEAF_PREFIX + raw))
        self._count += 1

    def digest(self) -> TextDigest:
        """The digest of every paragraph added; :class:`TextError` if none was."""
        if not self._count:
            raise TextError("the text is empty", hint="the file has no visible text")
        sha = self._sha.copy()
        sha.update(b"\n")
        return TextDigest(self._merkle.root(), self._count, sha.digest(), self._size + 1)


def digest_paragraphs(paragraphs: Iterable[str]) -> TextDigest:
    """:class:`TextDigest` of already-normalized paragraphs."""
    d = TextDigester()
    for p in paragraphs:
        d.add(p)
    return d.digest()


def iter_paragraphs(chunks: Iterable[bytes]) -> Iterator[str]:
    """Decode and normalize a text given as byte chunks, yielding its paragraphs as
    they complete (one scan per chunk: the control-character check is the
    normalizer's). Raises :class:`TextError` on anything that is not acceptable
    text, including a text with no paragraph."""
    n = Normalizer()
    empty = True
    for text in _decode_utf8(chunks):
        for p in n.feed(text):
            empty = False
            yield p
    for p in n.finish():
        empty = False
        yield p
    if empty:
        raise TextError("the text is empty", hint="the file has no visible text")


def digest_text_stream(chunks: Iterable[bytes]) -> TextDigest:
    """Decode, normalize and hash a text given as byte chunks (a file read piece by
    piece), in bounded memory. Raises :class:`TextError` on anything that is not
    acceptable text."""
    d = TextDigester()
    for p in iter_paragraphs(chunks):
        d.add(p)
    return d.digest()
