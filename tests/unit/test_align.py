"""Paragraph alignment of a copy against an authentic version: unit cases and
Hypothesis properties (single edits pinpointed, drops and inserts exact)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from samizdat.core.align import (
    CHANGED_SIMILARITY,
    WINDOW,
    Candidate,
    ParagraphResult,
    align,
    best_match,
    diff,
    is_exact,
    similarity,
)
from samizdat.core.text import normalize, paragraph_hash
from samizdat.core.words import canonical, compare
from samizdat.errors import VerificationFailed
from samizdat.testing.strategies import paragraphs, texts, words

MANIFESTO = tuple(
    f"Paragraph {i}: the leadership has led the country into a crisis, and every "
    f"member of the party must read, copy and pass on this appeal number {i}."
    for i in range(1, 11)
)


def hashes(paras: tuple[str, ...] | list[str]) -> list[bytes]:
    return [paragraph_hash(p) for p in paras]


def statuses(results: list[ParagraphResult]) -> list[tuple[int, str, int | None]]:
    return [(r.index, r.status, r.copy_index) for r in results]


def test_identical_copy_is_all_same() -> None:
    results = align(hashes(MANIFESTO), MANIFESTO, MANIFESTO)
    assert is_exact(results)
    assert [r.index for r in results] == list(range(1, 11))


def test_rewrapped_retyping_is_all_same() -> None:
    retyped = "\r\n\r\n".join(p.replace(" ", "\r\n", 3) for p in MANIFESTO)
    assert is_exact(align(hashes(MANIFESTO), normalize(retyped), MANIFESTO))


def test_one_changed_word_is_pinpointed_as_changed() -> None:
    copy = list(MANIFESTO)
    copy[4] = copy[4].replace("crisis", "triumph")
    results = align(hashes(MANIFESTO), copy, MANIFESTO)
    assert statuses([r for r in results if r.status != "same"]) == [(5, "changed", 5)]
    (changed,) = [r for r in results if r.status != "same"]
    assert changed.detail == "words"
    assert [(c.old, c.new) for c in changed.changes] == [("crisis", "triumph")]


def test_straightened_quotes_are_typography_not_a_change() -> None:
    auth = ("He said \u201cno\u201d to the plan, twice, in front of the whole committee.",)
    copy = normalize('He said "no" to the plan, twice, in front of the whole committee.')
    results = align(hashes(auth), copy, auth)
    assert statuses(results) == [(1, "same", 1)]
    assert results[0].detail == "typography" and is_exact(results)
    # between two versions (diff), the authors' change of quotes is an edit
    (d,) = diff(list(auth), list(copy.paragraphs))
    assert (d.status, d.detail) == ("changed", "typography")
    assert [(c.old, c.new) for c in d.changes] == [("\u201c", '"'), ("\u201d", '"')]


def test_dropped_paragraphs_do_not_cascade() -> None:
    copy = [p for i, p in enumerate(MANIFESTO, 1) if i not in (2, 7, 8)]
    results = align(hashes(MANIFESTO), copy, MANIFESTO)
    assert [r.index for r in results if r.status == "missing"] == [2, 7, 8]
    assert all(r.status in ("same", "missing") for r in results)


def test_inserted_paragraph_is_added_after_its_predecessor() -> None:
    copy = [*MANIFESTO[:3], "An informant's note, typed in.", *MANIFESTO[3:]]
    results = align(hashes(MANIFESTO), copy, MANIFESTO)
    assert [r for r in results if r.status != "same"] == [ParagraphResult(3, "added", 4)]


def test_paragraph_added_before_the_first_has_index_zero() -> None:
    copy = ["Police copy no. 3", *MANIFESTO]
    assert align(hashes(MANIFESTO), copy, MANIFESTO)[0] == ParagraphResult(0, "added", 1)


def test_without_texts_equal_gaps_pair_as_changed() -> None:
    copy = list(MANIFESTO)
    copy[2] = "something else entirely"
    copy[3] = "and again"
    results = align(hashes(MANIFESTO), copy)
    assert [r for r in results if r.status != "same"] == [
        ParagraphResult(3, "changed", 3), ParagraphResult(4, "changed", 4)]


def test_without_texts_unequal_gaps_are_missing_and_added() -> None:
    copy = [*MANIFESTO[:2], "x", "y", *MANIFESTO[3:]]  # 3 replaced by two paragraphs
    results = align(hashes(MANIFESTO), copy)
    assert [r for r in results if r.status != "same"] == [
        ParagraphResult(3, "missing", None),
        ParagraphResult(3, "added", 3), ParagraphResult(3, "added", 4)]


def test_with_texts_a_change_next_to_an_insert_is_told_apart() -> None:
    copy = list(MANIFESTO)
    copy[5] = copy[5].replace("crisis", "catastrophe")
    copy.insert(6, "A line the police added.")
    results = align(hashes(MANIFESTO), copy, MANIFESTO)
    assert statuses([r for r in results if r.status != "same"]) == [
        (6, "changed", 6), (6, "added", 7)]


def test_moved_paragraph_is_missing_and_added() -> None:
    copy = [*MANIFESTO[1:], MANIFESTO[0]]
    results = align(hashes(MANIFESTO), copy, MANIFESTO)
    assert [r for r in results if r.status != "same"] == [
        ParagraphResult(1, "missing", None), ParagraphResult(10, "added", 10)]


def test_repeated_paragraphs_align_exactly() -> None:
    auth = ("A", "B", "A", "B", "A")
    copy = ("A", "B", "A", "A")
    results = align(hashes(auth), copy, auth)
    assert sum(r.status == "same" for r in results) == 4
    assert [r.status for r in results if r.status != "same"] == ["missing"]


def test_completely_rewritten_copy_is_missing_and_added_with_texts() -> None:
    auth = ("The committee met in secret on the first of August.",)
    copy = ("Bananas are yellow and grow in tropical countries far away.",)
    assert statuses(align(hashes(auth), copy, auth)) == [(1, "missing", None),
                                                          (1, "added", 1)]


def test_authentic_texts_must_match_hashes_in_length() -> None:
    with pytest.raises(ValueError):
        align(hashes(MANIFESTO), MANIFESTO, MANIFESTO[:3])


def test_large_copies_align_fast_and_right() -> None:
    auth = tuple(f"paragraph number {i} of a long text" for i in range(20_000))
    copy = list(auth)
    del copy[100:110]
    copy[5000] = copy[5000] + " (edited)"  # authentic paragraph 5011 after the drop
    copy.insert(15000, "inserted")
    results = align(hashes(auth), copy, auth)
    odd = [r for r in results if r.status != "same"]
    assert [r.index for r in odd if r.status == "missing"] == list(range(101, 111))
    assert [(r.index, r.status) for r in odd if r.status != "missing"] == [
        (5011, "changed"), (15010, "added")]


def _pairs_planned(n: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Align an unrelated copy of ``n`` paragraphs; return how many (authentic,
    copy) paragraph pairs the planner weighed: the work that would hang on a
    quadratic plan."""
    import samizdat.core.align as module

    pairs = 0
    real = module._plan_gap

    def counted(ka: Sequence[str], kc: Sequence[str]) -> list[tuple[int, int, int, int]]:
        nonlocal pairs
        pairs += len(ka) * len(kc)
        return real(ka, kc)

    monkeypatch.setattr(module, "_plan_gap", counted)
    auth = tuple(f"alpha {i}" for i in range(n))
    copy = tuple(f"omega {i}" for i in range(n))
    results = align(hashes(auth), copy, auth)
    assert sorted(r.index for r in results if r.status != "added") == list(range(1, n + 1))
    assert sorted(r.copy_index for r in results if r.copy_index) == list(range(1, n + 1))
    assert not any(r.status == "same" for r in results)
    return pairs


def test_unrelated_big_copy_does_not_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planned in windows, the work is linear: a window's worth of pairs per
    paragraph (about 32 with WINDOW = 16), not every pair (2.25 million here),
    and twice the paragraphs cost about twice the work."""
    small = _pairs_planned(750, monkeypatch)
    big = _pairs_planned(1500, monkeypatch) - small
    assert 0 < big <= 3 * WINDOW * 1500, f"{big} pairs weighed for 1,500 paragraphs"
    assert big <= 2.5 * small


def test_diff_reports_from_a_to_b() -> None:
    b = [*MANIFESTO[:2], *MANIFESTO[3:]]
    assert [r for r in diff(MANIFESTO, b) if r.status != "same"] == [
        ParagraphResult(3, "missing", None)]


def test_similarity_bounds() -> None:
    assert similarity("a b c", "a b c") == 1.0
    assert similarity("Chapter 1", "Chapter 2") > 0.5
    assert similarity("Chapter 1", "Bananas grow in the tropics") < 0.5


# ------------------------------------------------------------------ best match


def test_best_match_picks_the_version_with_most_paragraphs_in_common() -> None:
    v1 = MANIFESTO[:8]
    v2 = MANIFESTO
    v3 = (*MANIFESTO[:5], "rewritten ending")
    copy = [*MANIFESTO[:9]]
    cands = [Candidate("v1", hashes(v1), v1), Candidate("v2", hashes(v2), v2),
             Candidate("v3", hashes(v3), v3)]
    m = best_match(copy, cands)
    assert (m.candidate.key, m.common) == ("v2", 9)


def test_best_match_ties_go_to_fewest_differences_then_order() -> None:
    a = (*MANIFESTO[:3], "x")
    b = MANIFESTO[:3]
    copy = MANIFESTO[:3]
    assert best_match(copy, [Candidate("a", hashes(a)), Candidate("b", hashes(b))]
                      ).candidate.key == "b"
    assert best_match(copy, [Candidate("b1", hashes(b)), Candidate("b2", hashes(b))]
                      ).candidate.key == "b1"


def test_copy_with_every_paragraph_changed_is_still_matched_by_text() -> None:
    copy = [p.replace("crisis", "disaster") for p in MANIFESTO]
    m = best_match(copy, [Candidate("v", hashes(MANIFESTO), MANIFESTO)])
    assert m.common == 0
    assert m.similarity > 0.5


def test_unrelated_text_is_unknown() -> None:
    other = normalize("Recipe.\n\nTake three eggs and a cup of flour, whisk for a minute.")
    with pytest.raises(VerificationFailed, match="unknown"):
        best_match(other, [Candidate("v", hashes(MANIFESTO), MANIFESTO)])
    with pytest.raises(VerificationFailed, match="unknown"):
        best_match(other, [Candidate("v", hashes(MANIFESTO))])
    with pytest.raises(VerificationFailed):
        best_match(other, [])


# ------------------------------------------------------------------ properties

long_paragraphs = st.lists(words(), min_size=6, max_size=16).map(" ".join)


@st.composite
def distinct_texts(draw: st.DrawFn, min_size: int = 1) -> tuple[str, ...]:
    paras = draw(st.lists(long_paragraphs, min_size=min_size, max_size=8, unique=True))
    return tuple(paras)


def _edit_one_word(data: st.DataObject, auth: tuple[str, ...]) -> tuple[int, list[str]]:
    """Replace one word of one paragraph; (0-based paragraph index, the edited text)."""
    k = data.draw(st.integers(0, len(auth) - 1))
    ws = auth[k].split(" ")
    w = data.draw(st.integers(0, len(ws) - 1))
    new = data.draw(words())
    assume(new != ws[w])
    ws[w] = new
    edited = list(auth)
    edited[k] = " ".join(ws)
    assume(edited[k] not in auth)
    # a replaced quote or dash style is typography, not an edit (see test_words.py)
    assume(compare(auth[k], edited[k]).kind in ("ocr", "words"))
    # a "word" of the generator can be most of its paragraph ("0:0:0::0–1" is ten
    # tokens once punctuation is split off): replacing it changes more than half the
    # paragraph, which is then missing + added by the documented rule, not one edit
    assume(similarity(canonical(auth[k]), canonical(edited[k])) >= CHANGED_SIMILARITY)
    return k, edited


@given(st.data(), distinct_texts())
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_every_single_paragraph_edit_is_pinpointed(data: st.DataObject,
                                                   auth: tuple[str, ...]) -> None:
    k, copy = _edit_one_word(data, auth)
    expected = [(k + 1, "changed", k + 1)]
    for texts_given in (auth, None):
        results = align(hashes(auth), copy, texts_given)
        assert statuses([r for r in results if r.status != "same"]) == expected


@given(st.data(), distinct_texts(min_size=2))
@settings(max_examples=150)
def test_dropped_paragraphs_are_reported_exactly(data: st.DataObject,
                                                 auth: tuple[str, ...]) -> None:
    drop = data.draw(st.sets(st.integers(0, len(auth) - 1), min_size=1,
                             max_size=len(auth) - 1))
    copy = [p for i, p in enumerate(auth) if i not in drop]
    for texts_given in (auth, None):
        results = align(hashes(auth), copy, texts_given)
        assert sorted(r.index for r in results if r.status == "missing") == sorted(
            i + 1 for i in drop)
        assert all(r.status in ("same", "missing") for r in results)


@given(st.data(), distinct_texts(), st.lists(paragraphs(), min_size=1, max_size=4,
                                             unique=True))
@settings(max_examples=150)
def test_inserted_paragraphs_are_reported_exactly(data: st.DataObject,
                                                  auth: tuple[str, ...],
                                                  extra: list[str]) -> None:
    assume(not set(extra) & set(auth))
    copy = list(auth)
    where: list[int] = []
    for p in extra:
        pos = data.draw(st.integers(0, len(copy)))
        copy.insert(pos, p)
    where = [i + 1 for i, p in enumerate(copy) if p in extra]
    for texts_given in (auth, None):
        results = align(hashes(auth), copy, texts_given)
        added = [r for r in results if r.status == "added"]
        assert [r.copy_index for r in added] == where
        assert all(r.status in ("same", "added") for r in results)
        for r in added:  # index: how many authentic paragraphs precede it in the copy
            assert r.copy_index is not None
            assert r.index == sum(1 for p in copy[: r.copy_index - 1] if p in auth)


@given(texts(max_paragraphs=10), texts(max_paragraphs=10))
@settings(max_examples=200)
def test_results_cover_both_sides_once(auth: tuple[str, ...], copy: tuple[str, ...]) -> None:
    results = align(hashes(auth), copy, auth)
    assert sorted(r.index for r in results if r.status != "added") == list(
        range(1, len(auth) + 1))
    covered = [j for r in results for j in (r.copy_indices or (r.copy_index,)) if j]
    assert sorted(set(covered)) == list(range(1, len(copy) + 1))
    indexes = [r.index for r in results]
    assert indexes == sorted(indexes)


@pytest.mark.timeout(120)  # linear work takes well under a second; quadratic, hours
def test_hostile_repetitive_paragraphs_compare_in_bounded_time() -> None:
    a = ("word " * 200_000).strip()
    b = ("word " * 199_999 + "other").strip()
    assert similarity(a, b) > 0.99
    results = align(hashes((a,)), (b,), (a,))
    assert statuses(results) == [(1, "changed", 1)]


@given(st.data(), texts(min_paragraphs=1, max_paragraphs=8))
@settings(max_examples=150)
def test_any_retyping_aligns_as_exact(data: st.DataObject, auth: tuple[str, ...]) -> None:
    from samizdat.testing.strategies import retypings

    copy = normalize(data.draw(retypings(auth)))
    assert is_exact(align(hashes(auth), copy, auth))


@pytest.mark.timeout(120)
def test_hostile_repetitive_copy_is_bounded_and_still_covers_both_sides() -> None:
    # few distinct paragraphs, repeated thousands of times in different orders: no
    # unique anchors, ranges too large for the exact LCS, gaps too large to compare
    auth = tuple(f"p{i % 7}" for i in range(5000))
    copy = tuple(f"p{(i * 3) % 5}" for i in range(5200))
    results = align(hashes(auth), copy, auth)
    assert sorted(r.index for r in results if r.status != "added") == list(range(1, 5001))
    assert sorted(r.copy_index for r in results if r.copy_index is not None) == list(
        range(1, 5201))


@given(st.data(), distinct_texts())
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_a_retyped_copy_with_one_changed_word_is_pinpointed(data: st.DataObject,
                                                            auth: tuple[str, ...]) -> None:
    from samizdat.testing.strategies import retypings

    k, edited = _edit_one_word(data, auth)
    copy = normalize(data.draw(retypings(edited)))  # rewrapped, respaced, NFD...
    results = align(hashes(auth), copy, auth)
    assert statuses([r for r in results if r.status != "same"]) == [(k + 1, "changed", k + 1)]
