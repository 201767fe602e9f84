"""Scanning: images and PDFs in, rebuilt payloads out (transport level, no store).

Real components throughout: fpdf2 writes the PDF, Debian's pdftoppm renders it,
zxing-cpp reads it. Payloads are random bytes: this layer does not know bundles.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("zxingcpp")
import segno
import zxingcpp
from PIL import Image

from samizdat.core.caps import ReadCap
from samizdat.errors import InputError, NotEnoughShards
from samizdat.transports import paper
from samizdat.transports.paper_scan import iter_images
from tests.paper_degrade import keystone

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")

CAP = ReadCap(k=1, n=1, root_key=bytes(range(32)))


def pages_of(pdf: bytes, tmp: Path, name: str) -> list[Image.Image]:
    path = tmp / f"{name}.pdf"
    path.write_bytes(pdf)
    return list(iter_images(path))


@pytest.fixture(scope="module")
def two_prints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("scan")
    a, b = os.urandom(25_000), os.urandom(25_000)
    pa = paper.make_print(a, None, os.urandom, cap=CAP)
    pb = paper.make_print(b, None, os.urandom, cap=CAP)
    return {"a": a, "b": b, "pa": pa, "pb": pb,
            "pages_a": pages_of(pa.pdf, tmp, "a"), "pages_b": pages_of(pb.pdf, tmp, "b"),
            "key": pages_of(pa.key_sheet or b"", tmp, "key")}


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A print at ``--density high`` (0.4 mm modules): small enough that blur and
    perspective defeat the quick pass, so the higher efforts are what is tested."""
    tmp = tmp_path_factory.mktemp("dense")
    a = os.urandom(25_000)
    pa = paper.make_print(a, None, os.urandom, cap=CAP, layout=paper.DENSITIES["high"])
    return {"a": a, "pa": pa, "pages_a": pages_of(pa.pdf, tmp, "a")}


def test_default_print_holds_over_6_kb_per_code_page_and_spares_a_page_and_more(
    two_prints: dict,
) -> None:
    pa = two_prints["pa"]
    per_page = paper.DEFAULT_LAYOUT.per_page
    assert len(two_prints["pages_a"]) == pa.pages == pa.codes // per_page
    assert len(two_prints["a"]) / pa.pages >= 6_000
    # one page lost plus 30% of another, and 30% of all codes, may be lost
    assert pa.codes - pa.k >= paper.PAGE_LOSS * per_page
    assert (pa.codes - pa.k) / pa.codes >= paper.DEFAULT_LOSS


def test_pages_in_any_order_rebuild_and_key_sheet_is_found(two_prints: dict) -> None:
    pages = list(reversed(two_prints["pages_a"])) + two_prints["key"]
    report = paper.scan_images(pages)
    assert report.payloads == [two_prints["a"]]
    assert report.caps == [CAP]
    assert report.frames == two_prints["pa"].codes


def test_pages_upside_down_and_sideways_rebuild(two_prints: dict) -> None:
    pages = two_prints["pages_a"]
    turned = [pages[0].rotate(180, expand=True), pages[1].rotate(90, expand=True)]
    assert paper.scan_images(turned).payloads == [two_prints["a"]]


def test_blurred_pages_the_quick_pass_cannot_read_rebuild_at_higher_effort(
    dense: dict,
) -> None:
    from PIL import ImageFilter

    from samizdat.transports.paper_scan import read_codes

    blurred = [p.filter(ImageFilter.GaussianBlur(1.6)) for p in dense["pages_a"]]
    assert sum(len(read_codes(p)) for p in blurred) < dense["pa"].k
    assert paper.scan_images(blurred).payloads == [dense["a"]]


def test_pages_photographed_at_an_angle_rebuild(dense: dict) -> None:
    """A strong keystone loses most codes to the whole-page pass; the overlapping
    crops of a higher effort find them."""
    from PIL import ImageFilter

    from samizdat.transports.paper_scan import read_codes

    photos = [keystone(p, 0.28).filter(ImageFilter.GaussianBlur(0.8))
              for p in dense["pages_a"][:2]]  # half the pages: more than k codes
    assert sum(len(read_codes(p)) for p in photos) < dense["pa"].k
    assert paper.scan_images(photos).payloads == [dense["a"]]


def test_codes_of_two_prints_mixed_rebuild_the_complete_one(two_prints: dict) -> None:
    pages = two_prints["pages_a"] + two_prints["pages_b"][:1]
    report = paper.scan_images(pages)
    assert report.payloads == [two_prints["a"]]
    assert len(report.incomplete) == 1


def test_two_incomplete_prints_say_so(two_prints: dict) -> None:
    report = paper.scan_images(two_prints["pages_a"][:1] + two_prints["pages_b"][:1])
    assert report.payloads == []
    with pytest.raises(NotEnoughShards, match="different prints were mixed"):
        report.require_payload()


def test_foreign_codes_are_ignored_and_reported(two_prints: dict) -> None:
    qr = segno.make("https://example.org/not-samizdat", error="m")
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=6, border=4)
    foreign = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    report = paper.scan_images([foreign])
    assert report.codes == 1 and report.foreign == 1 and report.frames == 0
    with pytest.raises(NotEnoughShards, match="no samizdat codes"):
        report.require_payload()
    mixed = paper.scan_images([foreign, *two_prints["pages_a"]])
    assert mixed.payloads == [two_prints["a"]]


def test_blank_page_has_no_codes() -> None:
    report = paper.scan_images([Image.new("L", (800, 1100), 255)])
    with pytest.raises(NotEnoughShards, match="no QR codes"):
        report.require_payload()


def test_a_pdf_that_is_not_ours_has_no_samizdat_codes(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "An ordinary letter.")
    path = tmp_path / "letter.pdf"
    path.write_bytes(bytes(pdf.output()))
    report = paper.scan([path])
    assert report.images == 1
    with pytest.raises(NotEnoughShards, match="no QR codes"):
        report.require_payload()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.pdf", b"%PDF-1.7\n this is not really a pdf"),
        ("text.png", b"just some words, not an image"),
        ("truncated.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
        ("truncated.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("empty.jpg", b""),
    ],
)
def test_unreadable_files_are_input_errors(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=name.replace(".", r"\.")):
        paper.scan([path])


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    # a 1-bit PNG of 20000 x 20000 pixels is tiny on disk and 400 MB decoded
    img = Image.new("1", (20_000, 20_000), 1)
    path = tmp_path / "bomb.png"
    img.save(path, optimize=True)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(InputError, match="too large"):
        paper.scan([path])


def test_qr_capacity_matches_the_encoder_for_every_version() -> None:
    import numpy as np

    for error in ("L", "M"):
        for version in range(1, 41):
            cap = paper.qr_capacity(version, error)
            code = zxingcpp.create_barcode(os.urandom(cap), zxingcpp.BarcodeFormat.QRCode,
                                           ec_level=error)
            width = np.asarray(code.to_image(scale=1, add_quiet_zones=False)).shape[0]
            assert width == 4 * version + 17, (error, version)
            # and not one byte more: the figure is exact, so the version planned for
            # a frame is the one the encoder picks (one byte short, print failed)
            try:
                over = zxingcpp.create_barcode(os.urandom(cap + 1),
                                               zxingcpp.BarcodeFormat.QRCode, ec_level=error)
            except ValueError:
                continue  # version 40 is full
            width = np.asarray(over.to_image(scale=1, add_quiet_zones=False)).shape[0]
            assert width > 4 * version + 17, (error, version)


def test_pdf_rasterizing_writes_nothing_to_disk(tmp_path: Path, two_prints: dict) -> None:
    """The rendered pages (which show the text) are piped, never written to a file."""
    path = tmp_path / "c.pdf"
    path.write_bytes(two_prints["pa"].pdf)
    env_tmp = tmp_path / "t"
    env_tmp.mkdir()
    before = set(os.listdir(tmp_path))
    old = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(env_tmp)
    try:
        assert len(list(iter_images(path))) == two_prints["pa"].pages
    finally:
        if old is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = old
    assert set(os.listdir(tmp_path)) == before
    assert list(env_tmp.iterdir()) == []
