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
import re
import shutil
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from samizdat import children
from samizdat.errors import InputError, MissingExtra

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "MAX_CACHE_BYTES",
    "MAX_EFFORT",
    "MAX_IMAGE_PIXELS",
    "MAX_PDF_PAGES",
    "MAX_PDF_PAGE_PIXELS",
    "PDF_DPI",
    "PageCache",
    "iter_images",
    "page_pixels",
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

MAX_PDF_PAGE_PIXELS: Final = 16_000_000
"""Largest PDF page rasterised, checked from ``pdfinfo``'s page size before
``pdftoppm`` runs: 16 MP at 200 dpi is about 50 x 50 cm (A4 is 3.9 MP). A 14,400 pt
page would be 1.6 gigapixels."""

MAX_CACHE_BYTES: Final = 64 * 1024 * 1024
"""Compressed rasterised pages :class:`PageCache` keeps for later passes."""

MAX_INPUT_BYTES: Final = 512 * 1024 * 1024
_MAX_ENLARGE_PIXELS: Final = 25_000_000  # 2x makes 100 MP at most
_PDFTOPPM_TIMEOUT: Final = 120.0
_PDFINFO_TIMEOUT: Final = 30.0
_CHILD_MEMORY: Final = 512 * 1024 * 1024  # a 16 MP page renders in far less
_PAGE_SIZE: Final = re.compile(r"^Page\s+\d+\s+size:\s+([0-9.]+)\s+x\s+([0-9.]+)\s+pts")

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


def _pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    """Every page's size in points, from ``pdfinfo`` (which reads the page tree and
    renders nothing), so a hostile page size is refused before any rasterising."""
    tool = shutil.which("pdfinfo")
    if tool is None:
        raise MissingExtra("scanning PDF files (pdfinfo, pdftoppm)", "paper") from None
    what = f"{path.name}: opening the PDF"
    proc = children.run([tool, "--", str(path)], what=what, timeout=_PDFINFO_TIMEOUT,
                        memory_bytes=_CHILD_MEMORY)
    if proc.returncode != 0:
        raise InputError(
            f"{path.name}: not a PDF that can be read",
            hint="give the PDF written by 'samizdat print', or photos of its pages",
        )
    pages = _pdfinfo_field(proc.stdout, "Pages")
    if pages is None or not pages.isdigit() or int(pages) < 1:
        raise InputError(f"{path.name}: not a PDF that can be read")
    count = int(pages)
    if count > MAX_PDF_PAGES:
        raise InputError(
            f"{path.name}: the PDF has {count} pages, more than the {MAX_PDF_PAGES} "
            "a paper copy can have"
        )
    proc = children.run([tool, "-f", "1", "-l", str(count), "--", str(path)], what=what,
                        timeout=_PDFINFO_TIMEOUT, memory_bytes=_CHILD_MEMORY)
    sizes = [_PAGE_SIZE.match(line) for line in proc.stdout.decode("utf-8", "replace").splitlines()]
    found = [(float(m[1]), float(m[2])) for m in sizes if m is not None]
    if proc.returncode != 0 or len(found) != count:
        raise InputError(f"{path.name}: not a PDF that can be read")
    return found


def _pdfinfo_field(out: bytes, name: str) -> str | None:
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    return None


def page_pixels(width_pt: float, height_pt: float) -> int:
    """Pixels of a page of that size (points) rasterised at :data:`PDF_DPI`."""
    return int(width_pt * PDF_DPI / 72 + 1) * int(height_pt * PDF_DPI / 72 + 1)


def _pdf_images(path: Path) -> Iterator[Image]:
    sizes = _pdf_page_sizes(path)
    for page, (w, h) in enumerate(sizes, start=1):
        if page_pixels(w, h) > MAX_PDF_PAGE_PIXELS:
            raise InputError(
                f"{path.name}: page {page} is {w:.0f} x {h:.0f} points, too large to be a "
                "printed page",
                hint="a paper copy is A4 or Letter; give photos or scans of its pages",
            )
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise MissingExtra("scanning PDF files (pdftoppm)", "paper")
    for page in range(1, len(sizes) + 1):
        # no output root: pdftoppm writes the one page to stdout, nothing on disk
        # PGM, not PNG: the PNG compression took 90% of pdftoppm's time
        argv = [tool, "-r", str(PDF_DPI), "-gray", "-singlefile",
                "-f", str(page), "-l", str(page), "--", str(path)]
        proc = children.run(argv, what=f"{path.name}: rendering page {page}",
                            timeout=_PDFTOPPM_TIMEOUT, memory_bytes=_CHILD_MEMORY)
        if proc.returncode != 0 or not proc.stdout.startswith(b"P5"):
            raise InputError(f"{path.name}: page {page} of the PDF cannot be rendered")
        yield _open_image(proc.stdout, f"{path.name} page {page}")


class PageCache:
    """Pages rasterised once and reused by every later effort pass.

    A PDF page costs far more to render than to read codes from, and a scan climbs
    through up to :data:`MAX_EFFORT` + 1 passes over the same files. Pages are kept
    in memory only (the rendered text never touches the disk), as zlib-compressed
    grayscale (a printed page compresses about 20:1), up to ``budget`` bytes; past
    it, a file's pages are read again in the next pass rather than held.
    """

    def __init__(self, budget: int = MAX_CACHE_BYTES) -> None:
        self._budget = budget
        self._used = 0
        self._pages: dict[Path, list[tuple[tuple[int, int], bytes]]] = {}

    def images(self, path: Path) -> Iterator[Image]:
        """The pages of ``path``, as :func:`iter_images` gives them."""
        from PIL import Image as PILImage

        kept = self._pages.get(path)
        if kept is not None:
            for size, packed in kept:
                yield PILImage.frombytes("L", size, zlib.decompress(packed))
            return
        collected: list[tuple[tuple[int, int], bytes]] | None = []
        for image in iter_images(path):
            if collected is not None:
                packed = zlib.compress(image.tobytes(), 1)
                if self._used + len(packed) <= self._budget:
                    collected.append((image.size, packed))
                    self._used += len(packed)
                else:
                    self._used -= sum(len(p) for _, p in collected)
                    collected = None
            yield image
        if collected is not None:
            self._pages[path] = collected


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
