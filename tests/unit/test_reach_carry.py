"""Carrying reach sketches: the SKETCH frame in a session, the optional part of a
package (docs/spec/reach.md, frames.md, package.md)."""

from __future__ import annotations

import os

import pytest

from samizdat.core import package as pkg
from samizdat.core import reach
from samizdat.errors import DecodeError, ProtocolError
from samizdat.protocol.frames import Frame, FrameType
from samizdat.protocol.reconcile import ItemSet
from samizdat.protocol.session import (
    MAX_SKETCHES,
    Closed,
    Reconciled,
    Session,
    SketchArrived,
    Wanted,
)
from samizdat.runtime import system_rng
from samizdat.testing.hostile import tiny_paragraph_package

KEY = bytes(range(32))


def _sketch(n: int) -> reach.ReachSketch:
    s = reach.ReachSketch.empty()
    for _ in range(n):
        s = s.merge(reach.contribution(os.urandom(32), "reader"))
    return s


def _run(a_sketches: list[bytes], b_sketches: list[bytes]) -> tuple[list[SketchArrived],
                                                                     list[SketchArrived]]:
    """Two machines, each sending its sketches right after its WANT (as the node
    does); returns what each received."""
    a = Session(ItemSet([os.urandom(16)]), initiator=True)
    b = Session(ItemSet([]), initiator=False)
    got: dict[int, list[SketchArrived]] = {id(a): [], id(b): []}
    mine = {id(a): a_sketches, id(b): b_sketches}
    queue = [(b, w) for w in a.start()[0]]
    closed = 0
    while queue:
        target, wire = queue.pop(0)
        other = a if target is b else b
        frames, events = target.receive(Frame(FrameType(wire[5]), wire[6:]))
        for e in events:
            if isinstance(e, Reconciled):
                frames += target.want([])
                for p in mine[id(target)]:
                    frames += target.sketch(p)
            elif isinstance(e, Wanted):
                more, evs = target.end()
                frames += more
                closed += sum(isinstance(x, Closed) for x in evs)
            elif isinstance(e, SketchArrived):
                got[id(target)].append(e)
            elif isinstance(e, Closed):
                closed += 1
        queue += [(other, f) for f in frames]
    assert a.closed and b.closed and closed == 2
    return got[id(a)], got[id(b)]


def test_sketches_travel_both_ways_under_pair_keyed_ids() -> None:
    doc = os.urandom(32)
    pid = reach.pair_document_id(KEY, doc)
    sa, sb = _sketch(5), _sketch(7)
    at_a, at_b = _run([reach.encode_sketch_frame(pid, sa)],
                      [reach.encode_sketch_frame(pid, sb)])
    assert [(e.pair_doc, reach.decode_sketch_frame(e.payload)[1]) for e in at_b] == [(pid, sa)]
    assert [reach.decode_sketch_frame(e.payload)[1] for e in at_a] == [sb]
    # the id is the pair's: another pair, or the bare document id, gives another one
    assert pid != reach.pair_document_id(bytes(32), doc) and doc[:16] != pid
    assert doc not in at_b[0].payload


def test_a_session_without_sketches_is_a_whole_session() -> None:
    assert _run([], []) == ([], [])


def test_bytes_added_per_document_are_one_frame() -> None:
    assert reach.SKETCH_BYTES == 801  # 1 version byte, 1,280 registers of 5 bits
    assert reach.SKETCH_FRAME_BYTES == 16 + 801


def _choosing() -> Session:
    """A responder whose reconciliation finished (it may now receive sketches)."""
    a = Session(ItemSet([]), initiator=True)
    b = Session(ItemSet([]), initiator=False)
    wire = a.start()[0]
    queue = [(b, w) for w in wire]
    while queue:
        target, w = queue.pop(0)
        other = a if target is b else b
        frames, _ = target.receive(Frame(FrameType(w[5]), w[6:]))
        queue += [(other, f) for f in frames]
    assert b.phase.value == "choosing"
    return b


@pytest.mark.parametrize("payload", [
    b"", b"\x00" * 16, b"\x00" * (reach.SKETCH_FRAME_BYTES - 1),
    b"\x00" * (reach.SKETCH_FRAME_BYTES + 1), b"\x00" * 100_000,
    b"\x00" * 16 + b"\x02" + bytes(reach.SKETCH_BYTES - 1),  # wrong version
])
def test_a_malformed_sketch_frame_is_refused(payload: bytes) -> None:
    s = _choosing()
    with pytest.raises(DecodeError):
        s.receive(Frame(FrameType.SKETCH, payload))
    assert s.closed


def test_sketch_rules_of_the_session() -> None:
    good = reach.encode_sketch_frame(b"i" * 16, _sketch(1))
    # not before reconciliation has finished
    s = Session(ItemSet([]), initiator=False)
    with pytest.raises(ProtocolError):
        s.receive(Frame(FrameType.SKETCH, good))
    # one per document
    s = _choosing()
    s.receive(Frame(FrameType.SKETCH, good))
    with pytest.raises(ProtocolError, match="two sketches"):
        s.receive(Frame(FrameType.SKETCH, good))
    # a bounded number per session
    s = _choosing()
    for i in range(MAX_SKETCHES):
        s.receive(Frame(FrameType.SKETCH, i.to_bytes(16, "big") + good[16:]))
    with pytest.raises(ProtocolError, match="too many"):
        s.receive(Frame(FrameType.SKETCH, (MAX_SKETCHES).to_bytes(16, "big") + good[16:]))
    # and we cannot send one after our END, nor a malformed one
    s = _choosing()
    s.want([])
    with pytest.raises(DecodeError):
        s.sketch(good[:-1])
    s.end()
    with pytest.raises(ProtocolError):
        s.sketch(good)


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
