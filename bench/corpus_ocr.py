"""A corpus of honest and planted copies for the word-level verdicts.

Routes a copy takes from the signed text (``docs/spec/compare.md`` says what each
must give):

* ``typography``: retyped by rules: straight quotes, ``--`` for dashes, ``...``,
  ligatures spelled out, lines wrapped at 60 columns with long words hyphenated at
  the line end. Honest: must be ``authentic``.
* ``split-merge``: a typist (or a page break) splits long paragraphs at a sentence
  and runs short neighbours together. Honest: must be ``authentic``.
* ``ocr-<lang>``: typed out as a "typescript" page image at 300 dpi with Pillow
  (DejaVu Serif, Noto Serif CJK for Chinese), read back with tesseract. Honest: must
  be ``authentic`` or only ``ocr``-detailed. The page has no running header, footer
  or page marks, so nothing of the print's furniture needs ignoring here (the
  ``samizdat print`` route is left for when those marks are ignorable).
* ``planted``: each honest copy with one word replaced in one paragraph. The
  paragraph must say ``words`` and the two words must be in its ``changes``; the
  copy must never come out ``authentic`` (a forgery caught).

The verdicts come from the core engine (``samizdat.core.align``), the same code
``verify`` runs once it has picked the version.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samizdat.core.align import ParagraphResult, align, is_exact
from samizdat.core.text import normalize, paragraph_hash

__all__ = [
    "FACES",
    "TEXTS",
    "Outcome",
    "Route",
    "honest_routes",
    "judge",
    "ocr_available",
    "plant",
    "run_corpus",
]

TEXTS: dict[str, tuple[str, ...]] = {
    "eng": (
        "We, a group of old party members, address this appeal to every comrade "
        "who can still think for himself \u2014 and who is not afraid to read it.",
        "The leadership has led the country into a dead end. Its methods are those "
        "of an adventurer: decisions are taken in secret, and the \u201cdiscussion\u201d "
        "that follows them is a ritual nobody believes in.",
        "Collectivisation was carried out by force and has ruined the village. The "
        "harvest of the last two years was smaller than before the revolution\u2026 "
        "and the peasants know exactly whom to blame.",
        "We demand that the party conference be called before the autumn, that the "
        "ballot be secret, and that the \ufb01nal word belong to the members, not to "
        "the apparatus.",
        "Read this, copy it and pass it on to those you trust. Do not keep it at "
        "home; do not tell anyone who gave it to you.",
        "Signed by the editorial committee, Moscow, August.",
    ),
    "rus": (
        "Мы, группа старых членов партии, обращаемся с этим воззванием ко всем "
        "товарищам, которые ещё способны думать сами \u2014 и не боятся его прочесть.",
        "Руководство завело страну в тупик. Его методы \u2014 методы авантюриста: "
        "решения принимаются тайно, а \u00abобсуждение\u00bb после них стало обрядом, "
        "в который никто не верит.",
        "Коллективизация проведена силой и разорила деревню. Урожай последних двух "
        "лет меньше, чем до революции\u2026 и крестьяне знают, кто в этом виноват.",
        "Мы требуем созвать партийную конференцию до осени, провести тайное "
        "голосование и оставить последнее слово за членами партии, а не за аппаратом.",
        "Прочтите, перепишите и передайте тем, кому доверяете. Не храните дома и "
        "никому не говорите, от кого вы его получили.",
    ),
    "fas": (
        "ما، گروهی از اعضای قدیمی حزب، این فراخوان را خطاب به همه رفقایی می‌نویسیم که "
        "هنوز خودشان فکر می‌کنند و از خواندن آن نمی‌ترسند.",
        "رهبری کشور را به بن‌بست کشانده است. تصمیم‌ها مخفیانه گرفته می‌شوند و بحثی که "
        "پس از آن می‌آید مراسمی است که هیچ‌کس به آن باور ندارد.",
        "ما خواستار آن هستیم که کنفرانس حزب پیش از پاییز تشکیل شود، رأی‌گیری مخفی باشد "
        "و حرف آخر را اعضا بزنند، نه دستگاه.",
        "این را بخوانید، رونویسی کنید و به کسانی که به آنها اعتماد دارید بدهید.",
    ),
    "chi_sim": (
        "我们是一群老党员，向每一位还能独立思考、不怕阅读这份呼吁书的同志发出呼吁。",
        "领导把国家引入了死胡同。他们的方法是冒险家的方法：决定是秘密作出的，随后的"
        "\u201c讨论\u201d只是一种没有人相信的仪式。",
        "我们要求在秋天之前召开党的代表会议，实行秘密投票，最后的决定权属于党员，而不属于机关。",
        "请阅读、抄写并传给你信任的人。不要放在家里，也不要告诉任何人是谁给你的。",
    ),
}

# Replacement words for planted edits, per language: never an OCR confusion of
# the word they replace.
_PLANTS: dict[str, tuple[str, ...]] = {
    "eng": ("open", "public", "harmless", "glorious", "patient", "loyal"),
    "rus": ("открыто", "честно", "славно", "мирно", "верно"),
    "chi_sim": ("公开", "光荣", "忠诚", "和平"),
    "fas": ("آشکار", "آرام", "وفادار", "روشن"),
}

_FACES = {  # typefaces of the typescript pages (Debian fonts-dejavu-core, fonts-noto-*)
    "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "typewriter": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "noto-serif": "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "noto-sans": "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
}
_CJK_FACE = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
_ARABIC_FACE = "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"
FACES = tuple(_FACES)
"""The typefaces OCR routes are typed in."""


def _font(lang: str, face: str) -> str:
    return {"chi_sim": _CJK_FACE, "fas": _ARABIC_FACE}.get(lang, _FACES[face])


@dataclass(frozen=True)
class Route:
    """One copy of a text: the route's name, the language, the copy's text, and
    whether it is honest (no planted edit)."""

    name: str
    lang: str
    text: str
    honest: bool = True
    planted: tuple[int, str, str] | None = None  # (0-based paragraph, old, new)


@dataclass(frozen=True)
class Outcome:
    """What the engine said about one route."""

    route: Route
    authentic: bool
    only_ocr: bool
    named: bool | None  # planted routes: the planted words are in a `words` paragraph


# ------------------------------------------------------------------ retyping


def _retype_typography(paragraphs: Sequence[str]) -> str:
    out = []
    for p in paragraphs:
        p = (p.replace("\u201c", '"').replace("\u201d", '"').replace("\u00ab", '"')
             .replace("\u00bb", '"').replace("\u2014", "--").replace("\u2026", "...")
             .replace("\ufb01", "fi"))
        lines = textwrap.wrap(p, width=60, break_long_words=False)
        hyphenated = []
        for k, line in enumerate(lines):
            if k + 1 < len(lines):
                nxt = lines[k + 1].split(" ", 1)
                word = nxt[0]
                if len(word) >= 8 and word.isalpha():  # hyphenate it at this line's end
                    cut = len(word) // 2
                    line = f"{line} {word[:cut]}-"
                    lines[k + 1] = word[cut:] + ((" " + nxt[1]) if len(nxt) > 1 else "")
            hyphenated.append(line)
        out.append("\n".join(hyphenated))
    return "\n\n".join(out) + "\n"


def _retype_split_merge(paragraphs: Sequence[str]) -> str:
    out: list[str] = []
    k = 0
    while k < len(paragraphs):
        p = paragraphs[k]
        sentences = re.split(r"(?<=[.!?\u3002])\s+", p)
        if len(sentences) > 1 and k % 2 == 0:
            half = len(sentences) // 2
            out += [" ".join(sentences[:half]), " ".join(sentences[half:])]
        elif k + 1 < len(paragraphs) and k % 2 == 1:
            out.append(p + " " + paragraphs[k + 1])
            k += 1
        else:
            out.append(p)
        k += 1
    return "\n\n".join(out) + "\n"


# ----------------------------------------------------------------------- OCR


def ocr_available(lang: str) -> bool:
    """True when tesseract, its ``lang`` model and the route's font are here."""
    if shutil.which("tesseract") is None or not Path(_font(lang, "serif")).exists():
        return False
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                            check=False)
    return lang in listed.stdout.split()


def _typescript(paragraphs: Sequence[str], lang: str, path: Path, *, worn: bool = False,
                face: str = "serif") -> None:
    """A 300 dpi A4 page image of the paragraphs: a clean typescript, or (``worn``)
    a carbon copy of one: smaller type, blurred, speckled."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    size = 30 if worn else 42  # 7 or 10 pt at 300 dpi
    font = ImageFont.truetype(_font(lang, face), size)
    width, height, margin, line_h = 2480, 3508, 200, int(size * 1.5)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    y = margin
    unspaced = lang == "chi_sim"
    rtl = lang == "fas"  # shaped right to left by Pillow's libraqm layout
    for p in paragraphs:
        units = list(p) if unspaced else p.split(" ")
        line = ""
        for u in units:
            trial = line + u if unspaced else (f"{line} {u}" if line else u)
            if _length(draw, trial, font, rtl) > width - 2 * margin and line:
                _line(draw, (margin, width - margin, y), line, font, rtl)
                y += line_h
                line = u
            else:
                line = trial
        _line(draw, (margin, width - margin, y), line, font, rtl)
        y += 2 * line_h
    if worn:
        rnd = random.Random(len(paragraphs))
        img = img.filter(ImageFilter.GaussianBlur(1.6))
        pixels = img.load()
        assert pixels is not None
        for _ in range(width * height // 150):
            x, y = rnd.randrange(width), rnd.randrange(height)
            pixels[x, y] = rnd.choice((0, 90, 255))
        img = img.point(lambda v: 0 if v < 150 else 255)
    img.save(path, dpi=(300, 300))


def _length(draw: Any, text: str, font: Any, rtl: bool) -> float:
    return float(draw.textlength(text, font=font, direction="rtl" if rtl else None))


def _line(draw: Any, where: tuple[int, int, int], text: str, font: Any, rtl: bool) -> None:
    left, right, y = where
    if rtl:
        draw.text((right, y), text, font=font, fill=0, direction="rtl", anchor="ra")
    else:
        draw.text((left, y), text, font=font, fill=0)


def _ocr(paragraphs: Sequence[str], lang: str, *, worn: bool = False,
         face: str = "serif") -> str:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.png"
        _typescript(paragraphs, lang, page, worn=worn, face=face)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        done = subprocess.run(["tesseract", str(page), "-", "-l", lang, "--psm", "4"],
                              capture_output=True, text=True, env=env, check=True,
                              timeout=300)
    return done.stdout


# -------------------------------------------------------------------- routes


def honest_routes(langs: Sequence[str], *, ocr: bool = True, worn: bool = False,
                  faces: Sequence[str] = FACES) -> Iterator[Route]:
    """Every honest route of every text in ``langs``: OCR in each of ``faces``
    (one face for Chinese), and with ``worn`` also OCR of a worn carbon copy, which
    is honest but noisy."""
    for lang in langs:
        paras = TEXTS[lang]
        yield Route("typography", lang, _retype_typography(paras))
        yield Route("split-merge", lang, _retype_split_merge(paras))
        if ocr and ocr_available(lang):
            for face in faces[:1] if lang in ("chi_sim", "fas") else faces:
                yield Route(f"ocr-{lang}-{face}", lang, _ocr(paras, lang, face=face))
            if worn and lang not in ("chi_sim", "fas"):  # tesseract loses whole paragraphs
                yield Route(f"ocr-worn-{lang}", lang, _ocr(paras, lang, worn=True))


def plant(route: Route, rnd: random.Random) -> Route | None:
    """The route with one word of one paragraph replaced (a word the copy and the
    original share, at least 3 characters; two Han characters for Chinese)."""
    original = TEXTS[route.lang]
    if route.lang == "chi_sim":
        pattern = re.compile(r"[\u4e00-\u9fff]{2}")
    else:
        pattern = re.compile(r"\w{3,}")
    spots = []
    for k, p in enumerate(original):
        for m in pattern.finditer(p):
            if re.search(r"(?<!\w)" + re.escape(m.group()) + r"(?!\w)", route.text) or (
                    route.lang == "chi_sim" and m.group() in route.text):
                spots.append((k, m.group()))
    if not spots:
        return None
    k, old = rnd.choice(spots)
    new = rnd.choice([w for w in _PLANTS[route.lang] if w != old])
    if route.lang == "chi_sim":
        text = route.text.replace(old, new, 1)
    else:
        text = re.sub(r"(?<!\w)" + re.escape(old) + r"(?!\w)", new, route.text, count=1)
    return Route(route.name + "+planted", route.lang, text, honest=False, planted=(k, old, new))


def _results(route: Route) -> list[ParagraphResult]:
    auth = normalize("\n\n".join(TEXTS[route.lang])).paragraphs  # as signed
    return align([paragraph_hash(p) for p in auth], normalize(route.text), auth)


def judge(route: Route) -> Outcome:
    """Run the engine on one route."""
    results = _results(route)
    authentic = is_exact(results)
    only_ocr = not authentic and all(
        r.status == "same" or (r.status == "changed" and r.detail == "ocr") for r in results)
    named = None
    if route.planted is not None:
        _k, old, new = route.planted
        named = any(
            r.detail == "words" and any(c.kind == "words" and old in c.old and new in c.new
                                        for c in r.changes)
            for r in results)
    return Outcome(route, authentic, only_ocr, named)


def run_corpus(langs: Sequence[str], *, plants_per_route: int = 3, seed: int = 1932,
               ocr: bool = True, worn: bool = False) -> list[Outcome]:
    """Every honest route and ``plants_per_route`` planted variants of each."""
    rnd = random.Random(seed)
    out: list[Outcome] = []
    for route in honest_routes(langs, ocr=ocr, worn=worn):
        out.append(judge(route))
        for _ in range(plants_per_route):
            planted = plant(route, rnd)
            if planted is not None:
                out.append(judge(planted))
    return out
