"""Crashes found while fuzzing the decoders (docs/security.md, "Findings"), each
mounted as the attack: the reproducers are also in tests/fuzz/corpus/.

All of one kind: ``str.isdigit()`` is true for digits of every script and for
superscripts ("²", "٣"), which ``int()`` either rejects with a ValueError (an
untyped exception, outside the one error tree) or reads as a number the canonical
form never spells.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from samizdat.core import cbor, invite
from samizdat.core.package import (
    CommitteeFinal,
    check_package,
    decode_package,
    encode_package,
)
from samizdat.core.statement import Statement
from samizdat.errors import DecodeError, SamizdatError

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def _statement_with_count(count: str) -> bytes:
    v = json.loads((VECTORS / "committee.json").read_text("utf-8"))
    encoded = v["statement_v1"]["valid"][0]["encoded"]
    return re.sub(r"paragraphs: \d+", f"paragraphs: {count}", encoded).encode("utf-8")


@pytest.mark.parametrize("count", ["\u00b2", "\u0662", "\uff12", "\u00b9\u00b2"])
def test_a_statement_counting_paragraphs_in_other_digits_is_a_decode_error(count: str) -> None:
    with pytest.raises(DecodeError):
        Statement.parse(_statement_with_count(count))


def test_a_package_carrying_such_a_statement_is_refused_with_a_typed_error() -> None:
    """The route an attacker takes: any bundle, dead-drop file or mail attachment
    holding this package made ``import``, ``deaddrop sync`` and ``mail fetch`` raise
    ValueError (in a dead drop, on every sync, since the file was never recorded)."""
    v = json.loads((VECTORS / "envelope_package.json").read_text("utf-8"))
    package = decode_package(bytes.fromhex(v["valid"][0]["package"]))
    final = CommitteeFinal(bytes(32), bytes(64), _statement_with_count("\u00b2"), "", b"")
    hostile = dataclasses.replace(
        package, entry=dataclasses.replace(package.entry, committee=(final,))
    )
    with pytest.raises(SamizdatError):
        check_package(decode_package(encode_package(hostile)))


def _accept(addr: str) -> bytes:
    return cbor.encode({"v": invite.INVITE_VERSION, "t": "accept",
                        "secret": bytes(invite.SECRET_BYTES), "cert": b"c", "addr": addr})


def _reply(addr: str) -> bytes:
    return cbor.encode({"v": invite.INVITE_VERSION, "t": "reply", "ok": True,
                        "cert": b"c", "addr": addr})


@pytest.mark.parametrize("port", ["\u00b2", "\u0663", "\uff19"])
def test_invite_messages_with_a_port_in_other_digits_are_decode_errors(port: str) -> None:
    """A stranger reaches the invite endpoint before any secret is checked: its
    accept message made the node's handler raise ValueError ("²"), and "٣" was
    stored as a contact's address."""
    with pytest.raises(DecodeError):
        invite.decode_accept(_accept(f"host.example:{port}"))
    with pytest.raises(DecodeError):
        invite.decode_reply(_reply(f"host.example:{port}"))


def test_ascii_ports_still_pass() -> None:
    assert invite.decode_accept(_accept("host.example:9"))[2] == "host.example:9"
    assert invite.decode_reply(_reply("[::1]:65535")) == (b"c", "[::1]:65535")
