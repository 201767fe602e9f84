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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from samizdat.errors import MissingExtra, SamizdatError

if TYPE_CHECKING:
    from samizdat.core.caps import ReadCap

__all__ = [
    "A4_HEIGHT_MM",
    "A4_WIDTH_MM",
    "Layout",
    "PrintedText",
    "render_key_sheet",
    "render_print",
]

A4_WIDTH_MM: Final = 210.0
A4_HEIGHT_MM: Final = 297.0
_MARGIN_MM: Final = 12.0
_FIXED_DATE: Final = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)

_LN: Final[dict[str, Any]] = {"new_x": "LMARGIN", "new_y": "NEXT"}  # a cell ends its line
_FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
    Path("/Library/Fonts"),
)
_FONTS: Final = {
    ("serif", ""): "DejaVuSerif.ttf",
    ("serif", "B"): "DejaVuSerif-Bold.ttf",
    ("mono", ""): "DejaVuSansMono.ttf",
}


@dataclass(frozen=True)
class Layout:
    """Where codes go on a page. The defaults were measured (``bench/bench_paper.py``
    and ``tests/integration/test_paper_roundtrip.py``): 12 codes of version 35 at
    level M per page hold 21.7 KB of frames and all decode at 200 dpi after a 3°
    rotation, a 1 px Gaussian blur and JPEG quality 60."""

    qr_version: int = 35
    error: str = "m"
    module_mm: float = 0.4
    gap_mm: float = 2.0
    cols: int = 3
    rows: int = 4
    top_mm: float = 10.0

    @property
    def cell_mm(self) -> float:
        return (4 * self.qr_version + 17) * self.module_mm

    @property
    def per_page(self) -> int:
        return self.cols * self.rows


@dataclass(frozen=True)
class PrintedText:
    """What the text pages show: the normalized text and the statement's essentials."""

    title: str
    text: str
    version_id: str
    text_sha256: str
    committee_key: str | None = None  # short fingerprint, for a final version


def _fpdf() -> Any:
    try:
        import fpdf
        import zxingcpp  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise MissingExtra("printing paper copies", "paper") from exc
    return fpdf


def _font_path(name: str) -> Path:
    for folder in _FONT_DIRS:
        path = folder / name
        if path.is_file():
            return path
    raise SamizdatError(
        f"the Unicode font {name} is not installed",
        hint="install Debian's fonts-dejavu-core (scripts/install-system-deps)",
    )


def _new_pdf() -> Any:
    fpdf = _fpdf()

    base: Any = fpdf.FPDF

    class _Pages(base):  # type: ignore[misc]
        def footer(self) -> None:
            # fpdf2 calls this at the end of every page; {nb} becomes the page count
            self.set_font("serif", "", 8)
            self.set_xy(_MARGIN_MM, A4_HEIGHT_MM - 10)
            self.cell(A4_WIDTH_MM - 2 * _MARGIN_MM, 4, f"{self.page_no()} / {{nb}}",
                      align="C", **_LN)

    pdf = _Pages(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_producer("")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    for (family, style), file in _FONTS.items():
        pdf.add_font(family, style, str(_font_path(file)))
    return pdf


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


def _text_pages(pdf: Any, doc: PrintedText) -> None:
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    width = A4_WIDTH_MM - 2 * _MARGIN_MM
    pdf.set_font("serif", "B", 15)
    pdf.multi_cell(width, 7, doc.title or "(untitled)", align="L", **_LN)
    pdf.ln(2)
    pdf.set_font("mono", "", 7.5)
    lines = [f"version        {doc.version_id}", f"text sha-256   {doc.text_sha256}"]
    if doc.committee_key:
        lines.append(f"committee key  {doc.committee_key}  (final: signed by the committee)")
    else:
        lines.append("committee key  none: this version is not final")
    for line in lines:
        pdf.multi_cell(width, 3.6, line, align="L", **_LN)
    y = pdf.get_y() + 2
    pdf.line(_MARGIN_MM, y, A4_WIDTH_MM - _MARGIN_MM, y)
    pdf.set_y(y + 4)
    pdf.set_font("serif", "", 10.5)
    for paragraph in doc.text.split("\n\n"):
        pdf.multi_cell(width, 5.2, paragraph, align="L", **_LN)
        pdf.ln(2.6)
    pdf.ln(2)
    pdf.set_font("serif", "", 8)
    pdf.multi_cell(
        width,
        4,
        "To check a copy typed from these pages: samizdat verify COPY.txt. "
        "The codes that follow carry the sealed, signed copy: with the key sheet, "
        "samizdat scan rebuilds and verifies it from any three quarters of them.",
        align="L",
        **_LN,
    )


def _code_pages(pdf: Any, frames: Sequence[bytes], layout: Layout, version: int) -> None:
    pdf.set_auto_page_break(False)
    grid_w = layout.cols * layout.cell_mm + (layout.cols - 1) * layout.gap_mm
    left = (A4_WIDTH_MM - grid_w) / 2
    for start in range(0, len(frames), layout.per_page):
        pdf.add_page()
        for slot, frame in enumerate(frames[start : start + layout.per_page]):
            image, modules = _qr_image(frame, error=layout.error)
            if modules != 4 * version + 17:
                raise ValueError("the QR encoder chose another version than planned")
            size = modules * layout.module_mm
            row, col = divmod(slot, layout.cols)
            x = left + col * (layout.cell_mm + layout.gap_mm) + (layout.cell_mm - size) / 2
            y = layout.top_mm + row * (layout.cell_mm + layout.gap_mm)
            pdf.image(image, x=x, y=y, w=size, h=size)


def _key_page(pdf: Any, cap: ReadCap) -> None:
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = A4_WIDTH_MM - 2 * _MARGIN_MM
    pdf.set_font("serif", "B", 15)
    pdf.multi_cell(width, 7, "Key sheet", align="L", **_LN)
    pdf.ln(2)
    pdf.set_font("serif", "", 10)
    pdf.multi_cell(
        width,
        5,
        "Whoever holds this sheet and the code pages can rebuild, verify and store the "
        "signed copy. Keep it apart from the pages; destroy it once the copy is "
        "scanned. Scan it together with the pages, or type the key below after --cap.",
        align="L",
        **_LN,
    )
    pdf.ln(4)
    image, modules = _qr_image(cap.danger_real_capability_qr_text(), error="m")
    size = modules * 1.0
    pdf.image(image, x=(A4_WIDTH_MM - size) / 2, y=pdf.get_y(), w=size, h=size)
    pdf.set_y(pdf.get_y() + size + 6)
    pdf.set_font("mono", "", 9.5)
    pdf.multi_cell(width, 5, cap.danger_real_capability_string(), align="C", **_LN)


def _output(pdf: Any) -> bytes:
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
    the key sheet with ``cap_on_pages``) and its page count."""
    pdf = _new_pdf()
    if doc is not None:
        _text_pages(pdf, doc)
    _code_pages(pdf, frames, layout, qr_version)
    if cap_on_pages is not None:
        _key_page(pdf, cap_on_pages)
    return _output(pdf), int(pdf.page_no())


def render_key_sheet(cap: ReadCap) -> bytes:
    """The key sheet as a PDF of its own (one page)."""
    pdf = _new_pdf()
    _key_page(pdf, cap)
    return _output(pdf)
