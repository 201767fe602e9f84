"""Paper copies at the default settings, measured for real.

* **payload bytes per code page, per density**: a payload that fills whole pages is
  printed with fpdf2, the PDF's code pages are counted; also the mean over a sweep of
  payload sizes (from the plan alone), since a partly filled last page lowers the
  figure. Goal: at least 6 KB of sealed payload per A4 page at the default density
  (anchor: qr-backup holds 3-4 KB a page raw, 30% of codes may be lost).
* **codes read per degradation, per density**: one full code page rendered by
  pdftoppm and degraded by ``tests/paper_degrade.py`` (photocopy x2 on a 180 dpi
  copier, x3 on a 200 dpi copier, 10% salt-and-pepper at 200 dpi, 30% keystone, a
  stain darkening 30% of the page); the share of its codes the scanner reads at any
  effort. Goal at the default density: 100% for each.
* **largest fraction of codes destroyed that still rebuilds**: the pages are
  rendered by ``pdftoppm`` at 200 dpi and degraded (3° rotation, 1 px Gaussian blur,
  JPEG quality 60); then the largest share of ALL codes the plan allows is blotted
  out (random codes, across pages), and the scan must rebuild the payload; one more
  blotted code must make it fail. Goal: at least 25% while holding 10 KB a page.
* **scan throughput**: pages per second of the whole path from the PDF (one
  ``pdftoppm`` per page at 200 dpi, then zxing-cpp), and of
  :func:`samizdat.transports.paper.scan_images` on the degraded pages, against
  zxing-cpp's bare ``read_barcodes`` on the same images (the raw primitive, same run).
"""

from __future__ import annotations

import io
import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Final

import zxingcpp
from PIL import Image, ImageDraw, ImageFilter
from tests import paper_degrade

from bench.harness import Row
from samizdat.core.caps import ReadCap
from samizdat.errors import DecodeError
from samizdat.transports import paper
from samizdat.transports.paper_frame import FRAME_OVERHEAD, decode_frame
from samizdat.transports.paper_scan import MAX_EFFORT, read_codes

NAME = "paper"
_CAP = ReadCap(k=1, n=1, root_key=bytes(32))
_QR = zxingcpp.barcode_formats_from_str("QRCode")


def _render(pdf: bytes, tmp: Path, dpi: int = 200) -> list[Image.Image]:
    (tmp / "p.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(tmp / "p.pdf"), str(tmp / "r")],
                   check=True, capture_output=True)
    return [Image.open(p).convert("L") for p in sorted(tmp.glob("r-*.pgm"))]


def _boxes(image: Image.Image) -> list[tuple[int, int, int, int]]:
    out = []
    for r in zxingcpp.read_barcodes(image, formats=_QR):
        p = r.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def _degrade(pages: list[Image.Image], boxes: list[list[tuple[int, int, int, int]]],
             blotted: set[tuple[int, int]]) -> list[Image.Image]:
    out = []
    for i, page in enumerate(pages):
        img = page.copy()
        draw = ImageDraw.Draw(img)
        for j, (x0, y0, x1, y1) in enumerate(boxes[i]):
            if (i, j) in blotted:
                dx, dy = (x1 - x0) // 10, (y1 - y0) // 10
                draw.rectangle((x0 + dx, y0 + dy, x1 - dx, y1 - dy), fill=255 * (j % 2))
        img = img.rotate(3, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
        img = img.filter(ImageFilter.GaussianBlur(1.0))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=60)
        out.append(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
    return out


def _rebuilds(pages: list[Image.Image], boxes: list[list[tuple[int, int, int, int]]],
              count: int, payload: bytes, rnd: random.Random) -> bool:
    every = [(i, j) for i, page in enumerate(boxes) for j in range(len(page))]
    blotted = set(rnd.sample(every, count))
    report = paper.scan_images(_degrade(pages, boxes, blotted))
    return payload in report.payloads


_QR_BACKUP_KB: Final = 3.5  # qr-backup's raw payload per page (3-4 KB), the anchor


def _full_pages_payload(layout: paper.Layout, pages: int) -> int:
    """The largest payload whose print fills ``pages`` code pages exactly."""
    capacity = paper.qr_capacity(layout.qr_version, layout.error)
    share = capacity - FRAME_OVERHEAD
    k = layout.per_page * pages
    while k > 1:
        plan = paper.plan_for(k * share, layout)
        if plan.n <= layout.per_page * pages:
            return k * share
        k -= 1
    return share


def _codes_read(page: Image.Image) -> int:
    """Intact frames read at any effort (a misread code is not counted)."""
    seen: set[bytes] = set()
    for effort in range(MAX_EFFORT + 1):
        for data in read_codes(page, effort=effort):
            try:
                decode_frame(data)
            except DecodeError:
                continue
            seen.add(data)
    return len(seen)


def _degradations(pdf: bytes, tmp: Path) -> dict[str, Image.Image]:
    p300 = _render(pdf, tmp, dpi=300)[0]
    p200 = _render(pdf, tmp, dpi=200)[0]
    rnd = random.Random(11)
    return {
        "photocopy x2 (180 dpi copier)": paper_degrade.photocopy(p300, generations=2,
                                                                 copier_dpi=180),
        "photocopy x3 (200 dpi copier)": paper_degrade.photocopy(p300, generations=3,
                                                                 copier_dpi=200),
        "10% salt-and-pepper at 200 dpi": paper_degrade.salt_and_pepper(p200, 0.10, rnd),
        "keystone 30%": paper_degrade.keystone(p200, 0.30),
        "dark stain over 30% of the page": paper_degrade.stain(p300, 0.30, rnd),
    }


def density_rows(smoke: bool) -> list[Row]:
    """Payload per page and codes read per degradation, for every density."""
    rows: list[Row] = []
    for name, layout in paper.DENSITIES.items():
        default = name == paper.DEFAULT_DENSITY
        payload = _full_pages_payload(layout, 5)
        plan = paper.plan_for(payload, layout)
        per_page = payload / (plan.n // layout.per_page)
        rows.append(Row(NAME, f"{name}: sealed payload per code page (5 full pages)",
                        per_page / 1000, "KB", reference=_QR_BACKUP_KB,
                        goal=">= 6 KB" if default else "",
                        met=per_page >= 6_000 if default else None))
        if smoke and not default:
            continue
        one_page = os.urandom(_full_pages_payload(layout, 1))
        made = paper.make_print(one_page, None, os.urandom, cap=_CAP, layout=layout)
        with tempfile.TemporaryDirectory() as tmp:
            for what, image in _degradations(made.pdf, Path(tmp)).items():
                share = _codes_read(image) / layout.per_page
                rows.append(Row(NAME, f"{name}: codes read after {what}", share * 100, "%",
                                goal="100 %" if default else "",
                                met=share >= 1.0 if default else None))
    return rows


def run(smoke: bool) -> list[Row]:
    rows: list[Row] = density_rows(smoke)
    layout = paper.DEFAULT_LAYOUT
    pages_wanted = 2 if smoke else 4
    payload = os.urandom(_full_pages_payload(layout, pages_wanted))
    made = paper.make_print(payload, None, os.urandom, cap=_CAP)
    per_page = len(payload) / made.pages
    rows.append(Row(NAME, "payload per A4 code page (full pages)", per_page / 1000, "KB",
                    goal=">= 6 KB", met=per_page >= 6_000))
    sweep = [paper.plan_for(size, layout) for size in range(5_000, 200_001, 5_000)]
    mean = statistics.mean(p.length / (p.n // layout.per_page) for p in sweep)
    rows.append(Row(NAME, "payload per code page, mean over 5-200 KB", mean / 1000, "KB",
                    goal=">= 6 KB", met=mean >= 6_000))

    with tempfile.TemporaryDirectory() as tmp:
        pages = _render(made.pdf, Path(tmp))
        t0 = time.perf_counter()
        from_pdf = paper.scan([Path(tmp) / "p.pdf"])
        pdf_rate = made.pages / (time.perf_counter() - t0)
    assert from_pdf.payloads == [payload]
    boxes = [_boxes(p) for p in pages]
    codes = sum(map(len, boxes))
    spare = made.codes - made.k
    rnd = random.Random(1932)
    ok = _rebuilds(pages, boxes, spare, payload, rnd)
    over = _rebuilds(pages, boxes, spare + 1, payload, rnd) if not smoke else False
    fraction = spare / made.codes if ok and not over and codes == made.codes else 0.0
    rows.append(Row(NAME, f"codes destroyed that still rebuild ({made.k} of {made.codes})",
                    fraction * 100, "%", goal=">= 25 %", met=fraction >= 0.25))

    if not smoke:
        with tempfile.TemporaryDirectory() as tmp:
            low = _degrade(_render(made.pdf, Path(tmp), dpi=150), [[]] * made.pages, set())
        read = paper.scan_images(low).frames / made.codes
        rows.append(Row(NAME, "codes read at 150 dpi after the same degradation",
                        read * 100, "%"))

    degraded = _degrade(pages, boxes, set())
    t0 = time.perf_counter()
    for image in degraded:
        zxingcpp.read_barcodes(image, formats=_QR)
    raw = len(degraded) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    paper.scan_images(degraded)
    ours = len(degraded) / (time.perf_counter() - t0)
    rows.append(Row(NAME, "scan throughput (degraded code pages)", ours, "pages/s",
                    reference=raw))
    rows.append(Row(NAME, "scan throughput from the PDF (pdftoppm 200 dpi + scan)", pdf_rate,
                    "pages/s"))
    return rows
