"""``samizdat print`` / ``scan`` through the real command: the contract (JSON keys,
exit codes, one-line errors) and bad input, with nothing half-imported."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import Cli

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")


@pytest.fixture(scope="module")
def prints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two documents, each printed once, by one author."""
    base = tmp_path_factory.mktemp("paper-cli")
    author = Cli(base / "author")
    author.ok("init")
    out: dict[str, Any] = {"base": base}
    for name, text in (("a", "The first letter.\n\nRead it, copy it, pass it on."),
                       ("b", "Второе письмо.\n\nПрочти, перепиши, передай дальше.")):
        (base / f"{name}.txt").write_text(text, encoding="utf-8")
        made = author.ok("draft", "new", base / f"{name}.txt", "--title", f"Letter {name}")
        author.ok("sign", made["version"])
        printed = author.ok("print", made["version"], "--out", base / f"{name}.pdf")
        out[name] = {**made, **printed}
    return out


def one_line_error(result: Any) -> None:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr


def test_print_json_contract(prints: dict) -> None:
    a = prints["a"]
    assert {"pages", "cap"} <= set(a)
    assert a["pages"] == 2  # one text page, one code page
    assert a["cap"].startswith("sz1-")
    assert a["key_sheet"].endswith("a.key.pdf")
    assert Path(a["key_sheet"]).stat().st_mode & 0o077 == 0  # the key sheet is owner-only


def test_scan_json_contract_and_second_scan_is_not_new(prints: dict, store_cli: Cli) -> None:
    base = prints["base"]
    got = store_cli.ok("scan", base / "a.pdf", base / "a.key.pdf")
    assert got["document"] == prints["a"]["document"]
    assert got["version"] == prints["a"]["version"]
    assert got["status"] == "authentic" and got["new"] is True
    again = store_cli.ok("scan", base / "a.pdf", "--cap", prints["a"]["cap"])
    assert again["version"] == prints["a"]["version"] and again["new"] is False


def test_two_documents_mixed_the_key_sheet_picks_its_own(prints: dict, store_cli: Cli) -> None:
    base = prints["base"]
    got = store_cli.ok("scan", base / "a.pdf", base / "b.pdf", base / "b.key.pdf")
    assert got["version"] == prints["b"]["version"]
    assert store_cli("read", prints["a"]["version"]).code != 0  # only b was imported


def test_wrong_cap_exit_3_and_nothing_stored(prints: dict, store_cli: Cli) -> None:
    base = prints["base"]
    result = store_cli("scan", base / "a.pdf", "--cap", prints["b"]["cap"])
    assert result.code == 3
    one_line_error(result)
    assert "does not open" in result.stderr
    assert prints["b"]["cap"] not in result.stderr
    assert store_cli("read", prints["a"]["version"]).code != 0


def test_no_cap_and_no_key_sheet_is_a_usage_error(prints: dict, store_cli: Cli) -> None:
    result = store_cli("scan", prints["base"] / "a.pdf", env={"SAMIZDAT_CAP": ""})
    assert result.code in (2, 3)
    one_line_error(result)
    env = {k: v for k, v in os.environ.items() if k != "SAMIZDAT_CAP"}
    result = store_cli("scan", prints["base"] / "a.pdf", env=env)
    assert result.code == 2
    assert "key sheet" in result.stderr


def test_blank_scan_is_not_enough_exit_1(store_cli: Cli, tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (1000, 1400), 255).save(blank)
    result = store_cli("scan", blank, "--cap", "sz1-" + "a" * 63)
    assert result.code in (1, 3)  # a malformed cap may be caught first
    result = store_cli("scan", blank)
    assert result.code == 1
    one_line_error(result)
    assert "no QR codes" in result.stderr


def test_not_a_pdf_exit_3(store_cli: Cli, tmp_path: Path) -> None:
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"%PDF-1.4\nnothing here\n")
    result = store_cli("scan", fake)
    assert result.code == 3
    one_line_error(result)
    assert "scan.pdf" in result.stderr
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    result = store_cli("scan", other)
    assert result.code == 3
    one_line_error(result)


def test_print_of_an_unknown_version_exit_3(store_cli: Cli, tmp_path: Path) -> None:
    result = store_cli("print", "deadbeefdeadbeef", "--out", tmp_path / "x.pdf")
    assert result.code == 3
    one_line_error(result)
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.key.pdf").exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_every_page_of_a_print_carries_its_page_footer(prints: dict) -> None:
    """The footer of a code page was written without a font selection on that page:
    poppler said "No font in show" and the page had no footer at all."""
    import subprocess

    for name, label in (("a", "page"), ("b", "страница")):
        pages = prints[name]["pages"]
        path = prints["base"] / f"{name}.pdf"
        for page in range(1, pages + 1):
            got = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                                 capture_output=True, text=True, check=True)
            assert "No font" not in got.stderr, (name, page, got.stderr)
            assert f"{label} {page} / {pages}" in got.stdout, (name, page, got.stdout)
