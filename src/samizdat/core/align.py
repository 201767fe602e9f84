"""Checking a retyped copy against a signed text, paragraph by paragraph.

The survivor of 1932 was a police typescript of unknown fidelity. Given such a copy
(retyped, OCR'd, partial) and the paragraph hashes of a signed version, this module
says for every paragraph whether it is ``same``, ``changed``, ``missing`` or
``added``, and which signed version the copy is closest to.

How the alignment works (``docs/spec/text.md`` §Alignment has the full rules):

1. Paragraphs whose hashes are equal are *anchors*. The longest common subsequence
   of the two hash lists is found by trimming the common prefix and suffix, then
   anchoring on hashes that occur exactly once on each side (patience diff) and
   recursing between anchors; small leftover ranges get an exact LCS by dynamic
   programming. A dropped or inserted paragraph therefore shifts nothing: the
   paragraphs after it are still anchored, never reported as a cascade of changes.
2. Between two anchors lies a *gap*: ``a`` authentic and ``c`` copy paragraphs that
   match nothing. With the authentic texts at hand, paragraphs in a gap are paired,
   in order, by word similarity (a pair at or above :data:`CHANGED_SIMILARITY` is
   ``changed``); the rest are ``missing`` (authentic) or ``added`` (copy). With
   hashes only, a gap with ``a == c`` pairs up positionally as ``changed``; any
   other gap is reported as ``missing`` plus ``added``, the claim that stays true
   whatever happened (the authentic paragraphs are not in the copy as signed).

Nothing here touches I/O; work is bounded (see :data:`LCS_CELL_LIMIT` and
:data:`GAP_PAIR_LIMIT`) so a hostile copy cannot make verification hang.
"""

from __future__ import annotations

import difflib
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final, Generic, Literal, TypeVar

from samizdat.core.lcs import common
from samizdat.core.text import Text, paragraph_hash
from samizdat.core.words import Change, Comparison, Kind, canonical, compare, containment, worst
from samizdat.errors import VerificationFailed

__all__ = [
    "CHANGED_SIMILARITY",
    "GAP_PAIR_LIMIT",
    "MAX_PIECES",
    "PIECE_CONTAINMENT",
    "RELATED_SHARE",
    "SKETCH_SHARE",
    "SKETCH_SIZE",
    "UNKNOWN_SIMILARITY",
    "WINDOW",
    "Candidate",
    "Detail",
    "Match",
    "ParagraphResult",
    "Status",
    "align",
    "best_match",
    "diff",
    "is_exact",
    "related",
    "similarity",
    "text_similarity",
]

Status = Literal["same", "changed", "missing", "added"]
Detail = Literal["typography", "ocr", "words", "split", "merged"]

CHANGED_SIMILARITY: Final = 0.5
"""Two paragraphs at least this similar (0..1) are one paragraph ``changed``."""
UNKNOWN_SIMILARITY: Final = 0.3
"""A copy sharing no paragraph with any candidate, whose word-trigram containment in
the best candidate is below this, is ``unknown``."""
GAP_PAIR_LIMIT: Final = 10_000
"""Largest gap (a × c) whose paragraphs are compared pairwise by similarity."""

MAX_PIECES: Final = 4
"""Most copy paragraphs one authentic paragraph is recognised as split into (and
most authentic paragraphs recognised as merged into one copy paragraph)."""
SKETCH_SIZE: Final = 16
"""Tokens in a paragraph's sketch (see :data:`SKETCH_SHARE`)."""
SKETCH_SHARE: Final = 0.25
"""Two gap paragraphs whose token sketches share less than this (of the smaller
sketch) are not compared at all: a cheap filter before the similarity ratio."""
WINDOW: Final = 16
"""Authentic paragraphs planned at once in a gap of more than ``4 × WINDOW²``
paragraph pairs (or :data:`GAP_PAIR_LIMIT`): the work then grows linearly with the
gap, about ``2 × WINDOW`` similarity checks per authentic paragraph."""
PIECE_CONTAINMENT: Final = 0.5
"""A piece of a split (or merge) must have at least this share of its token bigrams
in the paragraph it is a piece of."""

_EXACT_RATIO_WORDS: Final = 1000

K = TypeVar("K")


@dataclass(frozen=True)
class ParagraphResult:
    """The verdict on one paragraph.

    ``index`` is 1-based in the authentic version. For ``added`` paragraphs (which
    have no authentic position) it is the index of the authentic paragraph they
    follow, 0 when they come before the first. ``copy_index`` is 1-based in the copy,
    ``None`` for ``missing`` paragraphs.

    With the authentic texts at hand, a paragraph found in a different form also
    says how it differs: ``detail`` is ``typography``, ``ocr``, ``words``, ``split``
    (the copy has it as several paragraphs, ``copy_indices``) or ``merged`` (the
    copy has it run together with its neighbour into one), and ``changes`` lists
    what changed, word by word (typography only when it counts, as in ``diff``).
    ``words`` outranks ``split``/``merged``, which outrank ``ocr``: a planted word
    is never hidden behind a milder label.
    """

    index: int
    status: Status
    copy_index: int | None
    detail: Detail | None = None
    changes: tuple[Change, ...] = ()
    copy_indices: tuple[int, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The contract's paragraph object: ``index``, ``status``, ``detail`` when
        known, ``changes`` (``from``/``to``/``kind``) for a ``changed`` paragraph,
        and ``copy`` (the copy's 1-based paragraph numbers) when it has any."""
        out: dict[str, object] = {"index": self.index, "status": self.status}
        if self.detail is not None:
            out["detail"] = self.detail
        if self.status == "changed":
            out["changes"] = [c.to_json() for c in self.changes]
        copies = self.copy_indices or (() if self.copy_index is None else (self.copy_index,))
        if copies:
            out["copy"] = list(copies)
        return out


def is_exact(results: Sequence[ParagraphResult]) -> bool:
    """True when every paragraph is ``same``: the copy is the authentic text."""
    return bool(results) and all(r.status == "same" for r in results)


RELATED_SHARE: Final = 1 / 3
"""Below this share of paragraphs found (``same`` or ``changed``) on either side,
two texts are called unrelated (``diff`` warns instead of listing every paragraph
as removed and added)."""


def related(results: Sequence[ParagraphResult]) -> bool:
    """True when the two sides share at least :data:`RELATED_SHARE` of their
    paragraphs (as the same or a changed paragraph), counted on the smaller side."""
    found = [r for r in results if r.status in ("same", "changed")]
    a_total = sum(1 for r in results if r.status != "added")
    c_total = len({j for r in results for j in (r.copy_indices or (r.copy_index,)) if j})
    smaller = min(a_total, c_total)
    if smaller == 0:
        return a_total == c_total
    matched_a = len(found)
    matched_c = len({j for r in found for j in (r.copy_indices or (r.copy_index,)) if j})
    return min(matched_a, matched_c) >= RELATED_SHARE * smaller


# ------------------------------------------------------------------- similarity


def similarity(a: str, b: str) -> float:
    """How alike two paragraphs are, 0..1: difflib's ratio over words, or over
    characters when both are short (a one-word change in a five-word heading must
    still count as similar).

    Bounded work: above :data:`_EXACT_RATIO_WORDS` words the order-blind
    ``quick_ratio`` (a multiset overlap, linear time) is used instead, because
    difflib's ratio can take quadratic time on hostile, repetitive paragraphs.
    """
    if a == b:
        return 1.0
    wa, wb = a.split(" "), b.split(" ")
    if len(wa) < 12 and len(wb) < 12 and len(a) + len(b) < 400:
        sa: Sequence[str] = a
        sb: Sequence[str] = b
    else:
        sa, sb = wa, wb
    m = difflib.SequenceMatcher(None, sa, sb, autojunk=False)
    quick = m.quick_ratio()
    if quick < CHANGED_SIMILARITY or max(len(sa), len(sb)) > _EXACT_RATIO_WORDS:
        return quick
    return m.ratio()


def _shingles(paragraphs: Sequence[str]) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for p in paragraphs:
        words = p.split(" ")
        if len(words) < 3:
            out.add(tuple(words))
        else:
            out.update(zip(words, words[1:], words[2:], strict=False))
    return out


def text_similarity(copy: Sequence[str], authentic: Sequence[str]) -> float:
    """Share of the copy's word trigrams found in the authentic text (0..1)."""
    sc = _shingles(copy)
    if not sc:
        return 0.0
    return len(sc & _shingles(authentic)) / len(sc)


# ----------------------------------------------------------------------- gaps

# One move of the gap plan: ``na`` authentic paragraphs against ``nc`` copy
# paragraphs (1:1 a pair, 1:k a split, k:1 a merge), starting at (i, j) in the gap.
_Move = tuple[int, int, int, int]


def _plan_gap(ka: Sequence[str], kc: Sequence[str]) -> list[_Move]:
    """Order-preserving pairing of a gap's paragraphs (canonical forms ``ka`` and
    ``kc``), maximizing the estimated number of tokens matched. A pair counts only
    at or above :data:`CHANGED_SIMILARITY`; a split or a merge only when every
    piece has :data:`PIECE_CONTAINMENT` of its token bigrams in the other side, and costs
    half a token per extra piece, so a split never wins over a plain pair that
    explains the text as well."""
    n, m = len(ka), len(kc)
    sa = [_sketch(k) for k in ka]
    sc = [_sketch(k) for k in kc]
    ca = [_bigrams(k) for k in ka]
    cc = [_bigrams(k) for k in kc]
    la = [max(1, k.count(" ") + 1) for k in ka]
    lc = [max(1, k.count(" ") + 1) for k in kc]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move: list[list[_Move | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            score, choice = best[i + 1][j], None
            if best[i][j + 1] > score:
                score = best[i][j + 1]
            if len(sa[i] & sc[j]) < SKETCH_SHARE * min(len(sa[i]), len(sc[j])):
                best[i][j], move[i][j] = score, None  # share too few words to be kin
                continue
            s = similarity(ka[i], kc[j])
            if s >= CHANGED_SIMILARITY:
                v = s * (la[i] + lc[j]) / 2 + best[i + 1][j + 1]
                if v > score:
                    score, choice = v, (i, 1, j, 1)
            if containment(cc[j], ca[i]) >= PIECE_CONTAINMENT:  # A_i split over C_j..
                total = lc[j]
                for k in range(2, MAX_PIECES + 1):
                    if j + k > m or containment(cc[j + k - 1], ca[i]) < PIECE_CONTAINMENT:
                        break
                    total += lc[j + k - 1]
                    s = similarity(ka[i], " ".join(kc[j:j + k]))
                    v = s * (la[i] + total) / 2 - 0.5 * (k - 1) + best[i + 1][j + k]
                    if s >= CHANGED_SIMILARITY and v > score:
                        score, choice = v, (i, 1, j, k)
            if containment(ca[i], cc[j]) >= PIECE_CONTAINMENT:  # A_i.. merged into C_j
                total = la[i]
                for k in range(2, MAX_PIECES + 1):
                    if i + k > n or containment(ca[i + k - 1], cc[j]) < PIECE_CONTAINMENT:
                        break
                    total += la[i + k - 1]
                    s = similarity(" ".join(ka[i:i + k]), kc[j])
                    v = s * (total + lc[j]) / 2 - 0.5 * (k - 1) + best[i + k][j + 1]
                    if s >= CHANGED_SIMILARITY and v > score:
                        score, choice = v, (i, k, j, 1)
            best[i][j], move[i][j] = score, choice
    out: list[_Move] = []
    i = j = 0
    while i < n and j < m:
        mv = move[i][j]
        if mv is not None:
            out.append(mv)
            i, j = i + mv[1], j + mv[3]
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return out


def _plan_windows(ka: Sequence[str], kc: Sequence[str]) -> list[_Move]:
    """:func:`_plan_gap` for a gap too large to plan whole (a long copy with noise
    in every paragraph and a few paragraphs split, merged or dropped): plan a window
    of :data:`WINDOW` authentic paragraphs against a slightly wider window of the
    copy, keep the moves in its first three quarters, slide on. Order is kept, the
    work is linear in the gap, and a split no longer turns every paragraph after it
    into ``missing`` + ``added``."""
    out: list[_Move] = []
    na, nc = len(ka), len(kc)
    i = j = 0
    while i < na and j < nc:
        ia, jc = min(na, i + WINDOW), min(nc, j + WINDOW + WINDOW // 2)
        part = _plan_gap(ka[i:ia], kc[j:jc])
        if not (ia == na and jc == nc):
            horizon = max(1, (ia - i) * 3 // 4)
            part = [mv for mv in part if mv[0] + mv[1] <= horizon]
        if not part:  # nothing here pairs: these authentic paragraphs are missing
            i += max(1, (ia - i) * 3 // 4)
            continue
        out.extend((i + a, da, j + c, dc) for a, da, c, dc in part)
        last = part[-1]
        i, j = i + last[0] + last[1], j + last[2] + last[3]
    return out


def _sketch(key: str) -> frozenset[int]:
    """A bottom-k sketch of a canonical form's distinct tokens (the
    :data:`SKETCH_SIZE` smallest CRC-32s; deterministic, unlike ``hash``): two
    paragraphs sharing few sketch entries share few words, and are not compared."""
    return frozenset(sorted({zlib.crc32(t.encode("utf-8")) for t in key.split(" ")})[:SKETCH_SIZE])


def _bigrams(key: str) -> Counter[str]:
    """Multiset of a canonical form's token bigrams (its token, when it has one):
    a piece of a split paragraph shares its word pairs with the whole, where an
    unrelated paragraph in the same vocabulary shares only words."""
    toks = key.split(" ")
    if len(toks) < 2:
        return Counter(toks)
    return Counter(f"{a} {b}" for a, b in pairwise(toks))


def _verdict(cmp: Comparison, typography_is_change: bool, shape: Detail | None
             ) -> tuple[Status, Detail | None, tuple[Change, ...]]:
    """Status, detail and changes of one paragraph from its word comparison.
    ``shape`` is ``split`` or ``merged`` when the copy has it in other pieces."""
    kind: Kind | None = cmp.kind
    if typography_is_change:
        changed = kind is not None or shape is not None
        changes = cmp.changes
    else:
        changed = kind in ("ocr", "words")
        changes = cmp.significant()
    detail: Detail | None = "words" if kind == "words" else (shape or kind)
    return ("changed" if changed else "same"), detail, changes


class _Gap:
    """Fills ``out`` with the verdicts of one gap between hash anchors."""

    def __init__(self, authentic: Sequence[str], copy: Sequence[str],
                 typography_is_change: bool, out: list[ParagraphResult]) -> None:
        self.authentic, self.copy = authentic, copy
        self.strict = typography_is_change
        self.out = out

    def pair(self, ai: int, cj: int) -> None:
        """Authentic paragraph ``ai`` against copy paragraph ``cj`` (0-based)."""
        status, detail, changes = _verdict(
            compare(self.authentic[ai], self.copy[cj]), self.strict, None)
        self.out.append(ParagraphResult(ai + 1, status, cj + 1, detail, changes, (cj + 1,)))

    def move(self, ai: int, na: int, cj: int, nc: int) -> None:
        if na == nc == 1:
            self.pair(ai, cj)
        elif na == 1:  # split: the copy has authentic paragraph ai in nc pieces
            joined = " ".join(self.copy[cj:cj + nc])
            status, detail, changes = _verdict(
                compare(self.authentic[ai], joined), self.strict, "split")
            pieces = tuple(range(cj + 1, cj + nc + 1))
            self.out.append(ParagraphResult(ai + 1, status, cj + 1, detail, changes, pieces))
        else:  # merged: authentic paragraphs ai.. are one copy paragraph cj
            parts = self.authentic[ai:ai + na]
            cmp = compare(" ".join(parts), self.copy[cj])
            start = 0
            for k, part in enumerate(parts):
                end = start + len(part) + 1
                mine = tuple(c for c in cmp.changes if start <= c.start < end)
                status, detail, changes = _verdict(
                    Comparison(worst([c.kind for c in mine]), mine), self.strict, "merged")
                self.out.append(ParagraphResult(ai + k + 1, status, cj + 1, detail, changes,
                                                (cj + 1,)))
                start = end

    def fill(self, a0: int, a1: int, c0: int, c1: int) -> None:
        """Anchor the gap on typography-folded forms, then plan what is left."""
        ka = [canonical(t) for t in self.authentic[a0:a1]]
        kc = [canonical(t) for t in self.copy[c0:c1]]
        ids: dict[str, int] = {}
        ia = [ids.setdefault(k, len(ids)) for k in ka]
        ic = [ids.setdefault(k, len(ids)) for k in kc]
        i = j = 0
        for pi, pj in [*common(ia, ic), (len(ia), len(ic))]:
            self._plan(a0 + i, a0 + pi, c0 + j, c0 + pj, ka[i:pi], kc[j:pj])
            if pi < len(ia):
                self.pair(a0 + pi, c0 + pj)
            i, j = pi + 1, pj + 1

    def _plan(self, a0: int, a1: int, c0: int, c1: int,
              ka: Sequence[str], kc: Sequence[str]) -> None:
        na, nc = a1 - a0, c1 - c0
        whole = na * nc <= min(GAP_PAIR_LIMIT, 4 * WINDOW * WINDOW)
        moves = _plan_gap(ka, kc) if whole else _plan_windows(ka, kc)
        i = j = 0
        for mi, mna, mj, mnc in [*moves, (na, 0, nc, 0)]:
            while i < mi:
                self.out.append(ParagraphResult(a0 + i + 1, "missing", None))
                i += 1
            while j < mj:
                self.out.append(ParagraphResult(a0 + i, "added", c0 + j + 1))
                j += 1
            if mna:
                self.move(a0 + mi, mna, c0 + mj, mnc)
                i, j = mi + mna, mj + mnc


def _fill_gap(
    a0: int, a1: int, c0: int, c1: int,
    authentic_texts: Sequence[str] | None, copy: Sequence[str],
    out: list[ParagraphResult], typography_is_change: bool,
) -> None:
    na, nc = a1 - a0, c1 - c0
    if na == 0 and nc == 0:
        return
    if authentic_texts is not None and na and nc:
        _Gap(authentic_texts, copy, typography_is_change, out).fill(a0, a1, c0, c1)
        return
    if na == nc:  # hashes only: a changed paragraph cannot be told from a swap
        out.extend(ParagraphResult(a0 + k + 1, "changed", c0 + k + 1) for k in range(na))
        return
    out.extend(ParagraphResult(a0 + k + 1, "missing", None) for k in range(na))
    out.extend(ParagraphResult(a1, "added", c0 + k + 1) for k in range(nc))


def align(
    authentic: Sequence[bytes],
    copy: Sequence[str] | Text,
    authentic_texts: Sequence[str] | None = None,
    *,
    typography_is_change: bool = False,
) -> list[ParagraphResult]:
    """Compare a copy's normalized paragraphs with an authentic version.

    ``authentic`` holds the version's paragraph (leaf) hashes; ``authentic_texts``,
    when given, its paragraphs (same length), which lets a changed paragraph be told
    from a dropped one, and says word by word what changed. Returns one result per
    authentic paragraph plus one per added copy paragraph, in reading order.

    A paragraph that differs only in typography is ``same`` (detail
    ``typography``), unless ``typography_is_change`` (as between two versions in
    ``diff``, where the authors' choice of quotes is an edit).
    """
    paragraphs = copy.paragraphs if isinstance(copy, Text) else tuple(copy)
    if authentic_texts is not None and len(authentic_texts) != len(authentic):
        raise ValueError("authentic_texts and authentic hashes differ in length")
    ids: dict[bytes, int] = {}
    a = [ids.setdefault(h, len(ids)) for h in authentic]
    c = [ids.setdefault(paragraph_hash(p), len(ids)) for p in paragraphs]
    out: list[ParagraphResult] = []
    ai = ci = 0
    for i, j in [*common(a, c), (len(a), len(c))]:
        _fill_gap(ai, i, ci, j, authentic_texts, paragraphs, out, typography_is_change)
        if i < len(a):
            out.append(ParagraphResult(i + 1, "same", j + 1))
        ai, ci = i + 1, j + 1
    return out


def diff(a_paragraphs: Sequence[str], b_paragraphs: Sequence[str]) -> list[ParagraphResult]:
    """Paragraph differences from version A to version B (``samizdat diff``): the
    alignment of B as a "copy" of A. ``index`` is in A, ``copy_index`` in B."""
    return align([paragraph_hash(p) for p in a_paragraphs], b_paragraphs, a_paragraphs,
                 typography_is_change=True)


# ----------------------------------------------------------------- best match


@dataclass(frozen=True)
class Candidate(Generic[K]):
    """A signed version a copy might come from: any ``key`` (e.g. its version id),
    its paragraph hashes, and its paragraphs when known."""

    key: K
    leaf_hashes: Sequence[bytes]
    paragraphs: Sequence[str] | None = None

    def __repr__(self) -> str:
        return f"Candidate(key={self.key!r}, {len(self.leaf_hashes)} paragraphs)"


@dataclass(frozen=True)
class Match(Generic[K]):
    """The candidate a copy is closest to.

    ``common`` counts paragraphs found identical (as a multiset); ``similarity`` is
    ``common / len(copy)`` when ``common > 0``, else the word-trigram containment
    of :func:`text_similarity`.
    """

    candidate: Candidate[K]
    common: int
    similarity: float


def best_match(copy: Sequence[str] | Text, candidates: Sequence[Candidate[K]], *,
               copy_hashes: Sequence[bytes] | None = None) -> Match[K]:
    """The candidate with the most paragraphs in common with ``copy``; ties go to
    the fewest differing paragraphs, then to the earliest in ``candidates`` (so the
    caller states its preference by the order, e.g. final versions first, newest
    first).

    When no candidate shares a paragraph, the one whose text contains most of the
    copy's word trigrams wins if that share is at least :data:`UNKNOWN_SIMILARITY`
    (a copy with something changed in every paragraph). Otherwise, or when there is
    no candidate, the copy is *unknown*: :class:`VerificationFailed` is raised.

    ``copy_hashes``, when the caller has them, are the copy's paragraph hashes (a
    caller comparing one copy with several pools hashes it once). The copy's word
    trigrams are computed once, whatever the number of candidates, so the cost is
    linear in the copy plus the candidates' texts.
    """
    paragraphs = copy.paragraphs if isinstance(copy, Text) else tuple(copy)
    if copy_hashes is None:
        copy_hashes = [paragraph_hash(p) for p in paragraphs]
    elif len(copy_hashes) != len(paragraphs):
        raise ValueError("copy_hashes and the copy's paragraphs differ in length")
    mine = Counter(copy_hashes)
    best: tuple[int, int, int] | None = None
    chosen: Candidate[K] | None = None
    for pos, cand in enumerate(candidates):
        theirs = Counter(cand.leaf_hashes)
        common = sum((mine & theirs).values())
        differ = len(cand.leaf_hashes) + len(paragraphs) - 2 * common
        score = (common, -differ, -pos)
        if best is None or score > best:
            best, chosen = score, cand
    if chosen is not None and best is not None and best[0] > 0:
        return Match(chosen, best[0], best[0] / max(1, len(paragraphs)))
    top: tuple[float, int] | None = None
    pick: Candidate[K] | None = None
    with_text = [c for c in candidates if c.paragraphs is not None]
    shingles = _shingles(paragraphs) if with_text else set()
    for pos, cand in enumerate(candidates):
        if cand.paragraphs is None:
            continue
        s = len(shingles & _shingles(cand.paragraphs)) / len(shingles) if shingles else 0.0
        if top is None or (s, -pos) > top:
            top, pick = (s, -pos), cand
    if pick is not None and top is not None and top[0] >= UNKNOWN_SIMILARITY:
        return Match(pick, 0, top[0])
    raise VerificationFailed(
        "unknown: this text matches no signed version known here",
        hint="import the authentic version or a statement for it first",
    )
