"""The statement a committee signs, and checking it with stock minisign."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core import statement as stm
from samizdat.core.merkle import merkle_root
from samizdat.core.text import normalize
from samizdat.errors import DecodeError
from tests.unit.test_dkg import frost_sign, run_dkg


def make_statement(text: str, title: str = "Manifesto \\ of\tAugust") -> tuple[stm.Statement,
                                                                             bytes]:
    t = normalize(text)
    leaves = t.leaf_hashes
    return stm.Statement(
        document=os.urandom(32), title=title, version=os.urandom(32),
        text_id=merkle_root(leaves), text_sha256=hashlib.sha256(t.to_bytes()).digest(),
        paragraph_hashes=leaves,
    ), t.to_bytes()


def test_round_trip_and_strictness() -> None:
    s, _ = make_statement("One.\n\nTwo paragraphs.\n")
    raw = s.encode()
    assert stm.Statement.parse(raw) == s
    assert raw.decode().splitlines()[-1] == "final"
    assert "title: Manifesto \\\\ of\\u0009August" in raw.decode()
    for bad in (raw[:-1], raw + b"\n", raw.replace(b"paragraphs: 2", b"paragraphs: 02"),
                raw.replace(b"p 2 ", b"p 3 "), raw.upper(), b"", raw[: len(raw) // 2]):
        with pytest.raises(DecodeError):
            stm.Statement.parse(bad)


def test_a_changed_paragraph_hash_breaks_the_text_id() -> None:
    s, _ = make_statement("One.\n\nTwo.\n")
    lines = s.encode().decode().split("\n")
    lines[7] = lines[7][:-1] + ("0" if lines[7][-1] != "0" else "1")
    with pytest.raises(DecodeError, match="text id"):
        stm.Statement.parse("\n".join(lines).encode())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_title_escaping_round_trips_on_one_line(title: str) -> None:
    escaped = stm.escape_title(title)
    assert "\n" not in escaped and "\r" not in escaped
    assert stm.unescape_title(escaped) == title


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parsers_reject_arbitrary_bytes(data: bytes) -> None:
    for parse in (stm.Statement.parse, stm.MinisignSignature.parse,
                  stm.parse_minisign_public_key):
        with contextlib.suppress(DecodeError):
            parse(data)


def test_public_key_file_round_trip_and_key_id_check() -> None:
    key = os.urandom(32)
    text = stm.minisign_public_key(key).encode()
    assert stm.parse_minisign_public_key(text) == key
    blob = base64.b64decode(text.split(b"\n")[1])
    wrong_id = blob[:2] + bytes(8) + blob[10:]
    with pytest.raises(DecodeError, match="key id"):
        stm.parse_minisign_public_key(b"untrusted comment: x\n" + base64.b64encode(wrong_id))


@pytest.mark.skipif(shutil.which("minisign") is None, reason="Debian minisign not installed")
def test_stock_minisign_accepts_a_committee_signed_statement(tmp_path: Path) -> None:
    keys, *_ = run_dkg(5, 3)
    gk = keys[0].group_key
    s, _text = make_statement("First.\n\nSecond, longer paragraph.\n")
    body = s.encode()
    sig = frost_sign(keys, [2, 4, 5], body)
    comment = stm.trusted_comment(s)
    glob = frost_sign(keys, [1, 3, 4], stm.MinisignSignature.global_message(sig, comment))
    minisig = stm.MinisignSignature(stm.minisign_key_id(gk), sig, comment, glob)
    assert stm.MinisignSignature.parse(minisig.encode()) == minisig
    (tmp_path / "statement.txt").write_bytes(body)
    (tmp_path / "statement.txt.minisig").write_bytes(minisig.encode())
    (tmp_path / "committee.pub").write_text(stm.minisign_public_key(gk))
    ok = subprocess.run(["minisign", "-Vm", str(tmp_path / "statement.txt"),
                         "-p", str(tmp_path / "committee.pub")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert comment in ok.stdout
    (tmp_path / "statement.txt").write_bytes(body.replace(b"final", b"draft"))
    bad = subprocess.run(["minisign", "-Vm", str(tmp_path / "statement.txt"),
                          "-p", str(tmp_path / "committee.pub")], capture_output=True)
    assert bad.returncode != 0
