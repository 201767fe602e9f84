"""A bounded longest common subsequence of two integer sequences.

Used twice: to anchor a copy's paragraphs on the authentic version's (by paragraph
hash, ``core/align.py``) and to line up the words of two paragraphs
(``core/words.py``). Trim the common prefix and suffix, anchor on values that occur
exactly once on each side (patience diff), recurse between anchors, and give small
leftover ranges an exact dynamic-programming LCS. Total work is capped whatever the
input (see :func:`common`), so hostile, repetitive input cannot make it hang: ranges
left when the budget runs out are simply not matched.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Final

__all__ = ["LCS_CELL_LIMIT", "common"]

LCS_CELL_LIMIT: Final = 1_000_000
"""Largest range (a × c) given an exact dynamic-programming LCS."""



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


def common(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
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
