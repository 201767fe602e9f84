"""The trust policy through the real ``samizdat`` process: a forger who copies a
document's title, changes one word and signs under a fresh pseudonym never gets
``authentic``; ``trust add|list|remove|author``, ``verify --key`` and ``list``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, write

TEXT = (
    "We, a group of old party members, address this appeal to all.\n\n"
    "The leadership has led the country into a dead end.\n\n"
    "Collectivisation was carried out by force and has ruined the village.\n\n"
    "Read this, copy it and pass it on.\n"
)
FORGED = TEXT.replace("by force", "with enthusiasm")


def _carry(src: Any, dst: Any, version: str, tmp: Path) -> None:
    bundle = tmp / f"{src.home.name}-{version[:8]}.bundle"
    cap = src.ok("export", version, "--out", bundle)["cap"]
    dst.ok("import", bundle, "--cap", cap)


@pytest.fixture(scope="module")
def _story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An author signs a text; a forger makes a new document with the same title,
    one word changed, signed under a fresh pseudonym; a reader imports both."""
    tmp_path = tmp_path_factory.mktemp("forgery")
    author, forger, reader = (Cli(tmp_path / n) for n in ("author", "forger", "reader"))
    for c in (author, forger, reader):
        c.ok("init")
    real = author.ok("draft", "new", write(tmp_path / "real.txt", TEXT), "--title", "Appeal")
    author_key = author.ok("sign", real["version"])["key"]
    fake = forger.ok("draft", "new", write(tmp_path / "forged.txt", FORGED),
                     "--title", "Appeal")
    forger_key = forger.ok("sign", fake["version"])["key"]
    _carry(author, reader, real["version"], tmp_path)
    _carry(forger, reader, fake["version"], tmp_path)
    return {"author": author, "reader": reader, "real": real, "fake": fake,
            "author_key": author_key, "forger_key": forger_key,
            "real_txt": tmp_path / "real.txt", "forged_txt": tmp_path / "forged.txt"}


@pytest.fixture
def forgery(_story: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The story with fresh copies of the author's and the reader's stores."""
    out = dict(_story)
    for who in ("author", "reader"):
        home = tmp_path / who
        shutil.copytree(_story[who].home, home)
        out[who] = Cli(home)
    return out


def test_forgery_signed_by_a_fresh_pseudonym_is_untrusted(forgery: dict[str, Any]) -> None:
    reader = forgery["reader"]
    result = reader("verify", forgery["forged_txt"], json_out=True)
    assert result.code == 1, result.stdout
    report = result.json()
    assert report["status"] == "untrusted"
    assert report["version"] == forgery["fake"]["version"]
    assert report["signers"] == [{"kind": "author", "key": forgery["forger_key"],
                                  "trusted": False}]
    human = reader("verify", forgery["forged_txt"])
    assert human.code == 1 and "trust" in human.stdout and "NOT trusted" in human.stdout


def test_forgery_is_altered_against_the_trusted_author(forgery: dict[str, Any]) -> None:
    reader = forgery["reader"]
    # the genuine text is not authentic either until the reader chooses to trust its author
    assert reader("verify", forgery["real_txt"], json_out=True).json()["status"] == "untrusted"
    keys = reader.ok("trust", "author", forgery["author_key"][:12],
                     "--document", forgery["real"]["document"])["keys"]
    assert keys == [{"key": forgery["author_key"], "kind": "author", "name": "author of Appeal",
                     "document": forgery["real"]["document"]}]
    genuine = reader.ok("verify", forgery["real_txt"])
    assert genuine["status"] == "authentic"
    assert genuine["signers"] == [{"kind": "author", "key": forgery["author_key"],
                                   "trusted": True}]

    result = reader("verify", forgery["forged_txt"], json_out=True)
    assert result.code == 1
    report = result.json()
    assert report["status"] == "altered"
    assert report["version"] == forgery["real"]["version"]
    assert [(p["index"], p["status"]) for p in report["paragraphs"] if p["status"] != "same"] \
        == [(3, "changed")]
    assert report["also_matches"] == [{
        "version": forgery["fake"]["version"],
        "signers": [{"kind": "author", "key": forgery["forger_key"], "trusted": False}]}]


def test_the_author_key_is_trusted_for_one_document_only(forgery: dict[str, Any],
                                                          tmp_path: Path) -> None:
    """The author's key trusted for document A does not vouch for document B, even if
    the same key signed it (a pseudonym is per document)."""
    reader = forgery["reader"]
    reader.ok("trust", "author", forgery["forger_key"], "--document",
              forgery["fake"]["document"])
    assert reader.ok("verify", forgery["forged_txt"])["status"] == "authentic"
    result = reader("trust", "author", forgery["author_key"], "--document",
                    forgery["fake"]["document"], json_out=True)
    assert result.code == 0  # trusting a key for a document it never signed is allowed
    # now the forgery is the trusted text, and the real one only "also matches" a
    # version whose author is not trusted for ITS document
    report = reader("verify", forgery["real_txt"], json_out=True).json()
    assert report["status"] == "altered" and report["version"] == forgery["fake"]["version"]
    assert report["also_matches"][0]["signers"] == [
        {"kind": "author", "key": forgery["author_key"], "trusted": False}]


def test_own_pseudonym_is_trusted_implicitly_and_log_marks_trust(
        forgery: dict[str, Any]) -> None:
    author = forgery["author"]
    assert author.ok("verify", forgery["real_txt"])["status"] == "authentic"
    log = forgery["reader"].ok("log", forgery["fake"]["document"])
    assert log["versions"][0]["signatures"] == [
        {"kind": "author", "key": forgery["forger_key"], "trusted": False}]
    assert log["versions"][0]["final"] is False


def test_verify_key_is_one_shot_and_stores_nothing(forgery: dict[str, Any],
                                                   tmp_path: Path) -> None:
    reader = forgery["reader"]
    key_file = write(tmp_path / "author.key", forgery["author_key"] + "\n")
    report = reader.ok("verify", forgery["real_txt"], "--key", key_file)
    assert report["status"] == "authentic" and report["signers"][0]["trusted"] is True
    forged = reader("verify", forgery["forged_txt"], "--key", key_file, json_out=True)
    assert forged.code == 1 and forged.json()["status"] == "altered"
    assert reader.ok("trust", "list")["keys"] == []
    # with --key, even the store's own pseudonym is not an anchor
    author = forgery["author"]
    other = write(tmp_path / "other.key", forgery["forger_key"] + "\n")
    mine = author("verify", forgery["real_txt"], "--key", other, json_out=True)
    assert mine.code == 1 and mine.json()["status"] == "untrusted"


def test_list_flags_the_duplicate_title(forgery: dict[str, Any]) -> None:
    reader = forgery["reader"]
    docs = reader.ok("list")["documents"]
    assert len(docs) == 2
    for d in docs:
        assert set(d) >= {"document", "title", "heads", "final", "trusted", "versions",
                          "duplicate_title"}
        assert d["duplicate_title"] is True and d["title"] == "Appeal"
        assert d["final"] is False and d["trusted"] is False and d["versions"] == 1
        assert len(d["short"]) >= 8 and d["document"].startswith(d["short"])
    assert {d["heads"][0] for d in docs} == {forgery["real"]["version"],
                                             forgery["fake"]["version"]}
    human = reader("list")
    assert human.code == 0 and "impersonation" in human.stdout
    reader.ok("trust", "author", forgery["author_key"], "--document",
              forgery["real"]["document"])
    trusted = {d["document"]: d["trusted"] for d in reader.ok("list")["documents"]}
    assert trusted == {forgery["real"]["document"]: True, forgery["fake"]["document"]: False}


def test_trust_bad_input_is_one_clear_line(forgery: dict[str, Any], tmp_path: Path) -> None:
    reader = forgery["reader"]

    def one_line(result: Any, code: int) -> str:
        assert result.code == code, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        return str(result.stderr)

    assert "not a public key file" in one_line(
        reader("trust", "add", write(tmp_path / "note.txt", "hello\n")), 3)
    assert "not a public key file" in one_line(
        reader("trust", "add", write(tmp_path / "bin.pub", bytes(range(256)))), 3)
    assert "valid Ed25519" in one_line(
        reader("trust", "add", write(tmp_path / "zero.pub", "00" * 32 + "\n")), 3)
    assert "no such file" in one_line(reader("trust", "add", tmp_path / "absent.pub"), 3)
    assert "folder" in one_line(reader("trust", "add", tmp_path), 3)
    key_file = write(tmp_path / "author.pub", forgery["author_key"] + "\n")
    reader.ok("trust", "add", key_file)
    assert "already trusted" in one_line(reader("trust", "add", key_file), 2)
    assert "already trusted" in one_line(
        reader("trust", "author", forgery["author_key"], "--document",
               forgery["real"]["document"]), 2)
    assert "names no trusted key" in one_line(reader("trust", "remove", "deadbeefdead"), 3)
    assert "not a key" in one_line(
        reader("trust", "author", "xyz", "--document", forgery["real"]["document"]), 2)
    assert "no document" in one_line(
        reader("trust", "author", forgery["author_key"], "--document", "00000000"), 3)
    removed = reader.ok("trust", "remove", forgery["author_key"][:10])
    assert removed["keys"] == []
    assert "names no trusted key" in one_line(
        reader("trust", "remove", forgery["author_key"]), 3)
