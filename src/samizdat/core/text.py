"""The text model: what a document's content *is*, independent of how it was typed.

A signature must survive a retyping. Two copies that a careful reader would call
"the same text" (rewrapped lines, doubled spaces, CRLF line ends, an extra blank
line, decomposed accents) must give the same bytes to hash, and a copy with one
changed word must not. This module turns any text into a tuple of *normalized
paragraphs*; everything that is signed (paragraph hashes, the Merkle root that is the
text id, ``text-sha256``) is computed from them. The rules are specified, with the
reasons for each, in ``docs/spec/text.md``. There are two *text models*; a version
records the one its text was normalized under (``Version.text_model``), new versions
use :data:`TEXT_MODEL`. Model 1 in short:

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

Model 2 changes two rules, for the scripts model 1 misspelled:

* ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER (:data:`JOINERS`) are part of the
  spelling (Persian, Indic scripts, emoji sequences): they are kept between two
  characters, a run of them becomes its first one, and they are dropped only at a
  paragraph's edges and next to whitespace or a line end;
* a line end between two characters of scripts written without spaces (Han, kana,
  Thai, Lao, Khmer, Myanmar and CJK punctuation, :data:`SPACELESS_RANGES`) joins
  the lines with no space, looking past up to three quotes, dashes or ellipses
  (:data:`SPACELESS_TRANSPARENT`) on each side.

Input that is not text (NUL or other control characters, invalid UTF-8, lone
surrogates) and text with no paragraph at all raise :class:`TextError`. Memory is
bounded: :class:`Normalizer` holds at most one paragraph, and a paragraph over
:data:`MAX_PARAGRAPH_BYTES` (or, before folding, over :data:`MAX_RAW_PARAGRAPH_CHARS`)
is refused, so a 200 MB file streams through in a few megabytes. Time is bounded
too: NFC is computed in pieces, and long runs of combining marks are put in
canonical order by a sort (CPython's own NFC is quadratic in such runs).

Bytes are UTF-8 unless an ``encoding`` is named (``--encoding``); when they are not
UTF-8 the error names the encoding they most likely are in
(:func:`guess_encoding`).

This module is pure: it never opens a file. Callers read chunks and pass them in.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from samizdat.core import crypto
from samizdat.core.merkle import MerkleBuilder
from samizdat.errors import TextError, UsageError

__all__ = [
    "INVISIBLE_CHARACTERS",
    "JOINERS",
    "LEAF_PREFIX",
    "MAX_PARAGRAPH_BYTES",
    "MAX_RAW_PARAGRAPH_CHARS",
    "SPACELESS_RANGES",
    "SPACELESS_TRANSPARENT",
    "TEXT_MODEL",
    "TEXT_MODELS",
    "WHITESPACE_CHARACTERS",
    "Normalizer",
    "Text",
    "TextDigest",
    "TextDigester",
    "check_encoding",
    "check_model",
    "decode_text_bytes",
    "decode_text_stream",
    "digest_paragraphs",
    "digest_text_stream",
    "guess_encoding",
    "iter_paragraphs",
    "normalize",
    "normalize_inline",
    "normalized_bytes",
    "paragraph_hash",
    "paragraphs_by_model",
]

TEXT_MODELS: Final = (1, 2)
"""Every text model this code can normalize under (``docs/spec/text.md``)."""

TEXT_MODEL: Final = 2
"""The model new versions are made under."""

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
"""Format characters dropped before anything else by text model 1. Model 2 drops
the same set except :data:`JOINERS` (see ``docs/spec/text.md``)."""

JOINERS: Final = frozenset("\u200c\u200d")
"""ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER: dropped by model 1, part of the
spelling in model 2 (kept between two characters; dropped at a paragraph's edges and
next to whitespace; a run of them becomes its first one)."""

SPACELESS_RANGES: Final = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK radicals supplement, Kangxi radicals
    (0x2FF0, 0x2FFF),  # ideographic description characters
    (0x3001, 0x30FF),  # CJK symbols and punctuation (not U+3000, a space), kana
    (0x3100, 0x312F),  # Bopomofo
    (0x3190, 0x31FF),  # Kanbun, Bopomofo extended, CJK strokes, katakana extension
    (0x3300, 0x4DBF),  # CJK compatibility, CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA9E0, 0xA9FF),  # Myanmar extended-B
    (0xAA60, 0xAA7F),  # Myanmar extended-A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF01, 0xFF9F),  # fullwidth forms, halfwidth CJK punctuation and katakana
    (0xFFE0, 0xFFE6),  # fullwidth signs
    (0x1B000, 0x1B16F),  # kana supplement, kana extended-A, small kana extension
    (0x20000, 0x3FFFD),  # ideographs of planes 2 and 3 (extensions B to H)
)
"""Inclusive code point ranges of the scripts written without spaces between words
(Han, Hiragana, Katakana, Bopomofo, Thai, Lao, Khmer, Myanmar) and of CJK
punctuation and fullwidth forms. A fixed list, not Unicode's Script property, so a
future Unicode version cannot change a text id. Hangul is not in it (Korean is
written with spaces)."""

SPACELESS_TRANSPARENT: Final = frozenset(
    "\u2018\u2019\u201c\u201d\u2014\u2015\u2025\u2026\u00b7\u2027"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)
"""Characters a line-end join looks past (at most three on each side): the quotes,
dashes, ellipses and middle dots that Chinese and Japanese share with Western text
(East Asian Width "ambiguous"), and variation selectors."""

_NFC_DIRECT: Final = 256
"""Paragraphs up to this many characters are put in NFC in one piece: their worst
case costs well under a millisecond."""

# Control characters that make an input "not text". TAB, LF, VT, FF, CR and NEL are
# allowed (they are whitespace or line ends); everything else in C0, DEL and C1 is
# refused, as are lone surrogates (a ``str`` can hold them, UTF-8 cannot).
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")


def _char_class(chars: Iterable[str]) -> str:
    """A regular-expression class body matching exactly ``chars``, as ranges."""
    points = sorted({ord(c) for c in chars})
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


# Whitespace other than U+0020 becomes U+0020; NEL and LINE SEPARATOR become LF;
# PARAGRAPH SEPARATOR becomes a blank line; invisibles vanish. Regular expressions
# do it in C and cost one scan when, as usual, there is nothing to replace.
_WHITESPACE_RE = re.compile(
    "[" + "".join(sorted(c for c in WHITESPACE_CHARACTERS if c != " ")) + "]"
)
_LINE_END_RE = re.compile("[\x85\u2028]")
# A paragraph break: a line end followed by one or more lines holding only spaces
# (and, under model 2, joiners: they are dropped next to a line end, so such a line
# is blank; model 1 has dropped every joiner before this point).
_BLANK = " \u200c\u200d"
_BREAK_RE = re.compile(f"\n[{_BLANK}]*\n(?:[{_BLANK}]*\n)*")
_SPACES = re.compile(" {2,}")
# For ASCII chunks the same question is answered ~10x faster by deleting every
# byte that needs no work (LF and printable ASCII) and looking at what is left.
_ASCII_PLAIN = b"\n" + bytes(range(0x20, 0x7F))

# Model 2: joiners. A run becomes its first joiner; then one next to a space or a
# line end goes, and so do those at the paragraph's edges (``_fold_model2``).
_J = "\u200c\u200d"
_JOINER_RUN_RE = re.compile(f"([{_J}])[{_J}]+")
# Model 2: a line end between two spaceless characters, looking past up to three
# transparent ones on each side. The pattern starts with the literal LF, so the
# regex engine skips to each line end at C speed.
_S = "[" + "".join(
    re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
    for a, b in SPACELESS_RANGES
) + "]"
_T = "[" + _char_class(SPACELESS_TRANSPARENT) + "]"
_S_OR_T = "[" + _S[1:-1] + _T[1:-1] + "]"
_SPACELESS_BREAK_RE = re.compile(  # (the first lookahead only makes failing fast)
    f"\n(?={_S_OR_T})(?:" + "|".join(f"(?<={_S}{_T * k}\n)" for k in range(4))
    + f")(?={_T}{{0,3}}{_S})"
)


@dataclass(frozen=True)
class _Rules:
    """The context-free part of one text model: what a chunk scan looks for, what
    it drops, and how a paragraph's raw lines are folded."""

    special: re.Pattern[str]
    invisible: re.Pattern[str]
    fold: Callable[[str], str]

    def clean(self, chunk: str) -> str:
        """Context-free rewriting of a chunk (CR already turned into LF)."""
        chunk = self.invisible.sub("", chunk)
        chunk = _WHITESPACE_RE.sub(" ", chunk)
        chunk = _LINE_END_RE.sub(_LINE_BREAK, chunk)
        return chunk.replace(_PARAGRAPH_BREAK, "\n\n")


def _invisible_re(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + _char_class(chars) + "]")


def _special_re(invisible: re.Pattern[str]) -> re.Pattern[str]:
    # Anything cleaning or the control check would act on. Most chunks of real text
    # hold none of these: one scan then replaces five.
    return re.compile(
        _FORBIDDEN.pattern[:-1] + "\r\x85\u2028\u2029"
        + _WHITESPACE_RE.pattern[1:-1] + invisible.pattern[1:]
    )


@cache
def _second_of_a_pair() -> frozenset[str]:
    # Characters that can compose with the character before them: the second of a
    # canonical decomposition pair, and the Hangul vowel and final jamo (their
    # composition is algorithmic, not in the table). Built on first use.
    out = {chr(c) for c in (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))}
    # (canonical pairs exist only in these blocks; scanning them takes ~10 ms)
    for c in (*range(0x80, 0x3100), *range(0xF900, 0xFB50), *range(0x11000, 0x12000),
              *range(0x1D100, 0x1D200)):
        d = unicodedata.decomposition(chr(c)).split()
        if len(d) == 2 and not d[0].startswith("<"):
            out.add(chr(int(d[1], 16)))
    return frozenset(out)


def _stable(c: str) -> bool:
    """NFC of a text can be computed in two pieces split just before ``c``: it is a
    starter, its decomposition starts with a starter, and it never composes with
    what comes before it (UAX #15, section 9)."""
    if c.isascii():
        return True
    return (not unicodedata.combining(c) and c not in _second_of_a_pair()
            and not unicodedata.combining(unicodedata.normalize("NFD", c)[0]))


_NFC_PIECE: Final = 256
_NFC_LOOK: Final = 64


def _nfc_sorted(piece: str) -> str:
    """NFC of ``piece`` in O(n log n) however long its runs of combining marks:
    decompose character by character, put each run of non-starters in canonical
    order with a stable sort (the definition of canonical ordering), then let NFC
    compose, which finds nothing left to reorder. CPython's own reordering is an
    insertion sort: quadratic in such a run (a 640 KB run took 176 s)."""
    out: list[str] = []
    run: list[str] = []
    for c in piece:
        for d in unicodedata.normalize("NFD", c):
            if unicodedata.combining(d):
                run.append(d)
                continue
            if run:
                out += sorted(run, key=unicodedata.combining)
                run = []
            out.append(d)
    out += sorted(run, key=unicodedata.combining)
    return unicodedata.normalize("NFC", "".join(out))


def _nfc(folded: str) -> str:
    """NFC in time O(n log n) in the paragraph. A long paragraph that is not already
    NFC is normalized in pieces of about 256 characters, each cut just before a
    stable character; a piece that cannot be cut within 64 characters (a long run of
    characters that combine) goes through :func:`_nfc_sorted`."""
    n = len(folded)
    if n <= _NFC_DIRECT or folded.isascii():
        return unicodedata.normalize("NFC", folded)
    # Already NFC (the usual case): CPython's check is linear, answers "no" at the
    # first mark out of canonical order, and normalizes (linearly: nothing needs
    # reordering then) only to settle a "maybe".
    if unicodedata.is_normalized("NFC", folded):
        return folded
    pieces: list[str] = []
    start = 0
    while start < n:
        cut = min(n, start + _NFC_PIECE)
        look = cut + _NFC_LOOK
        while cut < n and not _stable(folded[cut]):
            cut += 1
            if cut == look:  # a long unstable run: take all of it
                while cut < n and not _stable(folded[cut]):
                    cut += 1
                break
        piece = folded[start:cut]
        pieces.append(_nfc_sorted(piece) if cut >= look else unicodedata.normalize("NFC", piece))
        start = cut
    return "".join(pieces)


def _fold(raw: str) -> str:
    """Model 1: one paragraph's raw lines (spaces and LFs only) -> its normal form."""
    folded = raw.replace(_LINE_BREAK, " ")
    if "  " in folded:  # a substring test is ~6x faster than always substituting
        folded = _SPACES.sub(" ", folded)
    return _nfc(folded.strip(" "))


def _fold_model2(raw: str) -> str:
    """Model 2: joiners, then line ends inside spaceless scripts, then model 1."""
    if not raw.isascii():  # neither rule can apply to ASCII
        if "\u200c" in raw or "\u200d" in raw:
            # (substring tests and replacements run at C speed; the regular
            # expressions only when there is a run)
            if any(a + b in raw for a in _J for b in _J):
                raw = _JOINER_RUN_RE.sub(r"\1", raw)
            for j in _J:
                raw = raw.replace(" " + j, " ").replace(j + " ", " ")
                raw = raw.replace("\n" + j, "\n").replace(j + "\n", "\n")
            raw = raw.strip(" \n" + _J)
        if _LINE_BREAK in raw:
            raw = _SPACELESS_BREAK_RE.sub("", raw)
    return _fold(raw)


_INVISIBLE_1 = _invisible_re(INVISIBLE_CHARACTERS)
_INVISIBLE_2 = _invisible_re(INVISIBLE_CHARACTERS - JOINERS)
_RULES: Final = {
    1: _Rules(_special_re(_INVISIBLE_1), _INVISIBLE_1, _fold),
    2: _Rules(_special_re(_INVISIBLE_2), _INVISIBLE_2, _fold_model2),
}


def check_model(model: int) -> int:
    """``model`` if it is one of :data:`TEXT_MODELS`; ``ValueError`` otherwise (a
    decoder turns an unknown model into :class:`~samizdat.errors.DecodeError`)."""
    if isinstance(model, bool) or model not in _RULES:
        raise ValueError(f"unknown text model {model!r}")
    return model


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
    character at a time gives the same paragraphs. ``model`` is the text model
    (:data:`TEXT_MODELS`); the default is the one new versions use.
    """

    __slots__ = ("_finished", "_offset", "_open_spaces", "_parts", "_pending_cr",
                 "_pending_len", "_rules", "model")

    def __init__(self, model: int = TEXT_MODEL) -> None:
        self.model = check_model(model)
        self._rules = _RULES[model]
        # Cleaned text after the last paragraph break seen, kept as pieces so that
        # feeding a paragraph line by line (or character by character) costs linear
        # time: the pieces are joined once, when a break completes the paragraph.
        self._parts: list[str] = []
        self._pending_len = 0
        # If the pending text ends in a line end followed by spaces (or joiners) only,
        # how many (a paragraph break may be in progress there); else -1.
        self._open_spaces = -1
        self._pending_cr = False  # last chunk ended in CR: a following LF is the same end
        self._offset = 0  # characters seen, for error messages
        self._finished = False

    def __repr__(self) -> str:
        return f"<Normalizer (model {self.model}): {self._offset} characters read>"

    def feed(self, chunk: str) -> list[str]:
        """Take the next piece of text; return the paragraphs it completed."""
        if self._finished:
            raise ValueError("Normalizer.feed() after finish()")
        if not chunk:
            return []
        if chunk.isascii():
            special = bool(chunk.encode("ascii").translate(None, _ASCII_PLAIN))
        else:
            special = self._rules.special.search(chunk) is not None
        if special:
            _check_text(chunk, self._offset)
        self._offset += len(chunk)
        if self._pending_cr and chunk[0] == "\n":
            chunk = chunk[1:]
        self._pending_cr = chunk.endswith("\r")
        if special:
            chunk = self._rules.clean(chunk.replace("\r\n", "\n").replace("\r", "\n"))
        if not chunk:
            return []
        if _LINE_BREAK not in chunk:  # no break can end here
            if self._open_spaces >= 0 and not chunk.strip(_BLANK):
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
            self._open_spaces = -1 if rest.strip(_BLANK) else len(rest)
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
        self._open_spaces = -1 if lf < 0 or tail.strip(_BLANK) else len(tail)
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
        fold = self._rules.fold
        for raw in _BREAK_RE.split(text):
            p = fold(raw)
            if not p:
                continue
            if len(p) > MAX_PARAGRAPH_BYTES // 4 and len(p.encode("utf-8")) > MAX_PARAGRAPH_BYTES:
                raise TextError(
                    f"a paragraph is larger than {MAX_PARAGRAPH_BYTES // 1024} KiB",
                    hint="separate paragraphs with blank lines",
                )
            out.append(p)
        return out


def normalize(text: str, model: int = TEXT_MODEL) -> Text:
    """Normalize a whole text held in memory under text model ``model``. Raises
    :class:`TextError` if it has forbidden characters, an oversized paragraph, or no
    paragraph at all."""
    n = Normalizer(model)
    paragraphs = n.feed(text)
    paragraphs += n.finish()
    if not paragraphs:
        raise TextError("the text is empty", hint="the file has no visible text")
    return Text(tuple(paragraphs))


def normalize_inline(text: str, model: int = TEXT_MODEL) -> str:
    """Normalize a short one-line string (a title) by the same rules as a
    paragraph, line breaks included in the whitespace folded to one space (under
    model 2, a line end inside a spaceless script joins without one). May return
    ``""``; raises :class:`TextError` on forbidden characters."""
    _check_text(text, 0)
    rules = _RULES[check_model(model)]
    if model == 1:
        return _fold(rules.clean(text.replace("\r", "\n")).replace("\n", " "))
    return rules.fold(rules.clean(text.replace("\r\n", "\n").replace("\r", "\n")))


def paragraph_hash(paragraph: str) -> bytes:
    """SHA-256(0x00 || UTF-8 of a normalized paragraph): its Merkle leaf hash."""
    return crypto.sha256(LEAF_PREFIX + paragraph.encode("utf-8"))


def normalized_bytes(paragraphs: Sequence[str]) -> bytes:
    """The canonical byte form of a text: paragraphs joined by one blank line, with a
    final newline, in UTF-8. ``text-sha256`` is computed over these bytes, and
    ``samizdat read`` prints them. Normalizing them again gives the same paragraphs."""
    return ("\n\n".join(paragraphs) + "\n").encode("utf-8")


# ------------------------------------------------------------------ bytes → text


_GUESS_SAMPLE: Final = 16 * 1024
"""Bytes given to the encoding detector: enough for a clear guess, little enough
that guessing stays in the tens of milliseconds."""


def check_encoding(name: str) -> str:
    """The canonical Python codec name for an ``--encoding NAME``; a
    :class:`~samizdat.errors.UsageError` if no text encoding has that name."""
    examples = "e.g. --encoding cp1251, koi8-r, cp1256 or gb18030"
    try:
        info = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        raise UsageError(f"unknown text encoding {name!r}", hint=examples) from None
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13, zlib...
        raise UsageError(f"{name!r} is not a text encoding", hint=examples)
    return info.name


def guess_encoding(sample: bytes) -> str | None:
    """The encoding ``sample`` (bytes that are not UTF-8) is most likely in, as a
    name :func:`check_encoding` accepts, or ``None`` when there is no clear guess.
    Uses charset-normalizer on at most 16 KiB."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency of samizdat itself
        return None
    best = from_bytes(sample[:_GUESS_SAMPLE]).best()
    if best is None:
        return None
    try:
        name = check_encoding(best.encoding)
    except UsageError:  # pragma: no cover - the detector names Python codecs
        return None
    return None if name in ("utf-8", "ascii") else name


def _not_utf8(chunk: bytes, start: int, offset: int) -> TextError:
    lo = max(0, start - 1024)
    guess = guess_encoding(chunk[lo : lo + _GUESS_SAMPLE])
    if guess is None:
        return TextError(
            f"not UTF-8 text: invalid byte at offset {offset}",
            hint="name its encoding with --encoding NAME (e.g. cp1251), "
                 "or convert the file to UTF-8 (iconv -t UTF-8)",
        )
    return TextError(
        f"not UTF-8 text: invalid byte at offset {offset}; it looks like {guess}",
        hint=f"if it is, pass --encoding {guess}",
    )


def decode_text_bytes(data: bytes, encoding: str | None = None) -> str:
    """Decode a file's bytes as UTF-8 text, or as ``encoding`` (a leading BOM
    dropped).

    Raises :class:`TextError`, with one line for a person, on bytes that are not
    valid in the encoding (naming the likely one when UTF-8 was assumed), on binary
    content (NUL or other control characters) and on empty content.
    """
    text = "".join(decode_text_stream([data], encoding))
    if not text.strip():
        raise TextError("the file is empty", hint="give a text file with some text in it")
    return text


def decode_text_stream(chunks: Iterable[bytes], encoding: str | None = None) -> Iterator[str]:
    """Decode chunks incrementally (a multi-byte character may straddle two
    chunks), as UTF-8 or as ``encoding``. Raises :class:`TextError` as
    :func:`decode_text_bytes` does, except that emptiness is left to the
    normalizer."""
    offset = 0
    for text in _decode(chunks, encoding):
        _check_text(text, offset)
        offset += len(text)
        yield text


def _decode(chunks: Iterable[bytes], encoding: str | None = None) -> Iterator[str]:
    """Strict incremental decoding (UTF-8 unless ``encoding`` names another), first
    BOM dropped; no check for control characters (the :class:`Normalizer` does that
    in the same scan as its other work). Memory: one chunk, whatever the codec."""
    name = "utf-8" if encoding is None else check_encoding(encoding)
    label = "UTF-8" if name == "utf-8" else name
    decoder = codecs.getincrementaldecoder(name)("strict")
    consumed = 0
    first = True
    for chunk in chunks:
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            at = max(0, consumed + exc.start)
            if encoding is None:
                raise _not_utf8(bytes(chunk), exc.start, at) from None
            raise TextError(f"not {label} text: invalid byte at offset {at}",
                            hint="check the --encoding name") from None
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
            f"not {label} text: the file ends inside a character",
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


def iter_paragraphs(
    chunks: Iterable[bytes], *, model: int = TEXT_MODEL, encoding: str | None = None
) -> Iterator[str]:
    """Decode and normalize (under ``model``) a text given as byte chunks, yielding
    its paragraphs as they complete (one scan per chunk: the control-character check
    is the normalizer's). Raises :class:`TextError` on anything that is not
    acceptable text, including a text with no paragraph."""
    n = Normalizer(model)
    empty = True
    for text in _decode(chunks, encoding):
        for p in n.feed(text):
            empty = False
            yield p
    for p in n.finish():
        empty = False
        yield p
    if empty:
        raise TextError("the text is empty", hint="the file has no visible text")


def paragraphs_by_model(
    chunks: Iterable[bytes], models: Iterable[int], *, encoding: str | None = None,
    max_paragraphs: int | None = None,
) -> dict[int, tuple[str, ...]]:
    """A text's normalized paragraphs under each of ``models``, decoding it once:
    what ``verify`` compares with versions made under different models. Raises
    :class:`TextError` as :func:`iter_paragraphs` does, and when a model gives more
    than ``max_paragraphs`` paragraphs (a hostile copy of millions of tiny ones)."""
    normalizers = [Normalizer(m) for m in sorted(set(models))]
    out: dict[int, list[str]] = {n.model: [] for n in normalizers}
    for text in _decode(chunks, encoding):
        for n in normalizers:
            out[n.model] += n.feed(text)
            if max_paragraphs is not None and len(out[n.model]) > max_paragraphs:
                raise TextError(
                    f"the copy has more than {max_paragraphs:,} paragraphs",
                    hint="that is twice as many as the longest text here, or more; if this "
                         "really is one text, split it and verify the parts")
    for n in normalizers:
        out[n.model] += n.finish()
        if not out[n.model]:
            raise TextError("the text is empty", hint="the file has no visible text")
    return {m: tuple(ps) for m, ps in out.items()}


def digest_text_stream(
    chunks: Iterable[bytes], *, model: int = TEXT_MODEL, encoding: str | None = None
) -> TextDigest:
    """Decode, normalize (under ``model``) and hash a text given as byte chunks (a
    file read piece by piece), in bounded memory. Raises :class:`TextError` on
    anything that is not acceptable text."""
    d = TextDigester()
    for p in iter_paragraphs(chunks, model=model, encoding=encoding):
        d.add(p)
    return d.digest()
