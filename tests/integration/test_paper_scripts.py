"""Printing in every script, checked by reading the print back with real OCR.

Each text is printed by fpdf2 with the Noto fonts and HarfBuzz shaping, rasterised
by Debian's pdftoppm at 150 dpi and read by tesseract with that language's model:
at least 90% of the characters must come back, which a blank page, missing glyphs
or unshaped Arabic (isolated letter forms) would not give. Then the marks: an OCR
of a real printed Russian page, verified, has no ``added`` paragraph for the
running header, footer, head block or instructions, and the paragraph broken across
the page comes back as one. A character no font has is an error naming it.
"""

from __future__ import annotations

import difflib
import os
import random
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from samizdat.core import pagemarks
from samizdat.core import text as text_model
from samizdat.core.caps import ReadCap
from samizdat.errors import SamizdatError
from samizdat.transports import paper
from samizdat.transports.paper_pdf import PrintedText

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("tesseract") is None,
    reason="needs poppler-utils and tesseract-ocr",
)

CAP = ReadCap(k=1, n=1, root_key=bytes(32))

# (tesseract model, title, words): prose made of real words, so OCR's dictionary
# neither helps nor hurts more than on a real text
SCRIPTS: dict[str, tuple[str, str, str]] = {
    "ru": ("rus", "Ко всем членам ВКП(б)",
           "партия революция переживает тяжёлый кризис вождь власть страна пропасть "
           "правда комитет манифест рабочие крестьяне хлеб письмо товарищи собрание"),
    "fa": ("fas", "به همهٔ اعضای حزب",
           "حزب انقلاب بحران رهبر قدرت کشور پرتگاه حقیقت کمیته بیانیه کارگران "
           "دهقانان نان نامه رفقا جلسه متن نسخه"),
    "ar": ("ara", "إلى جميع أعضاء الحزب",
           "الحزب الثورة أزمة القائد السلطة البلاد الهاوية الحقيقة اللجنة البيان "
           "العمال الفلاحون الخبز الرسالة الرفاق الاجتماع النص"),
    "zh": ("chi_sim", "致全体党员",
           "党 革命 危机 领袖 权力 国家 深渊 真相 委员会 宣言 工人 农民 粮食 信件 同志 会议"),
}


def prose(words: str, seed: int, paragraphs: int, per: int, sep: str = " ") -> str:
    rnd = random.Random(seed)
    vocab = words.split()
    return "\n\n".join(sep.join(rnd.choice(vocab) for _ in range(per)) + "."
                       for _ in range(paragraphs))


def ocr(pdf: bytes, tmp: Path, model: str, dpi: int, last_page: int = 1) -> str:
    (tmp / "p.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", "1", "-l", str(last_page),
                    str(tmp / "p.pdf"), str(tmp / "r")], check=True, capture_output=True)
    out = []
    for page in sorted(tmp.glob("r-*.pgm")):
        out.append(subprocess.run(["tesseract", str(page), "-", "-l", model],
                                  capture_output=True, text=True, check=True,
                                  env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout)
    return "\n\n".join(out)


def letters(s: str) -> str:
    """The characters that count: no spaces, no format characters (OCR drops ZWNJ),
    no punctuation (OCR turns '.' into '،' or '。')."""
    return "".join(c for c in unicodedata.normalize("NFKC", s)
                   if c.isalnum() or unicodedata.category(c).startswith("M"))


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_each_script_prints_shaped_and_ocr_recovers_90_percent(
    language: str, tmp_path: Path
) -> None:
    model, title, words = SCRIPTS[language]
    sep = "" if language == "zh" else " "
    body = prose(words, 11, 4, 45, sep)
    doc = PrintedText(title=title, text=body, version_id=os.urandom(32).hex(),
                      text_sha256=os.urandom(32).hex())
    assert doc.language == ("ar" if language == "ar" else language)
    made = paper.make_print(os.urandom(200), doc, os.urandom, cap=CAP)
    got = ocr(made.pdf, tmp_path, model, 150)
    want = letters(body)
    seen = letters(" ".join(pagemarks.strip_marks(
        list(text_model.normalize(got).paragraphs)).paragraphs))
    matcher = difflib.SequenceMatcher(None, want, seen, autojunk=False)
    recovered = sum(b.size for b in matcher.get_matching_blocks()) / len(want)
    assert recovered >= 0.90, (language, recovered)


def test_a_character_no_font_has_is_an_error_naming_it() -> None:
    text = "Words, then a character of a script no Noto font in Debian has: \U00016a70."
    doc = PrintedText(title="t", text=text, version_id=os.urandom(32).hex(),
                      text_sha256=os.urandom(32).hex())
    with pytest.raises(SamizdatError) as err:
        paper.make_print(os.urandom(200), doc, os.urandom, cap=CAP)
    assert err.value.exit_code == 3
    assert "U+16A70" in str(err.value) and "fonts-noto" in (err.value.hint or "")


def test_print_of_an_unprintable_text_exits_3_naming_the_character(
    make_cli: Any, tmp_path: Path
) -> None:
    cli = make_cli("glyphs")
    cli.ok("init")
    (tmp_path / "t.txt").write_text("A text with \U00016a70 in it.\n", encoding="utf-8")
    version = cli.ok("draft", "new", tmp_path / "t.txt", "--title", "t")["version"]
    result = cli("print", version, "--out", tmp_path / "t.pdf")
    assert result.code == 3 and "U+16A70" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "t.pdf").exists()


def test_ocr_of_printed_pages_verifies_without_the_marks_and_rejoins_across_pages(
    make_cli: Any, tmp_path: Path
) -> None:
    """The attack on verification the print made itself: without the marks removed,
    the header, footers, head block and instructions come back as ``added``
    paragraphs and the paragraph broken at the page foot as two."""
    _, title, words = SCRIPTS["ru"]
    body = prose(words, 5, 9, 85)
    (tmp_path / "ru.txt").write_text(body + "\n", encoding="utf-8")
    author = make_cli("ocr-author")
    author.ok("init")
    version = author.ok("draft", "new", tmp_path / "ru.txt", "--title", title)["version"]
    author.ok("sign", version)
    author.ok("print", version, "--out", tmp_path / "p.pdf")
    pages = tmp_path / "pages"
    pages.mkdir()
    got = ocr((tmp_path / "p.pdf").read_bytes(), pages, "rus", 200, last_page=2)
    assert "продолжение на странице 2" in got  # a paragraph does break across the page
    (tmp_path / "ocr.txt").write_text(got, encoding="utf-8")
    raw = list(text_model.normalize(got).paragraphs)
    report = author.ok("verify", tmp_path / "ocr.txt")
    statuses = [p["status"] for p in report["paragraphs"]]
    assert "added" not in statuses, report
    assert len(statuses) == 9 and len(raw) > 9 + 4
    assert report["version"] == version


def test_an_unreadable_font_file_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged font (here: random bytes where Noto Serif should be) is a clear
    error, not a traceback or a page without glyphs."""
    from samizdat.transports import paper_fonts

    (tmp_path / "NotoSerif-Regular.ttf").write_bytes(random.Random(1).randbytes(5000))
    monkeypatch.setattr(paper_fonts, "FONT_DIRS", (tmp_path, *paper_fonts.FONT_DIRS))
    doc = PrintedText(title="t", text="text", version_id=os.urandom(32).hex(),
                      text_sha256=os.urandom(32).hex())
    with pytest.raises(SamizdatError, match=r"NotoSerif-Regular\.ttf cannot be read"):
        paper.make_print(os.urandom(200), doc, os.urandom, cap=CAP)
