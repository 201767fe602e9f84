"""Paper that survives the copier: the five degradations of issue 11 rebuild at the
default density.

One print of a 40 KB payload (five code pages) is rendered by Debian's pdftoppm
and degraded by ``tests/paper_degrade.py``: two photocopy generations on a 180 dpi
copier, three on a 200 dpi copier, 10% salt-and-pepper at 200 dpi, a 30% keystone,
and a dark stain over 30% of one page with another page missing. Each must rebuild
the exact payload. The earlier default (``--density high``, 0.4 mm modules) is
shown to fail the copier, so these tests would catch a return to it.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("zxingcpp")
from PIL import Image

from samizdat.core.caps import ReadCap
from samizdat.transports import paper
from samizdat.transports.paper_scan import read_codes
from tests import paper_degrade as degrade

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")

CAP = ReadCap(k=1, n=1, root_key=bytes(range(32)))


def render(pdf: bytes, tmp: Path, dpi: int) -> list[Image.Image]:
    (tmp / "p.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(tmp / "p.pdf"),
                    str(tmp / f"r{dpi}")], check=True, capture_output=True)
    return [Image.open(p).convert("L") for p in sorted(tmp.glob(f"r{dpi}-*.pgm"))]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("copier")
    payload = random.Random(1932).randbytes(40_000)
    made = paper.make_print(payload, None, os.urandom, cap=CAP)
    return {"payload": payload, "made": made, "300": render(made.pdf, tmp, 300),
            "200": render(made.pdf, tmp, 200)}


def rebuilds(pages: list[Image.Image], payload: bytes) -> bool:
    return payload in paper.scan_images(pages).payloads


def test_the_default_print_spans_pages_and_holds_over_6_kb_each(printed: dict) -> None:
    made = printed["made"]
    assert made.pages >= 4 and len(printed["300"]) == made.pages
    assert len(printed["payload"]) / made.pages >= 6_000


def test_two_photocopies_on_a_180_dpi_copier_rebuild(printed: dict) -> None:
    copies = [degrade.photocopy(p, generations=2, copier_dpi=180) for p in printed["300"]]
    assert rebuilds(copies, printed["payload"])


def test_three_photocopies_on_a_200_dpi_copier_rebuild(printed: dict) -> None:
    copies = [degrade.photocopy(p, generations=3, copier_dpi=200) for p in printed["300"]]
    assert rebuilds(copies, printed["payload"])


def test_ten_percent_salt_and_pepper_at_200_dpi_rebuilds(printed: dict) -> None:
    rnd = random.Random(10)
    noisy = [degrade.salt_and_pepper(p, 0.10, rnd) for p in printed["200"]]
    # the quick pass reads almost nothing; the median pass brings the pages back
    assert sum(len(read_codes(p)) for p in noisy) < printed["made"].k
    assert rebuilds(noisy, printed["payload"])


def test_a_30_percent_keystone_rebuilds(printed: dict) -> None:
    photos = [degrade.keystone(p, 0.30) for p in printed["200"]]
    assert rebuilds(photos, printed["payload"])


def test_a_dark_stain_over_30_percent_of_a_page_and_a_page_missing_rebuild(
    printed: dict,
) -> None:
    rnd = random.Random(30)
    pages = list(printed["300"])
    pages[0] = degrade.stain(pages[0], 0.30, rnd)
    del pages[1]  # lost
    assert rebuilds(pages, printed["payload"])


def test_the_old_dense_layout_does_not_survive_the_copier() -> None:
    """The attack first: 0.4 mm modules (``--density high``, the earlier default)
    come out of three 200 dpi copies with no code readable at any effort."""
    # seeded: with os.urandom one print in many kept a code readable after the copier
    # (seen once in a full run), so the test now shows the same print every time
    rng = random.Random(3)
    made = paper.make_print(rng.randbytes(15_000), None, rng.randbytes, cap=CAP,
                            layout=paper.DENSITIES["high"])
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        page = render(made.pdf, Path(tmp), 300)[0]
    copy = degrade.photocopy(page, generations=3, copier_dpi=200)
    assert read_codes(copy) == [] and read_codes(copy, effort=2) == []
