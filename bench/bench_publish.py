"""The exile mirror: site size, in-browser check times, JavaScript normalizer speed.

* ``site size``: every file ``samizdat publish`` writes, for the 1932 demo text and a
  200-page text (about 500,000 characters), in KiB. No goal: it is what an exile
  uploads.
* ``selfCheck`` and ``verify 200 pages``: wall time in Debian's headless Chromium
  (the page opened from ``file://``, no network), median of 3. Goals: < 1 s and
  < 3 s. The reference column is empty: there is no raw primitive to compare with.
* ``JS normalize``: the mirror's normalizer (V8, under Node) on a 5 MB text, against
  the Python one on the same text in the same run, as a throughput ratio.
* ``JS align``: the mirror's word-level alignment (under Node) of an OCR-noised copy
  of the 200-page text (``m`` read as ``rn`` everywhere, so no paragraph hash matches
  and every paragraph goes through the gap plan and the word comparison), against
  ``core.align.align`` on the same copy in the same run, as a paragraph-rate ratio;
  and the same copy checked in Chromium (wall time, median of 3).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.bench_text import _ENGLISH, generate
from bench.harness import Row, best_of, throughput
from samizdat.core.crypto import SecretBytes
from samizdat.core.text import normalize
from samizdat.demo import manifesto
from samizdat.store.store import Store
from samizdat.testing.committee import final_version

_ROOT = Path(__file__).resolve().parents[1]
_PW = SecretBytes(b"bench", "passphrase")


def _site(where: Path, text: str, title: str) -> Path:
    from samizdat.app.publish import publish

    final = final_version(where, text, title, _PW)
    store = Store.open(final.home, _PW)
    try:
        publish(store, final.version.hex(), where / "site")
    finally:
        store.close()
    return where / "site"


def _size_kib(site: Path) -> float:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1024


def _browser_times(site: Path, copy: str, repeat: int,
                   noised: str | None = None) -> tuple[float, float, float]:
    from playwright.sync_api import sync_playwright

    checks, verifies, noisy = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox"])
        for _ in range(repeat):
            page = browser.new_page()
            page.goto((site / "index.html").as_uri())
            t0 = time.perf_counter()
            assert page.evaluate("() => window.samizdat.selfCheck()") == {
                "signature": True, "merkle": True}
            checks.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            status = page.evaluate("t => window.samizdat.verify(t).then(r => r.status)", copy)
            verifies.append(time.perf_counter() - t0)
            assert status == "altered"
            if noised is not None:
                t0 = time.perf_counter()
                status = page.evaluate("t => window.samizdat.verify(t).then(r => r.status)",
                                       noised)
                noisy.append(time.perf_counter() - t0)
                assert status == "altered"
            page.close()
        browser.close()
    return (statistics.median(checks), statistics.median(verifies),
            statistics.median(noisy) if noisy else 0.0)


def _align_ratio(authentic: list[str], copy: list[str], smoke: bool) -> Row:
    """Paragraphs aligned per second, JS (Node) against Python, same copy, same run."""
    from samizdat.core.align import align
    from samizdat.core.text import paragraph_hash

    node = subprocess.run(
        ["node", str(_ROOT / "tests" / "js" / "samizdat_server.mjs"),
         str(_ROOT / "src" / "samizdat" / "web" / "assets" / "samizdat.js")],
        input=json.dumps({"op": "time_align", "authentic": authentic, "copy": copy}) + "\n",
        capture_output=True, text=True, check=True, timeout=600)
    js_seconds = json.loads(node.stdout)["seconds"]
    hashes = [paragraph_hash(p) for p in authentic]
    py_seconds = best_of(lambda: align(hashes, copy, authentic), repeat=1 if smoke else 3)
    n = len(authentic)
    return Row("publish", f"JS align (Node) vs Python align, OCR-noised {n}-paragraph copy",
               n / js_seconds, "paragraphs/s", reference=n / py_seconds)


def run(smoke: bool = False) -> list[Row]:
    rows: list[Row] = []
    pages = 2 if smoke else 200
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "demo").mkdir()
        demo = _site(base / "demo", manifesto.DRAFTS[-1], manifesto.TITLE)
        rows.append(Row("publish", "site size, 1932 demo text", _size_kib(demo), "KiB"))
        long_text = generate(_ENGLISH, pages * 2500).decode("utf-8")
        (base / "long").mkdir()
        site = _site(base / "long", long_text, "Two hundred pages")
        rows.append(Row("publish", f"site size, {pages}-page text", _size_kib(site), "KiB"))
        paragraphs = list(normalize(long_text).paragraphs)
        paragraphs[len(paragraphs) // 2] += " (a planted sentence)"
        authentic = list(normalize(long_text).paragraphs)
        noised = [p.replace("m", "rn") for p in authentic]
        check, verify, verify_noised = _browser_times(
            site, "\n\n".join(paragraphs), 1 if smoke else 3, "\n\n".join(noised))
        rows.append(Row("publish", "selfCheck in Chromium", check, "s", goal="< 1 s",
                        met=None if smoke else check < 1))
        rows.append(Row("publish", f"verify a {pages}-page copy in Chromium", verify, "s",
                        goal="< 3 s", met=None if smoke else verify < 3))
        rows.append(Row("publish", f"verify a {pages}-page OCR-noised copy in Chromium",
                        verify_noised, "s"))
        rows.append(_align_ratio(authentic, noised, smoke))
    text = generate(_ENGLISH, 200_000 if smoke else 5_000_000)
    node = subprocess.run(
        ["node", str(_ROOT / "tests" / "js" / "samizdat_server.mjs"),
         str(_ROOT / "src" / "samizdat" / "web" / "assets" / "samizdat.js")],
        input=json.dumps({"op": "time_normalize", "hex": text.hex()}) + "\n",
        capture_output=True, text=True, check=True, timeout=300)
    js_seconds = json.loads(node.stdout)["seconds"]
    decoded = text.decode("utf-8")
    py_seconds = best_of(lambda: normalize(decoded), repeat=1 if smoke else 5)
    rows.append(Row("publish", "JS normalize (Node) vs Python normalize",
                    throughput(len(text), js_seconds), "MB/s",
                    reference=throughput(len(text), py_seconds)))
    return rows
