"""The version graph ``log`` draws in the terminal, like ``git log --graph``.

Pure layout: versions newest first (children before parents) in, one text line of
lanes per version and connector lines between them out. A lane is a line of
descent; ``*`` is the version on that row, ``|`` a lane passing by, ``\\`` a second
parent opening a lane to the right (a merge), ``/`` a lane joining one on its left
(two versions with the same parent: a branch point, seen from below).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["GraphRow", "layout"]


@dataclass(frozen=True)
class GraphRow:
    """One line: ``lanes`` is the drawing; ``index`` the version's position in the
    input, or None for a connector line."""

    lanes: str
    index: int | None


def _row(n: int, marks: dict[int, str]) -> str:
    return " ".join(marks.get(i, "|") for i in range(n)).rstrip()


def layout(nodes: Sequence[tuple[bytes, Sequence[bytes]]]) -> list[GraphRow]:
    """Rows for ``nodes`` ((version, parents), children before parents)."""
    lanes: list[bytes] = []
    rows: list[GraphRow] = []
    for index, (vid, parents) in enumerate(nodes):
        if vid in lanes:
            col = lanes.index(vid)
        else:  # a head: nobody below it is its child
            lanes.append(vid)
            col = len(lanes) - 1
        joining = [i for i, lane in enumerate(lanes) if lane == vid and i != col]
        if joining:  # several children above have this parent: their lanes close
            marks = {i: "/" for i in joining}
            rows.append(GraphRow(_connector(len(lanes), marks), None))
            for i in reversed(joining):
                del lanes[i]
        rows.append(GraphRow(_row(len(lanes), {col: "*"}), index))
        if not parents:
            del lanes[col]
            continue
        lanes[col] = parents[0]
        opened = [p for p in parents[1:] if p not in lanes]
        for offset, p in enumerate(opened, start=1):
            lanes.insert(col + offset, p)
        if opened:  # a merge whose second parent has no lane yet
            marks = {col + k: "\\" for k in range(1, len(opened) + 1)}
            rows.append(GraphRow(_connector(len(lanes), marks, merge=True), None))
    return rows


def _connector(n: int, marks: dict[int, str], merge: bool = False) -> str:
    """A line between two rows: a ``/`` sits left of the lane that closes, a ``\\``
    left of the lane that opens."""
    out = []
    for i in range(n):
        m = marks.get(i)
        if m is None:
            out.append("|")
        elif m == "/":
            out.append("/")
        else:
            out.append("\\")
    text = " ".join(out)
    # slant marks sit between columns: move each one half a column to the left
    chars = list(text)
    for i in range(n):
        if i in marks and 2 * i - 1 >= 0:
            chars[2 * i - 1], chars[2 * i] = chars[2 * i], " "
    return "".join(chars).rstrip()
