"""Golden vectors of the capability prefix a contact's mail carries
(``docs/spec/mail-cap.md``), valid and must-reject, from ``tests/vectors/mail_cap.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samizdat.app import mail as app
from samizdat.core.crypto import SecretBytes, ed25519_public_key
from samizdat.errors import CryptoError, DecodeError

DATA = json.loads((Path(__file__).parent.parent / "vectors" / "mail_cap.json").read_text())
ERRORS = {"crypto": CryptoError, "decode": DecodeError}


@pytest.mark.parametrize("vector", DATA["vectors"], ids=lambda v: v["name"])
def test_vector(vector: dict[str, Any]) -> None:
    sender = bytes.fromhex(vector["sender_seed"])
    recipient = bytes.fromhex(vector["recipient_seed"])
    # the recipient derives the key from its own seed and the sender's public key
    key = app.pair_key_for(SecretBytes(recipient), ed25519_public_key(sender))
    prefix = bytes.fromhex(vector["prefix"])
    if vector["valid"]:
        assert key.reveal().hex() == vector["pair_key"]
        cap = app.open_cap_prefix(key, prefix + b"\x00" * 10)
        assert cap.danger_real_capability_string() == vector["cap"]
    else:
        with pytest.raises(ERRORS[vector["error"]]):
            app.open_cap_prefix(key, prefix)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_rejected_with_a_typed_error(data: bytes) -> None:
    first = DATA["vectors"][0]
    key = SecretBytes(bytes.fromhex(first["pair_key"]))
    with pytest.raises((CryptoError, DecodeError)):
        app.open_cap_prefix(key, data)
