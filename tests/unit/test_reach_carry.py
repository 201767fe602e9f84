"""Carrying reach sketches: the SKETCH frame in a session, the optional part of a
package (docs/spec/reach.md, frames.md, package.md)."""

from __future__ import annotations

import os

import pytest

from samizdat.core import package as pkg
from samizdat.core import reach
from samizdat.errors import DecodeError, RemoteProtocolError
from samizdat.protocol.frames import Frame, FrameType
from samizdat.protocol.reconcile import ItemSet
from samizdat.protocol.session import Closed, Session
from samizdat.runtime import system_rng
from samizdat.testing.hostile import tiny_paragraph_package
from samizdat.testing.sessions import drive

KEY = bytes(range(32))


def _sketch(n: int) -> reach.ReachSketch:
    s = reach.ReachSketch.empty()
    for _ in range(n):
        s = s.merge(reach.contribution(os.urandom(32), "reader"))
    return s


class _Recorder:
    """A SKETCH extension without a store (app/reach.SketchExchange is the real one,
    run by tests/integration/test_reach_cli.py over real nodes): sends ``payload``,
    decodes what arrives with the real codec."""

    frame_type = FrameType.SKETCH

    def __init__(self, payload: bytes | None) -> None:
        self.payload = payload
        self.got: list[list[tuple[bytes, reach.ReachSketch]]] = []

    def opening(self) -> bytes | None:
        return self.payload

    def receive(self, payload: bytes) -> None:
        self.got.append(reach.decode_sketch_frame(payload))


def _run(a_payload: bytes | None, b_payload: bytes | None) -> tuple[_Recorder, _Recorder]:
    """Two machines with the extension; each wants nothing and ends."""
    ra, rb = _Recorder(a_payload), _Recorder(b_payload)
    a = Session(ItemSet([os.urandom(16)]), initiator=True, extensions=[ra])
    b = Session(ItemSet([]), initiator=False, extensions=[rb])
    run = drive(a, b, then="end")
    closed = [sum(isinstance(e, Closed) for e in side) for side in run.events]
    assert a.closed and b.closed and closed == [1, 1]
    return ra, rb


def test_sketches_travel_both_ways_under_pair_keyed_ids() -> None:
    docs = [os.urandom(32) for _ in range(3)]
    pids = [reach.pair_document_id(KEY, d) for d in docs]
    sa = [(p, _sketch(i + 2)) for i, p in enumerate(pids)]
    sb = [(pids[0], _sketch(7))]
    ra, rb = _run(reach.encode_sketch_frame(sa), reach.encode_sketch_frame(sb))
    assert rb.got == [sa] and ra.got == [sb]
    # the id is the pair's: another pair, or the bare document id, gives another one
    assert pids[0] != reach.pair_document_id(bytes(32), docs[0]) and docs[0][:16] != pids[0]
    assert all(d not in reach.encode_sketch_frame(sa) for d in docs)


def test_a_session_without_sketches_is_a_whole_session() -> None:
    ra, rb = _run(None, None)
    assert ra.got == rb.got == []


def test_bytes_per_document() -> None:
    assert reach.SKETCH_BYTES == 801  # 1 version byte, 1,280 registers of 5 bits
    assert reach.SKETCH_ENTRY_BYTES == 16 + 801
    one = reach.encode_sketch_frame([(b"i" * 16, _sketch(1))])
    assert len(one) == 2 + 817
    assert 2 + reach.MAX_FRAME_SKETCHES * 817 < 1 << 20  # fits one frame


def _reconciled(ext: _Recorder) -> Session:
    """A responder whose reconciliation finished (it may now receive a sketch)."""
    a = Session(ItemSet([]), initiator=True)
    b = Session(ItemSet([]), initiator=False, extensions=[ext])
    drive(a, b, then="stay")
    assert b.phase.value == "choosing"
    return b


GOOD = reach.encode_sketch_frame([(b"i" * 16, reach.ReachSketch.empty())])


@pytest.mark.parametrize("payload", [
    b"", b"\x00", b"\x00\x00" + GOOD[2:],  # count 0
    b"\x00\x02" + GOOD[2:],  # count 2, one entry
    GOOD[:-1], GOOD + b"\x00", b"\xff\xff" + b"\x00" * 100_000,
    GOOD[:18] + b"\x02" + GOOD[19:],  # sketch version 2
    b"\x00\x02" + GOOD[2:] * 2,  # one document twice
])
def test_a_malformed_sketch_frame_is_refused(payload: bytes) -> None:
    ext = _Recorder(None)
    s = _reconciled(ext)
    with pytest.raises(DecodeError):
        s.receive(Frame(FrameType.SKETCH, payload))
    assert s.closed and ext.got == []


def test_no_sketch_before_reconciliation() -> None:
    ext = _Recorder(None)
    s = Session(ItemSet([]), initiator=False, extensions=[ext])
    with pytest.raises(RemoteProtocolError):
        s.receive(Frame(FrameType.SKETCH, GOOD))
    assert ext.got == []


def test_the_encoder_keeps_to_the_rules() -> None:
    with pytest.raises(ValueError):
        reach.encode_sketch_frame([])
    with pytest.raises(ValueError):
        reach.encode_sketch_frame([(b"i" * 16, _sketch(1))] * 2)
    with pytest.raises(ValueError):
        reach.encode_sketch_frame([(b"i" * 16, _sketch(1))] * (reach.MAX_FRAME_SKETCHES + 1))


def test_a_package_part_round_trips_and_old_packages_still_decode() -> None:
    old = tiny_paragraph_package(3, system_rng)
    decoded = pkg.decode_package(old)
    assert decoded.reach is None
    part = _sketch(3).encode()
    new = pkg.encode_package(pkg.Package(decoded.document, decoded.entry, (), part))
    again = pkg.decode_package(new)
    assert again.reach == part and again.entry == decoded.entry
    assert pkg.encode_package(again) == new  # canonical
    assert len(new) - len(old) == len(part) + 6 + 3  # key "reach", a 2-byte length head
    pkg.check_package(again)


def test_the_encoder_refuses_a_bad_part() -> None:
    decoded = pkg.decode_package(tiny_paragraph_package(1, system_rng))
    with pytest.raises(DecodeError):
        pkg.encode_package(pkg.Package(decoded.document, decoded.entry, (), b"\x01" * 10))


def _inflated(s: reach.ReachSketch, by: int = 3) -> reach.ReachSketch:
    def up(x: reach.Sketch) -> reach.Sketch:
        return reach.Sketch(bytes(min(reach.MAX_RANK, r + by) for r in x.registers))

    return reach.ReachSketch(up(s.holders), up(s.reads))


def test_admit_refuses_a_sketch_whose_low_registers_were_raised() -> None:
    """The attack measured at 10,000 nodes (+61%): hostile nodes send every register
    at least 3. Its size estimate is below an honest view's, so no ratio test sees
    it, but no union of tokens of that size leaves no register below 3."""
    for n in (0, 1, 30, 400, 3000, 8000):
        honest = _sketch(n)
        reach.admit(reach.ReachSketch.empty(), honest)
        assert not reach.low_registers_missing(honest.reads)
        floor = reach.Sketch(bytes(max(3, r) for r in honest.reads.registers))
        assert reach.low_registers_missing(floor), n
        if n <= 30:  # a sparse sketch shifted up: every zero became 3
            with pytest.raises(DecodeError, match="low registers"):
                reach.admit(reach.ReachSketch.empty(), _inflated(honest))
    # a dense view shifted up by 3 looks like eight times as many tokens (HLL is
    # scale-free): that is combine()'s to catch, below


def test_combine_leaves_out_a_contact_that_inflates() -> None:
    """The attack: one contact sends its view with 3,200 invented tokens added
    (eight times the holders, the registers' shape kept, so admit() lets it in).
    Merged by the plain maximum it multiplies the estimate; combine() leaves it out."""
    world = _sketch(400)
    honest = [world.merge(_sketch(5)) for _ in range(4)]
    hostile = world.merge(_sketch(3200))
    reach.admit(reach.ReachSketch.empty(), hostile)  # invented tokens look honest
    own = reach.contribution(os.urandom(32), "reader")
    plain = own
    for s in [*honest, hostile]:
        plain = plain.merge(s)
    assert reach.estimate_readers(plain).holders > 4 * 400  # the attack works on max
    robust = reach.combine(own, [*honest, hostile])
    assert abs(robust.holders.estimate() / 420 - 1) < 0.25
    assert robust == reach.combine(own, honest)


def test_combine_merges_everything_below_three_sources_and_lagging_ones() -> None:
    own = reach.contribution(os.urandom(32), "reader")
    a, b = _sketch(50), _sketch(3000)
    assert reach.combine(own, [a, b]) == own.merge(a).merge(b)
    # a contact that lags (knows fewer) is never left out: only claims above
    small = [_sketch(200) for _ in range(3)] + [_sketch(2)]
    merged = own
    for s in small:
        merged = merged.merge(s)
    assert reach.combine(own, small) == merged


def test_the_exchange_takes_one_sketch_frame_a_session() -> None:
    from typing import cast

    from samizdat.app.reach import SketchExchange
    from samizdat.store import Store

    ext = SketchExchange(cast(Store, None), KEY, system_rng, lambda: 0)  # receive() only
    ext.receive(GOOD)
    with pytest.raises(RemoteProtocolError, match="two SKETCH"):
        ext.receive(GOOD)
