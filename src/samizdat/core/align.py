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
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final, Generic, Literal, TypeVar

from samizdat.core.text import Text, paragraph_hash
from samizdat.errors import VerificationFailed

__all__ = [
    "CHANGED_SIMILARITY",
    "GAP_PAIR_LIMIT",
    "LCS_CELL_LIMIT",
    "UNKNOWN_SIMILARITY",
    "Candidate",
    "Match",
    "ParagraphResult",
    "Status",
    "align",
    "best_match",
    "diff",
    "is_exact",
    "similarity",
    "text_similarity",
]

Status = Literal["same", "changed", "missing", "added"]

CHANGED_SIMILARITY: Final = 0.5
"""Two paragraphs at least this similar (0..1) are one paragraph ``changed``."""
UNKNOWN_SIMILARITY: Final = 0.3
"""A copy sharing no paragraph with any candidate, whose word-trigram containment in
the best candidate is below this, is ``unknown``."""
LCS_CELL_LIMIT: Final = 1_000_000
"""Largest range (a × c) given an exact dynamic-programming LCS."""
GAP_PAIR_LIMIT: Final = 10_000
"""Largest gap (a × c) whose paragraphs are compared pairwise by similarity."""

_EXACT_RATIO_WORDS: Final = 1000

K = TypeVar("K")


@dataclass(frozen=True)
class ParagraphResult:
    """The verdict on one paragraph.

    ``index`` is 1-based in the authentic version. For ``added`` paragraphs (which
    have no authentic position) it is the index of the authentic paragraph they
    follow, 0 when they come before the first. ``copy_index`` is 1-based in the copy,
    ``None`` for ``missing`` paragraphs.
    """

    index: int
    status: Status
    copy_index: int | None


def is_exact(results: Sequence[ParagraphResult]) -> bool:
    """True when every paragraph is ``same``: the copy is the authentic text."""
    return bool(results) and all(r.status == "same" for r in results)


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


# -------------------------------------------------------------------- LCS anchors


def _lis(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest increasing subsequence in the second coordinate (pairs sorted by the
    first), patience sorting in O(n log n)."""
    tails: list[int] = []
    tail_idx: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        back[k] = tail_idx[pos - 1] if pos else -1
    out: list[tuple[int, int]] = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    out.reverse()
    return out


def _dp_lcs(a: Sequence[int], b: Sequence[int], alo: int, ahi: int, blo: int, bhi: int
            ) -> list[tuple[int, int]]:
    n, m = ahi - alo, bhi - blo
    # table[i][j] = LCS length of a[alo+i:ahi] and b[blo+j:bhi]
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = table[i], table[i + 1]
        ai = a[alo + i]
        for j in range(m - 1, -1, -1):
            if ai == b[blo + j]:
                row[j] = below[j + 1] + 1
            else:
                row[j] = max(below[j], row[j + 1])
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[alo + i] == b[blo + j]:
            out.append((alo + i, blo + j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def _common(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Index pairs (i, j) with a[i] == b[j], increasing in both: an LCS, exact
    whenever the patience anchors or the DP limit allow."""
    found: list[tuple[int, int]] = []
    work = [(0, len(a), 0, len(b))]
    # A hard bound on the total work, whatever the input: past it, ranges still to
    # examine are left as gaps (reported, never hanging). Honest copies use a few
    # passes over the input; the budget allows 32.
    budget = 32 * (len(a) + len(b)) + LCS_CELL_LIMIT
    while work and budget > 0:
        alo, ahi, blo, bhi = work.pop()
        budget -= (ahi - alo) + (bhi - blo)
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            found.append((alo, blo))
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            found.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        ca = Counter(a[alo:ahi])
        cb = Counter(b[blo:bhi])
        where_b = {b[j]: j for j in range(blo, bhi) if cb[b[j]] == 1}
        uniq = [(i, where_b[a[i]]) for i in range(alo, ahi)
                if ca[a[i]] == 1 and a[i] in where_b]
        anchors = _lis(uniq)
        if anchors:
            found.extend(anchors)
            edges = [(alo - 1, blo - 1), *anchors, (ahi, bhi)]
            for (i0, j0), (i1, j1) in pairwise(edges):
                if i1 - i0 > 1 and j1 - j0 > 1:
                    work.append((i0 + 1, i1, j0 + 1, j1))
        elif ((ahi - alo) * (bhi - blo) <= min(LCS_CELL_LIMIT, budget)
              and not ca.keys().isdisjoint(cb)):
            budget -= (ahi - alo) * (bhi - blo)
            found.extend(_dp_lcs(a, b, alo, ahi, blo, bhi))
    found.sort()
    return found


# ----------------------------------------------------------------------- gaps


def _pair_gap(
    a_texts: Sequence[str], c_texts: Sequence[str]
) -> list[tuple[int, int]]:
    """Order-preserving pairing of a gap's paragraphs maximizing total similarity,
    counting only pairs at or above :data:`CHANGED_SIMILARITY`."""
    n, m = len(a_texts), len(c_texts)
    sim = [[similarity(x, y) for y in c_texts] for x in a_texts]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= CHANGED_SIMILARITY else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        s = sim[i][j]
        if s >= CHANGED_SIMILARITY and best[i][j] == s + best[i + 1][j + 1]:
            out.append((i, j))
            i += 1
            j += 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return out


def _fill_gap(
    a0: int, a1: int, c0: int, c1: int,
    authentic_texts: Sequence[str] | None, copy: Sequence[str],
    out: list[ParagraphResult],
) -> None:
    na, nc = a1 - a0, c1 - c0
    if na == 0 and nc == 0:
        return
    if na and nc and authentic_texts is not None and na * nc <= GAP_PAIR_LIMIT:
        pairs = _pair_gap(authentic_texts[a0:a1], copy[c0:c1])
    elif na == nc:
        pairs = [(k, k) for k in range(na)]
    else:
        pairs = []
    i = j = 0
    for pi, pj in [*pairs, (na, nc)]:
        while i < pi:  # authentic paragraphs with no partner
            out.append(ParagraphResult(a0 + i + 1, "missing", None))
            i += 1
        while j < pj:  # copy paragraphs with no partner, after what precedes them
            out.append(ParagraphResult(a0 + i, "added", c0 + j + 1))
            j += 1
        if pi < na:
            out.append(ParagraphResult(a0 + pi + 1, "changed", c0 + pj + 1))
            i, j = pi + 1, pj + 1


def align(
    authentic: Sequence[bytes],
    copy: Sequence[str] | Text,
    authentic_texts: Sequence[str] | None = None,
) -> list[ParagraphResult]:
    """Compare a copy's normalized paragraphs with an authentic version.

    ``authentic`` holds the version's paragraph (leaf) hashes; ``authentic_texts``,
    when given, its paragraphs (same length), which lets a changed paragraph be told
    from a dropped one. Returns one result per authentic paragraph plus one per added
    copy paragraph, in reading order.
    """
    paragraphs = copy.paragraphs if isinstance(copy, Text) else tuple(copy)
    if authentic_texts is not None and len(authentic_texts) != len(authentic):
        raise ValueError("authentic_texts and authentic hashes differ in length")
    ids: dict[bytes, int] = {}
    a = [ids.setdefault(h, len(ids)) for h in authentic]
    c = [ids.setdefault(paragraph_hash(p), len(ids)) for p in paragraphs]
    out: list[ParagraphResult] = []
    ai = ci = 0
    for i, j in [*_common(a, c), (len(a), len(c))]:
        _fill_gap(ai, i, ci, j, authentic_texts, paragraphs, out)
        if i < len(a):
            out.append(ParagraphResult(i + 1, "same", j + 1))
        ai, ci = i + 1, j + 1
    return out


def diff(a_paragraphs: Sequence[str], b_paragraphs: Sequence[str]) -> list[ParagraphResult]:
    """Paragraph differences from version A to version B (``samizdat diff``): the
    alignment of B as a "copy" of A. ``index`` is in A, ``copy_index`` in B."""
    return align([paragraph_hash(p) for p in a_paragraphs], b_paragraphs, a_paragraphs)


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


def best_match(copy: Sequence[str] | Text, candidates: Sequence[Candidate[K]]) -> Match[K]:
    """The candidate with the most paragraphs in common with ``copy``; ties go to
    the fewest differing paragraphs, then to the earliest in ``candidates`` (so the
    caller states its preference by the order, e.g. final versions first, newest
    first).

    When no candidate shares a paragraph, the one whose text contains most of the
    copy's word trigrams wins if that share is at least :data:`UNKNOWN_SIMILARITY`
    (a copy with something changed in every paragraph). Otherwise, or when there is
    no candidate, the copy is *unknown*: :class:`VerificationFailed` is raised.
    """
    paragraphs = copy.paragraphs if isinstance(copy, Text) else tuple(copy)
    mine = Counter(paragraph_hash(p) for p in paragraphs)
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
    for pos, cand in enumerate(candidates):
        if cand.paragraphs is None:
            continue
        s = text_similarity(paragraphs, cand.paragraphs)
        if top is None or (s, -pos) > top:
            top, pick = (s, -pos), cand
    if pick is not None and top is not None and top[0] >= UNKNOWN_SIMILARITY:
        return Match(pick, 0, top[0])
    raise VerificationFailed(
        "unknown: this text matches no signed version known here",
        hint="import the authentic version or a statement for it first",
    )
