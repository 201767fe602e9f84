"""Golden vectors for reconciliation messages and wire frames (tests/vectors/*.json,
made by tests/vectors/generate_reconcile.py): the code must reproduce every valid
conversation byte for byte and refuse every must-reject input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from samizdat.errors import DecodeError, ProtocolError
from samizdat.protocol.frames import Frame, FrameDecoder, FrameType, encode_frame
from samizdat.protocol.reconcile import ItemSet, Reconciler, pair_item_id

VECTORS = Path(__file__).parent.parent / "vectors"
RECONCILE = json.loads((VECTORS / "reconcile.json").read_text())
FRAMES = json.loads((VECTORS / "frames.json").read_text())
ERRORS = {"DecodeError": DecodeError, "ProtocolError": ProtocolError}


def side(vector: dict, group: str) -> ItemSet:
    key = bytes.fromhex(vector["pair_key"])
    count = {"common": vector["common"], "a": vector["a_only"], "b": vector["b_only"]}
    names = [("common", i) for i in range(count["common"])]
    names += [(group, i) for i in range(count[group])]
    versions = [hashlib.sha256(f"{vector['name']}/{g}/{i}".encode()).digest()
                for g, i in names]
    return ItemSet(pair_item_id(key, v) for v in versions)


@pytest.mark.parametrize("vector", RECONCILE["valid"], ids=lambda v: v["name"])
def test_conversation_byte_for_byte(vector: dict) -> None:
    a, b = Reconciler(side(vector, "a")), Reconciler(side(vector, "b"))
    expected = [bytes.fromhex(m) for m in vector["messages"]]
    assert a.initiate() == expected[0]
    machines = [b, a]
    for i, msg in enumerate(expected):
        reply = machines[i % 2].receive(msg)
        if i + 1 < len(expected):
            assert reply == expected[i + 1]
        else:
            assert reply is None
    assert [i.hex() for i in a.need] == vector["a_need"]
    assert [i.hex() for i in a.offer] == vector["a_offer"]


@pytest.mark.parametrize("vector", RECONCILE["reject"], ids=lambda v: v["name"])
def test_responder_refuses(vector: dict) -> None:
    base = next(v for v in RECONCILE["valid"] if v["name"] == "300 shared, split ranges")
    r = Reconciler(side(base, "b"))
    with pytest.raises(ERRORS[vector["error"]]):
        r.receive(bytes.fromhex(vector["message"]))


@pytest.mark.parametrize("vector", FRAMES["valid"], ids=lambda v: v["type"])
def test_frame_vectors(vector: dict) -> None:
    frame_type, payload = FrameType[vector["type"]], bytes.fromhex(vector["payload"])
    assert encode_frame(frame_type, payload).hex() == vector["wire"]
    assert FrameDecoder().feed(bytes.fromhex(vector["wire"])) == [Frame(frame_type, payload)]


@pytest.mark.parametrize("vector", FRAMES["reject"], ids=lambda v: v["name"])
def test_frame_rejects(vector: dict) -> None:
    with pytest.raises(DecodeError):
        FrameDecoder().feed(bytes.fromhex(vector["wire"]))
