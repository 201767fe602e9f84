"""Hypothesis strategies for the text model, shipped so every test draws texts and
retypings the same way.

* :func:`words`, :func:`paragraphs`, :func:`texts`: normalized content (what
  :func:`samizdat.core.text.normalize` returns);
* :func:`retypings`: a raw string that a careless typist could have produced from a
  text and that must normalize back to exactly the same paragraphs (rewrapped
  lines, whitespace runs, blank-line runs, CRLF/CR, NFD, invisible characters),
  under a given text model;
* :func:`raw_texts`: arbitrary printable strings, for idempotence and "never
  crashes" properties;
* :func:`cbor_values`: values :mod:`samizdat.core.cbor` can encode;
* :func:`documents`, :func:`versions`: valid signed objects of
  :mod:`samizdat.core.versions` (for codec tests of formats that carry them);
* :func:`envelopes`: real sealed envelopes (payload, k-of-n, cap, shards) of
  :mod:`samizdat.core.envelope`, for properties of opening, damage and recovery.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

from samizdat.core.caps import ReadCap
from samizdat.core.cbor import Value
from samizdat.core.envelope import seal
from samizdat.core.text import JOINERS, SPACELESS_RANGES, SPACELESS_TRANSPARENT, TEXT_MODEL
from samizdat.core.versions import MAX_PARENTS, Document, Version, normalize_title

__all__ = [
    "SealedEnvelope",
    "cbor_values",
    "documents",
    "envelopes",
    "paragraphs",
    "raw_texts",
    "retypings",
    "texts",
    "versions",
    "words",
]

# Letters from several scripts (precomposed where they have a composition), digits,
# and punctuation including typographic quotes and dashes, which are never folded.
_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "äöüßéèêçñåøłšžőű"  # Latin with diacritics (NFD differs from NFC)
    "абвгдежзийклмнопрстуфхцчшщъыьэюяЁё"  # Cyrillic (й and ё decompose)
    "αβγδεζηθάέ"  # Greek (tonos decomposes)
    "日本語"  # CJK
    ".,;:!?()-'\"“”‘’«»—–…"  # punctuation, typographic forms kept as they are
)

_SPACES = [" ", "  ", "\t", "\u00a0", "\u2003", " \t ", "\u3000"]
_BREAKS = ["\n", "\r\n", "\r"]
_INVISIBLE = ["\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff", "\u200e"]
_INVISIBLE_2 = [c for c in _INVISIBLE if c not in JOINERS]  # model 2 keeps joiners


_TRANSPARENT = "".join(sorted(SPACELESS_TRANSPARENT))


def _spaceless(c: str) -> bool:
    return any(lo <= ord(c) <= hi for lo, hi in SPACELESS_RANGES)


def words() -> st.SearchStrategy[str]:
    """One word: a non-empty run of non-space characters, NFC."""
    return st.text(alphabet=_ALPHABET, min_size=1, max_size=12).map(
        lambda w: unicodedata.normalize("NFC", w)
    )


def paragraphs(max_words: int = 30) -> st.SearchStrategy[str]:
    """One normalized paragraph: words joined by single spaces."""
    return st.lists(words(), min_size=1, max_size=max_words).map(" ".join)


def texts(
    min_paragraphs: int = 1, max_paragraphs: int = 8, max_words: int = 30
) -> st.SearchStrategy[tuple[str, ...]]:
    """The paragraphs of a normalized text (as ``Text.paragraphs`` would hold)."""
    return st.lists(
        paragraphs(max_words), min_size=min_paragraphs, max_size=max_paragraphs
    ).map(tuple)


@st.composite
def _retype(draw: st.DrawFn, paras: Sequence[str], model: int) -> str:
    invisible = _INVISIBLE if model == 1 else _INVISIBLE_2
    nl = draw(st.sampled_from(_BREAKS))
    out: list[str] = []
    if draw(st.booleans()):
        out.append("\ufeff")
    out.append(draw(st.sampled_from(["", nl, nl + nl, " \t" + nl])))
    for k, para in enumerate(paras):
        if k:
            # one or more blank lines, some holding only whitespace
            blanks = draw(st.lists(st.sampled_from(["", " ", "\t", "\u00a0 "]),
                                   min_size=1, max_size=3))
            out.append(nl + nl.join(blanks) + nl)
        if draw(st.booleans()):
            para = unicodedata.normalize("NFD", para)
        pieces = para.split(" ")
        line: list[str] = [draw(st.sampled_from(["", " ", "\t"]))]
        for i, word in enumerate(pieces):
            if draw(st.integers(0, 9)) == 0:
                cut = draw(st.integers(0, len(word)))
                word = word[:cut] + draw(st.sampled_from(invisible)) + word[cut:]
            if model >= 2 and draw(st.integers(0, 9)) == 0:
                # a joiner at a word's edge touches whitespace or the paragraph's edge
                joiner = draw(st.sampled_from(sorted(JOINERS)))
                word = joiner + word if draw(st.booleans()) else word + joiner
            if i:
                # a space between words: kept, widened, or turned into a line break
                # (under model 2 a bare line end between two spaceless characters
                # joins them, so a typist who wraps there keeps a space)
                left = pieces[i - 1].rstrip(_TRANSPARENT)[-1:] or " "
                right = pieces[i].lstrip(_TRANSPARENT)[:1] or " "
                bare_joins = model >= 2 and _spaceless(left) and _spaceless(right)
                seps = [*_SPACES, " " + nl + "  "] + ([] if bare_joins else [nl])
                sep = draw(st.sampled_from(seps))
                line.append(sep)
            line.append(word)
        line.append(draw(st.sampled_from(["", " ", "\t "])))
        out.append("".join(line))
    out.append(draw(st.sampled_from(["", nl, nl + nl + nl])))
    return "".join(out)


def retypings(paras: Sequence[str], model: int = TEXT_MODEL) -> st.SearchStrategy[str]:
    """A raw text that normalizes to exactly ``paras`` (normalized paragraphs)
    under text model ``model``: the same text retyped with different wrapping,
    spacing, line ends, blank lines, Unicode normal form and invisible characters."""
    return _retype(tuple(paras), model)


def raw_texts(max_size: int = 400) -> st.SearchStrategy[str]:
    """Any string without the control characters a text may not hold (so
    ``normalize`` raises only for emptiness or size)."""
    allowed = st.characters(
        exclude_categories=["Cs"],
        exclude_characters=[chr(c) for c in (*range(0, 9), *range(14, 32),
                                               *range(0x7F, 0x85), *range(0x86, 0xA0))],
    )
    pieces = st.one_of(
        allowed,
        st.sampled_from(["\n", "\r\n", "\r", "\n\n", " ", "\t", "\u00a0", "\u2028",
                         "\u2029", "\u0301", "\u00ad", "\u200b", "\ufeff", "\x85",
                         "e\u0301", "\u2000"]),
    )
    return st.lists(pieces, max_size=max_size).map("".join)


def cbor_values(max_leaves: int = 30) -> st.SearchStrategy[Value]:
    """Values the canonical CBOR encoder accepts (decoding gives lists and dicts)."""
    scalars: st.SearchStrategy[Value] = st.one_of(
        st.integers(-(1 << 64), (1 << 64) - 1),
        st.binary(max_size=64),
        st.text(max_size=32),
        st.booleans(),
        st.none(),
    )

    def extend(children: st.SearchStrategy[Value]) -> st.SearchStrategy[Value]:
        keys = st.one_of(st.text(max_size=8), st.integers(-(1 << 64), (1 << 64) - 1))
        return st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(keys, children, max_size=5),
        )

    return st.recursive(scalars, extend, max_leaves=max_leaves)


def documents() -> st.SearchStrategy[Document]:
    """A valid :class:`Document` (canonical title, random 16-byte nonce)."""
    titles = st.lists(words(), min_size=1, max_size=8).map(" ".join).map(normalize_title)
    return st.builds(Document, titles, st.binary(min_size=16, max_size=16))


def versions(max_parents: int = 3) -> st.SearchStrategy[Version]:
    """A valid :class:`Version` with random ids and up to ``max_parents`` parents."""
    ids = st.binary(min_size=32, max_size=32)
    return st.builds(
        Version.create,
        ids,
        ids,
        st.integers(1, (1 << 32) - 1),
        ids,
        st.lists(ids, max_size=min(max_parents, MAX_PARENTS)),
    )


@dataclass(frozen=True)
class SealedEnvelope:
    """What :func:`envelopes` draws: a payload sealed into ``n`` shards, any ``k`` of
    which rebuild it, and the capability that opens them (kept out of ``repr``)."""

    payload: bytes = field(repr=False)
    k: int
    n: int
    cap: ReadCap = field(repr=False)
    shards: tuple[bytes, ...] = field(repr=False)


def _seeded_rng(seed: bytes) -> Callable[[int], bytes]:
    counter = [0]

    def rng(size: int) -> bytes:
        counter[0] += 1
        return hashlib.shake_256(seed + counter[0].to_bytes(8, "big")).digest(size)

    return rng


def envelopes(
    *, max_payload: int = 4096, max_n: int = 8, payloads: st.SearchStrategy[bytes] | None = None
) -> st.SearchStrategy[SealedEnvelope]:
    """Envelopes sealed for real by :func:`samizdat.core.envelope.seal`, with
    ``1 <= k <= n <= max_n`` and a payload of at most ``max_payload`` bytes (or
    drawn from ``payloads``). The root key comes from a drawn seed, so Hypothesis
    can shrink and replay a failing envelope exactly."""

    @st.composite
    def build(draw: st.DrawFn) -> SealedEnvelope:
        n = draw(st.integers(1, max_n))
        k = draw(st.integers(1, n))
        payload = draw(payloads if payloads is not None else st.binary(max_size=max_payload))
        seed = draw(st.binary(min_size=8, max_size=8))
        cap, shards = seal(payload, k=k, n=n, rng=_seeded_rng(seed))
        return SealedEnvelope(payload, k, n, cap, tuple(shards))

    return build()
