"""Generate tests/vectors/invite.json: invite codes built here from the specs
(docs/spec/invite.md, docs/spec/codes.md) with hashlib/blake3/base64 only, not with
samizdat's codec, so the codec is checked against an independent writer.

Run: .venv/bin/python tests/vectors/generate_invite.py
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import struct
from pathlib import Path

import blake3


def b3(data: bytes, n: int) -> bytes:
    return blake3.blake3(data).digest(length=n)


def onion(key: bytes) -> str:
    check = hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2]
    return base64.b32encode(key + check + b"\x03").decode().lower() + ".onion"


CONTEXT = b"samizdat 2026 invite checksum v1\x00"


def code(body: bytes, *, check: bytes | None = None) -> str:
    chk = hashlib.sha256(CONTEXT + body).digest()[:4] if check is None else check
    return "szi1-" + base64.b32encode(body + chk).decode().rstrip("=").lower()


def legacy_code(body: bytes) -> str:
    """The first format: prefix sz1- and a 2-byte BLAKE3 check (no longer taken)."""
    return "sz1-" + base64.b32encode(body + b3(body, 2)).decode().rstrip("=").lower()


def body(version: int, key: bytes, secret: bytes, expires: int, addr: bytes) -> bytes:
    return bytes([version]) + b3(key, 16) + secret + struct.pack(">I", expires) + addr


def main() -> None:
    key = bytes(range(32))
    secret = bytes(range(100, 112))
    expires = 1_900_000_000
    onion_key = bytes(range(200, 232))
    valid = []
    cases = [
        ("ipv4", b"\x01" + ipaddress.IPv4Address("127.0.0.1").packed + struct.pack(">H", 4433),
         "127.0.0.1:4433"),
        ("ipv6", b"\x02" + ipaddress.IPv6Address("::1").packed + struct.pack(">H", 443),
         "[::1]:443"),
        ("onion", b"\x03" + onion_key + struct.pack(">H", 443), onion(onion_key) + ":443"),
        ("dns", b"\x04\x0bexample.org" + struct.pack(">H", 8443), "example.org:8443"),
    ]
    for name, addr, text in cases:
        valid.append({
            "name": name,
            "code": code(body(1, key, secret, expires, addr)),
            "key_hash": b3(key, 16).hex(),
            "secret": secret.hex(),
            "expires": expires,
            "address": text,
        })
    good = body(1, key, secret, expires, cases[0][1])
    reject = [
        {"name": "wrong prefix", "code": code(good).replace("szi1-", "szi2-")},
        {"name": "bad check", "code": code(good, check=b"\x00\x00\x00\x00")},
        {"name": "first-format invite (sz1-, BLAKE3 check)", "code": legacy_code(good)},
        {"name": "a read capability's prefix", "code": "sz1-" + code(good)[5:]},
        {"name": "a dead-drop key's prefix", "code": "szd1-" + code(good)[5:]},
        {"name": "version 2", "code": code(body(2, key, secret, expires, cases[0][1]))},
        {"name": "truncated", "code": code(good)[:-6]},
        {"name": "not base32", "code": "szi1-" + "1" * 60},
        {"name": "unknown address type", "code": code(good[:-7] + b"\x09" + good[-6:])},
        {"name": "ipv4 too long", "code": code(good + b"\x00")},
        {"name": "port zero", "code": code(good[:-2] + b"\x00\x00")},
        {"name": "dns length lies", "code": code(body(1, key, secret, expires,
                                                      b"\x04\x20example.org\x01\xbb"))},
        {"name": "dns with colon", "code": code(body(1, key, secret, expires,
                                                     b"\x04\x03a:b\x01\xbb"))},
        {"name": "too long", "code": "szi1-" + "a" * 2000},
        {"name": "empty", "code": ""},
    ]
    out = {
        "format": "samizdat invite code v1 (docs/spec/invite.md, docs/spec/codes.md)",
        "generator": "tests/vectors/generate_invite.py",
        "valid": valid,
        "reject": reject,
    }
    path = Path(__file__).with_name("invite.json")
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
