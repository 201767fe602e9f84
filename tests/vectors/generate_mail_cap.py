"""Generates tests/vectors/mail_cap.json: read capabilities sealed for a contact in
front of a mailed bundle (``docs/spec/mail-cap.md``), with fixed seeds and nonces.
Run: python tests/vectors/generate_mail_cap.py

Kept apart from the tests on purpose: the tests read the JSON only, so a change in
the code that alters the format makes them fail instead of regenerating silently.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from samizdat.app import mail as app
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import SecretBytes, aead_encrypt, ed25519_public_key


def fixed(label: str, n: int) -> bytes:
    return hashlib.sha256(label.encode()).digest()[:n]


def main() -> None:
    vectors = []
    for name in ("first", "second"):
        sender_seed = fixed(f"{name} sender seed", 32)
        recipient_seed = fixed(f"{name} recipient seed", 32)
        cap = ReadCap(1, 1, fixed(f"{name} root key", 32))
        nonce = fixed(f"{name} nonce", 12)
        key = app.pair_key_for(SecretBytes(sender_seed), ed25519_public_key(recipient_seed))
        prefix = app.seal_cap_prefix(key, cap, lambda n, nonce=nonce: nonce[:n])
        base = {
            "sender_seed": sender_seed.hex(),
            "recipient_seed": recipient_seed.hex(),
            "pair_key": key.reveal().hex(),
        }
        vectors.append({"name": name, "valid": True, **base, "prefix": prefix.hex(),
                        "cap": cap.danger_real_capability_string()})
        flipped = bytearray(prefix)
        flipped[30] ^= 0x01
        vectors.append({"name": f"{name}: bit flipped", "valid": False, "error": "crypto",
                        **base, "prefix": bytes(flipped).hex()})
        vectors.append({"name": f"{name}: truncated", "valid": False, "error": "crypto",
                        **base, "prefix": prefix[:95].hex()})
        wrong = {**base, "recipient_seed": fixed(f"{name} stranger seed", 32).hex()}
        vectors.append({"name": f"{name}: opened by a stranger", "valid": False,
                        "error": "crypto", **wrong, "prefix": prefix.hex()})
        text = cap.danger_real_capability_string().encode()
        for label, plain in (
            ("version 2", b"\x02" + text),
            ("not ascii", b"\x01" + b"\xff" * len(text)),
            ("not a capability", b"\x01" + b"sz1-" + b"a" * (len(text) - 4)),
        ):
            body = nonce + aead_encrypt(key.reveal(), nonce, plain, app._AAD)
            vectors.append({"name": f"{name}: {label}", "valid": False, "error": "decode",
                            **base, "prefix": body.hex()})
    out = {"format": "samizdat mail capability prefix", "version": app.CAP_PREFIX_VERSION,
           "vectors": vectors}
    path = Path(__file__).with_name("mail_cap.json")
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
