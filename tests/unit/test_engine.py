"""The sans-io engine: what a node asks for (quota, one puller at a time), whom it
calls, and whose fault a broken rule is."""

from __future__ import annotations

import random
import struct

import pytest

from samizdat.errors import LocalProtocolError, ProtocolError, RemoteProtocolError
from samizdat.protocol.engine import Ask, Conversation, Engine, EngineEvent
from samizdat.protocol.frames import Frame, FrameType, encode_frame
from samizdat.protocol.gossip import GossipState
from samizdat.protocol.reconcile import ItemSet, pair_item_id
from samizdat.protocol.session import Chunk, Completed, Wanted


def _versions(n: int, seed: int) -> dict[bytes, bytes]:
    r = random.Random(seed)
    return {r.randbytes(32): r.randbytes(300) for _ in range(n)}


class _Peer:
    """One side of a call, keyed by the pair's key: wire id -> payload."""

    def __init__(self, conv: Conversation, items: dict[bytes, bytes]) -> None:
        self.conv = conv
        self.items = items
        self.got: dict[bytes, bytes] = {}
        self.buf: dict[bytes, bytearray] = {}
        self.asked: list[bytes] = []

    def handle(self, events: list[EngineEvent]) -> list[bytes]:
        out: list[bytes] = []
        for ev in events:
            if isinstance(ev, Ask):
                self.asked += ev.items
                out += self.conv.want([(i, 0) for i in ev.items])
            elif isinstance(ev, Wanted):
                for item, offset in ev.items:
                    out += self.conv.send_item(item, self.items[item], offset)
                more, closing = self.conv.end()
                out += more + self.handle(closing)
            elif isinstance(ev, Chunk):
                self.buf.setdefault(ev.item, bytearray()).extend(ev.data)
            elif isinstance(ev, Completed):
                self.got[ev.item] = bytes(self.buf.pop(ev.item))
                self.conv.gained(self.conv.state.held + 1)
        return out


class _Link:
    """A byte pipe between two conversations; ``a`` dials."""

    def __init__(self, a: _Peer, b: _Peer) -> None:
        self.a, self.b = a, b
        self.queue = [(b, w) for w in a.conv.start()]

    def pump(self, steps: int | None = None) -> None:
        n = 0
        while self.queue and (steps is None or n < steps):
            target, wire = self.queue.pop(0)
            n += 1
            other = self.a if target is self.b else self.b
            frames, events = target.conv.receive_data(wire)
            self.queue += [(other, f) for f in frames + target.handle(events)]


def _call(a: _Peer, b: _Peer) -> None:
    _Link(a, b).pump()


def _pair(engine: Engine, state: GossipState, contact: object, mine: dict[bytes, bytes],
          theirs: dict[bytes, bytes], key: bytes, quota: int | None) -> tuple[_Peer, _Peer]:
    """Our side (with ``state``) and the contact's side, ids keyed by ``key``."""
    ours = {pair_item_id(key, v): p for v, p in mine.items()}
    other = {pair_item_id(key, v): p for v, p in theirs.items()}
    me = _Peer(engine.open(state, contact, ItemSet(ours), set(ours), initiator=False,
                           quota=quota), ours)
    peer = _Peer(engine.open(GossipState(held=len(other)), "me", ItemSet(other), set(other),
                             initiator=True), other)
    return me, peer


def test_the_quota_bounds_what_is_asked() -> None:
    """The old node asked for everything it lacked; a reader wants only its quota."""
    docs = _versions(10, 1)
    engine = Engine()
    me, peer = _pair(engine, GossipState(), "alice", {}, docs, b"k" * 32, quota=3)
    _call(peer, me)
    assert len(me.asked) == 3 and len(me.got) == 3
    assert me.conv.state.held == 3


def test_with_several_documents_each_gets_its_own_share_of_the_quota() -> None:
    """A reader of two 3-of-10 documents wants 3 shards of each (quota 6). Without a
    quota per document, one call takes the 6 that rank first, whatever document they
    belong to, and one document may go short; ``group_room`` caps each."""
    docs = _versions(20, 5)
    doc_of = {v: i % 2 for i, v in enumerate(docs)}  # ten shards of each document

    def by_rank(key: bytes) -> list[int]:
        return [d for _, d in sorted((pair_item_id(key, v), d) for v, d in doc_of.items())]

    # a pair whose six first ids in rank order are not three of each (most are not)
    key = next(k for k in (bytes([i]) * 32 for i in range(256))
               if sorted(by_rank(k)[:6]) != [0, 0, 0, 1, 1, 1])
    wire_doc = {pair_item_id(key, v): d for v, d in doc_of.items()}

    def counts(got: dict[bytes, bytes]) -> list[int]:
        return [sum(1 for w in got if wire_doc[w] == d) for d in (0, 1)]

    # today's choice: the six first in rank order, unbalanced for this key
    me, peer = _pair(Engine(), GossipState(), "alice", {}, docs, key, quota=6)
    _call(peer, me)
    assert len(me.got) == 6 and counts(me.got) != [3, 3]

    held = [0, 0]
    me, peer = _pair(Engine(), GossipState(), "alice", {}, docs, key, quota=6)
    me.conv = Engine().open(me.conv.state, "alice", ItemSet({}), set(), initiator=False,
                            quota=6, group_room=lambda w: (wire_doc[w], 3 - held[wire_doc[w]]))
    _call(peer, me)
    assert counts(me.got) == [3, 3]

    # a document already full is as good as held: nothing of it is asked for, and
    # the contact is in step afterwards (nothing it offers is still wanted)
    held = [3, 0]
    state = GossipState(held=3)
    me, peer = _pair(Engine(), state, "bob", {}, docs, key, quota=6)
    me.conv = Engine().open(state, "bob", ItemSet({}), set(), initiator=False, quota=6,
                            group_room=lambda w: (wire_doc[w], 3 - held[wire_doc[w]]))
    _call(peer, me)
    assert counts(me.got) == [0, 3]
    me.conv.finish(1.0)
    assert "bob" in state.in_step


def test_only_one_contact_is_pulled_from_at_a_time() -> None:
    """Attack on the old node: two contacts offering the same items under their own
    pair ids (which cannot be matched) were both asked for all of them, so every
    item came twice. The engine lets only one conversation pull."""
    docs = _versions(4, 2)
    engine, state = Engine(), GossipState()
    me1, alice = _pair(engine, state, "alice", {}, docs, b"a" * 32, quota=None)
    me2, bob = _pair(engine, state, "bob", {}, docs, b"b" * 32, quota=None)
    # both calls reach the choice before either has delivered anything
    one, two = _Link(alice, me1), _Link(bob, me2)
    one.pump(steps=2)
    two.pump(steps=2)
    assert len(me1.asked) == 4 and me2.asked == []
    assert state.pulling
    one.pump()  # finish the first call
    me1.conv.finish(1.0)
    assert not state.pulling
    assert len(me1.got) == 4 and me2.got == {}
    # the deferred call is not "in step": it lacked something and asked nothing
    two.pump()
    me2.conv.finish(2.0)
    assert "bob" not in state.in_step and "alice" in state.in_step


def test_a_call_that_ran_to_its_end_marks_the_contact_in_step() -> None:
    engine, state = Engine(quiet=100.0), GossipState()
    docs = _versions(2, 3)
    me, peer = _pair(engine, state, 7, docs, docs, b"c" * 32, quota=None)
    _call(peer, me)
    me.conv.finish(5.0)
    assert state.in_step == {7: 5.0}
    rng = random.Random(1).randbytes
    assert engine.next_call(state, [7], None, 50.0, rng) is None  # quiet
    assert engine.next_call(state, [7, 8], None, 50.0, rng) == 8  # a fresh contact
    assert engine.next_call(state, [7], None, 105.0, rng) == 7  # the mark expired
    # a node short of its quota keeps calling even contacts in step
    state.call_completed(7, 200.0)
    assert engine.next_call(state, [7], 3, 201.0, rng) == 7


def test_a_peer_breaking_a_rule_is_remote_our_misuse_is_local() -> None:
    engine = Engine()
    conv = engine.open(GossipState(), "x", ItemSet([]), set(), initiator=False)
    with pytest.raises(LocalProtocolError):
        conv.want([])  # nothing was chosen yet
    # a WANT before reconciliation: the peer's fault
    bad = Frame(FrameType.WANT, struct.pack(">H", 0))
    with pytest.raises(RemoteProtocolError):
        conv.receive(bad)
    with pytest.raises(LocalProtocolError):  # feeding a failed session: ours
        conv.receive(bad)
    # a payload that does not decode is wrapped: still the peer's fault
    conv = engine.open(GossipState(), "x", ItemSet([]), set(), initiator=False)
    with pytest.raises(RemoteProtocolError, match="malformed"):
        conv.receive(Frame(FrameType.CLOSE, b"too long"))
    # broken framing on the byte stream, too
    conv = engine.open(GossipState(), "x", ItemSet([]), set(), initiator=False)
    wire = bytearray(encode_frame(FrameType.PING, b""))
    wire[4] = 99  # version byte
    with pytest.raises(RemoteProtocolError, match="framing"):
        conv.receive_data(bytes(wire))
    assert issubclass(LocalProtocolError, ProtocolError)
    assert not issubclass(LocalProtocolError, RemoteProtocolError)


def test_the_driver_may_ask_only_for_what_the_engine_chose() -> None:
    docs = _versions(5, 4)
    engine, state = Engine(), GossipState()
    me, peer = _pair(engine, state, "a", {}, docs, b"d" * 32, quota=2)
    queue = [(me, w) for w in peer.conv.start()]
    ask: Ask | None = None
    while queue and ask is None:
        target, wire = queue.pop(0)
        frames, events = target.conv.receive_data(wire)
        queue += [(peer if target is me else me, f) for f in frames]
        ask = next((e for e in events if isinstance(e, Ask)), None) if target is me else None
    assert ask is not None and len(ask.items) == 2 and ask.lacking == 5
    extra = next(i for i in me.conv.session.reconciler.need if i not in ask.items)
    with pytest.raises(LocalProtocolError):
        me.conv.want([(extra, 0)])
    assert me.conv.want([(ask.items[0], 0)])  # a subset is fine


class _Sketch:
    """A stand-in extension (a reach sketch would be one) on a spare frame type."""

    frame_type = FrameType.INVITE

    def __init__(self, mine: bytes) -> None:
        self.mine = mine
        self.got: list[bytes] = []

    def opening(self) -> bytes | None:
        return self.mine

    def receive(self, payload: bytes) -> None:
        self.got.append(payload)


def test_an_extension_is_exchanged_after_reconciliation_and_refused_before() -> None:
    docs = _versions(3, 5)
    engine = Engine()
    key = b"e" * 32
    ours = {pair_item_id(key, v): p for v, p in docs.items()}
    xa, xb = _Sketch(b"sketch a"), _Sketch(b"sketch b")
    a = _Peer(engine.open(GossipState(), 1, ItemSet(ours), set(ours), initiator=True,
                          extensions=[xa]), ours)
    b = _Peer(engine.open(GossipState(), 2, ItemSet([]), set(), initiator=False,
                          extensions=[xb]), {})
    _call(a, b)
    assert xa.got == [b"sketch b"] and xb.got == [b"sketch a"]
    assert len(b.got) == 3 and a.conv.session.phase.value == "closed"
    early = engine.open(GossipState(), 3, ItemSet([]), set(), initiator=False,
                        extensions=[_Sketch(b"x")])
    with pytest.raises(RemoteProtocolError):
        early.receive(Frame(FrameType.INVITE, b"too soon"))
