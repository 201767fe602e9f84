"""Generate tests/vectors/tickets.json: tickets and shard-item ids built here from
docs/spec/shards.md with the independent CBOR writer and blake3 only, not with
samizdat's codec, so the codec is checked against an independent writer.

Run: .venv/bin/python tests/vectors/generate_tickets.py
"""

from __future__ import annotations

import json
from pathlib import Path

import blake3
from independent import enc


def b3(data: bytes) -> bytes:
    return blake3.blake3(data).digest()


def ticket(k: int, n: int, key: bytes, version: bytes, shards: list[bytes]) -> bytes:
    return b"\x01" + enc({"k": k, "n": n, "key": key, "version": version, "shards": shards})


def main() -> None:
    key, version = bytes(range(32)), bytes(range(32, 64))
    valid = []
    for k, n in ((1, 1), (3, 10), (2, 3)):
        shards = [b3(b"shard %d" % i) for i in range(n)]
        t = ticket(k, n, key, version, shards)
        valid.append({
            "ticket_hex": t.hex(), "k": k, "n": n, "key_hex": key.hex(),
            "version_hex": version.hex(), "shards_hex": [s.hex() for s in shards],
            "ticket_id_hex": b3(b"samizdat ticket item v1" + t).hex(),
        })
    shard = bytes(range(256)) * 3
    shard_items = [{"shard_hex": shard.hex(),
                    "shard_id_hex": b3(b"samizdat shard item v1" + shard).hex()}]
    s3 = [b3(b"shard %d" % i) for i in range(3)]
    good = ticket(2, 3, key, version, s3)
    reject = {
        "empty": b"",
        "version 2": b"\x02" + good[1:],
        "truncated": good[:-1],
        "trailing byte": good + b"\x00",
        "k above n": ticket(4, 3, key, version, s3),
        "k zero": ticket(0, 3, key, version, s3),
        "n shards mismatch": ticket(2, 4, key, version, s3),
        "shard named twice": ticket(2, 3, key, version, [s3[0], s3[0], s3[1]]),
        "short key": ticket(2, 3, key[:31], version, s3),
        "short version": ticket(2, 3, key, version[:31], s3),
        "short shard id": ticket(2, 3, key, version, [s3[0], s3[1], s3[2][:31]]),
        "missing field": b"\x01" + enc({"k": 2, "n": 3, "key": key, "version": version}),
        "extra field": b"\x01" + enc({"k": 2, "n": 3, "key": key, "version": version,
                                     "shards": s3, "x": 0}),
        "not a map": b"\x01" + enc([2, 3, key, version, s3]),
        "text key": b"\x01" + enc({"k": 2, "n": 3, "key": "k" * 32, "version": version,
                                   "shards": s3}),
        # a non-canonical map: keys in the writer's order, not the canonical one
        "non-canonical order": b"\x01\xa5" + enc("n") + enc(3) + enc("k") + enc(2)
        + enc("key") + enc(key) + enc("shards") + enc(s3) + enc("version") + enc(version),
        "oversized": b"\x01" + b"\x00" * 10_000,
    }
    out = {
        "spec": "docs/spec/shards.md",
        "valid": valid,
        "shard_items": shard_items,
        "must_reject": [{"name": k, "ticket_hex": v.hex()} for k, v in reject.items()],
    }
    path = Path(__file__).with_name("tickets.json")
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
