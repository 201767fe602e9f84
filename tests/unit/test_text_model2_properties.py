"""Hypothesis properties of text model 2's own rules (the same rules the golden
vectors pin down): the expected paragraphs are built first and the raw text is
derived from them, so no property asks the implementation what it should say.

* joiners inside a word survive any retyping; a run of them becomes its first;
  one next to whitespace, a line end or a paragraph's edge goes;
* a line end anywhere inside a run of characters from spaceless scripts
  (Han, kana, Thai, Lao, Khmer, Myanmar, CJK punctuation, with up to three quotes
  or ellipses between them) disappears, however the text is wrapped and chunked,
  while one next to a space stays a space;
* model 1 still drops every joiner and turns every line end into a space;
* both models are idempotent on each other's spaceless and joiner-bearing texts.
"""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from samizdat.core.text import Normalizer, normalize, normalized_bytes
from samizdat.testing.strategies import retypings, texts

ZWNJ, ZWJ = "\u200c", "\u200d"
# letters of scripts that are written with spaces, where joiners matter
_JOINING = "خواستهمیکتابها" + "कषतरय्" + "абвгд" + "abc"
# characters of spaceless scripts (and CJK punctuation and brackets)
_SPACELESS = ("领导层把国家带入危机党员阅读" + "日本語のテキストをよむ" + "、。「」：！？"
              + "กขคงจฉ" + "ကခဂဃ" + "ກຂຄ" + "កខគ")
_TRANSPARENT = "“”‘’…—·"


@st.composite
def joiner_words(draw: st.DrawFn) -> str:
    """A word with joiners between some of its letters (never at its edges)."""
    letters = draw(st.lists(st.sampled_from(_JOINING), min_size=2, max_size=10))
    out = letters[0]
    for c in letters[1:]:
        if draw(st.integers(0, 3)) == 0:
            out += draw(st.sampled_from([ZWNJ, ZWJ]))
        out += c
    return out


@st.composite
def spaceless_runs(draw: st.DrawFn) -> str:
    """A run of spaceless characters with quotes and ellipses between them (at
    most three together, never at the run's edges)."""
    chars = [draw(st.sampled_from(_SPACELESS))]
    for _ in range(draw(st.integers(1, 12))):
        chars.append("".join(draw(st.lists(st.sampled_from(_TRANSPARENT), max_size=3))))
        chars.append(draw(st.sampled_from(_SPACELESS)))
    return "".join(chars)


@given(st.lists(joiner_words(), min_size=1, max_size=8), st.data())
@settings(max_examples=200)
def test_joiners_inside_words_survive_and_extra_ones_collapse_or_go(
    words: list[str], data: st.DataObject
) -> None:
    expected = " ".join(words)
    raw_words = []
    for w in words:
        # lengthen some joiners into runs (a run becomes its first joiner)
        w = "".join(c + (data.draw(st.sampled_from(["", ZWNJ, ZWJ + ZWNJ]))
                         if c in (ZWNJ, ZWJ) else "") for c in w)
        # and put stray joiners at word edges, next to whitespace or the paragraph edge
        edge = data.draw(st.sampled_from(["", ZWNJ, ZWJ, ZWNJ + ZWJ]))
        raw_words.append(edge + w + data.draw(st.sampled_from(["", ZWNJ, ZWJ])))
    sep = data.draw(st.sampled_from([" ", "\n", "  ", " \n ", "\t"]))
    raw = sep.join(raw_words)
    assert normalize(raw, 2).paragraphs == (expected,)
    # model 1 drops them all
    assert normalize(raw, 1).paragraphs == (expected.replace(ZWNJ, "").replace(ZWJ, ""),)


@given(st.lists(spaceless_runs(), min_size=1, max_size=4), st.data())
@settings(max_examples=100)
def test_any_wrap_of_a_spaceless_text_joins_back(runs: list[str], data: st.DataObject) -> None:
    expected = " ".join(runs)  # runs are separated by real spaces
    raw_runs = []
    for run in runs:
        cuts = sorted(set(data.draw(st.lists(st.integers(1, len(run) - 1), max_size=6))))
        nl = data.draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028"]))
        pieces = [run[i:j] for i, j in zip([0, *cuts], [*cuts, len(run)], strict=True)]
        # the rule looks past quotes and ellipses on the same line only: a line of
        # nothing but those is not a wrap any editor makes
        assume(all(any(c in _SPACELESS for c in piece) for piece in pieces))
        raw_runs.append(nl.join(pieces))
    # a real space between runs may itself be wrapped: a space then a line end
    raw = data.draw(st.sampled_from([" ", " \n", "\n "])).join(raw_runs)
    assert normalize(raw, 2).paragraphs == (expected,)
    # streamed in small chunks, the same
    size = data.draw(st.integers(1, 9))
    n = Normalizer(2)
    out = [p for i in range(0, len(raw), size) for p in n.feed(raw[i : i + size])]
    assert tuple(out + n.finish()) == (expected,)


@given(st.data(), texts())
@settings(max_examples=150)
def test_model_1_retypings_still_normalize_under_model_1(data: st.DataObject,
                                                         paras: tuple[str, ...]) -> None:
    raw = data.draw(retypings(paras, model=1))
    assert normalize(raw, 1).paragraphs == paras


@given(st.lists(st.one_of(spaceless_runs(), joiner_words()), min_size=1, max_size=6),
       st.sampled_from([1, 2]))
@settings(max_examples=150)
def test_each_model_is_idempotent_on_spaceless_and_joining_texts(parts: list[str],
                                                                 model: int) -> None:
    paras = normalize("\n".join(parts), model).paragraphs
    assert normalize(normalized_bytes(paras).decode(), model).paragraphs == paras
