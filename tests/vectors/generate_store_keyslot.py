"""Generates tests/vectors/store_keyslot.json: key slots sealed with a deterministic
rng at libsodium's MIN Argon2id cost (the real cost would make the vectors slow to
check; the format is the same). Run: python tests/vectors/generate_store_keyslot.py

Kept apart from the tests on purpose: the tests read the JSON only, so a change in
the code that alters the format makes them fail instead of regenerating silently.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from samizdat.core import crypto
from samizdat.core.crypto import ARGON2_MIN, SecretBytes
from samizdat.store import keyslots
from samizdat.store.keyslots import KdfCost, Role, SlotPayload

COST = KdfCost(*ARGON2_MIN, insecure=True)


def rng_for(label: str):
    counter = [0]

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += hashlib.sha256(f"{label}/{counter[0]}".encode()).digest()
            counter[0] += 1
        return out[:n]

    return rng


def main() -> None:
    vectors = []
    for name, index, role, database, pw in [
        ("primary slot 0 database 1", 0, Role.PRIMARY, 1, "correct horse battery staple"),
        ("duress slot 1 database 0", 1, Role.DURESS, 0, "only the garden diary"),
        ("unicode passphrase", 0, Role.PRIMARY, 0, "пароль для чтения"),
    ]:
        rng = rng_for(name)
        key = rng(32)
        raw = keyslots.seal_slot(
            index, SecretBytes(pw.encode()), SlotPayload(role, database, SecretBytes(key)),
            COST, rng,
        )
        base = {"name": name, "index": index, "passphrase": pw,
                "opslimit": COST.opslimit, "memlimit": COST.memlimit}
        vectors.append(base | {"valid": True, "slot": raw.hex(), "role": int(role),
                               "database": database, "key": key.hex()})
        if index == 0:
            flipped = bytearray(raw)
            flipped[20] ^= 1
            vectors.append(base | {"name": name + ": bit flipped in ciphertext",
                                   "valid": False, "slot": bytes(flipped).hex()})
            vectors.append(base | {"name": name + ": opened at the other offset",
                                   "valid": False, "index": 1, "slot": raw.hex()})
            vectors.append(base | {"name": name + ": wrong passphrase", "valid": False,
                                   "passphrase": pw + " ", "slot": raw.hex()})
    # an authentic slot whose payload has an unknown version byte: must be refused
    rng = rng_for("bad version")
    salt = rng(16)
    k = crypto.argon2id(b"pw", salt, opslimit=COST.opslimit, memlimit=COST.memlimit)
    bad = salt + crypto.aead_encrypt(k, bytes(12), b"\x02\x00\x00" + bytes(32),
                                     b"samizdat keyslot v1\x00")
    vectors.append({"name": "payload version 2", "index": 0, "passphrase": "pw",
                    "opslimit": COST.opslimit, "memlimit": COST.memlimit,
                    "valid": False, "slot": bad.hex()})
    out = Path(__file__).with_name("store_keyslot.json")
    out.write_text(json.dumps({"format": "samizdat keyslot", "version": keyslots.VERSION,
                               "vectors": vectors}, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
