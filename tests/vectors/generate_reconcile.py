"""Generates tests/vectors/reconcile.json and tests/vectors/frames.json.

Run: python tests/vectors/generate_reconcile.py

Kept apart from the tests on purpose: the tests read the JSON only, so a change in
the code that alters a byte format makes them fail instead of regenerating silently.
Version ids come from SHA-256 of fixed labels (the rule is written in the JSON), so an
independent implementation can rebuild both sides' sets.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from samizdat.protocol.frames import FrameType, encode_frame
from samizdat.protocol.reconcile import ItemSet, Reconciler, pair_item_id

HERE = Path(__file__).parent


def label_bytes(label: str, n: int) -> bytes:
    return hashlib.sha256(label.encode()).digest()[:n]


def conversation(name: str, pair_key: bytes, common: int, a_only: int, b_only: int) -> dict:
    def versions(prefix: str, count: int) -> list[bytes]:
        return [label_bytes(f"{name}/{prefix}/{i}", 32) for i in range(count)]

    va = versions("common", common) + versions("a", a_only)
    vb = versions("common", common) + versions("b", b_only)
    ids_a = [pair_item_id(pair_key, v) for v in va]
    ids_b = [pair_item_id(pair_key, v) for v in vb]
    a, b = Reconciler(ItemSet(ids_a)), Reconciler(ItemSet(ids_b))
    messages = [a.initiate()]
    side = b
    while True:
        reply = side.receive(messages[-1])
        if reply is None:
            break
        messages.append(reply)
        side = a if side is b else b
    return {
        "name": name,
        "pair_key": pair_key.hex(),
        "common": common,
        "a_only": a_only,
        "b_only": b_only,
        "messages": [m.hex() for m in messages],
        "a_need": [i.hex() for i in a.need],
        "a_offer": [i.hex() for i in a.offer],
    }


def main() -> None:
    key = label_bytes("samizdat reconcile vector pair key", 32)
    valid = [
        conversation("in sync, small", key, 5, 0, 0),
        conversation("one each side, small", key, 6, 1, 1),
        conversation("empty against three", key, 0, 0, 3),
        conversation("300 shared, split ranges", key, 300, 4, 3),
        conversation("5000 shared, 256-way root", key, 5000, 2, 2),
    ]
    # must-reject: first messages a responder holding the 300-item set must refuse
    reject = [
        {"name": "empty message", "message": "", "error": "DecodeError"},
        {"name": "unknown version", "message": "0203", "error": "DecodeError"},
        {"name": "MATCH cannot open the root", "message": "0100", "error": "ProtocolError"},
        {"name": "4096-way split", "message": "010203" + "00" * 8, "error": "ProtocolError"},
        {"name": "truncated fingerprints", "message": "010201" + "00" * 100,
         "error": "DecodeError"},
        {"name": "ids not ascending", "message": "010302" + "ff" * 16 + "00" * 16,
         "error": "ProtocolError"},
        {"name": "trailing bytes", "message": "01030100" + "00" * 15 + "aa",
         "error": "DecodeError"},
        {"name": "varint not shortest", "message": "01038000", "error": "DecodeError"},
        {"name": "count over the limit", "message": "0103ffffffff0f", "error": "DecodeError"},
    ]
    out = {
        "format": "samizdat reconcile messages",
        "version": 1,
        "id_bytes": 16,
        "fingerprint_bytes": 8,
        "valid": valid,
        "versions": "version i of group G in vector NAME = SHA-256('NAME/G/i'), G in "
                    "common, a, b; side A holds common + a, side B common + b",
        "reject_responder": "side B of '300 shared, split ranges'",
        "reject_pair_key": key.hex(),
        "reject": reject,
    }
    (HERE / "reconcile.json").write_text(json.dumps(out, indent=1) + "\n")

    frames_valid = [
        {"type": t.name, "payload": p.hex(), "wire": encode_frame(t, p).hex()}
        for t, p in [
            (FrameType.RECONCILE, bytes.fromhex("0103" + "00")),
            (FrameType.WANT, b""),
            (FrameType.DATA, bytes(range(40))),
            (FrameType.END, b""),
            (FrameType.CLOSE, b"\x01"),
            (FrameType.PING, b"ping"),
            (FrameType.PONG, b"ping"),
        ]
    ]
    frames_reject = [
        {"name": "length 0", "wire": "00000000"},
        {"name": "length 1", "wire": "0000000101"},
        {"name": "version 0", "wire": "000000020001"},
        {"name": "version 2", "wire": "000000020201"},
        {"name": "type 0", "wire": "000000020100"},
        {"name": "type 9 (the first unused)", "wire": "000000020109"},
        {"name": "oversize announcement", "wire": "00100003"},
        {"name": "bad header of a long frame", "wire": "0000ffff0701"},
    ]
    (HERE / "frames.json").write_text(json.dumps({
        "format": "samizdat wire frames", "version": 1, "max_frame": 1 << 20,
        "valid": frames_valid, "reject": frames_reject}, indent=1) + "\n")


if __name__ == "__main__":
    main()
