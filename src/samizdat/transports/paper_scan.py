"""Reading QR codes back from photos and scans of printed pages.

Inputs are PNG or JPEG images (photos, scanner output) and PDF files. A PDF is
rasterized page by page with Debian's ``pdftoppm`` (poppler-utils) at
:data:`PDF_DPI`, piped through memory: the rendered pages (which show the readable
text) never touch the disk. Every image is searched for every QR code with zxing-cpp.

What this module returns are raw code contents (bytes). It does not know what a frame
or a capability is; :mod:`samizdat.transports.paper` sorts them out. Everything here
is bounded: image sizes (decompression bombs), PDF page counts and rasterization
time are capped, and unreadable inputs raise :class:`~samizdat.errors.InputError`
naming the file, never a traceback.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from samizdat.errors import InputError, MissingExtra

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "MAX_EFFORT",
    "MAX_IMAGE_PIXELS",
    "MAX_PDF_PAGES",
    "PDF_DPI",
    "iter_images",
    "read_codes",
]

PDF_DPI: Final = 200
"""Resolution PDFs are rasterized at: 4 pixels per module of the default print
(0.5 mm modules), 3.1 at ``--density high`` (0.4 mm), where zxing-cpp still reads
every code of a page rotated 3°, blurred (Gaussian radius 1 px) and
JPEG-compressed at quality 60 in the quick pass."""

MAX_IMAGE_PIXELS: Final = 100_000_000
"""Largest image we decode (a 100-megapixel photo); bigger is refused, not loaded."""

MAX_PDF_PAGES: Final = 400
"""Pages rasterized from one PDF at most; a print of the largest payload with its
text is far below this."""

MAX_INPUT_BYTES: Final = 512 * 1024 * 1024
_MAX_ENLARGE_PIXELS: Final = 25_000_000  # 2x makes 100 MP at most
_PDFTOPPM_TIMEOUT: Final = 120.0

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8\xff"
_PDF: Final = b"%PDF-"


def _pil() -> None:
    try:
        import PIL.Image  # noqa: F401
        import zxingcpp  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise MissingExtra("scanning paper copies", "paper") from exc


def _open_image(data: bytes, name: str) -> Image:
    from PIL import Image as PILImage

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            img = PILImage.open(io.BytesIO(data))
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise InputError(f"{name}: the image is too large ({width}x{height} pixels)")
            img.load()
    except InputError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise InputError(f"{name}: the image is too large to be a scan") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise InputError(
            f"{name}: the image cannot be read ({type(exc).__name__})",
            hint="give PNG, JPEG or PDF files of the printed pages",
        ) from exc
    return img.convert("L")


def _pdf_pages(path: Path) -> int:
    tool = shutil.which("pdfinfo")
    if tool is None:
        raise MissingExtra("scanning PDF files (pdfinfo, pdftoppm)", "paper") from None
    try:
        proc = subprocess.run(
            [tool, "--", str(path)],
            capture_output=True,
            timeout=_PDFTOPPM_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"{path.name}: the PDF takes too long to open") from exc
    if proc.returncode != 0:
        raise InputError(
            f"{path.name}: not a PDF that can be read",
            hint="give the PDF written by 'samizdat print', or photos of its pages",
        )
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            try:
                return int(line.split(":", 1)[1])
            except ValueError:
                break
    raise InputError(f"{path.name}: not a PDF that can be read")


def _pdf_images(path: Path) -> Iterator[Image]:
    pages = _pdf_pages(path)
    if pages > MAX_PDF_PAGES:
        raise InputError(
            f"{path.name}: the PDF has {pages} pages, more than the {MAX_PDF_PAGES} "
            "a paper copy can have"
        )
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise MissingExtra("scanning PDF files (pdftoppm)", "paper")
    for page in range(1, pages + 1):
        # no output root: pdftoppm writes the one page to stdout, nothing on disk
        # PGM, not PNG: the PNG compression took 90% of pdftoppm's time
        argv = [tool, "-r", str(PDF_DPI), "-gray", "-singlefile",
                "-f", str(page), "-l", str(page), "--", str(path)]
        try:
            proc = subprocess.run(argv, capture_output=True, timeout=_PDFTOPPM_TIMEOUT,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise InputError(f"{path.name}: page {page} takes too long to render") from exc
        if proc.returncode != 0 or not proc.stdout.startswith(b"P5"):
            raise InputError(f"{path.name}: page {page} of the PDF cannot be rendered")
        yield _open_image(proc.stdout, f"{path.name} page {page}")


def iter_images(path: Path) -> Iterator[Image]:
    """Every page image in ``path`` (one for PNG/JPEG, one per page for PDF), as
    8-bit grayscale. The file type is taken from its first bytes, not its name."""
    _pil()
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{path.name}: the file is too large to be a scan")
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read ({exc.strerror or 'error'})") from exc
    if head.startswith(_PDF):
        yield from _pdf_images(path)
    elif head.startswith(_PNG) or head.startswith(_JPEG):
        yield _open_image(path.read_bytes(), path.name)
    else:
        raise InputError(
            f"{path.name}: not a PNG, JPEG or PDF file",
            hint="give scans or photos of the printed pages, or the printed PDF",
        )


MAX_EFFORT: Final = 5


def _tiles(image: Image) -> list[Image]:
    """Five overlapping crops (four two-thirds quadrants and a middle band): on a
    photo taken at an angle, zxing-cpp finds codes in a crop that it misses in the
    whole page (measured: a 10% keystone leaves 8 of 12 codes to the whole page and
    11 of 12 to the crops)."""
    w, h = image.size
    boxes = [(0, 0, w * 2 // 3, h * 2 // 3), (w // 3, 0, w, h * 2 // 3),
             (0, h // 3, w * 2 // 3, h), (w // 3, h // 3, w, h), (0, h // 4, w, h * 3 // 4)]
    return [image.crop(box) for box in boxes]


def _binarised(image: Image) -> Image:
    """Black where a pixel is darker than its neighbourhood (a box of about a sixtieth
    of the page's width, past a QR finder pattern at any print density), white
    elsewhere: toner on a page darkened by a stain or a grey photocopy background
    comes out black on white again, where one global threshold loses it."""
    from PIL import ImageChops, ImageFilter

    radius = max(8, min(image.size) // 60)
    local = image.filter(ImageFilter.BoxBlur(radius))
    darker = ImageChops.subtract(local, image)  # how much darker than around it
    # also black: what is very dark in absolute terms (inside large black areas,
    # where the local mean is dark too)
    return ImageChops.darker(
        darker.point(lambda v: 0 if v > 12 else 255),
        image.point(lambda v: 0 if v < 60 else 255),
    )


def read_codes(image: Image, *, effort: int = 0) -> list[bytes]:
    """The contents of every QR code zxing-cpp finds in ``image``.

    ``effort`` 0 reads the image as it is. Higher efforts cost more and find codes
    the quick pass misses, so callers climb to them only while not enough codes were
    found: 1 reads a copy through a 3x3 median filter (speckle from a copier or a
    noisy scan: 10% salt-and-pepper at 200 dpi reads 12 of 12 codes a page after it,
    0 before), 2 that copy binarised against its neighbourhood (a stain, a grey
    background), 3 a sharpened copy (blurred scans), 4 overlapping crops (photos taken
    at an angle), 5 a 2x enlarged, harder sharpened copy (~15x the cost of effort 0).
    Measured on a page rotated 3° and JPEG-compressed at 200 dpi: with a 1.5 px
    Gaussian blur, effort 0 reads 0 of 12 codes and the sharpened pass all 12.
    """
    import zxingcpp
    from PIL import Image as PILImage
    from PIL import ImageFilter

    fmt = zxingcpp.barcode_formats_from_str("QRCode")
    if effort <= 0:
        variants = [image]
    elif effort == 1:
        variants = [image.filter(ImageFilter.MedianFilter(3))]
    elif effort == 2:
        variants = [_binarised(image.filter(ImageFilter.MedianFilter(3)))]
    elif effort == 3:
        variants = [image.filter(ImageFilter.UnsharpMask(radius=2, percent=200, threshold=0))]
    elif effort == 4:
        variants = _tiles(image)
    else:
        w, h = image.size
        if w * h > _MAX_ENLARGE_PIXELS:
            return []
        variants = [image.resize((w * 2, h * 2), PILImage.Resampling.BICUBIC).filter(
            ImageFilter.UnsharpMask(radius=4, percent=250, threshold=0)
        )]
    return [bytes(r.bytes) for v in variants for r in zxingcpp.read_barcodes(v, formats=fmt)]
