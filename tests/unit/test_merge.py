"""Three-way paragraph merge (core/merge.py): the properties the drafting issue asks
for, plus conflicts, their marked file and what a resolution may change."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core.merge import (
    Clean,
    Conflict,
    check_resolution,
    conflict_text,
    is_ancestor,
    lowest_common_ancestors,
    merge,
)
from samizdat.core.text import normalize
from samizdat.errors import InputError
from samizdat.testing import strategies as sst

texts = st.lists(sst.paragraphs(max_words=12), min_size=1, max_size=20, unique=True)


def _swap(seg: Clean | Conflict) -> Clean | Conflict:
    return seg if isinstance(seg, Clean) else Conflict(seg.index, seg.base, seg.b, seg.a)


@settings(max_examples=60, deadline=None)
@given(texts, texts)
def test_an_untouched_side_takes_the_other(base: list[str], b: list[str]) -> None:
    assert merge(base, base, b).paragraphs == b
    assert merge(base, b, base).paragraphs == b


@settings(max_examples=60, deadline=None)
@given(texts, texts, texts)
def test_merge_is_symmetric_up_to_the_sides_of_each_conflict(
        base: list[str], a: list[str], b: list[str]) -> None:
    ab, ba = merge(base, a, b), merge(base, b, a)
    assert tuple(_swap(s) for s in ab.segments) == ba.segments


@st.composite
def disjoint_edits(draw: st.DrawFn) -> tuple[list[str], list[str], list[str], list[str]]:
    """A base, and two sides editing paragraphs at least one untouched paragraph
    apart (in place, dropped, or with a paragraph inserted after); the expected merge."""
    base = draw(st.lists(sst.paragraphs(max_words=12), min_size=3, max_size=20, unique=True))
    new = iter(draw(st.lists(sst.paragraphs(max_words=12), min_size=2 * len(base),
                             max_size=2 * len(base), unique=True)
                    .filter(lambda xs: not set(xs) & set(base))))
    owner = draw(st.lists(st.sampled_from("ab."), min_size=len(base), max_size=len(base)))
    for i in range(1, len(owner)):  # an untouched paragraph between two edits
        if owner[i] != "." and owner[i - 1] != ".":
            owner[i] = "."
    a, b, want = [], [], []
    for p, who in zip(base, owner, strict=True):
        op = draw(st.sampled_from(["change", "drop", "insert"])) if who != "." else "keep"
        mine = [next(new)] if op == "change" else [] if op == "drop" else [p]
        if op == "insert":
            mine.append(next(new))
        a.extend(mine if who == "a" else [p])
        b.extend(mine if who == "b" else [p])
        want.extend(mine)
    return base, a, b, want


@settings(max_examples=100, deadline=None)
@given(disjoint_edits())
def test_non_overlapping_edits_merge_cleanly_and_keep_both(
        case: tuple[list[str], list[str], list[str], list[str]]) -> None:
    base, a, b, want = case
    assert merge(base, a, b).paragraphs == want


@settings(max_examples=60, deadline=None)
@given(texts, st.data())
def test_edits_in_place_of_different_paragraphs_never_conflict(base: list[str],
                                                              data: st.DataObject) -> None:
    idx = data.draw(st.permutations(range(len(base))))
    split = data.draw(st.integers(0, len(base)))
    a, b = list(base), list(base)
    for i in idx[:split]:
        a[i] = base[i] + " (a)"
    for i in idx[split:]:
        b[i] = base[i] + " (b)"
    got = merge(base, a, b).paragraphs
    assert got == [a[i] if i in idx[:split] else b[i] for i in range(len(base))]


BASE = normalize("One.\n\nTwo is here.\n\nThree.\n\nFour.\n").paragraphs


def test_the_same_paragraph_changed_two_ways_is_one_conflict() -> None:
    a = [BASE[0], "Two is there.", *BASE[2:]]
    b = [BASE[0], "Two was here.", BASE[2], "Four, and more."]
    r = merge(BASE, a, b)
    assert [c.index for c in r.conflicts] == [2]
    assert r.conflicts[0].a == ("Two is there.",) and r.conflicts[0].b == ("Two was here.",)
    text = conflict_text(r, "A1234567", "B7654321")
    assert ("<<<<<<< A1234567\n\nTwo is there.\n\n=======\n\nTwo was here.\n\n"
            ">>>>>>> B7654321") in text
    assert text.endswith("Four, and more.\n")
    with pytest.raises(InputError, match="conflicts"):
        _ = r.paragraphs
    # the file normalizes to paragraphs: markers are paragraphs of their own
    marked = list(normalize(text).paragraphs)
    with pytest.raises(InputError, match="markers"):
        check_resolution(r, marked)
    resolved = [BASE[0], "Two was there.", BASE[2], "Four, and more."]
    assert check_resolution(r, resolved) == resolved
    with pytest.raises(InputError, match="outside the conflicts"):
        check_resolution(r, [BASE[0], "Two was there.", "Three!", "Four, and more."])
    with pytest.raises(InputError, match="outside the conflicts"):
        check_resolution(r, ["Zero.", "Two was there.", BASE[2], "Four, and more."])


def test_a_clean_merge_has_nothing_to_resolve() -> None:
    with pytest.raises(InputError, match="no conflict"):
        check_resolution(merge(BASE, BASE, BASE), list(BASE))


def test_ancestry() -> None:
    g = {b"r": [], b"a": [b"r"], b"b": [b"r"], b"a2": [b"a"], b"m": [b"a2", b"b"]}
    assert lowest_common_ancestors(g, b"a2", b"b") == [b"r"]
    assert lowest_common_ancestors(g, b"m", b"b") == [b"b"]
    assert is_ancestor(g, b"a", b"m") and not is_ancestor(g, b"m", b"a")
    criss = {b"r": [], b"x": [b"r"], b"y": [b"r"], b"p": [b"x", b"y"], b"q": [b"y", b"x"]}
    assert lowest_common_ancestors(criss, b"p", b"q") == [b"x", b"y"]
