"""Laying out a paper copy as A4 PDF pages with fpdf2.

A print is, in order:

1. **text pages**: the document's essentials (title, version id, SHA-256 of the
   normalized text, the committee key's short fingerprint when the version is final)
   and the normalized text itself, set in DejaVu Serif so Cyrillic, Greek and most
   Latin scripts print; a person can read and retype it without any software;
2. **code pages**: a 3 x 4 grid of QR codes (version 35, level M, 0.4 mm modules by
   default), the frames of :mod:`samizdat.transports.paper_frame`, nothing else but a
   page number: the codes carry no visible label;
3. the **key sheet** (the read capability as text and as a QR code) only with
   ``cap_on_pages``; otherwise it is a separate PDF, so that the pages can travel
   without the key.

PDF metadata carries no title, author or date: the creation date is fixed, so two
prints differ only in their random frames.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from samizdat.core import pagemarks
from samizdat.errors import MissingExtra
from samizdat.transports.paper_fonts import FontSet

if TYPE_CHECKING:
    from samizdat.core.caps import ReadCap

__all__ = [
    "A4_HEIGHT_MM",
    "A4_WIDTH_MM",
    "DENSITIES",
    "Layout",
    "PrintedText",
    "render_key_sheet",
    "render_print",
    "running_header",
]

A4_WIDTH_MM: Final = 210.0
A4_HEIGHT_MM: Final = 297.0
_MARGIN_MM: Final = 12.0
_TEXT_BOTTOM_MM: Final = A4_HEIGHT_MM - 16.0
_MARK_MM: Final = 4.5  # the height of a continuation line, kept free at every page foot
_FIXED_DATE: Final = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)

_LN: Final[dict[str, Any]] = {"new_x": "LMARGIN", "new_y": "NEXT"}  # a cell ends its line


@dataclass(frozen=True)
class Layout:
    """Where codes go on a page, and how big they are: one of :data:`DENSITIES`.

    The quiet zone around every code is the four modules ISO/IEC 18004 asks for
    (``gap_mm`` is at least that)."""

    qr_version: int = 40
    error: str = "m"
    module_mm: float = 0.5
    gap_mm: float = 2.0
    cols: int = 2
    rows: int = 3
    top_mm: float = 10.0

    @property
    def cell_mm(self) -> float:
        return (4 * self.qr_version + 17) * self.module_mm

    @property
    def per_page(self) -> int:
        return self.cols * self.rows


DENSITIES: Final[dict[str, Layout]] = {
    "low": Layout(qr_version=33, error="m", module_mm=0.6, gap_mm=2.4, cols=2, rows=3),
    "normal": Layout(),
    "high": Layout(qr_version=35, error="m", module_mm=0.4, gap_mm=2.0, cols=3, rows=4),
}
"""``print --density``. Measured (``bench/bench_paper.py``, pages rendered by
pdftoppm at 300 dpi, degraded by ``tests/paper_degrade.py``): ``normal`` (6 codes
of version 40 at level M, 0.5 mm modules, 14.0 KB of frames a page) reads every code
after two photocopies on a 180 dpi copier, three on a 200 dpi copier, 10%
salt-and-pepper at 200 dpi (after the median pass), a 30% keystone and a 30% dark
stain; ``low`` (version 33, 0.6 mm, 9.8 KB) does too, with bigger modules to spare;
``high`` (the 0.4 mm, 12-code page of earlier versions, 21.7 KB) reads 0 codes after
three photocopies and is for clean scans only."""


@dataclass(frozen=True)
class PrintedText:
    """What the text pages show: the normalized text and the statement's essentials."""

    title: str
    text: str
    version_id: str
    text_sha256: str
    committee_key: str | None = None  # short fingerprint, for a final version

    @property
    def language(self) -> str:
        """The language of the text (its marks and instructions are printed in it
        where there is a translation)."""
        return pagemarks.detect_language(self.title + " " + self.text[:20_000])


def _fpdf() -> Any:
    try:
        import fpdf
        import zxingcpp  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise MissingExtra("printing paper copies", "paper") from exc
    return fpdf


def _new_pdf(language: str) -> tuple[Any, FontSet]:
    fpdf = _fpdf()
    lab = pagemarks.labels(language)
    base: Any = fpdf.FPDF

    class _Pages(base):  # type: ignore[misc]
        running_header: str | None = None

        def header(self) -> None:
            # fpdf2 calls this at the start of every page
            if self.running_header:
                self.set_font("serif", "", 7)
                self.set_text_shaping(True)
                self.set_xy(_MARGIN_MM, 5)
                self.cell(A4_WIDTH_MM - 2 * _MARGIN_MM, 4, self.running_header,
                          align="C", **_LN)
                self.set_y(_MARGIN_MM)

        def number_pages(self) -> None:
            """Write every page's footer once the page count is known: a literal
            count (fpdf2's {nb} alias leaves a gap that OCR of right-to-left lines
            drops the count from)."""
            last: int = self.page_no()
            total = last
            for page in range(1, total + 1):
                self.page = page
                # fpdf2 selects a font once per page it writes in order; on a page
                # revisited here (a code page has no text of its own) it must be
                # selected again, or the footer is drawn with no font at all
                self.current_font_is_set_on_page = False
                self.set_font("serif", "", 8)
                self.set_text_shaping(True)
                self.set_xy(_MARGIN_MM, A4_HEIGHT_MM - 10)
                self.cell(A4_WIDTH_MM - 2 * _MARGIN_MM, 4,
                          lab.page.format(p=page, n=total), align="C", **_LN)
            self.page = last

    pdf = _Pages(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_producer("")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_text_shaping(True)
    fonts = FontSet(pdf, language)
    return pdf, fonts


def _qr_image(data: bytes | str, *, error: str) -> tuple[Any, int]:
    """A QR code as an 8-bit image at 4 pixels per module without a border, and its
    width in modules; the PDF scales it to the page.

    Encoded with zxing-cpp (zint inside): ~10x faster than segno, whose pure-Python
    Reed-Solomon and mask choice took most of the time of a print. Binary content is
    marked with ECI 899, which :func:`samizdat.transports.paper.qr_capacity` accounts
    for; the smallest version that holds ``data`` is used, so frames of one print
    (all the same length) all get the same version.
    """
    import zxingcpp
    from PIL import Image as PILImage

    code = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode,
                                   ec_level=error.upper())
    pixels = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    modules = int(pixels.shape[0]) if pixels.shape else 0
    if pixels.ndim != 2 or pixels.shape != (modules, modules) or pixels.format != "B":
        raise ValueError("unexpected image from the QR encoder")
    image = PILImage.frombytes("L", (modules, modules), pixels.tobytes()).resize(
        (modules * 4, modules * 4), PILImage.Resampling.NEAREST
    )
    return image, modules


def _is_rtl(text: str) -> bool:
    from fpdf.bidi import auto_detect_base_direction
    from fpdf.enums import TextDirection

    return bool(auto_detect_base_direction(text) == TextDirection.RTL)


_SCALE: Final = {"arabic": 1.2}
"""Naskh's letters are small for their point size: set 20% larger, Arabic script
reads as the Latin beside it does (and OCRs at 150 dpi: 74% of characters back at
10.5 pt, all of them at 12.6 pt)."""


def _flow(pdf: Any, fonts: FontSet, paragraph: str, *, family: str | None = None,
          style: str = "", size: float, line_mm: float,
          marks: pagemarks.Labels | None = None) -> None:
    """Set one paragraph line by line in the face of its dominant script, right to
    left when its first strong character is (Unicode bidi rule P2), starting new
    pages as needed. With ``marks``, a paragraph broken across a page gets a
    continued-on line at the foot of the page and a continued-from line at the
    head of the next, which :func:`samizdat.core.pagemarks.strip_marks` reads to
    rejoin it."""
    width = A4_WIDTH_MM - 2 * _MARGIN_MM
    rtl = _is_rtl(paragraph)
    align = "R" if rtl else "L"
    chosen = family or fonts.family_for(paragraph)
    scale = _SCALE.get(chosen, 1.0)
    size, line_mm = size * scale, line_mm * scale
    pdf.set_font(chosen, style, size)
    pdf.set_text_shaping(True, direction="rtl" if rtl else "ltr")
    lines = pdf.multi_cell(width, line_mm, paragraph, align=align, dry_run=True,
                           output="LINES")
    for i, line in enumerate(_no_leading_closers(lines)):
        if pdf.get_y() + line_mm > _TEXT_BOTTOM_MM - _MARK_MM:
            page = pdf.page_no()
            if marks is not None and i:
                _mark(pdf, marks.continued_on.format(p=page + 1))
            pdf.add_page()
            if marks is not None and i:
                _mark(pdf, marks.continued_from.format(p=page))
            pdf.set_font(chosen, style, size)
            pdf.set_text_shaping(True, direction="rtl" if rtl else "ltr")
        pdf.cell(width, line_mm, line, align=align, **_LN)
    pdf.set_text_shaping(True)


_CLOSERS: Final = frozenset("。，、；：？！）」』》〉】．,.;:!?)")


def _no_leading_closers(lines: Sequence[str]) -> list[str]:
    """fpdf2 breaks CJK text between any two characters; a line must not start with
    closing punctuation (kinsoku), so such a character goes back to the line before."""
    out: list[str] = []
    for line in lines:
        while out and line and line[0] in _CLOSERS:
            out[-1], line = out[-1] + line[0], line[1:]
        if line or not out:
            out.append(line)
    return out


def _mark(pdf: Any, text: str) -> None:
    pdf.set_font("serif", "", 7.5)
    pdf.set_text_shaping(True)
    pdf.cell(A4_WIDTH_MM - 2 * _MARGIN_MM, _MARK_MM, f"({text})",
             align="R" if _is_rtl(text) else "L", **_LN)


def _head_lines(doc: PrintedText, lab: pagemarks.Labels) -> list[str]:
    version = bytes.fromhex(doc.version_id)
    lines = [f"{lab.version}: {pagemarks.ocr_safe_id(version)}",
             f"{lab.text_sha256}: {doc.text_sha256}"]
    if doc.committee_key:
        lines.append(f"{lab.committee_key}: {doc.committee_key} {lab.final}")
    else:
        lines.append(f"{lab.committee_key}: {lab.not_final}")
    return lines


def running_header(version_id: str, language: str) -> str:
    """The line at the head of every text page: ``samizdat · version 1234 5678``
    (:func:`pagemarks.short_id`), in ``language``."""
    short = pagemarks.short_id(bytes.fromhex(version_id))
    return f"samizdat · {pagemarks.labels(language).version} {short[:4]} {short[4:]}"


def _text_pages(pdf: Any, fonts: FontSet, doc: PrintedText, language: str) -> None:
    lab = pagemarks.labels(language)
    head = _head_lines(doc, lab)
    paragraphs = doc.text.split("\n\n")
    fonts.require([doc.title, doc.text, lab.instructions, *head])
    pdf.set_auto_page_break(False)
    pdf.running_header = running_header(doc.version_id, language)
    pdf.add_page()
    _flow(pdf, fonts, doc.title or "(untitled)", style="B", size=15, line_mm=7)
    pdf.ln(2)
    for line in head:
        _flow(pdf, fonts, line, family="mono", size=7.5, line_mm=3.6)
    y = pdf.get_y() + 2
    pdf.line(_MARGIN_MM, y, A4_WIDTH_MM - _MARGIN_MM, y)
    pdf.set_y(y + 4)
    for paragraph in paragraphs:
        _flow(pdf, fonts, paragraph, size=10.5, line_mm=5.2, marks=lab)
        pdf.ln(2.6)
    pdf.ln(2)
    pdf.set_font("serif", "", 8)
    if pdf.get_y() + 4 * len(pdf.multi_cell(A4_WIDTH_MM - 2 * _MARGIN_MM, 4, lab.instructions,
                                            dry_run=True, output="LINES")) > _TEXT_BOTTOM_MM:
        pdf.add_page()  # the instructions are never split: a reader sees them whole
    _flow(pdf, fonts, lab.instructions, size=8, line_mm=4)
    pdf.running_header = None


def _code_pages(pdf: Any, frames: Sequence[bytes], layout: Layout, version: int) -> None:
    pdf.set_auto_page_break(False)
    grid_w = layout.cols * layout.cell_mm + (layout.cols - 1) * layout.gap_mm
    grid_h = layout.rows * layout.cell_mm + (layout.rows - 1) * layout.gap_mm
    left = (A4_WIDTH_MM - grid_w) / 2
    top = max(layout.top_mm, (A4_HEIGHT_MM - 12 - grid_h) / 2)
    for start in range(0, len(frames), layout.per_page):
        pdf.add_page()
        for slot, frame in enumerate(frames[start : start + layout.per_page]):
            image, modules = _qr_image(frame, error=layout.error)
            if modules > 4 * version + 17:  # a smaller one still fits its cell
                raise ValueError("the QR encoder chose a larger version than planned")
            size = modules * layout.module_mm
            row, col = divmod(slot, layout.cols)
            x = left + col * (layout.cell_mm + layout.gap_mm) + (layout.cell_mm - size) / 2
            y = top + row * (layout.cell_mm + layout.gap_mm)
            pdf.image(image, x=x, y=y, w=size, h=size)


def _key_page(pdf: Any, fonts: FontSet, cap: ReadCap, language: str) -> None:
    lab = pagemarks.labels(language)
    fonts.require([lab.key_sheet, lab.key_sheet_body])
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _flow(pdf, fonts, lab.key_sheet, style="B", size=15, line_mm=7)
    pdf.ln(2)
    _flow(pdf, fonts, lab.key_sheet_body, size=10, line_mm=5)
    pdf.ln(4)
    image, modules = _qr_image(cap.danger_real_capability_qr_text(), error="m")
    size = modules * 1.0
    pdf.image(image, x=(A4_WIDTH_MM - size) / 2, y=pdf.get_y(), w=size, h=size)
    pdf.set_y(pdf.get_y() + size + 6)
    pdf.set_font("mono", "", 9.5)
    pdf.set_text_shaping(True, direction="ltr")
    pdf.multi_cell(A4_WIDTH_MM - 2 * _MARGIN_MM, 5, cap.danger_real_capability_string(),
                   align="C", **_LN)


def _output(pdf: Any) -> bytes:
    pdf.number_pages()
    return bytes(pdf.output())


def render_print(
    frames: Sequence[bytes],
    doc: PrintedText | None,
    *,
    layout: Layout,
    qr_version: int,
    cap_on_pages: ReadCap | None = None,
) -> tuple[bytes, int]:
    """The PDF of a print (text pages, when ``doc`` is given, then code pages, then
    the key sheet with ``cap_on_pages``) and its page count. The marks and
    instructions are in the document's language (:func:`pagemarks.detect_language`)
    where :data:`pagemarks.LANGUAGES` has it, else in English."""
    language = doc.language if doc is not None else pagemarks.DEFAULT_LANGUAGE
    pdf, fonts = _new_pdf(language)
    if doc is not None:
        _text_pages(pdf, fonts, doc, language)
    _code_pages(pdf, frames, layout, qr_version)
    if cap_on_pages is not None:
        _key_page(pdf, fonts, cap_on_pages, language)
    return _output(pdf), int(pdf.page_no())


def render_key_sheet(cap: ReadCap, language: str = pagemarks.DEFAULT_LANGUAGE) -> bytes:
    """The key sheet as a PDF of its own (one page), in ``language``."""
    pdf, fonts = _new_pdf(language)
    _key_page(pdf, fonts, cap, language)
    return _output(pdf)
