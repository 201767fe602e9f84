"""The session state machine: reconcile, want, data, end — and a peer that breaks the
rules is cut off."""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.errors import DecodeError, ProtocolError
from samizdat.protocol.frames import Frame, FrameDecoder, FrameType, encode_frame
from samizdat.protocol.reconcile import ItemSet
from samizdat.protocol.session import (
    Chunk,
    Closed,
    Event,
    Phase,
    Reconciled,
    Session,
    Wanted,
)
from samizdat.testing.sessions import drive

Store = dict[bytes, bytes]


def store(n: int, seed: int, size: int = 1000) -> Store:
    r = random.Random(seed)
    return {r.randbytes(16): r.randbytes(size) for _ in range(n)}


def run(a_items: Store, b_items: Store, *, chunk: int = 300,
        cut_after: int | None = None) -> tuple[Store, Store, list[Event], list[Event]]:
    """Drive two sessions over an in-memory byte pipe; each side pulls all it lacks."""
    r = drive(Session(ItemSet(a_items), initiator=True, chunk_bytes=chunk),
              Session(ItemSet(b_items), initiator=False, chunk_bytes=chunk),
              (a_items, b_items), cut_after=cut_after)
    return r.got[0], r.got[1], r.events[0], r.events[1]


def test_each_side_gets_exactly_what_it_lacked() -> None:
    common = store(50, 1)
    a_only, b_only = store(4, 2), store(3, 3)
    got_a, got_b, ev_a, ev_b = run(common | a_only, common | b_only)
    assert got_a == b_only and got_b == a_only
    assert isinstance(ev_a[-1], Closed) and ev_a[-1].incomplete == []
    assert isinstance(ev_b[-1], Closed) and ev_b[-1].incomplete == []


def test_in_sync_moves_no_payload() -> None:
    common = store(20, 4)
    got_a, got_b, ev_a, _ = run(dict(common), dict(common))
    assert got_a == got_b == {}
    assert isinstance(ev_a[-1], Closed)


def test_interrupted_transfer_reports_incomplete_and_resumes() -> None:
    a_only = store(1, 5, size=5000)
    _, got_b, _, ev_b = run(dict(a_only), {}, chunk=500, cut_after=9)
    assert got_b == {}
    chunks = [e for e in ev_b if isinstance(e, Chunk)]
    assert chunks  # some bytes arrived
    reached = chunks[-1].offset + len(chunks[-1].data)
    # a fresh session asks from the offset reached and gets only the rest
    item = next(iter(a_only))
    b = Session(ItemSet(), initiator=False, chunk_bytes=500)
    a = Session(ItemSet(a_only), initiator=True, chunk_bytes=500)
    wires, _ = a.start()
    dec_a, dec_b = FrameDecoder(), FrameDecoder()
    (reply,), evs = b.receive(dec_b.feed(wires[0])[0])
    (want,) = b.want([(item, reached)])
    _, a_ev = a.receive(dec_a.feed(reply)[0])
    assert isinstance(a_ev[0], Reconciled)
    a.want([])
    _, (wanted,) = a.receive(dec_a.feed(want)[0])
    assert isinstance(wanted, Wanted) and wanted.items == [(item, reached)]
    data = a.send_item(item, a_only[item], reached)
    rest = b""
    for wire in data:
        for frame in dec_b.feed(wire):
            _, evs = b.receive(frame)
            rest += b"".join(e.data for e in evs if isinstance(e, Chunk))
    assert rest == a_only[item][reached:]
    assert b.payload_in == len(a_only[item]) - reached


def _ready_pair() -> tuple[Session, Session, bytes]:
    """Two sessions right after reconciliation; the item b may ask for."""
    items = store(1, 6)
    a = Session(ItemSet(items), initiator=True)
    b = Session(ItemSet(), initiator=False)
    dec = FrameDecoder()
    (first,), _ = a.start()
    (reply,), (ev,) = b.receive(dec.feed(first)[0])
    assert isinstance(ev, Reconciled) and b.phase is Phase.CHOOSING
    _, (ev_a,) = a.receive(FrameDecoder().feed(reply)[0])
    assert isinstance(ev_a, Reconciled)
    return a, b, next(iter(items))


def data_frame(item: bytes, offset: int, total: int, payload: bytes) -> Frame:
    return Frame(FrameType.DATA, struct.pack(">16sQQ", item, offset, total) + payload)


def test_unrequested_data_is_refused() -> None:
    _, b, item = _ready_pair()
    b.want([])
    with pytest.raises(ProtocolError, match="did not ask"):
        b.receive(data_frame(item, 0, 3, b"abc"))
    assert b.phase is Phase.FAILED


def test_out_of_order_and_oversize_data_refused() -> None:
    _, b, item = _ready_pair()
    b.want([(item, 0)])
    with pytest.raises(ProtocolError, match="order"):
        b.receive(data_frame(item, 5, 10, b"abc"))
    _, b, item = _ready_pair()
    b.want([(item, 0)])
    with pytest.raises(ProtocolError, match="more"):
        b.receive(data_frame(item, 0, 2, b"abc"))


def test_want_for_something_not_offered_is_refused() -> None:
    a, _, _ = _ready_pair()
    bogus = struct.pack(">H", 1) + struct.pack(">16sQ", b"\x09" * 16, 0)
    with pytest.raises(ProtocolError, match="did not offer"):
        a.receive(Frame(FrameType.WANT, bogus))


@pytest.mark.parametrize("payload", [b"", b"\x00", b"\x00\x02" + b"\0" * 24, b"\xff\xff"])
def test_malformed_want_refused(payload: bytes) -> None:
    a, _, _ = _ready_pair()
    with pytest.raises(DecodeError):
        a.receive(Frame(FrameType.WANT, payload))


def test_frames_out_of_phase_are_refused() -> None:
    s = Session(ItemSet(), initiator=False)
    with pytest.raises(ProtocolError, match="not allowed"):
        s.receive(Frame(FrameType.DATA, b"\0" * 40))
    with pytest.raises(ProtocolError):
        s.receive(Frame(FrameType.RECONCILE, b"\x01\x03\x00"))


def test_close_and_ping() -> None:
    s = Session(ItemSet(), initiator=False)
    out, _ = s.receive(Frame(FrameType.PING, b"hi"))
    assert out == [encode_frame(FrameType.PONG, b"hi")]
    _, (ev,) = s.receive(Frame(FrameType.CLOSE, b"\x01"))
    assert isinstance(ev, Closed) and s.closed


_types = st.sampled_from(list(FrameType))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(_types, st.binary(max_size=80)), max_size=6), st.booleans())
def test_fuzz_any_frames_only_typed_errors(frames: list[tuple[FrameType, bytes]],
                                           after_reconcile: bool) -> None:
    """Whatever frames a peer sends, in any phase, the session answers or fails with a
    typed error, and stays failed."""
    if after_reconcile:
        _, b, _ = _ready_pair()
        b.want([])
        target = b
    else:
        target = Session(ItemSet(store(5, 8)), initiator=False)
    for frame_type, payload in frames:
        try:
            target.receive(Frame(frame_type, payload))
        except (DecodeError, ProtocolError):
            assert target.closed
            with pytest.raises(ProtocolError):
                target.receive(Frame(FrameType.PING, b""))
            return
