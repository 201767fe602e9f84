"""Golden vectors for the committee's own byte formats (``tests/vectors/committee.json``,
made by ``generate_committee.py``): valid ones decode to the listed fields and
re-encode byte for byte; must-reject ones raise DecodeError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samizdat.core import committee_wire as wire
from samizdat.core import dkg
from samizdat.core import statement as stm
from samizdat.errors import DecodeError

V = json.loads((Path(__file__).parent.parent / "vectors" / "committee.json").read_text("utf-8"))


def test_statement_valid() -> None:
    for case in V["statement_v1"]["valid"]:
        s = stm.Statement.parse(case["encoded"].encode())
        assert s.document.hex() == case["document"] and s.title == case["title"]
        assert s.version.hex() == case["version"] and s.text_id.hex() == case["text_id"]
        assert s.text_sha256.hex() == case["text_sha256"]
        assert [h.hex() for h in s.paragraph_hashes] == case["paragraph_hashes"]
        assert s.encode() == case["encoded"].encode()


@pytest.mark.parametrize("case", V["statement_v1"]["reject"], ids=lambda c: c["why"])
def test_statement_reject(case: dict[str, str]) -> None:
    with pytest.raises(DecodeError):
        stm.Statement.parse(bytes.fromhex(case["hex"]))


def test_public_key_valid() -> None:
    for case in V["minisign_public_key"]["valid"]:
        key = bytes.fromhex(case["group_key"])
        assert stm.minisign_public_key(key) == case["file"]
        assert stm.parse_minisign_public_key(case["file"].encode()) == key
        assert stm.minisign_key_id(key).hex() == case["key_id"]


@pytest.mark.parametrize("case", V["minisign_public_key"]["reject"], ids=lambda c: c["why"])
def test_public_key_reject(case: dict[str, str]) -> None:
    with pytest.raises(DecodeError):
        stm.parse_minisign_public_key(bytes.fromhex(case["hex"]))


def test_dkg1_valid() -> None:
    for case in V["dkg1_v1"]["valid"]:
        raw = bytes.fromhex(case["hex"])
        m = dkg.Round1Message.decode(raw)
        assert (m.n, m.k, m.index) == (case["n"], case["k"], case["index"])
        assert m.context.hex() == case["context"] and m.enc_key.hex() == case["enc_key"]
        assert [c.hex() for c in m.commitments] == case["commitments"]
        assert m.encode() == raw
        m.check_proof()


@pytest.mark.parametrize("case", V["dkg1_v1"]["reject"], ids=lambda c: c["why"])
def test_dkg1_reject(case: dict[str, str]) -> None:
    with pytest.raises(DecodeError):
        dkg.Round1Message.decode(bytes.fromhex(case["hex"]))


def test_sealed_valid() -> None:
    for case in V["sealed_v1"]["valid"]:
        key = wire.seal_key(wire.CommitteeSecret.parse(case["secret"]))
        assert key.hex() == case["key"]
        raw = bytes.fromhex(case["hex"])
        frame = bytes.fromhex(case["frame"])
        assert wire.unseal(key, raw) == frame
        nonce = bytes.fromhex(case["nonce"])
        assert wire.seal(key, frame, lambda n, nonce=nonce: nonce) == raw
        assert wire.MAGIC not in raw


@pytest.mark.parametrize("case", V["sealed_v1"]["reject"], ids=lambda c: c["why"])
def test_sealed_reject(case: dict[str, str]) -> None:
    key = wire.seal_key(wire.CommitteeSecret.parse(case["secret"]))
    with pytest.raises(DecodeError):
        wire.unseal(key, bytes.fromhex(case["hex"]))
