"""What samizdat prints around a text, in every language it prints, and how to take
it off again.

A paper copy (:mod:`samizdat.transports.paper_pdf`) sets the document's paragraphs
between marks of its own: a running header and a page footer on every page, a
head block (title, version, text SHA-256, committee key) and closing instructions,
and a pair of continuation marks wherever a paragraph is broken across a page.
Whoever retypes or OCRs the pages gets those back as extra paragraphs, and a broken
paragraph as two. :func:`strip_marks` is the pure function ``verify`` runs first on
a plain-text copy: it drops every mark it recognises, in any of :data:`LANGUAGES`,
and rejoins the two halves of a continued paragraph.

The strings live here, once, so that the printer and the recogniser can never
disagree: :func:`labels` gives the printer the wording for a language and the
recogniser matches every language's wording at once. Recognition compares a
*skeleton* (case folded, every decimal digit as ASCII, everything but letters,
digits and ``/`` removed), so what an OCR engine does to spaces and punctuation
does not matter; boilerplate sentences match when they are at least
:data:`BOILERPLATE_SIMILARITY` alike.

What can be taken off is deliberately narrow: a paragraph is dropped only when all
of it is a mark (a mark glued to the start or end of a paragraph by OCR is cut off
that paragraph, nothing else), and the title only when it sits right before a head
block. A forger who disguises added text as a page mark therefore hides nothing
but a page mark.

Printed ids use :func:`ocr_safe_id`: Crockford's base32 (no I, L, O or U; on
reading, O is 0 and I and L are 1) in groups of four, with two check characters, so
a misread id is detected rather than taken for another one.

Pure: no I/O, no clock, no randomness.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from samizdat.core import text as text_model
from samizdat.errors import DecodeError

__all__ = [
    "BOILERPLATE_SIMILARITY",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Labels",
    "Stripped",
    "detect_language",
    "labels",
    "ocr_safe_id",
    "parse_ocr_safe_id",
    "short_id",
    "strip_marks",
]

BOILERPLATE_SIMILARITY: Final = 0.8
"""The share of a paragraph's skeleton that must be found, in order, in a printed
instruction sentence for it to be taken for (a part of) that sentence."""

DEFAULT_LANGUAGE: Final = "en"


@dataclass(frozen=True)
class Labels:
    """Every string a print puts on paper besides the document, in one language.

    ``page``, ``continued_on`` and ``continued_from`` contain ``{p}`` (and ``page``
    ``{n}``): the page number and the page count."""

    page: str
    version: str
    text_sha256: str
    committee_key: str
    not_final: str
    final: str
    continued_on: str
    continued_from: str
    instructions: str
    key_sheet: str
    key_sheet_body: str


LANGUAGES: Final[dict[str, Labels]] = {
    "en": Labels(
        page="page {p} / {n}",
        version="version",
        text_sha256="text sha-256",
        committee_key="committee key",
        not_final="none: this version is not final",
        final="(final: signed by the committee)",
        continued_on="continued on page {p}",
        continued_from="continued from page {p}",
        instructions=(
            "To check a copy typed from these pages: samizdat verify COPY.txt. "
            "The codes that follow carry the sealed, signed copy: with the key sheet, "
            "samizdat scan rebuilds and verifies it even when some codes are lost."
        ),
        key_sheet="Key sheet",
        key_sheet_body=(
            "Whoever holds this sheet and the code pages can rebuild, verify and store "
            "the signed copy. Keep it apart from the pages; destroy it once the copy is "
            "scanned. Scan it together with the pages, or type the key below after --cap."
        ),
    ),
    "ru": Labels(
        page="страница {p} / {n}",
        version="версия",
        text_sha256="sha-256 текста",
        committee_key="ключ комитета",
        not_final="нет: эта версия не окончательная",
        final="(окончательная: подписана комитетом)",
        continued_on="продолжение на странице {p}",
        continued_from="продолжение со страницы {p}",
        instructions=(
            "Чтобы проверить копию, перепечатанную с этих страниц: samizdat verify "
            "COPY.txt. Коды на следующих страницах несут запечатанную подписанную "
            "копию: вместе с листом ключа samizdat scan восстановит и проверит её, "
            "даже если часть кодов утрачена."
        ),
        key_sheet="Лист ключа",
        key_sheet_body=(
            "Кто держит этот лист и страницы с кодами, может восстановить, проверить и "
            "сохранить подписанную копию. Храните его отдельно от страниц; уничтожьте "
            "после сканирования копии. Сканируйте его вместе со страницами или введите "
            "ключ ниже после --cap."
        ),
    ),
    "fa": Labels(
        page="صفحه {p} / {n}",
        version="نسخه",
        text_sha256="متن sha-256",
        committee_key="کلید کمیته",
        not_final="ندارد: این نسخه نهایی نیست",
        final="(نهایی: امضا شده توسط کمیته)",
        continued_on="ادامه در صفحه {p}",
        continued_from="ادامه از صفحه {p}",
        instructions=(
            "برای بررسی نسخه‌ای که از روی این صفحه‌ها تایپ شده است: samizdat verify "
            "COPY.txt. کدهای صفحه‌های بعد نسخهٔ مهروموم‌شده و امضاشده را در خود دارند: "
            "با برگهٔ کلید، samizdat scan آن را بازسازی و بررسی می‌کند، حتی اگر برخی "
            "از کدها از دست رفته باشند."
        ),
        key_sheet="برگهٔ کلید",
        key_sheet_body=(
            "هر کس این برگه و صفحه‌های کد را داشته باشد می‌تواند نسخهٔ امضاشده را "
            "بازسازی، بررسی و نگهداری کند. آن را جدا از صفحه‌ها نگه دارید و پس از "
            "اسکن نسخه نابودش کنید. آن را همراه صفحه‌ها اسکن کنید یا کلید زیر را پس "
            "از --cap تایپ کنید."
        ),
    ),
    "zh": Labels(
        page="第 {p} / {n} 页",
        version="版本",
        text_sha256="文本 sha-256",
        committee_key="委员会密钥",
        not_final="无：此版本尚未定稿",
        final="（定稿：由委员会签署）",
        continued_on="续见第 {p} 页",
        continued_from="接第 {p} 页",
        instructions=(
            "核对根据这些页面录入的副本：samizdat verify COPY.txt。后面的二维码载有"
            "密封并签名的副本：配合密钥页，即使部分二维码丢失，samizdat scan "
            "也能重建并核验它。"
        ),
        key_sheet="密钥页",
        key_sheet_body=(
            "持有此页和二维码页的人可以重建、核验并保存已签名的副本。请将它与"
            "其他页面分开存放；副本扫描完毕后将其销毁。可与其他页面一起扫描，"
            "或在 --cap 之后输入下面的密钥。"
        ),
    ),
}
"""The languages a print's marks and instructions are translated into."""


def labels(language: str) -> Labels:
    """The wording for ``language`` (an ISO 639-1 code), English when there is no
    translation."""
    return LANGUAGES.get(language, LANGUAGES[DEFAULT_LANGUAGE])


# --------------------------------------------------------------- the language

_PERSIAN_ONLY: Final = frozenset("پچژگکی")  # letters Arabic does not use


def detect_language(sample: str) -> str:
    """The language a print's marks should be in, from the letters of ``sample``:
    the script most letters are in (Cyrillic → ``ru``, Han → ``zh``, kana → ``ja``,
    Hangul → ``ko``, Hebrew → ``he``, Arabic script → ``fa`` when Persian-only
    letters are 2% of its letters or more, else ``ar``), ``en`` otherwise. Callers
    fall back to English via :func:`labels` for a language without a translation."""
    counts: dict[str, int] = {}
    persian = 0
    for ch in sample[:20_000]:
        o = ord(ch)
        if 0x0400 <= o <= 0x052F:
            lang = "ru"
        elif 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
            lang = "ar"
            persian += ch in _PERSIAN_ONLY
        elif 0x3040 <= o <= 0x30FF:
            lang = "ja"
        elif 0xAC00 <= o <= 0xD7AF:
            lang = "ko"
        elif 0x3400 <= o <= 0x9FFF:
            lang = "zh"
        elif 0x0590 <= o <= 0x05FF:
            lang = "he"
        elif ch.isalpha():
            lang = "en"
        else:
            continue
        counts[lang] = counts.get(lang, 0) + 1
    if not counts:
        return DEFAULT_LANGUAGE
    if counts.get("ja", 0) and counts.get("zh", 0):  # Japanese mixes kana and kanji
        counts["ja"] += counts.pop("zh")
    best = max(counts, key=lambda k: counts[k])
    # ی and ک are a few percent of any Persian text; one quoted Persian word in an
    # Arabic text is not enough
    return "fa" if best == "ar" and persian >= max(1, 0.02 * counts["ar"]) else best


# ------------------------------------------------------------- printed ids

_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS: Final = {"O": "0", "I": "1", "L": "1"}
_CHECK_CHARS: Final = 2


def _check(data: bytes) -> str:
    value = int.from_bytes(hashlib.sha256(b"samizdat printed id" + data).digest()[:2], "big")
    return _CROCKFORD[value >> 11] + _CROCKFORD[(value >> 6) & 31]


def short_id(data: bytes) -> str:
    """The eight digits of a version id printed in every page's running header
    (digits: every OCR model reads them, whatever the script around them)."""
    return f"{int.from_bytes(data[:4], 'big') % 100_000_000:08d}"


def ocr_safe_id(data: bytes) -> str:
    """``data`` (a version id) as printed: Crockford base32, upper case, in groups of
    four, the last group ending in two check characters."""
    bits = len(data) * 8
    chars = -(-bits // 5)
    value = int.from_bytes(data, "big") << (chars * 5 - bits)
    body = "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(chars)))
    full = body + _check(data)
    return " ".join(full[i : i + 4] for i in range(0, len(full), 4))


def parse_ocr_safe_id(printed: str, length: int = 32) -> bytes:
    """The bytes behind a printed id (as OCR or a typist gives it back: any case,
    any spacing, O for 0 and I or L for 1). Raises :class:`DecodeError` when the
    check characters do not match: the id was misread."""
    chars = [_READ_AS.get(c, c) for c in printed.upper() if not c.isspace() and c != "-"]
    body_len = -(-length * 8 // 5)
    if len(chars) != body_len + _CHECK_CHARS or any(c not in _CROCKFORD for c in chars):
        raise DecodeError("not a printed samizdat id")
    value = 0
    for c in chars[:body_len]:
        value = value * 32 + _CROCKFORD.index(c)
    value >>= body_len * 5 - length * 8
    data = value.to_bytes(length, "big")
    if "".join(chars[body_len:]) != _check(data):
        raise DecodeError("a printed samizdat id was misread (its check characters differ)",
                          hint="compare it with the page by eye")
    return data


# -------------------------------------------------------------- recognition

_NUMBER: Final = "\x00"  # stands for {p} / {n} in a skeleton template


_DIGITS: Final = {o: str(unicodedata.decimal(chr(o))) for o in range(0x80, 0x10000)
                  if unicodedata.decimal(chr(o), None) is not None}
_NOT_KEPT: Final = re.compile(r"[^\w/\x00]|_")


def _skeleton(s: str) -> str:
    """Case folded, every decimal digit as ASCII, only letters, digits and ``/``
    kept (``\x00`` too: it stands for a number in templates)."""
    folded = s.casefold()
    if not folded.isascii():
        folded = folded.translate(_DIGITS)
    return _NOT_KEPT.sub("", folded)


def _template(pattern: str) -> str:
    skeleton = _skeleton(pattern.replace("{p}", _NUMBER).replace("{n}", _NUMBER))
    return re.escape(skeleton).replace(re.escape(_NUMBER), "[0-9]{1,4}").replace(
        _NUMBER, "[0-9]{1,4}"
    )


def _alternatives(field: str) -> str:
    return "|".join(sorted({_template(getattr(lab, field)) for lab in LANGUAGES.values()},
                           key=len, reverse=True))


_PAGE: Final = _alternatives("page")
_HEADER_LABEL: Final = re.compile(_alternatives("version"))
_MAX_HEADER: Final = 32
_CONT_ON: Final = re.compile(_alternatives("continued_on"))
_CONT_FROM: Final = re.compile(_alternatives("continued_from"))
_PAGE_MARK: Final = re.compile(_PAGE)
_HEAD_LABELS: Final = re.compile(
    # OCR of another script garbles "sha" ("$Ва-256"): up to three of anything
    f"(?P<version>{_alternatives('version')})"
    f"|(?P<sha>{_alternatives('text_sha256').replace('sha256', '.{0,3}256')})"
    f"|(?P<key>{_alternatives('committee_key')})"
)
_NOT_FINAL: Final = tuple(_skeleton(lab.not_final)[-8:] for lab in LANGUAGES.values())
_BOILERPLATE: Final = tuple(
    _skeleton(s) for lab in LANGUAGES.values() for s in (lab.instructions, lab.key_sheet_body)
)
_BOILER_MIN: Final = 40  # a part of one at least this long (shorter: too likely a text's)
_BOILER_MAX: Final = max(len(b) for b in _BOILERPLATE) * 1.6  # raw text has spaces
_BOILER_TAIL: Final = 6
"""The instructions close the text pages (and the key sheet is a page of its own):
only the last paragraphs of a copy are compared with them, so a hostile copy of a
million look-alike paragraphs costs six comparisons, not a million."""
_MARK_HINT: Final = re.compile(r"\d")  # every mark has a number
_ANY_DIGIT: Final = _MARK_HINT
_PEEL_BUDGET: Final = 20_000
"""Paragraphs with a number in them searched for marks, per copy: a print has a few
marks a page, so this is thousands of pages; a hostile copy of millions of numbered
paragraphs costs 20,000 searches. Running out can only leave marks in (reported as
``added``), never take text out."""
_MAX_MARK_WORDS: Final = 12  # a header, footer or continuation line is never longer
_MAX_HEAD_BLOCK: Final = 600
_MAX_TITLE: Final = 300


@dataclass(frozen=True)
class Stripped:
    """What :func:`strip_marks` made of a copy: its paragraphs without samizdat's
    marks, the marks dropped (as the copy had them) and how many broken paragraphs
    were rejoined."""

    paragraphs: list[str]
    dropped: list[str]
    rejoined: int


def _is_header(skeleton: str) -> bool:
    """``samizdat · version 1234 5678``: "samizdat" is Latin, and an OCR model of
    another script garbles it (and, right to left, moves the digit groups around):
    a version label, at least six digits and at most ten other letters."""
    if len(skeleton) > _MAX_HEADER:
        return False
    label = _HEADER_LABEL.search(skeleton)
    if label is None:
        return False
    rest = skeleton[: label.start()] + skeleton[label.end() :]
    digits = sum(c.isdigit() for c in rest)
    return digits >= 6 and len(rest) - digits <= 10


def _kind(skeleton: str) -> str | None:
    """``"page"`` / ``"on"`` / ``"from"`` when ``skeleton`` is exactly one mark."""
    if _PAGE_MARK.fullmatch(skeleton) or _is_header(skeleton):
        return "page"
    if _CONT_ON.fullmatch(skeleton):
        return "on"
    if _CONT_FROM.fullmatch(skeleton):
        return "from"
    return None


def _cut_one(words: list[str], *, from_end: bool) -> tuple[int, str | None]:
    """The number of words at the start (or end) of ``words`` that are one mark,
    longest first, and its kind; (0, None) when there is none."""
    window = words[-_MAX_MARK_WORDS:] if from_end else words[:_MAX_MARK_WORDS]
    if not _MARK_HINT.search(" ".join(window)):
        return 0, None
    if from_end:
        window = window[::-1]
    skeletons = [_skeleton(w) for w in window]
    found: tuple[int, str | None] = (0, None)
    acc = ""
    for size, sk in enumerate(skeletons, start=1):
        acc = acc + sk if not from_end else sk + acc
        kind = _kind(acc)
        if kind is not None:
            found = (size, kind)
    return found


def _peel(paragraph: str, budget: list[int]) -> tuple[str, list[str], bool]:
    """Cut marks off the start and end of one paragraph (OCR glues a footer or a
    continuation line to the text next to it): what is left, the marks cut, and
    whether a continued-on mark was among them."""
    if budget[0] <= 0 or not _ANY_DIGIT.search(paragraph):  # every mark has a number
        return paragraph, [], False
    budget[0] -= 1
    words = paragraph.split(" ")
    cut: list[str] = []
    cont_on = False
    while words:
        size, kind = _cut_one(words, from_end=False)
        if size:
            cut.append(" ".join(words[:size]))
            words = words[size:]
        else:
            size, kind = _cut_one(words, from_end=True)
            if not size:
                break
            cut.append(" ".join(words[-size:]))
            words = words[:-size]
        cont_on |= kind == "on"
    return " ".join(words), cut, cont_on


def _is_head_block(paragraph: str) -> bool:
    """All or part of the head block (OCR may split its three lines): it starts
    with a label (version, text SHA-256, committee key, in any language) and what
    follows has the shape of what is printed there: an id or a hash (a quarter
    digits or more), or the committee key (digits, or the not-final note)."""
    start = paragraph[:40]
    if len(paragraph) > _MAX_HEAD_BLOCK or (":" not in start and "：" not in start):
        return False  # printed "label: value"; OCR keeps the colon
    if not _HEAD_LABELS.match(_skeleton(start)):
        return False
    sk = _skeleton(paragraph)
    label = _HEAD_LABELS.match(sk)
    if label is None:
        return False
    value = sk[label.end() :]
    digits = sum(c.isdigit() for c in value)
    if label.lastgroup == "key":
        return any(note in value for note in _NOT_FINAL) or digits >= 8
    return len(value) >= 30 and digits >= 0.25 * len(value)


def _is_boilerplate(paragraph: str) -> bool:
    """Whether most of ``paragraph`` is one of the printed sentences (whole, or the
    part of one that OCR split off)."""
    if not _BOILER_MIN <= len(paragraph) <= _BOILER_MAX:
        return False
    sk = _skeleton(paragraph)
    for known in _BOILERPLATE:
        if len(sk) > 1.3 * len(known):
            continue
        matcher = difflib.SequenceMatcher(None, sk, known, autojunk=False)
        if matcher.quick_ratio() * (len(sk) + len(known)) / 2 < (
            BOILERPLATE_SIMILARITY * len(sk)
        ):
            continue  # fewer characters in common than the share needed
        common = sum(block.size for block in matcher.get_matching_blocks())
        if common >= BOILERPLATE_SIMILARITY * len(sk):
            return True
    return False


def _join(first: str, second: str) -> str:
    # the text model decides how a line end folds (a space, or nothing between CJK)
    joined = text_model.normalize(first + "\n" + second).paragraphs
    return joined[0] if len(joined) == 1 else first + " " + second


def strip_marks(paragraphs: Sequence[str]) -> Stripped:
    """``paragraphs`` (a copy's normalized paragraphs) without samizdat's own page
    marks, head block, title and instructions, and with every paragraph continued
    across a page rejoined. A copy that carries no marks comes back unchanged.
    Linear in the copy's size."""
    out: list[str] = []
    dropped: list[str] = []
    rejoined = 0
    pending = False  # the last kept paragraph goes on after a page break
    budget = [_PEEL_BUDGET]
    for paragraph in paragraphs:
        head = _is_head_block(paragraph)  # before peeling: its id looks like a header
        rest, cut, cont_on = ("", [], False) if head else _peel(paragraph, budget)
        dropped.extend(cut)
        if head or (cut and rest and _is_head_block(rest)):
            rest = rest or paragraph
            if len(out) <= 2 and all(len(p) <= _MAX_TITLE for p in out):
                dropped.extend(out)  # the title printed right above it (and OCR specks)
                out.clear()
            dropped.append(rest)
            rest = ""
        if rest:
            if pending and out:
                out[-1] = _join(out[-1], rest)
                rejoined += 1
            else:
                out.append(rest)
            pending = cont_on
        elif cont_on:
            pending = True
    tail = len(out) - _BOILER_TAIL
    for i in range(len(out) - 1, max(tail, 0) - 1, -1):
        if _is_boilerplate(out[i]):
            dropped.append(out.pop(i))
    return Stripped(paragraphs=out, dropped=dropped, rejoined=rejoined)
