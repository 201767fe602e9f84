"""The network engine, sans-io: every decision a node makes about its contacts.

The asyncio node (``node/``) and the discrete-event simulator (``sim/``) both drive
this module and decide nothing themselves. In the h11 manner it takes bytes (or
decoded frames) and time in, and gives bytes and events out; it never touches a
socket, a file, a clock or global randomness (``now`` and ``rng`` are passed in).

It holds:

* :class:`Engine` — whom to call and when to stay quiet (stop rule 3 of
  ``protocol/gossip.py``), for one node's :class:`~samizdat.protocol.gossip.GossipState`.
  The engine object keeps no per-node state, so the simulator shares one between
  a million nodes, each with its own small ``GossipState``.
* :class:`Conversation` — one session with one contact: the
  :class:`~samizdat.protocol.session.Session` machine, plus the policy applied at
  the moment reconciliation ends. What to ask for is decided here: only ids we do
  not hold, at most the quota's budget (rule 1), and nothing while another
  conversation of the same node is pulling (rule 2). The driver learns the decision
  as an :class:`Ask` event and may only add resume offsets to it.

The driver's part, in both drivers::

    conv = engine.open(state, contact, offer, held, initiator=..., quota=..., now=...)
    send(conv.start())
    for each frame (or bytes: conv.receive_data) from the peer:
        frames, events = conv.receive(frame)   # RemoteProtocolError: cut the contact off
        Ask(items)      -> send(conv.want([(item, resume offset), ...]))
        Wanted(items)   -> send(conv.send_item(...)) for each, then conv.end()
        Chunk/Completed -> store it; after an item verified: conv.gained(held)
        Closed          -> done
    conv.finish(now)  # always, also after an error or timeout

Errors: the peer's mistakes are :class:`~samizdat.errors.RemoteProtocolError` (a
malformed payload's :class:`~samizdat.errors.DecodeError` is wrapped into one), and
only those cut a contact off; driving the engine wrongly (wanting what was not
chosen, feeding a finished conversation) is :class:`~samizdat.errors.LocalProtocolError`,
a bug in our code. See ``docs/spec/engine.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Container, Hashable, Sequence
from dataclasses import dataclass

from samizdat.errors import DecodeError, LocalProtocolError, RemoteProtocolError
from samizdat.protocol import session as proto
from samizdat.protocol.frames import MAX_FRAME, Frame, FrameDecoder
from samizdat.protocol.gossip import (
    C,
    Contact,
    GossipState,
    budget,
    choose,
    choose_within,
    next_call,
)
from samizdat.protocol.interfaces import HasQuota
from samizdat.protocol.reconcile import ItemSet

__all__ = [
    "Ask",
    "Conversation",
    "Engine",
    "EngineEvent",
    "GroupRoom",
    "HasQuota",
]


@dataclass(frozen=True, slots=True)
class Ask:
    """The engine's choice, once reconciled: ask the peer for these ids (in this
    order). ``lacking`` counts the ids the peer had that we lack, chosen or not."""

    items: list[bytes]
    lacking: int


EngineEvent = Ask | proto.Wanted | proto.Chunk | proto.Completed | proto.Closed

GroupRoom = Callable[[bytes], tuple[Hashable, int]]
"""Maps an offered id to its group (a document) and how many more of that group the
node wants."""


def _rank(item: bytes) -> bytes:
    """Preference among offered ids: pair-keyed ids are already a random order
    private to the pair, which spreads choices over all shards."""
    return item


class Engine:
    """The decisions of pass-along for nodes that share these knobs."""

    __slots__ = ("max_wants", "quiet")

    def __init__(self, *, quiet: float = math.inf, max_wants: int = proto.MAX_WANTS) -> None:
        if quiet <= 0:
            raise ValueError("quiet must be positive")
        if not 0 <= max_wants <= proto.MAX_WANTS:
            raise ValueError(f"max_wants must be between 0 and {proto.MAX_WANTS}")
        self.quiet = quiet
        """Seconds after which an in-step mark expires and the contact is called again
        (the simulator: never; the node: some rounds, in case a change was missed)."""
        self.max_wants = max_wants

    def next_call(self, state: GossipState, contacts: Sequence[C], quota: int | None,
                  now: float, rng: Callable[[int], bytes]) -> C | None:
        """The contact to call now, or None to stay quiet until something changes
        (we gain an item, or an in-step mark expires)."""
        if state.in_step and self.quiet != math.inf:
            old = [c for c, t in state.in_step.items() if now - t >= self.quiet]
            for c in old:
                del state.in_step[c]
        lacking = quota is not None and state.held < quota
        return next_call(state, contacts, lacking, rng)

    def open(self, state: GossipState, contact: Contact, offer: ItemSet,
             held: Container[bytes], *, initiator: bool, quota: int | None = None,
             chunk_bytes: int = proto.CHUNK_BYTES, max_frame: int = MAX_FRAME,
             extensions: Sequence[proto.Extension] = (),
             group_room: GroupRoom | None = None) -> Conversation:
        """A conversation with ``contact``: we offer ``offer`` (pair-keyed ids) and
        already hold ``held`` (pair-keyed ids; never asked for).

        ``group_room(id) -> (group, room)``, if given, splits the quota by group (a
        document): ids of a group with no room left are not wanted, and no more than
        ``room`` of a group are asked for (``gossip.choose_within``)."""
        return Conversation(self, state, contact, offer, held, initiator=initiator,
                            quota=quota, chunk_bytes=chunk_bytes, max_frame=max_frame,
                            extensions=extensions, group_room=group_room)


class Conversation:
    """One session with one contact, with the engine's policy applied."""

    __slots__ = ("_chosen", "_decoder", "_decoder_max", "_deferred", "_engine", "_finished",
                 "_group_room", "_held",
                 "_pulling", "_quota", "contact", "session", "state")

    def __init__(self, engine: Engine, state: GossipState, contact: Contact, offer: ItemSet,
                 held: Container[bytes], *, initiator: bool, quota: int | None,
                 chunk_bytes: int, max_frame: int,
                 extensions: Sequence[proto.Extension],
                 group_room: GroupRoom | None = None) -> None:
        self._engine = engine
        self._group_room = group_room
        self.state = state
        self.contact = contact
        self.session = proto.Session(offer, initiator=initiator, chunk_bytes=chunk_bytes,
                                     extensions=extensions)
        self._held = held
        self._quota = quota
        self._decoder: FrameDecoder | None = None
        self._decoder_max = max_frame
        self._chosen: frozenset[bytes] | None = None
        self._pulling = False  # this conversation holds the node's one pull
        self._deferred = False  # we lacked something but asked nothing (rule 2)
        self._finished = False

    def __repr__(self) -> str:
        return f"<Conversation {self.session.phase.value}>"

    # ------------------------------------------------------------- bytes in

    def start(self) -> list[bytes]:
        """The opening frames (the dialer's first RECONCILE; nothing for the other)."""
        frames, _ = self.session.start()
        return frames

    def receive(self, frame: Frame) -> tuple[list[bytes], list[EngineEvent]]:
        """One frame from the peer: frames to send back, and events."""
        if self._finished:
            raise LocalProtocolError("a frame was fed to a finished conversation")
        try:
            frames, events = self.session.receive(frame)
        except DecodeError as exc:
            raise RemoteProtocolError(f"the peer sent a malformed frame ({exc.message})") \
                from exc
        out: list[EngineEvent] = []
        for event in events:
            if isinstance(event, proto.Reconciled):
                out.append(self._choose(event.need))
            else:
                out.append(event)
        return frames, out

    def receive_data(self, data: bytes) -> tuple[list[bytes], list[EngineEvent]]:
        """Raw bytes from the stream (for drivers without their own framing)."""
        if self._decoder is None:
            self._decoder = FrameDecoder(max_frame=self._decoder_max)
        try:
            decoded = self._decoder.feed(data)
        except DecodeError as exc:
            raise RemoteProtocolError(f"the peer broke the framing ({exc.message})") from exc
        frames: list[bytes] = []
        events: list[EngineEvent] = []
        for frame in decoded:
            if self.session.closed:
                break
            more, evs = self.receive(frame)
            frames += more
            events += evs
        return frames, events

    # ------------------------------------------------------------- driver calls

    def want(self, items: list[tuple[bytes, int]]) -> list[bytes]:
        """Ask for what :class:`Ask` chose, each from a resume offset; a subset is
        allowed (a driver may drop an item it cannot take), anything else is a bug."""
        if self._chosen is None:
            raise LocalProtocolError("want() answers the Ask event")
        if any(item not in self._chosen for item, _ in items):
            raise LocalProtocolError("want() may ask only for what the engine chose")
        self._chosen = frozenset()
        if not items and self._pulling:
            self._release()
        return self.session.want(items)

    def send_item(self, item: bytes, payload: bytes, offset: int = 0) -> list[bytes]:
        return self.session.send_item(item, payload, offset)

    def end(self) -> tuple[list[bytes], list[EngineEvent]]:
        frames, events = self.session.end()
        return frames, [e for e in events if not isinstance(e, proto.Reconciled)]

    def abort(self, reason: int = 1) -> list[bytes]:
        return self.session.abort(reason)

    def gained(self, held: int) -> None:
        """The driver stored a new item; the node now holds ``held`` items."""
        self.state.gained(held)

    def finish(self, now: float) -> None:
        """The conversation is over (closed, failed, timed out or cut): release the
        pull and, if it ran to its end with nothing left out, mark the contact in
        step. Safe to call more than once."""
        if self._finished:
            return
        self._finished = True
        if self._pulling:
            self._release()
        s = self.session
        if s.phase is proto.Phase.CLOSED and not self._deferred and not s.incomplete:
            self.state.call_completed(self.contact, now)

    @property
    def closed(self) -> bool:
        return self.session.closed

    # ------------------------------------------------------------- policy

    def _choose(self, need: list[bytes]) -> Ask:
        lacking = [i for i in need if i not in self._held]
        want = min(self._engine.max_wants, budget(self._quota, self.state))
        group_room = self._group_room
        if group_room is None:
            items = choose(lacking, want, _rank)
        else:
            # a group with no room is as good as held: not lacking, not deferred
            lacking = [i for i in lacking if group_room(i)[1] > 0]
            items = choose_within(lacking, want, _rank, group_room)
        if items:
            self.state.pulling = True
            self._pulling = True
        elif lacking and self.state.pulling:
            self._deferred = True  # another contact is pulling: not in step with this one
        self._chosen = frozenset(items)
        return Ask(items, len(lacking))

    def _release(self) -> None:
        self._pulling = False
        self.state.pulling = False
