"""Generates ``paper_frame.json``: golden vectors for the paper QR frame (version 1).

Kept apart from ``samizdat.transports.paper_frame`` on purpose: frames are built here
from the spec (``docs/spec/paper.md``) with ``blake3`` and ``zfec`` directly, so the
test that compares the two checks the code against the written format, not against
itself. Run from the checkout: ``.venv/bin/python tests/vectors/generate_paper_frame.py``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import blake3
import zfec

TAG_KEY = blake3.blake3(b"", derive_key_context="samizdat 2026-11 paper frame check").digest()
MASK_KEY = blake3.blake3(b"", derive_key_context="samizdat 2026-11 paper frame mask").digest()


def det(seed: str, n: int) -> bytes:
    """Deterministic bytes for the vectors (SHA-256 in counter mode)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}/{i}".encode()).digest()
        i += 1
    return out[:n]


def seal(body: bytes) -> bytes:
    tag = blake3.blake3(body, key=TAG_KEY).digest(length=16)
    mask = blake3.blake3(tag, key=MASK_KEY).digest(length=len(body))
    return tag + bytes(a ^ b for a, b in zip(body, mask, strict=True))


def frames(payload: bytes, k: int, n: int, print_id: bytes, version: int = 1) -> list[bytes]:
    size = -(-len(payload) // k)
    padded = payload + bytes(size * k - len(payload))
    blocks = [padded[i * size : (i + 1) * size] for i in range(k)]
    shares = zfec.Encoder(k, n).encode(blocks)
    return [
        seal(bytes([version]) + print_id + bytes([k, n, i]) + len(payload).to_bytes(4, "big")
             + bytes(s))
        for i, s in enumerate(shares)
    ]


def main() -> None:
    valid = []
    for name, length, k, n in [
        ("one byte, 1 of 2", 1, 1, 2),
        ("3 of 12, uneven last block", 1000, 3, 12),
        ("17 of 36", 5000, 17, 36),
        ("1 of 1", 40, 1, 1),
    ]:
        payload = det(f"payload {name}", length)
        print_id = det(f"print id {name}", 8)
        valid.append({
            "name": name, "payload": payload.hex(), "print_id": print_id.hex(),
            "k": k, "n": n, "frames": [f.hex() for f in frames(payload, k, n, print_id)],
        })
    good = frames(det("reject", 100), 2, 4, det("reject id", 8))[1]
    bad_index = seal(b"\x01" + det("x", 8) + bytes([2, 4, 4]) + (100).to_bytes(4, "big")
                     + bytes(50))
    bad_kn = seal(b"\x01" + det("x", 8) + bytes([5, 4, 0]) + (100).to_bytes(4, "big")
                  + bytes(20))
    bad_len = seal(b"\x01" + det("x", 8) + bytes([2, 4, 0]) + (100).to_bytes(4, "big")
                   + bytes(49))
    zero_len = seal(b"\x01" + det("x", 8) + bytes([1, 2, 0]) + (0).to_bytes(4, "big")
                    + bytes(1))
    v2 = seal(b"\x02" + det("x", 8) + bytes([2, 4, 0]) + (100).to_bytes(4, "big") + bytes(50))
    flipped = bytearray(good)
    flipped[40] ^= 0x04
    reject = [
        {"name": "empty", "frame": ""},
        {"name": "shorter than the overhead", "frame": good[:32].hex()},
        {"name": "truncated by one byte", "frame": good[:-1].hex()},
        {"name": "one bit flipped in the body", "frame": bytes(flipped).hex()},
        {"name": "tag flipped", "frame": (bytes([good[0] ^ 1]) + good[1:]).hex()},
        {"name": "random bytes", "frame": det("random", 200).hex()},
        {"name": "longer than any QR code", "frame": (good + bytes(2953)).hex()},
        {"name": "index not below n", "frame": bad_index.hex()},
        {"name": "k greater than n", "frame": bad_kn.hex()},
        {"name": "share length does not match length and k", "frame": bad_len.hex()},
        {"name": "zero payload length", "frame": zero_len.hex()},
        {"name": "unknown version 2", "frame": v2.hex()},
    ]
    out = {
        "format": "samizdat paper frame, version 1 (docs/spec/paper.md)",
        "generator": "tests/vectors/generate_paper_frame.py",
        "valid": valid,
        "reject": reject,
    }
    path = Path(__file__).with_name("paper_frame.json")
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
