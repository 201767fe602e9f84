"""Word-level comparison of one authentic paragraph with its copy.

A paragraph reported only as "changed" hides a planted edit among the noise of an
OCR run or a typist. This module says *what* changed, as tokens, and what kind of
change it is (``docs/spec/compare.md`` has the rules and the reasons):

``typography``
    quote and dash styles, ``...`` for ``…``, compatibility ligatures (``ﬁ``),
    fullwidth punctuation, spacing around punctuation, and a line-end hyphen that
    joins back into the original's word. A careful reader would not call these a
    difference. The original decides: ``re- sign`` joins back to ``resign`` only
    when the original says ``resign``; ``re-sign`` for ``resign`` is a change.
``ocr``
    character confusions an OCR engine or a typist makes: ``rn``/``m``,
    ``l``/``1``/``I``, ``0``/``O``, Cyrillic or Greek letters that look like Latin
    ones (``е``/``e``), a doubled or dropped letter, a word split or run together,
    ``,`` for ``.``, a stray punctuation mark.
``words``
    anything else: whole words replaced, added or removed, a hyphen added or
    removed.

Tokens are runs of letters, digits and combining marks, single punctuation marks,
dash runs and ellipses; in scripts written without spaces (Han, Kana, Thai, Lao,
Khmer, Myanmar) every character is a token. Whitespace between tokens is not a
token, so rewrapping and spacing never count.

Typography is folded here, in the comparison, never in the normalization that feeds
the paragraph hashes: the signed text keeps the typography the authors chose
(``read`` prints it), and a hash cannot "know" which of two spellings the original
used, which is what decides the line-end hyphen.

Pure, and bounded: the token alignment uses :func:`samizdat.core.lcs.common`
(capped work), and character-level checks look at chunks of at most
:data:`OCR_CHUNK_CHARS` characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from samizdat.core.lcs import common

__all__ = [
    "OCR_CHUNK_CHARS",
    "Change",
    "Comparison",
    "Kind",
    "Token",
    "canonical",
    "compare",
    "containment",
    "tokens",
    "worst",
]

Kind = Literal["typography", "ocr", "words"]
"""How a paragraph (or one change in it) differs, from mildest to worst."""

_RANK: Final[dict[str, int]] = {"typography": 0, "ocr": 1, "words": 2}

OCR_CHUNK_CHARS: Final = 64
"""Longest changed chunk (either side, in characters) tested for a dropped letter;
longer chunks count as ``ocr`` only when their confusion skeletons are equal."""


def worst(kinds: Sequence[Kind | None]) -> Kind | None:
    """The worst kind among ``kinds`` (``None`` when there is none)."""
    out: Kind | None = None
    for k in kinds:
        if k is not None and (out is None or _RANK[k] > _RANK[out]):
            out = k
    return out


# ------------------------------------------------------------------- tokens


def _runs(chars: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted code points as runs of consecutive ones: ``[(first, last), ...]``
    (also used by tests/js/gen_tables.py for the browser's copy of these classes)."""
    out: list[tuple[int, int]] = []
    for c in chars:
        if out and c == out[-1][1] + 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


def _ranges(chars: Sequence[int]) -> str:
    """A regex character class body for the given code points, as ranges."""
    return "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
                   for lo, hi in _runs(chars))


# Combining marks belong to the letter before them (Persian and Arabic vowel marks,
# Devanagari vowel signs, Thai vowels above and below, decomposed accents).
_MARKS: Final = _ranges([c for c in range(0x300, 0x10000)
                         if unicodedata.category(chr(c)).startswith("M")])
# Scripts written without spaces between words: one character, one token.
_UNSPACED: Final = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\U00020000-\U0003134f"  # Han extensions
)
_DASHES: Final = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TOKEN_RE: Final = re.compile(
    "(?P<ellipsis>\u2026|\\.(?: ?\\.){2,})"
    f"|(?P<dash>[{_DASHES}]+)"
    f"|(?P<unspaced>[{_UNSPACED}][{_MARKS}]*)"
    f"|(?P<word>[\\w{_MARKS}]+)"
    f"|(?P<mark>\\S[{_MARKS}]*)"
)
_UNSPACED_RE: Final = re.compile(f"[{_UNSPACED}][{_MARKS}]*")
# Every quotation mark and apostrophe is one key: 'single', "double", «guillemets»
# and „low-high“ are styles of the same mark.
_QUOTES: Final = dict.fromkeys(
    "\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e\uff02"
    "'`\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u00b4\uff07", '"')
_LIGATURES: Final = re.compile("[\ufb00-\ufb06\ufb13-\ufb17\u0132\u0133\u01c4-\u01cc]")
_FULLWIDTH: Final = re.compile("[\uff01-\uff5e\u3000]")


class Token(NamedTuple):
    """One token of a paragraph: its comparison ``key`` (typography folded) and its
    span ``[start, end)`` in the paragraph, for showing the original characters.

    ``line_hyphen`` marks a dash token written as a line-end hyphen: one hyphen
    right after a word, then a space, then a word (``imple- mentation`` is how a
    wrapped, hyphenated word reads once lines are joined)."""

    key: str
    start: int
    end: int
    line_hyphen: bool = False


def _key(kind: str, raw: str) -> str:
    if kind == "ellipsis":
        return "\u2026"
    if kind == "dash":
        return "-"
    if kind == "mark":
        raw = _QUOTES.get(raw, raw)
    if _LIGATURES.search(raw) or _FULLWIDTH.search(raw):
        raw = unicodedata.normalize("NFKC", raw)
    return raw


def tokens(paragraph: str) -> list[Token]:
    """The tokens of a normalized paragraph, in order."""
    out: list[Token] = []
    append = out.append
    n = len(paragraph)
    for m in _TOKEN_RE.finditer(paragraph):
        kind = m.lastgroup or "mark"
        raw = m.group()
        s, e = m.span()
        if kind == "word":
            if raw.isascii() or not _UNSPACED_RE.search(raw):
                append(Token(_key(kind, raw) if not raw.isascii() else raw, s, e))
                continue
            # a word running into Han or Thai: the unspaced characters stand alone
            at = 0
            for u in _UNSPACED_RE.finditer(raw):
                if u.start() > at:
                    append(Token(_key(kind, raw[at:u.start()]), s + at, s + u.start()))
                append(Token(u.group(), s + u.start(), s + u.end()))
                at = u.end()
            if at < len(raw):
                append(Token(_key(kind, raw[at:]), s + at, e))
            continue
        line_hyphen = (
            kind == "dash" and raw in ("-", "\u2010")
            and s > 0 and paragraph[s - 1].isalnum()
            and e + 1 < n and paragraph[e] == " " and paragraph[e + 1].isalnum()
        )
        append(Token(_key(kind, raw), s, e, line_hyphen))
    return out


def canonical(paragraph: str) -> str:
    """The paragraph's tokens' keys joined by spaces: equal for two paragraphs
    that differ only in typography (except a line-end hyphen, which needs the
    original to decide; see :func:`compare`)."""
    return " ".join(t.key for t in tokens(paragraph))


def containment(piece: Counter[str], whole: Counter[str]) -> float:
    """Share of ``piece``'s tokens found in ``whole`` (multiset), 0..1."""
    total = sum(piece.values())
    if not total:
        return 0.0
    return sum((piece & whole).values()) / total


def _join_line_hyphens(copy: list[Token], original_words: set[str]) -> list[Token]:
    """Join ``imple- mentation`` into one token where the original has the word
    ``implementation``: the original decides whether a line-end hyphen was a
    hyphenation or a real hyphen (``re- sign`` stays ``re-sign`` unless the
    original says ``resign``)."""
    out: list[Token] = []
    i = 0
    while i < len(copy):
        t = copy[i]
        if (t.line_hyphen and out and i + 1 < len(copy)
                and out[-1].end == t.start
                and out[-1].key + copy[i + 1].key in original_words):
            prev, nxt = out.pop(), copy[i + 1]
            out.append(Token(prev.key + nxt.key, prev.start, nxt.end))
            i += 2
            continue
        out.append(t)
        i += 1
    return out


# ------------------------------------------------------------ OCR confusions

# Letters of other scripts that look like Latin ones (and fold to them).
_HOMOGLYPHS: Final = str.maketrans(
    "аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅУԌαοτνκιρΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwABEKMHOPCTXIJSYGaotvkipABEZHIKMNOPTYX",
)
# Shapes OCR confuses, folded to one representative. Multi-letter shapes first.
_SHAPES_MULTI: Final = (("rn", "m"), ("cl", "d"), ("vv", "w"), ("ri", "n"), ("li", "h"))
_SHAPES: Final = str.maketrans({
    **dict.fromkeys("l1I|i!\u0131\u01c0\u00ed\u00ec", "l"),
    **dict.fromkeys("0Oo\u00f8\u00d8", "o"),
    **dict.fromkeys("5Ss", "s"),
    **dict.fromkeys("Cc", "c"), **dict.fromkeys("Vv", "v"), **dict.fromkeys("Ww", "w"),
    **dict.fromkeys("Xx", "x"), **dict.fromkeys("Zz", "z"), **dict.fromkeys("Uu", "u"),
    **dict.fromkeys("Pp", "p"), **dict.fromkeys("Kk", "k"),
})
# Punctuation OCR drops, doubles or misreads (``,`` for ``.``, a speck read as ``'``)
# is left out of the skeleton; so are the accents of Latin, Greek and Cyrillic
# (``й`` read as ``и``, ``é`` as ``e``), but not the vowel signs of other scripts,
# which make different words.
_NOT_IN_SKELETON: Final = re.compile("[^\\w]|_|[\u0300-\u036f]")
_DOUBLED: Final = re.compile(r"(.)\1+")
# Marks OCR makes of specks and misreads for one another.
_SPECKS: Final = ".,;:'\"`|-\u2026\u060c\u061b\u3001\u3002\uff0c"


def _skeleton(keys: Sequence[str]) -> str:
    s = _NOT_IN_SKELETON.sub("", unicodedata.normalize("NFD", "".join(keys)))
    s = s.translate(_HOMOGLYPHS)
    for a, b in _SHAPES_MULTI:
        s = s.replace(a, b)
    return _DOUBLED.sub(r"\1", s.translate(_SHAPES))


def _one_dropped(a: str, b: str) -> bool:
    """True when the longer string is the shorter one with one character more."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) != len(b) + 1:
        return False
    i = 0
    while i < len(b) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i:]


def _is_word(key: str) -> bool:
    return any(ch.isalnum() for ch in key)


def _classify(old: Sequence[str], new: Sequence[str]) -> Kind:
    """``ocr`` or ``words`` for one chunk of differing token keys."""
    if not any(map(_is_word, old)) and not any(map(_is_word, new)):
        # punctuation only: a speck read as a mark, a comma read as a full stop, is
        # OCR; a question or exclamation mark, a bracket, is a change of meaning
        if not "".join(old).strip(_SPECKS) and not "".join(new).strip(_SPECKS):
            return "ocr"
        return "words"
    if old.count("-") != new.count("-"):
        return "words"  # a hyphen added or removed: "re-sign" is not "resign"
    a, b = _skeleton(old), _skeleton(new)
    if a == b:
        return "ocr"
    if (max(len(a), len(b)) >= 4 and len(a) <= OCR_CHUNK_CHARS and len(b) <= OCR_CHUNK_CHARS
            and _one_dropped(a, b)):
        return "ocr"
    return "words"


# --------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Change:
    """One changed run of tokens: the original's characters ``old`` became the
    copy's ``new`` (either may be empty). ``start`` is the offset of the change in
    the original paragraph (where an empty ``old`` was inserted)."""

    old: str
    new: str
    kind: Kind
    start: int = 0

    def to_json(self) -> dict[str, str]:
        """``{"from", "to", "kind"}`` as ``verify --json`` and ``diff --json`` print."""
        return {"from": self.old, "to": self.new, "kind": self.kind}


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` found: ``kind`` is the worst kind of difference
    (``None`` when the paragraphs are character for character equal), ``changes``
    every changed run, typographic ones included, in reading order."""

    kind: Kind | None
    changes: tuple[Change, ...]

    def significant(self) -> tuple[Change, ...]:
        """The changes that are not typography."""
        return tuple(c for c in self.changes if c.kind != "typography")


def _word_first(ot: Sequence[Token], ct: Sequence[Token], a: list[int], b: list[int]
                ) -> list[tuple[int, int]]:
    """The token alignment, words first: a full stop must not be matched at the
    price of the word next to it (``guilty, now.`` against ``guilty. now:``). Words
    are aligned by the bounded LCS, then the marks between each pair of aligned
    words."""
    wa = [k for k, t in enumerate(ot) if _is_word(t.key)]
    wb = [k for k, t in enumerate(ct) if _is_word(t.key)]
    anchors = [(wa[x], wb[y]) for x, y in common([a[k] for k in wa], [b[k] for k in wb])]
    out: list[tuple[int, int]] = []
    i = j = 0
    for pi, pj in [*anchors, (len(a), len(b))]:
        out.extend((i + x, j + y) for x, y in common(a[i:pi], b[j:pj]))
        if pi < len(a):
            out.append((pi, pj))
        i, j = pi + 1, pj + 1
    return out


def compare(original: str, copy: str) -> Comparison:
    """Compare one authentic paragraph with one copy paragraph, word by word."""
    if original == copy:
        return Comparison(None, ())
    ot = tokens(original)
    words = {t.key for t in ot}
    ct = _join_line_hyphens(tokens(copy), words)
    ids: dict[str, int] = {}
    a = [ids.setdefault(t.key, len(ids)) for t in ot]
    b = [ids.setdefault(t.key, len(ids)) for t in ct]
    changes: list[Change] = []

    def span(text: str, toks: Sequence[Token], lo: int, hi: int) -> str:
        return text[toks[lo].start:toks[hi - 1].end] if hi > lo else ""

    def chunk(i0: int, i1: int, j0: int, j1: int) -> None:
        if i1 == i0 and j1 == j0:
            return
        if i1 - i0 == j1 - j0 > 1:  # as many tokens each side: judge them one by one
            run: list[tuple[int, int, Kind]] = []
            for k in range(i1 - i0):
                kind = _classify([ot[i0 + k].key], [ct[j0 + k].key])
                if run and run[-1][2] == kind:
                    run[-1] = (run[-1][0], k + 1, kind)
                else:
                    run.append((k, k + 1, kind))
            for lo, hi, kind in run:
                changes.append(Change(span(original, ot, i0 + lo, i0 + hi),
                                      span(copy, ct, j0 + lo, j0 + hi), kind, ot[i0 + lo].start))
            return
        old_keys = [t.key for t in ot[i0:i1]]
        new_keys = [t.key for t in ct[j0:j1]]
        where = ot[i0].start if i0 < len(ot) else len(original)
        changes.append(Change(span(original, ot, i0, i1), span(copy, ct, j0, j1),
                              _classify(old_keys, new_keys), where))

    i = j = 0
    for pi, pj in [*_word_first(ot, ct, a, b), (len(a), len(b))]:
        chunk(i, pi, j, pj)
        if pi < len(a):
            o, c = ot[pi], ct[pj]
            old, new = original[o.start:o.end], copy[c.start:c.end]
            if old != new:  # equal keys, different characters: typography
                changes.append(Change(old, new, "typography", o.start))
        i, j = pi + 1, pj + 1
    kind = worst([c.kind for c in changes]) or "typography"  # spacing alone
    return Comparison(kind, tuple(changes))

