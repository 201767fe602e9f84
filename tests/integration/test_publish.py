"""The exile mirror, end to end: ``samizdat publish`` of a committee-final version,
the site opened in a real headless Chromium (Debian's, with no network), its
``selfCheck()`` and ``verify()`` against the command's own ``verify --json``, a
tampered site, hostile text, and the CAR file read back by the IPFS project's own
JavaScript libraries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samizdat.app import documents as docs
from samizdat.app.publish import publish
from samizdat.core.crypto import SecretBytes
from samizdat.errors import InputError, NotFound
from samizdat.store.store import Store
from samizdat.testing.committee import InProcessFinal, final_version
from tests.conftest import Cli

PW = SecretBytes(b"pw", "passphrase")
NOW = 1_700_000_000
Finals = dict[str, InProcessFinal]
JS_DIR = Path(__file__).resolve().parents[1] / "js"

MANIFESTO = (
    "To all members of the party.\n\nThe leadership has led the country into a crisis; "
    "we call for its removal by the congress.\n\nRead, copy, pass it on.\n"
)
PERSIAN = (
    "به همه‌ی اعضای حزب.\n\nرهبری کشور را به بحران کشانده است؛ ما خواستار برکناری آن "
    "در کنگره هستیم.\n\nبخوانید، رونویسی کنید، به دیگران بدهید.\n"
)
RUSSIAN = (
    "Всем членам партии.\n\nРуководство \u00abзавело страну в кризис\u00bb \u2014 мы требуем "
    "его отставки на съезде\u2026\n\nЧитайте, переписывайте, передавайте дальше.\n"
)
HOSTILE = (
    '<script>window.pwned = 1</script>\n\n<img src=x onerror="window.pwned = 2">\n\n'
    '<a href="javascript:window.pwned=3">click</a> &amp; </p><p>\n'
)


def _final(where: Path, text: str, title: str) -> InProcessFinal:
    return final_version(where, text, title, PW)


@pytest.fixture(scope="module")
def finals(tmp_path_factory: pytest.TempPathFactory) -> Finals:
    base = tmp_path_factory.mktemp("finals")
    out = {}
    for name, text, title in (("en", MANIFESTO, "To all members"),
                              ("fa", PERSIAN, "به همه‌ی اعضا"),
                              ("ru", RUSSIAN, "Всем членам партии"),
                              ("hostile", HOSTILE, "<b>bold</b> & </title><script>x</script>")):
        (base / name).mkdir()
        out[name] = _final(base / name, text, title)
    return out


def _site(final: InProcessFinal, out: Path, **kw: Any) -> Path:
    store = Store.open(final.home, PW)
    try:
        publish(store, final.version.hex(), out, **kw)
    finally:
        store.close()
    return out


# --------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (scripts/install-system-deps installs it)"
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """One page of a site in a fresh context, every request it makes recorded."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)

    def call(self, expr: str, *args: Any) -> Any:
        return self.page.evaluate(expr, *args)

    def close(self) -> None:
        self.context.close()


def _open(browser: Any, site: Path, name: str = "index.html") -> Page:
    return Page(browser, (site / name).as_uri())


@pytest.fixture(scope="module")
def reader(finals: Finals, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``samizdat --json verify`` in a reader's store: the final version exported by
    the member, imported by the reader, the committee trusted."""
    base = tmp_path_factory.mktemp("reader")
    readers = {}
    for name, final in finals.items():
        member = Cli(final.home, "pw")
        bundle = base / f"{name}.bin"
        cap = member.ok("export", final.version.hex(), "--out", bundle)["cap"]
        r = Cli(base / f"reader-{name}")
        r.ok("init")
        r.ok("import", bundle, env={"SAMIZDAT_CAP": cap})
        r.ok("trust", "add", final.pub)
        readers[name] = r
    return readers


def _verify_cli(reader: Cli, path: Path) -> Any:
    res = reader("verify", path, json_out=True)
    assert res.code in (0, 1), res.stderr
    return res.json()


def _same_verdict(browser_json: Any, cli_json: Any) -> None:
    assert set(browser_json) == set(cli_json)  # no key the command prints is missing
    assert browser_json["status"] == cli_json["status"]
    assert browser_json["version"] == cli_json["version"]
    committee = [{"kind": s["kind"], "key": s["key"]} for s in cli_json["signers"]
                 if s["kind"] == "committee"]
    assert [{"kind": s["kind"], "key": s["key"]} for s in browser_json["signers"]] == committee
    # the whole paragraph object: index, status, detail, changes (from/to/kind), copy
    assert browser_json["paragraphs"] == cli_json["paragraphs"]


COPIES = {
    "genuine": "To all members of the party.\n\nThe leadership has led the country into a "
               "crisis;\nwe call for its removal by the congress.\n\n\nRead, copy, pass it on.",
    "altered": "To all members of the party.\n\nThe leadership has led the country into a "
               "crisis; we call for its support by the congress.\n\nRead, copy, pass it on.\n\n"
               "Long live the leadership.\n",
    "unrelated": "Garden diary. The tomatoes came up early this year.\n\nWater twice a week.\n",
}


def test_self_check_and_verify_agree_with_the_command(
        browser: Any, finals: Finals, reader: dict[str, Cli], tmp_path: Path) -> None:
    site = _site(finals["en"], tmp_path / "site")
    page = _open(browser, site)
    try:
        assert page.call("() => window.samizdat.selfCheck()") == {"signature": True,
                                                                  "merkle": True}
        page.page.wait_for_selector(".check.good")
        for name, text in COPIES.items():
            copy = tmp_path / f"{name}.txt"
            copy.write_text(text, encoding="utf-8")
            got = page.call("t => window.samizdat.verify(t)", text)
            want = _verify_cli(reader["en"], copy)
            _same_verdict(got, want)
            assert got["status"] == {"genuine": "authentic", "altered": "altered",
                                     "unrelated": "unknown"}[name]
        assert page.errors == []
        # nothing but the site's own files was asked for
        assert page.requests and all(u.startswith(site.as_uri()) for u in page.requests)
    finally:
        page.close()


def test_a_non_latin_site_checks_itself_and_a_retyped_copy(
        browser: Any, finals: Finals, reader: dict[str, Cli], tmp_path: Path) -> None:
    site = _site(finals["fa"], tmp_path / "site", lang="fa")
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '<article id="text" lang="fa" dir="rtl">' in html
    page = _open(browser, site)
    try:
        assert page.call("() => window.samizdat.selfCheck()") == {"signature": True,
                                                                  "merkle": True}
        retyped = PERSIAN.replace("\n\n", "\n\n\n").replace("؛ ", "؛\n")
        copy = tmp_path / "fa.txt"
        copy.write_text(retyped, encoding="utf-8")
        got = page.call("t => window.samizdat.verify(t)", retyped)
        _same_verdict(got, _verify_cli(reader["fa"], copy))
        edited = PERSIAN.replace("کنگره", "خیابان")
        copy.write_text(edited, encoding="utf-8")
        got = page.call("t => window.samizdat.verify(t)", edited)
        assert got["status"] == "altered"
        _same_verdict(got, _verify_cli(reader["fa"], copy))
    finally:
        page.close()


# A typist's retyping: straight quotes for guillemets, "--" for the dash, "..." for the
# ellipsis, the lines rewrapped. Typography only: authentic, in the page and the command.
RETYPED_RU = (RUSSIAN.replace("\u00ab", '"').replace("\u00bb", '"').replace("\u2014", "--")
              .replace("\u2026", "...").replace(" мы ", "\nмы "))
# An OCR run of the English text (1 for l, II for ll, rn for m) with one word planted
# among the misreadings; and the Russian one with a Latin o and a planted word.
OCR_PLANTED = MANIFESTO.replace("leadership", "1eadership").replace("call", "caII").replace(
    "removal", "support").replace("members", "rnembers")
OCR_PLANTED_RU = RUSSIAN.replace("Руководство", "Рукoводство").replace("съезде", "улице")


def _check_in_both(page: Page, reader: Cli, tmp_path: Path, text: str) -> Any:
    copy = tmp_path / "copy.txt"
    copy.write_text(text, encoding="utf-8")
    got = page.call("t => window.samizdat.verify(t)", text)
    want = _verify_cli(reader, copy)
    _same_verdict(got, want)
    return got


def test_typography_only_retyping_is_authentic_in_the_page_and_the_command(
        browser: Any, finals: Finals, reader: dict[str, Cli], tmp_path: Path) -> None:
    site = _site(finals["ru"], tmp_path / "site", lang="ru")
    page = _open(browser, site)
    try:
        got = _check_in_both(page, reader["ru"], tmp_path, RETYPED_RU)
        assert got["status"] == "authentic"
        assert [p.get("detail") for p in got["paragraphs"]] == [None, "typography", None]
    finally:
        page.close()


def test_a_planted_word_among_ocr_misreadings_is_named_in_the_page_and_the_command(
        browser: Any, finals: Finals, reader: dict[str, Cli], tmp_path: Path) -> None:
    for name, text, old, new in (("en", OCR_PLANTED, "removal", "support"),
                                 ("ru", OCR_PLANTED_RU, "съезде", "улице")):
        site = _site(finals[name], tmp_path / f"site-{name}")
        page = _open(browser, site)
        try:
            got = _check_in_both(page, reader[name], tmp_path, text)
            assert got["status"] == "altered"
            changed = {p["index"]: p for p in got["paragraphs"] if p["status"] != "same"}
            assert changed[2]["detail"] == "words"
            assert all(p["detail"] == "ocr" for i, p in changed.items() if i != 2)
            words = [c for p in changed.values() for c in p["changes"] if c["kind"] == "words"]
            assert words == [{"from": old, "to": new, "kind": "words"}]
            assert any(c["kind"] == "ocr" for c in changed[2]["changes"])
        finally:
            page.close()


def test_one_changed_byte_of_the_page_fails_the_self_check(
        browser: Any, finals: Finals, tmp_path: Path) -> None:
    site = _site(finals["en"], tmp_path / "site")
    index = site / "index.html"
    good = index.read_bytes()
    for old, new in ((b"removal", b"rem0val"), (b"<title>To all", b"<title>To any")):
        index.write_bytes(good.replace(old, new, 1))
        page = _open(browser, site)
        try:
            assert page.call("() => window.samizdat.selfCheck()")["merkle"] is False
            page.page.wait_for_selector(".check.bad")
        finally:
            page.close()
    index.write_bytes(good)
    data = site / "site-data.js"
    good_data = data.read_bytes()
    for old, new, want in ((b"removal", b"rem0val", {"signature": True, "merkle": False}),
                           (b"title: To all", b"title: To any",
                            {"signature": False, "merkle": False})):
        data.write_bytes(good_data.replace(old, new, 1))
        page = _open(browser, site)
        try:
            assert page.call("() => window.samizdat.selfCheck()") == want
        finally:
            page.close()


def test_a_hostile_text_renders_inert(browser: Any, finals: Finals,
                                      tmp_path: Path) -> None:
    site = _site(finals["hostile"], tmp_path / "site")
    page = _open(browser, site)
    try:
        assert page.call("() => window.samizdat.selfCheck()") == {"signature": True,
                                                                  "merkle": True}
        assert page.call("() => window.pwned === undefined")
        assert page.call("() => document.querySelectorAll('#text script, #text img, #text a')"
                         ".length") == 0
        shown = page.call("() => Array.from(document.querySelectorAll('#text > p'), "
                          "p => p.textContent)")
        assert shown[0] == "<script>window.pwned = 1</script>"
        assert page.call("() => document.title") == "<b>bold</b> & </title><script>x</script>"
        page.page.click("text=Check a copy you hold")
        page.page.fill("#copy", HOSTILE)
        page.page.click("#run")
        page.page.wait_for_selector(".verdict.authentic")
        assert page.call("() => window.pwned === undefined")
    finally:
        page.close()


def test_the_check_page_reports_the_changed_paragraph(
        browser: Any, finals: Finals, tmp_path: Path) -> None:
    site = _site(finals["en"], tmp_path / "site")
    page = _open(browser, site, "check.html")
    try:
        page.page.fill("#copy", COPIES["altered"])
        page.page.click("#run")
        page.page.wait_for_selector(".verdict.altered")
        shown = page.page.inner_text("#result")
        assert "Paragraph 2 (the copy\u2019s paragraph 2): changed \u2014 WORDS CHANGED" in shown
        assert "changed: \u201cremoval\u201d \u2192 \u201csupport\u201d" in shown
        assert "Added after paragraph 3 (the copy\u2019s paragraph 4)" in shown
        assert page.requests and all(u.startswith(site.as_uri()) for u in page.requests)
    finally:
        page.close()


# -------------------------------------------------------------------- refusals


def test_publish_refuses_drafts_untrusted_finals_unknown_versions_and_full_folders(
        finals: Finals, tmp_path: Path) -> None:
    final = finals["en"]
    store = Store.open(final.home, PW)
    try:
        _, draft = docs.draft_new(store, ["A draft nobody signed."], "Draft", os.urandom, NOW)
        with pytest.raises(InputError, match="not final"):
            publish(store, draft.hex(), tmp_path / "d")
        publish(store, draft.hex(), tmp_path / "d", draft=True)
        with pytest.raises(NotFound):
            publish(store, "ab" * 32, tmp_path / "u")
        full = tmp_path / "full"
        full.mkdir()
        (full / "mine.txt").write_text("keep me")
        with pytest.raises(InputError, match="already holds files"):
            publish(store, final.version.hex(), full)
        assert sorted(p.name for p in full.iterdir()) == ["mine.txt"]
        publish(store, final.version.hex(), full, force=True)
        assert (full / "mine.txt").read_text() == "keep me"
    finally:
        store.close()


def test_a_final_by_an_untrusted_committee_is_refused(finals: Finals,
                                                      reader: dict[str, Cli],
                                                      tmp_path: Path) -> None:
    # a reader who imported the final version but never trusted its committee
    member = Cli(finals["en"].home, "pw")
    bundle = tmp_path / "b.bin"
    cap = member.ok("export", finals["en"].version.hex(), "--out", bundle)["cap"]
    stranger = Cli(tmp_path / "stranger")
    stranger.ok("init")
    stranger.ok("import", bundle, env={"SAMIZDAT_CAP": cap})
    res = stranger("publish", finals["en"].version.hex(), "--out", tmp_path / "site")
    assert res.code == 3 and "untrusted committee" in res.stderr
    assert not (tmp_path / "site").exists()


# ------------------------------------------------------------------------ CAR


@pytest.fixture(scope="module")
def js_libs() -> Path:
    """The IPFS project's JavaScript CAR and UnixFS libraries, installed from npm at
    the versions pinned in tests/js/package-lock.json."""
    npm = shutil.which("npm")
    assert npm and shutil.which("node"), "node and npm are needed for the independent CAR check"
    if not (JS_DIR / "node_modules" / "@ipld" / "car").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=JS_DIR,
                       check=True, timeout=600)
    return JS_DIR


def test_the_car_reads_back_with_an_independent_decoder(
        finals: Finals, reader: dict[str, Cli], js_libs: Path,
        tmp_path: Path) -> None:
    r = reader["en"]
    out = r.ok("publish", finals["en"].version.hex(), "--out", tmp_path / "site",
               "--car", tmp_path / "site.car")
    check = subprocess.run(["node", str(js_libs / "car_check.mjs"), str(tmp_path / "site.car"),
                            str(tmp_path / "site")], capture_output=True, text=True,
                           check=True, timeout=120)
    got = json.loads(check.stdout)
    assert got["roots"] == [out["cid"]]
    assert got["bad_hash"] == 0 and got["blocks"] == got["dag_pb"] + got["raw"]
    assert got["files_match"] and got["files"] == sorted(out["files"])
    assert got["importer_root"] == out["cid"]  # the CID Kubo's defaults give this folder


def test_a_multi_chunk_file_gets_the_importers_cid(js_libs: Path, tmp_path: Path) -> None:
    from samizdat.web.car import CHUNK_SIZE, car_of_folder

    files = {"index.html": b"<p>hi</p>\n", "big/text.txt": os.urandom(3 * CHUNK_SIZE + 17),
             "big/empty-ish.txt": b"x"}
    for name, data in files.items():
        (tmp_path / "site" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "site" / name).write_bytes(data)
    car = car_of_folder(files)
    (tmp_path / "site.car").write_bytes(car.data)
    check = subprocess.run(["node", str(js_libs / "car_check.mjs"), str(tmp_path / "site.car"),
                            str(tmp_path / "site")], capture_output=True, text=True,
                           check=True, timeout=120)
    got = json.loads(check.stdout)
    assert got["files_match"] and got["dag_pb"] >= 3 and got["bad_hash"] == 0
    assert got["importer_root"] == car.root_cid == got["roots"][0]
