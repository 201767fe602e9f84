"""Three-way merge of two drafts, paragraph by paragraph, against their common ancestor.

Co-authors branch from one draft and revise in parallel; ``merge(base, a, b)`` brings
their work together the way ``diff3`` does for lines, with paragraphs as the unit:

1. Each side is aligned with the base (``core/align.py``: paragraphs equal by hash
   are anchors, found by a longest common subsequence). A base paragraph that both
   sides kept unchanged is *stable*.
2. Between two stable paragraphs lie three *chunks* (base, A's, B's). A chunk one
   side did not touch takes the other side's; chunks that both sides changed alike
   take that; otherwise, when all three chunks have the same length (paragraphs
   edited in place), each position is merged on its own, and only positions that
   both sides changed differently conflict; any other chunk is one conflict.
3. A conflict keeps both sides. :func:`conflict_text` writes them with Git's markers,
   one marked block per conflict, paragraphs separated by blank lines, so a person
   resolves them in any editor; :func:`check_resolution` accepts a resolved text only
   if no marker is left and every paragraph outside the conflicts is as merged.

Pure: paragraphs in, paragraphs out. Merging a version with its own ancestor is a
fast-forward (the caller checks ancestry: see ``versions.is_ancestor``); swapping A
and B gives the same merge with the two sides of each conflict swapped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from samizdat.core import align
from samizdat.core.text import paragraph_hash
from samizdat.errors import InputError

__all__ = [
    "MARK_A",
    "MARK_B",
    "MARK_MID",
    "Clean",
    "Conflict",
    "MergeResult",
    "check_resolution",
    "conflict_text",
    "is_ancestor",
    "lowest_common_ancestors",
    "merge",
]

MARK_A: Final = "<<<<<<<"
MARK_MID: Final = "======="
MARK_B: Final = ">>>>>>>"


@dataclass(frozen=True)
class Clean:
    """Paragraphs both sides agree on (after the merge)."""

    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """A place where both sides changed the base differently. ``index`` is the
    1-based position in the base where it starts (for a report); ``base`` what the
    ancestor had there."""

    index: int
    base: tuple[str, ...]
    a: tuple[str, ...]
    b: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    """The merge as a sequence of clean and conflicting segments, in order."""

    segments: tuple[Clean | Conflict, ...]

    @property
    def conflicts(self) -> list[Conflict]:
        return [s for s in self.segments if isinstance(s, Conflict)]

    @property
    def paragraphs(self) -> list[str]:
        """The merged text; only when there is no conflict."""
        if self.conflicts:
            raise InputError("the merge has conflicts", hint="resolve them first")
        return [p for s in self.segments if isinstance(s, Clean) for p in s.paragraphs]


# ------------------------------------------------------------------ the graph


def _ancestors(parents: Mapping[bytes, Sequence[bytes]], start: bytes) -> set[bytes]:
    """``start`` and every version it descends from."""
    seen = {start}
    todo = [start]
    while todo:
        for p in parents.get(todo.pop(), ()):
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def is_ancestor(parents: Mapping[bytes, Sequence[bytes]], old: bytes, new: bytes) -> bool:
    """Whether ``old`` is ``new`` or one of its ancestors."""
    return old in _ancestors(parents, new)


def lowest_common_ancestors(parents: Mapping[bytes, Sequence[bytes]], a: bytes,
                            b: bytes) -> list[bytes]:
    """The common ancestors of ``a`` and ``b`` that no other common ancestor descends
    from (one, unless criss-cross merges made several), sorted by id."""
    common = _ancestors(parents, a) & _ancestors(parents, b)
    below = set()
    for c in common:
        below |= _ancestors(parents, c) - {c}
    return sorted(common - below)


# ------------------------------------------------------------------ the text


def _same_map(base_hashes: Sequence[bytes], side: Sequence[str]) -> dict[int, int]:
    """base index (0-based) -> side index, for paragraphs the side kept as they were.

    Only the paragraphs equal by hash matter here, so the alignment runs on hashes
    alone: the word-level comparison of changed paragraphs, which ``diff`` needs,
    would be most of the time of a large merge and change nothing in it."""
    out: dict[int, int] = {}
    for r in align.align(base_hashes, side):
        if r.status == "same" and r.copy_index is not None:
            out[r.index - 1] = r.copy_index - 1
    return out


def merge(base: Sequence[str], a: Sequence[str], b: Sequence[str]) -> MergeResult:
    """Merge the edits that ``a`` and ``b`` made to ``base``."""
    hashes = [paragraph_hash(p) for p in base]
    in_a, in_b = _same_map(hashes, a), _same_map(hashes, b)
    stable = [i for i in range(len(base)) if i in in_a and i in in_b]
    # the stable paragraphs must be in order on both sides (an LCS each; keep the
    # longest run increasing on both, so a paragraph moved on one side is an edit)
    ordered: list[int] = []
    for i in stable:
        if not ordered or (in_a[i] > in_a[ordered[-1]] and in_b[i] > in_b[ordered[-1]]):
            ordered.append(i)
    segments: list[Clean | Conflict | list[str]] = []
    pb = pa = pbb = 0  # next unconsumed index in base, a, b
    for i in [*ordered, len(base)]:
        ja = in_a[i] if i < len(base) else len(a)
        jb = in_b[i] if i < len(base) else len(b)
        _chunk(pb, tuple(base[pb:i]), tuple(a[pa:ja]), tuple(b[pbb:jb]), segments)
        if i < len(base):
            _push(segments, (base[i],))
        pb, pa, pbb = i + 1, ja + 1, jb + 1
    return MergeResult(tuple(Clean(tuple(s)) if isinstance(s, list) else s for s in segments))


def _push(segments: list[Clean | Conflict | list[str]], paragraphs: tuple[str, ...]) -> None:
    """Append clean paragraphs: runs are kept as lists while the merge is built
    (joining tuples here made a long clean merge quadratic)."""
    if not paragraphs:
        return
    if segments and isinstance(segments[-1], list):
        segments[-1].extend(paragraphs)
    else:
        segments.append(list(paragraphs))


def _chunk(start: int, base: tuple[str, ...], a: tuple[str, ...], b: tuple[str, ...],
           segments: list[Clean | Conflict | list[str]]) -> None:
    if a == base:
        _push(segments, b)
    elif b == base or a == b:
        _push(segments, a)
    elif len(a) == len(b) == len(base):
        for k, (x, y, z) in enumerate(zip(base, a, b, strict=True)):
            if y == x:
                _push(segments, (z,))
            elif z in (x, y):
                _push(segments, (y,))
            else:
                segments.append(Conflict(start + k + 1, (x,), (y,), (z,)))
    else:
        segments.append(Conflict(start + 1, base, a, b))


def conflict_text(result: MergeResult, label_a: str, label_b: str) -> str:
    """The merge as a text file with Git-style markers around each conflict."""
    blocks: list[str] = []
    for s in result.segments:
        if isinstance(s, Clean):
            blocks.extend(s.paragraphs)
        else:
            blocks.append("\n\n".join([f"{MARK_A} {label_a}", *s.a, MARK_MID, *s.b,
                                       f"{MARK_B} {label_b}"]))
    return "\n\n".join(blocks) + "\n"


def _is_marker(paragraph: str) -> bool:
    return paragraph.startswith((MARK_A, MARK_MID, MARK_B))


def check_resolution(result: MergeResult, resolved: Sequence[str]) -> list[str]:
    """The resolved paragraphs, if they are an acceptable resolution of ``result``:
    no conflict marker left, and every clean segment present, unchanged and in order
    (what fills each conflict is the resolver's choice). :class:`InputError`
    otherwise, saying what is wrong."""
    if not result.conflicts:
        raise InputError("this merge has no conflict to resolve",
                         hint="merge without --resolved")
    marked = [i for i, p in enumerate(resolved, start=1) if _is_marker(p)]
    if marked:
        raise InputError(f"the resolved file still has conflict markers (paragraph {marked[0]})",
                         hint="edit each marked block down to the text you want, markers removed")
    pos = 0
    segments = result.segments
    for n, s in enumerate(segments):
        if not isinstance(s, Clean):
            continue
        size = len(s.paragraphs)
        if n == 0:
            found = 0 if tuple(resolved[:size]) == s.paragraphs else -1
        elif n == len(segments) - 1:
            found = (len(resolved) - size
                     if len(resolved) - size >= pos and tuple(resolved[-size:]) == s.paragraphs
                     else -1)
        else:
            found = next((j for j in range(pos, len(resolved) - size + 1)
                          if tuple(resolved[j:j + size]) == s.paragraphs), -1)
        if found < 0:
            raise InputError(
                "the resolved file changes paragraphs outside the conflicts",
                hint="change only what stood between the markers; merge again to start over",
            )
        pos = found + size
    return list(resolved)
