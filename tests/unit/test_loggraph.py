"""The terminal drawing of ``log``: lanes like ``git log --graph``."""

from __future__ import annotations

from samizdat.cli.loggraph import layout


def _draw(graph: dict[bytes, list[bytes]], order: list[bytes]) -> list[str]:
    return [r.lanes + ("" if r.index is None else " " + order[r.index].decode())
            for r in layout([(v, graph[v]) for v in order])]


def test_a_merge_shows_both_parents_and_the_branch_point_closes() -> None:
    graph = {b"m": [b"a", b"b"], b"a": [b"v"], b"b": [b"v"], b"v": []}
    assert _draw(graph, [b"m", b"a", b"b", b"v"]) == [
        "* m", "|\\", "* | a", "| * b", "|/", "* v"]


def test_two_heads_are_two_lanes_until_their_common_parent() -> None:
    graph = {b"x": [b"v"], b"y": [b"v"], b"v": []}
    assert _draw(graph, [b"x", b"y", b"v"]) == ["* x", "| * y", "|/", "* v"]


def test_a_straight_history_is_one_lane_and_every_version_has_a_row() -> None:
    graph = {b"c": [b"b"], b"b": [b"a"], b"a": []}
    rows = layout([(v, graph[v]) for v in (b"c", b"b", b"a")])
    assert [r.lanes for r in rows] == ["*", "*", "*"]
    assert [r.index for r in rows] == [0, 1, 2]


def test_criss_cross_merges_keep_every_version_once() -> None:
    graph = {b"m1": [b"a", b"b"], b"m2": [b"a", b"b"], b"a": [b"r"], b"b": [b"r"], b"r": []}
    rows = layout([(v, graph[v]) for v in (b"m1", b"m2", b"a", b"b", b"r")])
    assert sorted(r.index for r in rows if r.index is not None) == [0, 1, 2, 3, 4]
    assert all(r.lanes.count("*") == 1 for r in rows if r.index is not None)
