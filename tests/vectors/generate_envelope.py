"""Writes ``envelope.json``: golden vectors for read capabilities, envelopes (shards and
bundles) and dead-drop files (``docs/spec/envelope.md``, ``docs/spec/capability.md``).

Kept apart from the code under test on purpose: this file seals from the spec with
the raw primitives (blake3, pyca ChaCha20-Poly1305, zstandard, zfec) and never
imports samizdat. Because it holds the keys, it can also build *hostile* envelopes
that authenticate but break a rule of the inner stream; the decoder must reject them.
Run ``python tests/vectors/generate_envelope.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from pathlib import Path

import blake3
import zfec
import zstandard
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

STRIPE = 1 << 20
CHUNK = 1 << 20
MIN_PADDED = 256
CONTEXT = "samizdat 2026-11 envelope v1 "


def padme(n: int) -> int:
    if n < 2:
        return n
    e = n.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (n + mask) & ~mask


def keys(root: bytes, k: int, n: int) -> tuple[bytes, bytes, bytes]:
    m = blake3.blake3(root + bytes([k, n]), derive_key_context=CONTEXT + "keys").digest(96)
    return m[:32], m[32:64], m[64:]


def cap_string(root: bytes, k: int, n: int) -> str:
    body = bytes([1, k, n]) + root
    check = hashlib.sha256(b"samizdat 2026 read capability checksum v1\x00" + body).digest()[:4]
    return "sz1-" + base64.b32encode(body + check).decode().rstrip("=").lower()


def inner_stream(payload: bytes) -> bytes:
    out = bytearray()
    cctx = zstandard.ZstdCompressor(level=3, write_content_size=True)
    for i in range(0, len(payload), CHUNK):
        frame = cctx.compress(payload[i : i + CHUNK])
        out += len(frame).to_bytes(4, "big") + frame
    return bytes(out + bytes(4))


def layout(k: int, inner_len: int) -> tuple[int, int, int]:
    """(stripes, full block, last block)."""
    full = -(-STRIPE // k)
    full_plain = k * full - 16
    target = padme(max(inner_len, MIN_PADDED))
    extra = 0 if target <= full_plain else -(-target // full_plain) - 1
    last = target - extra * full_plain
    return extra + 1, full, max(-(-(last + 16) // k), 1)


def seal_inner(
    inner: bytes, root: bytes, k: int, n: int, *, pad_to: tuple[int, int, int] | None = None,
    final_flag: bool = True,
) -> list[bytes]:
    aead_key, block_key, index_key = keys(root, k, n)
    stripes, full, last = pad_to or layout(k, len(inner))
    plain_sizes = [k * full - 16] * (stripes - 1) + [k * last - 16]
    plain = inner + bytes(sum(plain_sizes) - len(inner))
    assert len(plain) == sum(plain_sizes)
    tags = blake3.blake3(b"shard index tags", key=index_key).digest(16 * n)
    shards = [bytearray(tags[16 * i : 16 * (i + 1)]) for i in range(n)]
    aead = ChaCha20Poly1305(aead_key)
    pos = 0
    for j, size in enumerate(plain_sizes):
        final = j == stripes - 1 and final_flag
        nonce = j.to_bytes(8, "big") + (1 if final else 0).to_bytes(4, "big")
        ct = aead.encrypt(nonce, plain[pos : pos + size], bytes([1, k, n]))
        pos += size
        b = len(ct) // k
        blocks = [ct[i * b : (i + 1) * b] for i in range(k)]
        if n > k:
            blocks = zfec.Encoder(k, n).encode(blocks)
        for i, block in enumerate(blocks):
            tag = blake3.blake3(j.to_bytes(8, "big") + bytes([i]) + bytes(block), key=block_key)
            shards[i] += bytes(block) + tag.digest(16)
    return [bytes(s) for s in shards]


def drop_file(drop_root: bytes, bundle_root: bytes, nonce: bytes, bundle: bytes) -> bytes:
    wrap_key = blake3.blake3(
        drop_root + bytes([1, 1]), derive_key_context=CONTEXT + "dead drop wrap"
    ).digest(32)
    wrapped = ChaCha20Poly1305(wrap_key).encrypt(
        nonce, bundle_root, b"samizdat 2026-11 dead drop file v1"
    )
    return nonce + wrapped + bundle


def main() -> None:
    r = random.Random(1932)
    text = (
        b"In 1932 a small group in Moscow wrote a long manifesto against the ruling "
        b"leadership.\n\nRead this, copy it and pass it on.\n"
    )
    valid = []
    for name, payload, k, n in [
        ("empty payload, bundle", b"", 1, 1),
        ("short text, bundle", text, 1, 1),
        ("short text, 2 of 3", text, 2, 3),
        ("short text, 3 of 10", text * 3, 3, 10),
        ("incompressible 5000 bytes, 4 of 6", r.randbytes(5000), 4, 6),
    ]:
        root = r.randbytes(32)
        shards = seal_inner(inner_stream(payload), root, k, n)
        valid.append({
            "name": name, "k": k, "n": n, "root_key": root.hex(),
            "cap": cap_string(root, k, n), "payload": payload.hex(),
            "shards": [s.hex() for s in shards],
        })

    reject = []
    root = r.randbytes(32)
    good = seal_inner(inner_stream(text), root, 2, 3)
    cap = cap_string(root, 2, 3)

    def add(name: str, shards: list[bytes], c: str = cap) -> None:
        reject.append({"name": name, "cap": c, "shards": [s.hex() for s in shards]})

    add("one shard short of k", good[:1])
    add("the same shard twice", [good[0], good[0]])
    add("truncated shards", [s[:-1] for s in good])
    add("shards padded with garbage", [s + r.randbytes(33) for s in good])
    add("shards padded with zeros", [s + bytes(16) for s in good])
    flipped = [bytearray(s) for s in good]
    for s in flipped:
        s[20] ^= 1
    add("every shard bit-flipped", [bytes(s) for s in flipped])
    add("capability of another envelope", good, cap_string(r.randbytes(32), 2, 3))
    add("same key, another threshold", good, cap_string(root, 1, 3))
    # hostile: authenticated, but the inner stream breaks the format
    inner = inner_stream(text)
    hostile = {
        "padding not zero": inner + b"\x01",
        # zeros after the last record read as the end marker, so a missing marker
        # can only be shown by a record that runs past the end of the stream
        "record runs past the end": (100_000).to_bytes(4, "big") + bytes(10),
        "record longer than allowed": (CHUNK * 2).to_bytes(4, "big") + bytes(60),
        "record is not a zstd frame": (8).to_bytes(4, "big") + b"notzstd!" + bytes(4),
        "frame without content size": (
            lambda f: len(f).to_bytes(4, "big") + f + bytes(4)
        )(zstandard.ZstdCompressor(write_content_size=False).compress(b"x" * 100)),
        "short chunk before another": (
            lambda f: (len(f).to_bytes(4, "big") + f) * 2 + bytes(4)
        )(zstandard.ZstdCompressor(level=3, write_content_size=True).compress(b"x" * 100)),
    }
    for name, bad_inner in hostile.items():
        hroot = r.randbytes(32)
        add(name, seal_inner(bad_inner, hroot, 1, 1), cap_string(hroot, 1, 1))
    hroot = r.randbytes(32)
    stripes, full, _last = layout(1, len(inner))
    add("padded beyond the canonical size",
        seal_inner(inner, hroot, 1, 1, pad_to=(stripes, full, 4096)), cap_string(hroot, 1, 1))
    hroot = r.randbytes(32)
    add("last stripe not marked final",
        seal_inner(inner, hroot, 1, 1, final_flag=False), cap_string(hroot, 1, 1))

    drop_root, bundle_root, nonce = r.randbytes(32), r.randbytes(32), r.randbytes(12)
    bundle = seal_inner(inner_stream(text), bundle_root, 1, 1)[0]
    drop = {
        "drop_cap": cap_string(drop_root, 1, 1),
        "file": drop_file(drop_root, bundle_root, nonce, bundle).hex(),
        "bundle_root_key": bundle_root.hex(),
        "payload": text.hex(),
    }
    caps_reject = [
        ("wrong prefix", "sz2-" + cap[4:]),
        ("one character changed", cap[:10] + ("a" if cap[10] != "a" else "b") + cap[11:]),
        ("too short", cap[:-1]),
        ("non-base32 character", cap[:-1] + "1"),
        ("k greater than n", cap_string(root, 3, 2)),
        ("k is zero", cap_string(root, 0, 2)),
        ("version 2", "sz1-" + base64.b32encode(
            (body := bytes([2, 1, 1]) + root)
            + hashlib.sha256(b"samizdat 2026 read capability checksum v1\x00" + body).digest()[:4]
        ).decode().rstrip("=").lower()),
    ]
    out = {
        "format": "samizdat envelope v1 (capability version byte 1)",
        "generator": "tests/vectors/generate_envelope.py (independent of samizdat)",
        "valid": valid,
        "must_reject": reject,
        "capability_must_reject": [{"name": a, "cap": b} for a, b in caps_reject],
        "dead_drop": drop,
    }
    path = Path(__file__).with_name("envelope.json")
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
