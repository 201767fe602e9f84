"""A copy mailed to a contact carries its read capability sealed for that contact
alone: the recipient needs no --cap, anyone else holds random bytes. Contacts are
made for real (``contact invite`` / ``contact accept`` against a running node)."""

from __future__ import annotations

import os
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from samizdat.app import mail as app
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import SecretBytes, ed25519_public_key
from samizdat.errors import CryptoError, DecodeError
from tests.conftest import write
from tests.integration.network_helpers import NodeProcess


def test_capability_sealed_for_a_contact_opens_only_for_that_contact(
    make_cli: Any, tmp_path: Path
) -> None:
    alice, bob, carol, dave = (make_cli(n) for n in ("alice", "bob", "carol", "dave"))
    for person in (alice, bob, carol, dave):
        person.ok("init")
    version = alice.ok("draft", "new", write(tmp_path / "t.txt", "Read, copy, pass on.\n"),
                       "--title", "Appeal")["version"]
    node = NodeProcess(alice.home)
    try:
        node.wait_ready()
        bob.ok("contact", "accept", alice.ok("contact", "invite")["code"])
        carol.ok("contact", "accept", alice.ok("contact", "invite")["code"])
    finally:
        assert node.terminate() == 0
    contacts = alice.ok("contact", "list")["contacts"]
    bob_fpr = bob.ok("contact", "list")["contacts"][0]["fingerprint"]
    assert len(contacts) == 2

    eml = tmp_path / "for-bob.eml"
    # alice's contact 1 is bob (he accepted first)
    sent = alice.ok("mail", "send", version, "--to", "bob@example.test", "--contact", "1",
                    "--out", eml)
    assert "cap" not in sent and sent["sealed_for"] == contacts[0]["fingerprint"]
    assert bob_fpr != sent["sealed_for"]  # each side sees the other's fingerprint
    raw = eml.read_bytes()
    assert b"sz1-" not in raw.lower() and b"samizdat" not in raw.lower()

    got = bob.ok("mail", "fetch", "--eml", eml)  # no --cap: the contact key opens it
    assert [c["version"] for c in got["imported"]] == [version]
    assert bob.ok("mail", "fetch", "--eml", eml)["skipped"] == {"already_imported": 1}

    # carol is alice's contact too, but the capability was sealed for bob
    other = carol.ok("mail", "fetch", "--eml", eml)
    assert other["imported"] == [] and other["skipped"] == {"wrong_cap": 1}
    # dave has no contacts and no capability: nothing to open copies with
    assert dave("mail", "fetch", "--eml", eml).code == 2
    assert message_from_bytes(raw).get_content_type() == "multipart/mixed"


def test_cap_prefix_codec() -> None:
    a, b = os.urandom(32), os.urandom(32)
    key_ab = app.pair_key_for(SecretBytes(a), ed25519_public_key(b))
    key_ba = app.pair_key_for(SecretBytes(b), ed25519_public_key(a))
    cap = ReadCap(1, 1, os.urandom(32))
    prefix = app.seal_cap_prefix(key_ab, cap, os.urandom)
    assert len(prefix) == app.CAP_PREFIX_BYTES == 96
    assert app.open_cap_prefix(key_ba, prefix + b"bundle") == cap
    other = app.pair_key_for(SecretBytes(os.urandom(32)), ed25519_public_key(b))
    with pytest.raises(CryptoError):
        app.open_cap_prefix(other, prefix)
    with pytest.raises(CryptoError):
        app.open_cap_prefix(key_ba, prefix[:95])
    flipped = bytearray(prefix)
    flipped[40] ^= 1
    with pytest.raises(CryptoError):
        app.open_cap_prefix(key_ba, bytes(flipped))


def test_cap_prefix_of_an_unknown_version_is_a_decode_error() -> None:
    from samizdat.core.crypto import aead_encrypt

    a, b = os.urandom(32), os.urandom(32)
    key = app.pair_key_for(SecretBytes(a), ed25519_public_key(b))
    nonce = os.urandom(12)
    text = ReadCap(1, 1, os.urandom(32)).danger_real_capability_string().encode()
    forged = nonce + aead_encrypt(key.reveal(), nonce, b"\x02" + text, app._AAD)
    with pytest.raises(DecodeError):
        app.open_cap_prefix(key, forged)
