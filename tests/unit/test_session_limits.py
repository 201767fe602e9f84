"""Session limits the spec states (docs/spec/frames.md) are enforced by the machine."""

from __future__ import annotations

import os
import struct

import pytest

from samizdat.errors import DecodeError, ProtocolError
from samizdat.protocol.frames import Frame, FrameType
from samizdat.protocol.reconcile import ItemSet
from samizdat.protocol.session import MAX_PING_BYTES, Reconciled, Session


def test_ping_over_64_bytes_is_refused() -> None:
    s = Session(ItemSet([]), initiator=False)
    frames, _ = s.receive(Frame(FrameType.PING, b"p" * MAX_PING_BYTES))
    assert frames  # answered with a PONG
    with pytest.raises(DecodeError):
        s.receive(Frame(FrameType.PING, b"p" * 100_000))


def test_close_must_carry_exactly_one_reason_byte() -> None:
    with pytest.raises(DecodeError):
        Session(ItemSet([]), initiator=False).receive(Frame(FrameType.CLOSE, b"x" * 5000))
    _, events = Session(ItemSet([]), initiator=False).receive(Frame(FrameType.CLOSE, b"\x01"))
    assert events


def _exchanging(ids: list[bytes]) -> Session:
    """A receiver that asked for ``ids`` from an honest peer that offered them."""
    peer = Session(ItemSet(ids), initiator=True)
    me = Session(ItemSet([]), initiator=False)
    wire = peer.start()[0]
    queue = [(me, w) for w in wire]
    while queue:
        target, w = queue.pop(0)
        other = peer if target is me else me
        frames, events = target.receive(Frame(FrameType(w[5]), w[6:]))
        queue += [(other, f) for f in frames]
        for e in events:
            if isinstance(e, Reconciled) and target is me:
                me.want([(i, 0) for i in e.need])
    return me


def test_interleaved_items_are_refused() -> None:
    """At most one half-received item per session: its bytes bound what a peer can
    make us hold (100 interleaved 6 MiB items took a node to 620 MB before)."""
    a, b = os.urandom(16), os.urandom(16)
    me = _exchanging([a, b])

    def data(item: bytes, offset: int, total: int, body: bytes) -> Frame:
        return Frame(FrameType.DATA, struct.pack(">16sQQ", item, offset, total) + body)

    me.receive(data(a, 0, 10, b"12345"))
    with pytest.raises(ProtocolError, match="interleaved"):
        me.receive(data(b, 0, 10, b"12345"))
    # the honest order, one item after the other, is accepted
    me = _exchanging([a, b])
    for item in (a, b):
        me.receive(data(item, 0, 10, b"12345"))
        me.receive(data(item, 5, 10, b"67890"))
