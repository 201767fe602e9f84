"""Statement folders after ONE signing round: stock signify (Debian
``signify-openbsd``) and OpenSSL accept them, and ``samizdat verify DIR`` judges
every file of the folder against the reader's trusted committees, never the key
that came with the folder. Missing, extra or tampered files are verdicts with a
reason, never a traceback."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samizdat.app import committee as app
from samizdat.app import documents as docs
from samizdat.core import crypto
from samizdat.core import statement as stm
from samizdat.core.crypto import SecretBytes
from samizdat.store.store import Store
from tests.conftest import PASSPHRASE, Cli

NOW = 1_700_000_000
TEXT = ("The party must be returned to its members.\n\n"
        "The press must be returned to its readers.\n\nRead this and pass it on.\n")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A 2-of-2 committee finalizes a version in ONE signing round and writes its
    statement folder."""
    root = tmp_path_factory.mktemp("statement")
    pw = SecretBytes(PASSPHRASE.encode(), "passphrase")
    stores = [Store.create(root / f"m{i}", pw) for i in (1, 2)]
    r1 = [app.dkg1(s, "c", 2, 2, i, os.urandom, NOW) for i, s in enumerate(stores, start=1)]
    r2 = [app.dkg2(s, "c", r1, NOW, os.urandom) for s in stores]
    group_key = app.dkg3(stores[0], "c", r2, NOW).group_key
    app.dkg3(stores[1], "c", r2, NOW)
    paragraphs = [p.strip() for p in TEXT.split("\n\n")]
    _doc, vid = docs.draft_new(stores[0], paragraphs, "Appeal", os.urandom, NOW)
    rec = stores[0].version(vid)
    stores[1].add_document(rec.doc_id, "Appeal", NOW)
    stores[1].add_version(rec, list(stores[0].paragraphs(vid)))
    commits = [app.commit(s, "c", os.urandom, NOW) for s in stores]
    shares = [app.sign(s, "c", vid, commits, os.urandom) for s in stores]
    result = app.finalize(stores[0], "c", vid, [*commits, *shares], os.urandom)
    assert result.minisign_ready is False  # one round only
    files = app.statement_files(stores[0], vid)
    assert "statement.txt.minisig" not in files
    sdir = root / "statement"
    sdir.mkdir()
    for name, data in files.items():
        (sdir / name).write_bytes(data)
    for s in stores:
        s.close()
    yield {"dir": sdir, "version": vid.hex(), "group_key": group_key.hex(),
           "member": Cli(root / "m1"), "root": root}


@pytest.fixture
def reader(make_cli: Any) -> Any:
    r = make_cli("reader")
    r.ok("init")
    return r


def _copy(folder: dict[str, Any], tmp_path: Path) -> Path:
    d = tmp_path / "copy"
    shutil.copytree(folder["dir"], d)
    return d


@pytest.mark.skipif(shutil.which("signify-openbsd") is None, reason="needs signify-openbsd")
def test_signify_accepts_after_one_round(folder: dict[str, Any]) -> None:
    d = folder["dir"]
    ok = subprocess.run(["signify-openbsd", "-V", "-p", str(d / "committee.sig.pub"),
                         "-m", str(d / "statement.txt")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "Signature Verified" in ok.stdout
    bad = d.parent / "tampered.txt"
    bad.write_bytes((d / "statement.txt").read_bytes().replace(b"Appeal", b"AppeaI"))
    shutil.copy(d / "statement.txt.sig", d.parent / "tampered.txt.sig")
    no = subprocess.run(["signify-openbsd", "-V", "-p", str(d / "committee.sig.pub"),
                         "-m", str(bad)], capture_output=True, text=True)
    assert no.returncode != 0


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_openssl_accepts_after_one_round(folder: dict[str, Any], tmp_path: Path) -> None:
    d = folder["dir"]
    raw = base64.b64decode((d / "statement.txt.sig").read_text().splitlines()[1])[10:]
    sig = tmp_path / "sig.bin"
    sig.write_bytes(raw)
    cmd = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(d / "committee.pem"),
           "-rawin", "-in", str(d / "statement.txt"), "-sigfile", str(sig)]
    ok = subprocess.run(cmd, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr + ok.stdout
    sig.write_bytes(bytes([raw[0] ^ 1]) + raw[1:])
    assert subprocess.run(cmd, capture_output=True).returncode != 0


def test_the_three_key_files_hold_the_group_key(folder: dict[str, Any]) -> None:
    d = folder["dir"]
    for name in ("committee.pub", "committee.sig.pub", "committee.pem"):
        assert stm.parse_public_key_file((d / name).read_bytes()).hex() == folder["group_key"]


def test_verify_dir_needs_a_trusted_committee(folder: dict[str, Any], reader: Any) -> None:
    d = folder["dir"]
    first = reader("verify", d, json_out=True)
    assert first.code == 1
    report = first.json()
    assert report["status"] == "untrusted" and report["version"] == folder["version"]
    assert report["signers"] == [{"kind": "committee", "key": folder["group_key"],
                                  "trusted": False}]
    assert "not trusted" in report["reason"]
    once = reader.ok("verify", d, "--key", d / "committee.sig.pub")
    assert once["status"] == "authentic" and reader.ok("trust", "list")["keys"] == []
    reader.ok("trust", "add", d / "committee.pub")
    report = reader.ok("verify", d)
    assert report["status"] == "authentic"
    assert report["signers"] == [{"kind": "committee", "key": folder["group_key"],
                                  "trusted": True}]
    assert [p["status"] for p in report["paragraphs"]] == ["same"] * 3


def _verdict(reader: Any, d: Path) -> dict[str, Any]:
    result = reader("verify", d, json_out=True)
    assert result.code == 1, result.stdout
    assert "Traceback" not in result.stderr
    data: dict[str, Any] = result.json()
    return data


def test_tampered_folders_are_verdicts_with_reasons(folder: dict[str, Any], reader: Any,
                                                    tmp_path: Path) -> None:
    reader.ok("trust", "add", folder["dir"] / "committee.pub")
    cases: list[tuple[str, Any, str, str]] = [
        ("statement.txt", None, "unknown", "statement.txt is missing"),
        ("statement.txt", b"garbage\n", "unknown", "not a samizdat statement"),
        ("statement.txt", lambda b: b.replace(b"title: Appeal", b"title: Appeals"),
         "altered", "does not verify"),
        ("statement.txt.sig", None, "unknown", "no signature"),
        ("statement.txt.sig", b"untrusted comment: x\nnot base64!\n", "altered",
         "not a signature file"),
        ("text.txt", None, "altered", "text.txt is missing"),
        ("text.txt", lambda b: b.replace(b"its readers", b"the censor"), "altered",
         "text.txt differs"),
        ("notes.txt", b"a planted note\n", "altered", "unexpected file"),
    ]
    for i, (name, change, status, reason) in enumerate(cases):
        d = tmp_path / f"case{i}"
        shutil.copytree(folder["dir"], d)
        target = d / name
        if change is None:
            target.unlink()
        elif callable(change):
            target.write_bytes(change(target.read_bytes()))
        else:
            target.write_bytes(change)
        report = _verdict(reader, d)
        assert (report["status"], name) == (status, name), report
        assert reason in report["reason"], (name, report)
        if name == "text.txt" and change is not None:
            changed = [p["index"] for p in report["paragraphs"] if p["status"] != "same"]
            assert changed == [2]


def test_a_forger_s_own_key_beside_the_statement_is_untrusted(
        folder: dict[str, Any], reader: Any, tmp_path: Path) -> None:
    """The forger re-signs the statement with his own key and ships that key in the
    folder: it verifies under HIS key, which the reader never chose."""
    reader.ok("trust", "add", folder["dir"] / "committee.pub")
    d = _copy(folder, tmp_path)
    seed = os.urandom(32)
    key = crypto.ed25519_public_key(seed)
    body = (d / "statement.txt").read_bytes()
    (d / "statement.txt.sig").write_bytes(
        stm.signify_signature(key, crypto.ed25519_sign(seed, body)))
    for name, text in (("committee.pub", stm.minisign_public_key(key)),
                       ("committee.sig.pub", stm.signify_public_key(key)),
                       ("committee.pem", stm.openssl_public_key_pem(key))):
        (d / name).write_text(text)
    report = _verdict(reader, d)
    assert report["status"] == "untrusted"
    assert report["signers"] == [{"kind": "committee", "key": key.hex(), "trusted": False}]


def test_final_by_an_untrusted_committee_is_never_just_final(
        folder: dict[str, Any], reader: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "final.bundle"
    cap = folder["member"].ok("export", folder["version"], "--out", bundle)["cap"]
    got = reader("import", bundle, "--cap", cap)
    assert got.code == 0 and "final by an untrusted committee" in got.stdout
    listed = reader.ok("list")["documents"]
    assert listed[0]["final"] is False and listed[0]["untrusted_final"] is True
    assert "final by an untrusted committee" in reader("list").stdout
    log = reader("log", listed[0]["document"])
    assert "final by an untrusted committee" in log.stdout
    assert reader.ok("log", listed[0]["document"])["versions"][0]["final"] is False
    assert "final by an untrusted committee" in reader("read", folder["version"]).stderr
    reader.ok("trust", "add", folder["dir"] / "committee.pub")
    listed = reader.ok("list")["documents"]
    assert listed[0]["final"] is True and listed[0]["trusted"] is True
    assert reader.ok("log", listed[0]["document"])["versions"][0]["final"] is True
