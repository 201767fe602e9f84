"""The documents commands through the real ``samizdat`` process: the scripted flow
of CLI.md with --json, retyped copies, exit codes, bad inputs."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write

DRAFT = """We, a group of old party members, address this appeal to all.

The leadership has led the country into a dead end.
Its methods are those of an adventurer.

Collectivisation was carried out by force and has ruined the village.

Read this, copy it and pass it on.
"""


def _paras(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def retype(text: str, width: int = 30) -> str:
    """A typist's copy: other line breaks, extra blank lines, doubled spaces."""
    return "\n\n\n".join(textwrap.fill(p, width=width).replace(" ", "  ", 1)
                         for p in _paras(text)) + "\n"


@pytest.fixture
def signed(store_cli: Any, tmp_path: Path) -> dict[str, str]:
    first = store_cli.ok("draft", "new", write(tmp_path / "d1.txt", DRAFT), "--title", "Appeal")
    store_cli.ok("sign", first["version"])
    return {"document": first["document"], "version": first["version"]}


def test_scripted_flow(store_cli: Any, tmp_path: Path) -> None:
    first = store_cli.ok("draft", "new", write(tmp_path / "d1.txt", DRAFT), "--title", "Appeal")
    assert set(first) == {"document", "version"}
    doc, v1 = first["document"], first["version"]
    assert len(doc) == 64 and doc == doc.lower()
    second = store_cli.ok("draft", "revise", doc[:8],
                          write(tmp_path / "d2.txt", DRAFT.replace("by force", "by terror")))
    assert set(second) == {"document", "version", "parents"}
    assert second["parents"] == [v1]
    signed = store_cli.ok("sign", second["version"][:10])
    assert set(signed) == {"version", "key"} and signed["version"] == second["version"]
    log = store_cli.ok("log", doc)
    assert set(log) == {"document", "versions"}
    assert [e["version"] for e in log["versions"]] == [v1, second["version"]]
    assert set(log["versions"][0]) == {"version", "parents", "final", "signatures"}
    assert log["versions"][1]["signatures"] == [
        {"kind": "author", "key": signed["key"], "trusted": True}]  # its own pseudonym
    assert log["versions"][0]["final"] is False
    diff = store_cli.ok("diff", v1, second["version"])
    assert [p["index"] for p in diff["paragraphs"] if p["status"] != "same"] == [3]
    read = store_cli.ok("read", doc)
    assert read["version"] == second["version"] and "by terror" in read["text"]
    assert store_cli.ok("read", v1)["text"] == "\n\n".join(_paras(DRAFT)) + "\n"


TITLES = {  # Russian, Persian (with a ZWNJ), Chinese
    "ru": "Обращение ко всем членам партии",
    "fa": "نامه\u200cای به همه اعضای حزب",
    "zh": "致全体党员的一封信",
}


def test_log_of_a_version_is_its_documents_log_with_that_version_marked(
        store_cli: Any, tmp_path: Path) -> None:
    made = {}
    for lang, title in TITLES.items():
        first = store_cli.ok("draft", "new", write(tmp_path / f"{lang}1.txt", DRAFT),
                             "--title", title)
        second = store_cli.ok("draft", "revise", first["version"], write(
            tmp_path / f"{lang}2.txt", DRAFT.replace("by force", f"by force ({lang})")))
        made[lang] = (first["document"], first["version"], second["version"])
    for lang, (doc, v1, v2) in made.items():
        by_doc = store_cli.ok("log", doc)
        for ver in (v1, v1[:8], v2):
            assert store_cli.ok("log", ver) == by_doc, (lang, ver)  # CLI.md's keys, unchanged
        shown = store_cli("log", v1[:10])
        assert shown.code == 0, shown.stderr
        assert TITLES[lang] in shown.stdout and doc in shown.stdout
        rows = [line for line in shown.stdout.splitlines() if "*" in line]
        marked = [line for line in rows if "(this version)" in line]
        assert len(rows) == 2 and len(marked) == 1 and v1[:12] in marked[0]
        assert "(this version)" not in store_cli("log", doc).stdout
    result = store_cli("log", "0123456789abcdef")
    assert result.code == 3 and result.stderr.count("\n") == 1
    assert "no document or version 0123456789abcdef" in result.stderr


def test_one_pseudonym_per_document(store_cli: Any, tmp_path: Path) -> None:
    a = store_cli.ok("draft", "new", write(tmp_path / "a.txt", DRAFT), "--title", "A")
    b = store_cli.ok("draft", "new", write(tmp_path / "b.txt", "A short leaflet."),
                     "--title", "B")
    a2 = store_cli.ok("draft", "revise", a["document"], write(tmp_path / "a2.txt", DRAFT + "x"))
    ka = store_cli.ok("sign", a["version"])["key"]
    assert store_cli.ok("sign", a2["version"])["key"] == ka
    assert store_cli.ok("sign", b["version"])["key"] != ka


def test_rewrapped_copy_is_authentic(store_cli: Any, signed: dict[str, str],
                                     tmp_path: Path) -> None:
    result = store_cli("verify", write(tmp_path / "copy.txt", retype(DRAFT)), json_out=True)
    assert result.code == 0, result.stderr
    report = result.json()
    assert set(report) == {"status", "version", "signers", "paragraphs"}
    assert report["status"] == "authentic" and report["version"] == signed["version"]
    assert report["signers"][0]["kind"] == "author"
    assert all(p["status"] == "same" for p in report["paragraphs"])


def test_altered_copy_pinpoints_the_paragraph(store_cli: Any, signed: dict[str, str],
                                              tmp_path: Path) -> None:
    copy = retype(DRAFT.replace("dead end", "bright future"))
    result = store_cli("verify", write(tmp_path / "copy.txt", copy), json_out=True)
    assert result.code == 1
    report = result.json()
    assert report["status"] == "altered"
    assert [(p["index"], p["status"]) for p in report["paragraphs"] if p["status"] != "same"] \
        == [(2, "changed")]


def test_dropped_paragraph_is_missing_not_a_cascade(store_cli: Any, signed: dict[str, str],
                                                    tmp_path: Path) -> None:
    paras = _paras(DRAFT)
    copy = "\n\n".join(paras[:1] + paras[2:])
    report = store_cli("verify", write(tmp_path / "c.txt", copy), json_out=True).json()
    assert [(p["index"], p["status"]) for p in report["paragraphs"]] == [
        (1, "same"), (2, "missing"), (3, "same"), (4, "same")]


def test_unrelated_text_is_unknown(store_cli: Any, signed: dict[str, str],
                                   tmp_path: Path) -> None:
    result = store_cli("verify", write(tmp_path / "c.txt", "Recipe: two eggs, flour."),
                       json_out=True)
    assert result.code == 1 and result.json()["status"] == "unknown"


def test_unsigned_versions_do_not_vouch(store_cli: Any, tmp_path: Path) -> None:
    store_cli.ok("draft", "new", write(tmp_path / "a.txt", DRAFT), "--title", "A")
    result = store_cli("verify", tmp_path / "a.txt", json_out=True)
    assert result.code == 1 and result.json()["status"] == "unknown"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("binary.bin", bytes(range(256)) * 4),
        ("empty.txt", b""),
        ("blank.txt", b"  \n\n \t\n"),
        ("latin1.txt", "Caf\xe9 au lait".encode("latin-1")),
        ("nul.txt", b"text\x00with a NUL"),
    ],
)
def test_bad_text_files_are_one_line_exit_3(store_cli: Any, tmp_path: Path, name: str,
                                             content: bytes) -> None:
    path = write(tmp_path / name, content)
    for args in (("verify", path), ("draft", "new", path, "--title", "T")):
        result = store_cli(*args)
        assert result.code == 3, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert store_cli.ok("log")["documents"] == []


def test_oversized_file_is_refused_before_reading(store_cli: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:  # sparse: 200 MB on paper, nothing on disk
        f.truncate(200 * 1000 * 1000)
    result = store_cli("verify", big)
    assert result.code == 3 and "limit" in result.stderr and "--max-size" in result.stderr
    result = store_cli("draft", "new", big, "--title", "T")
    assert result.code == 3 and "limit" in result.stderr
    small = write(tmp_path / "s.txt", "word " * 300)
    assert store_cli("verify", "--max-size", "1K", small).code == 3
    assert store_cli("verify", "--max-size", "lots", small).code == 2


def test_missing_file_and_ids(store_cli: Any, signed: dict[str, str], tmp_path: Path) -> None:
    assert store_cli("verify", tmp_path / "nope.txt").code == 3
    for bad in ("abc", "00000000", "zzzzzzzzzz"):
        result = store_cli("read", bad)
        assert result.code == 3 and result.stderr.startswith("samizdat: ")
    assert store_cli("diff", signed["version"]).code == 2
    assert store_cli("wipe").code == 2


def test_wrong_passphrase_and_not_a_store(make_cli: Any, store_cli: Any,
                                          tmp_path: Path) -> None:
    wrong = make_cli("home", passphrase="not it")
    result = wrong("log")
    assert result.code == 3 and "passphrase" in result.stderr and "not it" not in result.stderr
    nothing = make_cli("elsewhere")
    result = nothing("log")
    assert result.code == 3 and "init" in result.stderr
    assert store_cli("init").code == 3


def test_human_output_has_no_traceback_and_read_prints_text(store_cli: Any,
                                                            signed: dict[str, str]) -> None:
    result = store_cli("read", signed["document"])
    assert result.code == 0 and result.stdout == "\n\n".join(_paras(DRAFT)) + "\n"
    result = store_cli("log")
    assert result.code == 0 and "Appeal" in result.stdout


def _files(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in home.iterdir()}


def test_damaged_or_foreign_store_is_one_line_and_untouched(store_cli: Any, signed: dict[str, str],
                                                            tmp_path: Path) -> None:
    from samizdat.store.store import DB_NAMES, KEYSLOTS

    copy = write(tmp_path / "copy.txt", retype(DRAFT))
    home = store_cli.home
    # a truncated database (cut in the middle of a page)
    for name in DB_NAMES:
        data = (home / name).read_bytes()
        (home / name).write_bytes(data[: len(data) // 2 + 100])
    before = _files(home)
    for args in (("verify", copy), ("log",), ("read", signed["version"])):
        result = store_cli(*args)
        assert result.code == 3 and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert _files(home) == before
    # a key file that is not ours
    (home / KEYSLOTS).write_bytes(os.urandom(4096))
    result = store_cli("log")
    assert result.code == 3 and "passphrase" in result.stderr
    (home / KEYSLOTS).write_bytes(b"not a key file")
    result = store_cli("log")
    assert result.code == 3 and "damaged or not a samizdat store" in result.stderr


def test_two_processes_share_the_store(store_cli: Any, signed: dict[str, str]) -> None:
    """A long-lived process (a node) holds the store open; commands still work."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from pathlib import Path\n"
         "from samizdat.core.crypto import SecretBytes\n"
         "from samizdat.store import Store\n"
         "import os\n"
         "pw = os.environ['SAMIZDAT_PASSPHRASE'].encode()\n"
         "s = Store.open(Path(sys.argv[1]), SecretBytes(pw))\n"
         "print(len(s.documents()), flush=True)\n"
         "time.sleep(60)\n",
         str(store_cli.home)],
        stdout=subprocess.PIPE, text=True, env=store_cli.env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "1"
        store_cli.ok("sign", signed["version"])
        assert store_cli.ok("read", signed["document"])["version"] == signed["version"]
    finally:
        holder.kill()
        holder.wait()
