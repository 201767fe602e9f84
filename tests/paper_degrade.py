"""What copiers, scanners and coffee do to paper, as code anyone can rerun (Pillow).

Every function takes and returns 8-bit grayscale page images; randomness comes from
the ``random.Random`` passed in, so a run is reproducible. The parameters are those
of issue 11, measured against in ``tests/integration/test_paper_copier.py`` and
``bench/bench_paper.py``:

* :func:`photocopy`: each generation scales the page to the copier's resolution
  (60% of a 300 dpi page: a 180 dpi copier), blurs it (Gaussian, 0.7 px), thresholds
  the toner at 55% grey, rotates it 0.4° and brings it back to 300 dpi;
* :func:`salt_and_pepper`: a share of all pixels set to black or white at random;
* :func:`keystone`: a page photographed at an angle, its top edge narrower than its
  bottom by the given share (true perspective);
* :func:`stain`: a dark stain (the page darkened to 35% inside an ellipse) over a
  share of the page's area.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["keystone", "photocopy", "salt_and_pepper", "stain"]


def photocopy(page: Image.Image, *, generations: int, copier_dpi: int,
              page_dpi: int = 300) -> Image.Image:
    """``generations`` photocopies of ``page`` (rendered at ``page_dpi``) on a copier
    of ``copier_dpi``; the result is at ``page_dpi`` again."""
    img = page.convert("L")
    size = img.size
    for _ in range(generations):
        small = (round(size[0] * copier_dpi / page_dpi), round(size[1] * copier_dpi / page_dpi))
        img = img.resize(small, Image.Resampling.BOX)
        img = img.filter(ImageFilter.GaussianBlur(0.7))
        img = img.point(lambda v: 0 if v < 0.55 * 255 else 255)
        img = img.rotate(0.4, resample=Image.Resampling.BILINEAR, fillcolor=255)
        img = img.resize(size, Image.Resampling.BILINEAR)
    return img


def salt_and_pepper(page: Image.Image, fraction: float, rnd: random.Random) -> Image.Image:
    """``page`` with ``fraction`` of its pixels set to black or white (half each)."""
    pixels = np.array(page.convert("L"))
    gen = np.random.default_rng(rnd.getrandbits(64))
    noise = gen.random(pixels.shape)
    pixels[noise < fraction / 2] = 0
    pixels[(noise >= fraction / 2) & (noise < fraction)] = 255
    return Image.fromarray(pixels, "L")


def keystone(page: Image.Image, share: float) -> Image.Image:
    """``page`` as photographed from below: the top edge ``share`` narrower than the
    bottom edge, the sides straight lines between them."""
    w, h = page.size
    inset = w * share / 2
    # where each corner of the output comes from in the input (Pillow maps output to
    # input): the top corners of the page move inwards
    dst = [(inset, 0), (w - inset, 0), (w, h), (0, h)]
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    rows = []
    rhs = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    coeffs = np.linalg.solve(np.array(rows, dtype=float), np.array(rhs, dtype=float))
    return page.convert("L").transform(
        (w, h), Image.Transform.PERSPECTIVE, tuple(float(c) for c in coeffs),
        resample=Image.Resampling.BICUBIC, fillcolor=255,
    )


def stain(page: Image.Image, share: float, rnd: random.Random) -> Image.Image:
    """``page`` with a dark stain (darkened to 35%) over ``share`` of its area, an
    ellipse at a random place."""
    w, h = page.size
    # an ellipse of area share * w * h with axes in the page's proportions
    a = (share * w * h / np.pi * w / h) ** 0.5
    b = a * h / w
    cx = rnd.uniform(a, max(a, w - a))
    cy = rnd.uniform(b, max(b, h - b))
    mask = Image.new("L", page.size, 0)
    ImageDraw.Draw(mask).ellipse((cx - a, cy - b, cx + a, cy + b), fill=255)
    dark = page.convert("L").point(lambda v: int(v * 0.35))
    return Image.composite(dark, page.convert("L"), mask)
