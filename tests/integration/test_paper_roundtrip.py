"""Print → render with pdftoppm → degrade → scan, through the real command.

The pages are rendered by Debian's ``pdftoppm`` at 200 dpi, then every page is
rotated 3°, blurred (Gaussian, radius 1 px) and saved as JPEG quality 60, and a
quarter of ALL the codes of the print (chosen across pages) are blotted out with
white or black rectangles. A second store scans the pages (shuffled, one duplicated)
with the key sheet and must hold the identical, verified version. The retyped-copy
path is checked from the printed text too.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("zxingcpp")
from PIL import Image, ImageDraw, ImageFilter

from samizdat.core.pagemarks import ocr_safe_id, strip_marks

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")

_PROSE = (
    "committee party leadership manifesto paper copy read pass typed letter police "
    "archive meeting member collective draft version signature text truth moscow "
    "march august rewrite argue final author comrades hand mail regime crisis "
    "peasants grain"
)
WORDS = _PROSE.split()


def long_text(seed: int, paragraphs: int) -> str:
    rnd = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(20, 40))]
        # made-up words compress poorly, so the print spans several code pages
        words += ["".join(rnd.choices("абвгдежзиклмнопрстуфхцчшщыэюя", k=rnd.randint(3, 9)))
                  for _ in range(80)]
        rnd.shuffle(words)
        out.append(" ".join(words).capitalize() + ".")
    return "\n\n".join(out)


def render(pdf: Path, out_dir: Path) -> list[Image.Image]:
    out_dir.mkdir()
    subprocess.run(["pdftoppm", "-r", "200", "-gray", str(pdf), str(out_dir / "p")],
                   check=True, capture_output=True)
    return [Image.open(p).convert("L") for p in sorted(out_dir.glob("p-*.pgm"))]


def code_boxes(image: Image.Image) -> list[tuple[int, int, int, int]]:
    import zxingcpp

    boxes = []
    for r in zxingcpp.read_barcodes(image, formats=zxingcpp.barcode_formats_from_str("QRCode")):
        p = r.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def degrade(image: Image.Image, blots: list[tuple[int, int, int, int]], rnd: random.Random,
            path: Path) -> Path:
    img = image.copy()
    draw = ImageDraw.Draw(img)
    for i, (x0, y0, x1, y1) in enumerate(blots):
        # cover the middle 80% of the code: finder patterns gone, nothing decodable
        dx, dy = (x1 - x0) // 10, (y1 - y0) // 10
        draw.rectangle((x0 + dx, y0 + dy, x1 - dx, y1 - dy), fill=0 if i % 2 else 255)
    img = img.rotate(3, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    img = img.filter(ImageFilter.GaussianBlur(1.0))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60)
    path.write_bytes(buf.getvalue())
    return path


def degraded_scans(
    rendered: tuple[list[Image.Image], list[list[tuple[int, int, int, int]]]],
    work: Path, fraction: float, seed: int = 7,
) -> tuple[list[Path], int]:
    """JPEGs of every page with ``fraction`` of all codes blotted; and the code count."""
    work.mkdir()
    pages, boxes = rendered
    every = [(i, b) for i, page in enumerate(boxes) for b in page]
    rnd = random.Random(seed)
    blotted = set(rnd.sample(range(len(every)), int(len(every) * fraction)))
    out = []
    for i, page in enumerate(pages):
        mine = [b for j, (pi, b) in enumerate(every) if pi == i and j in blotted]
        out.append(degrade(page, mine, rnd, work / f"scan-{i}.jpg"))
    return out, len(every)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One signed version printed by one store (done once for the module)."""
    from tests.conftest import Cli

    base = tmp_path_factory.mktemp("paper")
    author = Cli(base / "author")
    author.ok("init")
    text = long_text(1932, 40)
    (base / "manifesto.txt").write_text(text, encoding="utf-8")
    made = author.ok("draft", "new", base / "manifesto.txt", "--title", "Ко всем членам ВКП(б)")
    author.ok("sign", made["version"])
    printed = author.ok("print", made["version"], "--out", base / "copy.pdf")
    normalized = author.ok("read", made["version"])["text"]
    pages = render(base / "copy.pdf", base / "rendered")
    return {"base": base, "version": made["version"], "document": made["document"],
            "print": printed, "text": normalized,
            "rendered": (pages, [code_boxes(p) for p in pages])}


def test_print_reports_pages_cap_and_writes_the_key_sheet_apart(printed: dict) -> None:
    out = printed["print"]
    base: Path = printed["base"]
    assert out["pages"] >= 3 and out["cap"].startswith("sz1-")
    assert Path(out["key_sheet"]) == base / "copy.key.pdf"
    assert (base / "copy.key.pdf").is_file()
    # the pages alone do not contain the capability (neither as text nor as a code)
    pdftotext = subprocess.run(["pdftotext", str(base / "copy.pdf"), "-"],
                               capture_output=True, text=True, check=True).stdout
    assert out["cap"] not in pdftotext and out["cap"].upper() not in pdftotext
    assert "sz1-" not in pdftotext.lower()
    # ...but they do carry the readable text, every paragraph of it, and the essentials
    lines = pdftotext.replace("\f", "\n").splitlines()
    # without the running headers, footers and continuation lines (samizdat's marks)
    folded = " ".join(" ".join(ln for ln in lines
                               if strip_marks([" ".join(ln.split())]).paragraphs).split())
    for paragraph in printed["text"].split("\n\n"):
        assert " ".join(paragraph.split()) in folded
    # the version id is printed OCR-safe (checksummed base32), the text hash in hex
    assert ocr_safe_id(bytes.fromhex(printed["version"])) in " ".join(pdftotext.split())
    assert "Ко всем членам ВКП(б)" in folded


def test_degraded_pages_with_a_quarter_of_all_codes_destroyed_rebuild(
    printed: dict, make_cli: Any
) -> None:
    base: Path = printed["base"]
    scans, total = degraded_scans(printed["rendered"], base / "degraded", 0.25)
    assert total == printed["print"]["codes"]
    assert printed["print"]["codes_needed"] > 10  # a real multi-page spread, not 1 code
    rnd = random.Random(3)
    files = [*scans, scans[-1]]  # a page scanned twice
    rnd.shuffle(files)
    reader = make_cli("reader")
    reader.ok("init")
    got = reader.ok("scan", *files, base / "copy.key.pdf")
    assert got["version"] == printed["version"]
    assert got["document"] == printed["document"]
    assert got["status"] == "authentic"
    assert reader.ok("read", printed["version"])["text"] == printed["text"]

    # the retyped-copy path from paper: rewrapped text verifies; one word changed does not
    rewrapped = "\n\n".join(
        textwrap.fill(p, width=57) for p in printed["text"].split("\n\n")
    )
    typed = base / "typed.txt"
    typed.write_text(rewrapped + "\n", encoding="utf-8")
    # the author's pseudonym vouches for nothing until the reader chooses to trust it
    untrusted = reader("verify", typed, json_out=True)
    assert untrusted.code == 1 and untrusted.json()["status"] == "untrusted"
    key = untrusted.json()["signers"][0]["key"]
    reader.ok("trust", "author", key, "--document", printed["document"])
    assert reader.ok("verify", typed)["status"] == "authentic"
    paragraphs = printed["text"].split("\n\n")
    words = paragraphs[4].split(" ")
    words[3] = "informant"
    paragraphs[4] = " ".join(words)
    (base / "altered.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    result = reader("verify", base / "altered.txt", json_out=True)
    assert result.code == 1
    report = result.json()
    assert report["status"] == "altered"
    changed = [p["index"] for p in report["paragraphs"] if p["status"] != "same"]
    assert changed == [5]


@pytest.mark.slow  # a failing scan climbs through every effort level on every page
def test_too_many_codes_destroyed_is_not_enough_and_stores_nothing(
    printed: dict, make_cli: Any
) -> None:
    base: Path = printed["base"]
    scans, _ = degraded_scans(printed["rendered"], base / "ruined", 0.6, seed=11)
    reader = make_cli("ruined-reader")
    reader.ok("init")
    cap = printed["print"]["cap"]
    result = reader("scan", *scans, "--cap", cap, timeout=600)  # every effort, every page
    assert result.code == 1, result.stderr
    assert "codes needed" in result.stderr and "Traceback" not in result.stderr
    assert reader("read", printed["version"]).code != 0  # nothing was stored


def test_cap_on_pages_and_scanning_the_pdf_itself(printed: dict, make_cli: Any) -> None:
    base: Path = printed["base"]
    author_home = base / "author"
    from tests.conftest import Cli

    author = Cli(author_home)
    out = author.ok("print", printed["version"], "--out", base / "one.pdf", "--cap-on-pages",
                    "--no-text")
    assert out["key_sheet"] is None and not (base / "one.key.pdf").exists()
    reader = make_cli("pdf-reader")
    reader.ok("init")
    got = reader.ok("scan", base / "one.pdf")
    assert got["version"] == printed["version"] and got["status"] == "authentic"
