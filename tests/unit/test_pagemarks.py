"""core/pagemarks: the marks a print adds, recognised and taken off in every
language; printed ids that catch their own misreading."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samizdat.core import pagemarks
from samizdat.errors import DecodeError


def printed_marks(language: str, page: int, pages: int) -> tuple[str, str, str, str]:
    lab = pagemarks.labels(language)
    short = pagemarks.short_id(bytes(range(32)))
    return (f"({lab.continued_on.format(p=page + 1)})",
            lab.page.format(p=page, n=pages),
            f"samizdat · {lab.version} {short[:4]} {short[4:]}",
            f"({lab.continued_from.format(p=page)})")


@pytest.mark.parametrize("language", sorted(pagemarks.LANGUAGES))
def test_marks_between_pages_are_dropped_and_the_broken_paragraph_rejoins(
    language: str,
) -> None:
    on, footer, header, cont = printed_marks(language, 1, 3)
    lab = pagemarks.labels(language)
    head = (f"{lab.version}: {pagemarks.ocr_safe_id(os.urandom(32))} "
            f"{lab.text_sha256}: {os.urandom(32).hex()} {lab.committee_key}: {lab.not_final}")
    copy = [header, "The title", head, "First paragraph.", "Second begins", on, footer,
            header, cont, "and ends here.", "Third.", lab.instructions,
            lab.page.format(p=2, n=3)]
    got = pagemarks.strip_marks(copy)
    assert got.paragraphs == ["First paragraph.", "Second begins and ends here.", "Third."]
    assert got.rejoined == 1


def test_marks_glued_to_text_by_ocr_are_cut_off_it() -> None:
    on, footer, header, cont = printed_marks("ru", 4, 9)
    copy = ["Начало абзаца " + on + " " + footer, header + " " + cont + " его конец."]
    assert pagemarks.strip_marks(copy).paragraphs == ["Начало абзаца его конец."]


def test_ocr_spacing_and_digits_of_another_script_do_not_matter() -> None:
    copy = ["Text.", "صفحه ۲/۵", "第2/13页", "страница 1 /3", "samizdat · 版本 1921 1974"]
    assert pagemarks.strip_marks(copy).paragraphs == ["Text."]


def test_a_copy_without_marks_comes_back_unchanged() -> None:
    copy = ["Page 3 of the report was missing.", "Версия событий была иной.",
            "Ключ комитета был утерян.", "12 / 40", "The title", "version 2 of the text"]
    got = pagemarks.strip_marks(copy)
    assert got.paragraphs == copy and got.dropped == [] and got.rejoined == 0


def test_text_disguised_as_a_mark_is_not_dropped() -> None:
    """A forger cannot hide words by dressing them as a footer: only a paragraph
    that is exactly a mark goes, and the rest of one that starts with a mark stays."""
    copy = ["page 2 / 5 burn the archive", "Burn the archive. page 2 / 5"]
    got = pagemarks.strip_marks(copy)
    assert got.paragraphs == ["burn the archive", "Burn the archive."]


def test_hostile_copies_of_many_tiny_paragraphs_or_look_alikes_stay_cheap() -> None:
    instructions = pagemarks.labels("en").instructions
    copy = [instructions[:-5] + str(i) for i in range(5_000)] + ["x 1 / 2"] * 50_000
    got = pagemarks.strip_marks(copy)
    # the similarity checks stop after their budget: most look-alikes are kept
    assert len(got.paragraphs) > 50_000 - pagemarks.BOILERPLATE_SIMILARITY * 100


@given(st.binary(min_size=32, max_size=32))
def test_printed_ids_round_trip_through_ocr_confusions(data: bytes) -> None:
    printed = pagemarks.ocr_safe_id(data)
    misread = printed.lower().replace("0", "o").replace("1", "l").replace(" ", "  ")
    assert pagemarks.parse_ocr_safe_id(misread) == data


def test_a_misread_printed_id_is_detected_not_taken_for_another() -> None:
    printed = pagemarks.ocr_safe_id(bytes(range(32)))
    swapped = ("8" if printed[0] != "8" else "B") + printed[1:]
    with pytest.raises(DecodeError, match="misread"):
        pagemarks.parse_ocr_safe_id(swapped)
    with pytest.raises(DecodeError):
        pagemarks.parse_ocr_safe_id(printed[:-3])


@pytest.mark.parametrize(("sample", "language"), [
    ("Ко всем членам партии", "ru"), ("به همهٔ اعضای حزب", "fa"),
    ("إلى جميع أعضاء الحزب", "ar"), ("致全体党员", "zh"), ("To all members", "en"),
    ("党員の皆さんへ", "ja"), ("", "en"),
])
def test_the_language_of_a_print_follows_its_letters(sample: str, language: str) -> None:
    assert pagemarks.detect_language(sample) == language
    assert pagemarks.labels(language) is pagemarks.LANGUAGES.get(
        language, pagemarks.LANGUAGES["en"])
