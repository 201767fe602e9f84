"""Paper copies at the default settings, measured for real.

* **payload bytes per code page**: a payload that fills whole pages is printed with
  fpdf2, the PDF's code pages are counted; also the mean over a sweep of payload
  sizes (from the plan alone), since a partly filled last page lowers the figure.
  Goal: at least 10 KB of (already compressed) document per A4 page.
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

import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

from bench.harness import Row
from samizdat.core.caps import ReadCap
from samizdat.transports import paper
from samizdat.transports.paper_frame import FRAME_OVERHEAD, plan_frames

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


def run(smoke: bool) -> list[Row]:
    rows: list[Row] = []
    layout = paper.DEFAULT_LAYOUT
    capacity = paper.qr_capacity(layout.qr_version, layout.error)
    share = capacity - FRAME_OVERHEAD
    pages_wanted = 1 if smoke else 3
    n_full = layout.per_page * pages_wanted
    k_full = int(n_full * (1 - paper.DEFAULT_LOSS))
    while plan_frames(k_full * share, frame_capacity=capacity,
                      fill_to=layout.per_page).n > n_full:
        k_full -= 1
    payload = os.urandom(k_full * share)
    made = paper.make_print(payload, None, os.urandom, cap=_CAP)
    per_page = len(payload) / made.pages
    rows.append(Row(NAME, "payload per A4 code page (full pages)", per_page / 1000, "KB",
                    goal=">= 10 KB", met=per_page >= 10_000))
    sweep = [
        plan_frames(size, frame_capacity=capacity, fill_to=layout.per_page)
        for size in range(5_000, 300_001, 5_000)
    ]
    mean = statistics.mean(p.length / (p.n // layout.per_page) for p in sweep)
    rows.append(Row(NAME, "payload per code page, mean over 5-300 KB", mean / 1000, "KB",
                    goal=">= 10 KB", met=mean >= 10_000))

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
