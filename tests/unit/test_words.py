"""Word-level verdicts: what changed in a paragraph, and whether it is typography,
OCR noise or changed words. Each attack is written first: a planted word hidden in
noise, a hyphen that changes a word, a paragraph split to look like an addition."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core.align import align, diff, is_exact, related
from samizdat.core.text import normalize, paragraph_hash
from samizdat.core.words import canonical, compare, tokens

ENGLISH = ("The committee holds that the secret ballot of the party conference "
           "must be restored, and that every member may read, copy and pass on "
           "this appeal without fear of the modern informer.")
RUSSIAN = ("Комитет считает, что тайное голосование на конференции партии должно "
           "быть восстановлено, и каждый член может читать и передавать это обращение.")
PERSIAN = ("کمیته معتقد است که رأی مخفی در کنفرانس حزب باید بازگردانده شود و هر "
           "عضو می‌تواند این فراخوان را بخواند و منتشر کند.")
CHINESE = "委员会认为必须恢复党代会的秘密投票，每个成员都可以阅读、复制并传递这份呼吁书。"


def words_changes(original: str, copy: str) -> list[tuple[str, str]]:
    return [(c.old, c.new) for c in compare(original, copy).changes if c.kind == "words"]


# ------------------------------------------------------------------ typography


def test_quotes_dashes_ellipsis_and_ligatures_are_typography() -> None:
    original = "He said \u201cno\u201d \u2014 twice\u2026 and the \ufb01nal vote \u00abstood\u00bb."
    for copy in ('He said "no" -- twice... and the final vote "stood".',
                 "He said 'no' - twice . . . and the final vote \u201estood\u201c.",
                 'He said "no"\u2013twice... and the final vote "stood" .'):
        cmp = compare(original, copy)
        assert cmp.kind == "typography", copy
        assert not cmp.significant()


def test_a_line_end_hyphen_joins_back_to_the_original_word() -> None:
    original = "the implementation of the plan was postponed"
    # a wrapped, hyphenated word reads "imple- mentation" once lines are joined
    assert compare(original, "the imple- mentation of the plan was postponed").kind == \
        "typography"


def test_the_original_decides_re_sign_versus_resign() -> None:
    assert compare("we must resign now", "we must re- sign now").kind == "typography"
    assert compare("we must re-sign now", "we must re- sign now").kind == "typography"
    assert words_changes("we must resign now", "we must re-sign now") == [
        ("resign", "re-sign")]
    assert words_changes("we must re-sign now", "we must resign now") == [
        ("re-sign", "resign")]


def test_typography_only_copy_is_authentic_and_says_so() -> None:
    auth = ("\u201cRead it,\u201d they wrote \u2014 \u201ccopy it, pass it on\u2026\u201d",
            "The \ufb01rst congress met in a small room.")
    copy = normalize('"Read it," they wrote -- "copy it, pass it on..."\n\n'
                     "The first congress met in a small room.")
    results = align([paragraph_hash(p) for p in auth], copy, auth)
    assert is_exact(results)
    assert [r.detail for r in results] == ["typography", "typography"]


def test_every_paragraph_typography_changed_still_anchors_without_cascade() -> None:
    auth = tuple(f"Point {i}: the \u201cleadership\u201d \u2014 as we said \u2014 failed."
                 for i in range(200))
    copy = [p.replace("\u201c", '"').replace("\u201d", '"').replace("\u2014", "--")
            for p in auth]
    del copy[50]
    results = align([paragraph_hash(p) for p in auth], copy, auth)
    assert [r.index for r in results if r.status != "same"] == [51]
    assert results[50].status == "missing"


# ------------------------------------------------------------------ OCR noise


def test_ocr_confusions_are_ocr() -> None:
    noisy = (ENGLISH.replace("modern", "rnodern").replace("committee", "cornmittee")
             .replace("ballot", "ba1lot").replace("conference", "confference")
             .replace("appeal", "appea1").replace("e", "е", 1))
    cmp = compare(ENGLISH, noisy)
    assert cmp.kind == "ocr", cmp
    assert all(c.kind in ("ocr", "typography") for c in cmp.changes)


def test_planted_word_in_ocr_noise_is_named_word_by_word() -> None:
    noisy = (ENGLISH.replace("modern", "rnodern").replace("committee", "cornmittee")
             .replace("member", "mernber").replace("appeal", "appea1"))
    planted = noisy.replace("secret", "open")
    assert compare(ENGLISH, noisy).kind == "ocr"
    cmp = compare(ENGLISH, planted)
    assert cmp.kind == "words"
    assert words_changes(ENGLISH, planted) == [("secret", "open")]


def test_a_substitution_outside_the_confusion_table_is_words() -> None:
    # "now" for "not" is one letter, but not a shape OCR confuses
    assert words_changes("we will not sign", "we will now sign") == [("not", "now")]
    assert compare("we will not sign", "we will nоt sign").kind == "ocr"  # Cyrillic о


def test_planted_edits_are_named_in_russian_persian_and_chinese() -> None:
    ru = RUSSIAN.replace("тайное", "открытое").replace("Комитет", "Кoмитет")  # Latin o
    assert compare(RUSSIAN, ru).kind == "words"
    assert words_changes(RUSSIAN, ru) == [("тайное", "открытое")]
    fa = PERSIAN.replace("مخفی", "آشکار")
    assert words_changes(PERSIAN, fa) == [("مخفی", "آشکار")]
    zh = CHINESE.replace("秘密", "公开")
    assert words_changes(CHINESE, zh) == [("秘密", "公开")]
    # spaces an OCR engine puts between Han characters are not a change
    assert compare(CHINESE, " ".join(CHINESE[:10]) + CHINESE[10:]).kind == "typography"


def test_chinese_is_tokenised_by_character() -> None:
    assert [t.key for t in tokens("秘密投票")] == ["秘", "密", "投", "票"]
    assert [t.key for t in tokens("abc中文")] == ["abc", "中", "文"]


# ------------------------------------------------------- split and merged


PARAS = tuple(
    f"Paragraph {i}: the leadership has led the country into a crisis, and every "
    f"member of the party must read, copy and pass on this appeal number {i}."
    for i in range(1, 9))


def hashes(paras: tuple[str, ...]) -> list[bytes]:
    return [paragraph_hash(p) for p in paras]


def test_a_split_paragraph_is_same_with_its_pieces_and_no_cascade() -> None:
    head, tail = PARAS[3].split(" and every ")
    copy = [*PARAS[:3], head + " and every mem-", tail.replace("member", "ber", 1),
            *PARAS[4:]]
    results = align(hashes(PARAS), copy, PARAS)
    split = [r for r in results if r.detail == "split"]
    assert [(r.index, r.status, r.copy_indices) for r in split] == [(4, "same", (4, 5))]
    assert is_exact(results)
    assert [r.copy_index for r in results[4:]] == [6, 7, 8, 9]


def test_merged_paragraphs_are_same_and_mapped_to_the_one_copy_paragraph() -> None:
    copy = [*PARAS[:2], PARAS[2] + " " + PARAS[3], *PARAS[4:]]
    results = align(hashes(PARAS), copy, PARAS)
    merged = [(r.index, r.status, r.copy_indices) for r in results if r.detail == "merged"]
    assert merged == [(3, "same", (3,)), (4, "same", (3,))]
    assert is_exact(results)


def test_a_planted_word_in_a_split_paragraph_says_words() -> None:
    head, tail = PARAS[5].split(" and every ")
    copy = [*PARAS[:5], head.replace("crisis", "triumph"), "and every " + tail, *PARAS[6:]]
    results = align(hashes(PARAS), copy, PARAS)
    (r,) = [r for r in results if r.status != "same"]
    assert (r.index, r.status, r.detail, r.copy_indices) == (6, "changed", "words", (6, 7))
    assert [(c.old, c.new) for c in r.changes] == [("crisis", "triumph")]


def test_a_planted_word_in_merged_paragraphs_belongs_to_its_own_paragraph() -> None:
    copy = [*PARAS[:2], PARAS[2] + " " + PARAS[3].replace("crisis", "triumph"), *PARAS[4:]]
    results = {r.index: r for r in align(hashes(PARAS), copy, PARAS)}
    assert (results[3].status, results[3].detail) == ("same", "merged")
    assert (results[4].status, results[4].detail) == ("changed", "words")
    assert [(c.old, c.new) for c in results[4].changes] == [("crisis", "triumph")]


# --------------------------------------------------------------------- diff


def test_diff_counts_typography_and_names_words() -> None:
    a = list(PARAS)
    a[2] = a[2].replace(", and", " -- and")
    b = list(a)
    b[1] = b[1].replace("crisis", "triumph")
    b[2] = b[2].replace(" -- and", "\u2014and")
    results = diff(a, b)
    changed = {r.index: r for r in results if r.status == "changed"}
    assert changed[2].detail == "words" and changed[3].detail == "typography"
    assert [c.to_json() for c in changed[2].changes] == [
        {"from": "crisis", "to": "triumph", "kind": "words"}]
    assert related(results)


def test_unrelated_texts_are_not_related() -> None:
    other = [f"Recipe {i}: mix flour, eggs and milk; bake for {i} minutes." for i in range(5)]
    assert not related(diff(list(PARAS), other))


# ----------------------------------------------------------------- properties


@given(st.lists(st.sampled_from(ENGLISH.split(" ")), min_size=3, max_size=30),
       st.data())
@settings(max_examples=100)
def test_canonical_is_blind_to_typography(words: list[str], data: st.DataObject) -> None:
    text = " ".join(words)
    swapped = text.replace(",", data.draw(st.sampled_from([",", " ,"])))
    assert canonical(text) == canonical(swapped)
    assert canonical(text + " \u2014 end\u2026") == canonical(text + " -- end...")


def test_a_question_mark_for_a_full_stop_is_a_change_but_a_misread_comma_is_not() -> None:
    assert words_changes("He is guilty.", "He is guilty?") == [(".", "?")]
    cmp = compare("He is guilty, now.", "He is guilty. now:")
    assert cmp.kind == "ocr"  # words are aligned first: the marks are what changed
    assert [(c.old, c.new) for c in cmp.changes] == [(",", "."), (".", ":")]
