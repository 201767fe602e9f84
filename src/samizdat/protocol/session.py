"""One contact session, sans-io: reconcile, ask for what is missing, stream it, end.

The driver (the asyncio node, or the simulator's virtual link) feeds decoded frames
to :meth:`Session.receive` and writes out the bytes it returns; decisions that need
the store or the policy come back as events, and the driver answers them by calling
:meth:`Session.want`, :meth:`Session.send_item` and :meth:`Session.end`. No socket,
clock or randomness here: timeouts are the driver's (it calls :meth:`Session.abort`).

The whole state of the conversation is its :class:`Phase`, moved only by the
transition table :data:`TRANSITIONS` (drawn in ``docs/spec/session.svg``). After
reconciliation each direction goes "nothing -> WANT -> END"; a side sends END only
after the peer's WANT (END answers it), so the phases are::

    RECONCILING --RECONCILE--> RECONCILING, --last RECONCILE--> CHOOSING
    CHOOSING    --WANT--> ASKED          --want()--> WAITING
    ASKED       --want()--> EXCHANGING   WAITING  --WANT--> EXCHANGING
    EXCHANGING  --end()--> RECEIVING     --END--> SENDING   (DATA loops, also
                                                               in WAITING)
    RECEIVING   --END--> CLOSED          SENDING  --end()--> CLOSED
    any live    --CLOSE | bad frame | abort()--> FAILED

A frame the table does not allow is the peer's fault (:class:`RemoteProtocolError`),
a driver call it does not allow is ours (:class:`LocalProtocolError`).

Events: :class:`Reconciled` (ids we lack / the peer lacks: choose with the gossip
policy, then call ``want``), :class:`Wanted` (the peer's requests: call
``send_item`` for each, then ``end``), :class:`Chunk` / :class:`Completed` (payload
arriving, never buffered here: the driver streams it to its store and keeps the
offset, so an interrupted transfer resumes where it stopped), :class:`Closed`.

Wire payloads (``docs/spec/frames.md``): ``WANT = u16 count || count × (id16 ||
u64 offset)``; ``DATA = id16 || u64 offset || u64 total || bytes``; ``END`` empty;
``CLOSE = u8 reason``. A peer may only want ids we offered, and may only send DATA
for ids we asked for, at exactly the next offset: anything else ends the session.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from samizdat.errors import DecodeError, LocalProtocolError, RemoteProtocolError
from samizdat.protocol.frames import MAX_FRAME, Frame, FrameType, encode_frame
from samizdat.protocol.reconcile import ItemSet, Limits, Reconciler

__all__ = [
    "CHUNK_BYTES",
    "MAX_ITEM_BYTES",
    "MAX_PING_BYTES",
    "MAX_WANTS",
    "TRANSITIONS",
    "Chunk",
    "Closed",
    "Completed",
    "Event",
    "Extension",
    "Input",
    "Phase",
    "Reconciled",
    "Session",
    "Wanted",
]

CHUNK_BYTES: Final = 64 * 1024
"""Payload bytes per DATA frame: small enough to interleave, large enough to be fast."""
MAX_ITEM_BYTES: Final = 1 << 40
"""Largest item a peer may announce (1 TiB): items are streamed, never held whole."""
MAX_WANTS: Final = 4096
"""Most items one WANT may ask for."""
MAX_PING_BYTES: Final = 64
"""Largest PING (and PONG) payload."""

_WANT_ITEM: Final = struct.Struct(">16sQ")  # 16 = ID_BYTES
_DATA_HEAD: Final = struct.Struct(">16sQQ")


class Phase(enum.Enum):
    """Where a session is. After reconciliation the phase says, for each direction,
    how far it got: nothing yet, WANT, or END (see the module docstring)."""

    __hash__ = object.__hash__  # identity (members are singletons): the table's
    # lookups are the hot path of a simulated million nodes

    RECONCILING = "reconciling"
    CHOOSING = "choosing"
    """Reconciled; neither side's WANT is known yet (ours not sent, theirs not seen)."""
    ASKED = "asked"
    """The peer's WANT arrived before we sent ours."""
    WAITING = "waiting"
    """We sent our WANT; the peer's has not arrived."""
    EXCHANGING = "exchanging"
    """Both WANTs are out: we send what the peer wants and receive what we asked."""
    RECEIVING = "receiving"
    """We sent our END; the peer is still sending."""
    SENDING = "sending"
    """The peer sent its END; we are still sending."""
    CLOSED = "closed"
    FAILED = "failed"


class Input(enum.Enum):
    """What moves a session from one phase to another: a frame from the peer, or a
    call of the driver (the ``our_`` inputs)."""

    __hash__ = object.__hash__  # identity, as for Phase

    RECONCILE = "RECONCILE"
    """A reconciliation message after which our reconciler is not done."""
    RECONCILE_LAST = "RECONCILE (last)"
    """The message that finished our reconciler."""
    WANT = "WANT"
    DATA = "DATA"
    END = "END"
    CLOSE = "CLOSE"
    PING = "PING/PONG"
    EXTENSION = "extension"
    """A frame of a registered :class:`Extension` (after reconciliation)."""
    BAD = "bad frame"
    """A frame that breaks a rule (RemoteProtocolError / DecodeError)."""
    OUR_WANT = "want()"
    OUR_DATA = "send_item()"
    OUR_END = "end()"
    OUR_ABORT = "abort()"


_LIVE: Final = (Phase.RECONCILING, Phase.CHOOSING, Phase.ASKED, Phase.WAITING,
                Phase.EXCHANGING, Phase.RECEIVING, Phase.SENDING)
_RECONCILED: Final = _LIVE[1:]

TRANSITIONS: Final[dict[tuple[Phase, Input], Phase]] = {
    (Phase.RECONCILING, Input.RECONCILE): Phase.RECONCILING,
    (Phase.RECONCILING, Input.RECONCILE_LAST): Phase.CHOOSING,
    (Phase.CHOOSING, Input.WANT): Phase.ASKED,
    (Phase.CHOOSING, Input.OUR_WANT): Phase.WAITING,
    (Phase.ASKED, Input.OUR_WANT): Phase.EXCHANGING,
    (Phase.ASKED, Input.OUR_DATA): Phase.ASKED,
    (Phase.WAITING, Input.WANT): Phase.EXCHANGING,
    (Phase.WAITING, Input.DATA): Phase.WAITING,
    (Phase.EXCHANGING, Input.DATA): Phase.EXCHANGING,
    (Phase.EXCHANGING, Input.OUR_DATA): Phase.EXCHANGING,
    (Phase.EXCHANGING, Input.OUR_END): Phase.RECEIVING,
    (Phase.EXCHANGING, Input.END): Phase.SENDING,
    (Phase.RECEIVING, Input.DATA): Phase.RECEIVING,
    (Phase.RECEIVING, Input.END): Phase.CLOSED,
    (Phase.SENDING, Input.OUR_DATA): Phase.SENDING,
    (Phase.SENDING, Input.OUR_END): Phase.CLOSED,
    **{(p, Input.PING): p for p in _LIVE},
    **{(p, Input.EXTENSION): p for p in _RECONCILED},
    **{(p, i): Phase.FAILED for p in _LIVE
       for i in (Input.CLOSE, Input.BAD, Input.OUR_ABORT)},
}
"""The whole state of a session's conversation: (phase, input) -> next phase. Any
peer input missing here is a :class:`RemoteProtocolError`, any driver call missing
here a :class:`LocalProtocolError`. ``docs/spec/session.dot`` draws this table (a
test checks that the two agree)."""

_FRAME_INPUT: Final = {
    FrameType.WANT: Input.WANT,
    FrameType.DATA: Input.DATA,
    FrameType.END: Input.END,
}


class Extension(Protocol):
    """Extra data a session exchanges after reconciliation (for example a reach
    sketch): the extension point for a new frame type. The session sends
    :meth:`opening` right after our WANT and hands every frame of ``frame_type``
    that arrives after reconciliation to :meth:`receive`; neither changes the phase,
    and such a frame before reconciliation ends the session."""

    frame_type: FrameType

    def opening(self) -> bytes | None:
        """The payload to send once we are reconciled (None: send nothing)."""

    def receive(self, payload: bytes) -> None:
        """Take the peer's payload; raise DecodeError/RemoteProtocolError to end the
        session on a malformed one."""


@dataclass(frozen=True)
class Reconciled:
    """Reconciliation finished: ``need`` are ids the peer has and we lack, ``offer``
    ids we have and the peer lacks."""

    need: list[bytes]
    offer: list[bytes]


@dataclass(frozen=True)
class Wanted:
    """The peer asks for these items, each from an offset (a resumed transfer)."""

    items: list[tuple[bytes, int]]


@dataclass(frozen=True)
class Chunk:
    """Bytes of an item we asked for."""

    item: bytes
    offset: int
    total: int
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Completed:
    """An item we asked for has arrived whole."""

    item: bytes


@dataclass(frozen=True)
class Closed:
    """The session is over; ``incomplete`` lists items we asked for that did not
    arrive whole (ask again, from the offset reached, next time)."""

    incomplete: list[bytes]
    reason: str = "done"


Event = Reconciled | Wanted | Chunk | Completed | Closed


class Session:
    """One side of one session with one contact."""

    def __init__(self, offer: ItemSet, *, initiator: bool, limits: Limits | None = None,
                 chunk_bytes: int = CHUNK_BYTES,
                 extensions: Sequence[Extension] = ()) -> None:
        if not 1 <= chunk_bytes <= MAX_FRAME - _DATA_HEAD.size:
            raise ValueError("chunk_bytes must fit in one frame")
        self.initiator = initiator
        self.phase = Phase.RECONCILING
        self.reconciler = Reconciler(offer, limits=limits)
        self._offer = offer
        self._chunk = chunk_bytes
        self._extensions = {e.frame_type: e for e in extensions}
        self._wants: dict[bytes, int] = {}  # item -> next offset we expect
        self._totals: dict[bytes, int] = {}
        self._complete: set[bytes] = set()
        self._peer_wants: list[tuple[bytes, int]] = []
        self._current: bytes | None = None  # the item being received, if unfinished
        self.bytes_out = 0
        self.bytes_in = 0
        self.payload_in = 0
        self.payload_out = 0

    def __repr__(self) -> str:
        return f"<Session {self.phase.value} initiator={self.initiator}>"

    # ----------------------------------------------------------- driver calls

    def start(self) -> tuple[list[bytes], list[Event]]:
        """The opening frames (only the initiator has any)."""
        if not self.initiator:
            return [], []
        return [self._frame(FrameType.RECONCILE, self.reconciler.initiate())], []

    def receive(self, frame: Frame) -> tuple[list[bytes], list[Event]]:
        """Take one frame from the peer; return frames to send and events.

        A frame the protocol does not allow raises :class:`RemoteProtocolError`, one
        whose payload does not decode :class:`DecodeError`; either way the session is
        then FAILED. Feeding a session that is already over is our own bug
        (:class:`LocalProtocolError`)."""
        if self.phase in (Phase.CLOSED, Phase.FAILED):
            raise LocalProtocolError(f"a frame was fed after the session {self.phase.value}")
        self.bytes_in += len(frame.payload) + 6
        try:
            return self._dispatch(frame)
        except (DecodeError, RemoteProtocolError):
            self._move(Input.BAD)
            raise

    def want(self, items: list[tuple[bytes, int]]) -> list[bytes]:
        """Ask for ``items`` (id, offset) — ids from :class:`Reconciled` ``need``."""
        if len(items) > MAX_WANTS:
            raise LocalProtocolError(f"at most {MAX_WANTS} items per session")
        need = set(self.reconciler.need)
        out = bytearray(struct.pack(">H", len(items)))
        for item, offset in items:
            if item not in need or item in self._wants:
                raise LocalProtocolError("only ids the peer offered can be wanted, once each")
            out += _WANT_ITEM.pack(item, offset)
        self._move(Input.OUR_WANT, local=True)
        for item, offset in items:
            self._wants[item] = offset
        frames = [self._frame(FrameType.WANT, bytes(out))]
        for ext in self._extensions.values():
            payload = ext.opening()
            if payload is not None:
                frames.append(self._frame(ext.frame_type, payload))
        return frames

    def send_item(self, item: bytes, payload: bytes, offset: int = 0) -> list[bytes]:
        """DATA frames carrying ``payload[offset:]`` of an item the peer wanted."""
        self._check(Input.OUR_DATA)
        if (item, offset) not in self._peer_wants:
            raise LocalProtocolError("send_item() answers only what the peer wanted")
        total = len(payload)
        frames: list[bytes] = []
        pos = offset
        while pos < total or (pos == total == 0 and not frames):
            chunk = payload[pos : pos + self._chunk]
            frames.append(self._frame(FrameType.DATA, _DATA_HEAD.pack(item, pos, total) + chunk))
            self.payload_out += len(chunk)
            pos += len(chunk)
            if not chunk:
                break
        return frames

    def end(self) -> tuple[list[bytes], list[Event]]:
        """We sent everything the peer wanted (or all we will)."""
        self._move(Input.OUR_END, local=True)
        frames = [self._frame(FrameType.END, b"")]
        return frames, self._closed_events()

    def abort(self, reason: int = 1) -> list[bytes]:
        """Give up (timeout, shutdown): a CLOSE frame for the peer (nothing if the
        session is already over)."""
        if self.closed:
            return []
        self._move(Input.OUR_ABORT, local=True)
        return [self._frame(FrameType.CLOSE, bytes((reason & 0xFF,)))]

    @property
    def closed(self) -> bool:
        return self.phase in (Phase.CLOSED, Phase.FAILED)

    @property
    def incomplete(self) -> list[bytes]:
        """Items we asked for that have not arrived whole (yet)."""
        return self._incomplete()

    @property
    def peer_wants(self) -> list[tuple[bytes, int]]:
        """What the peer asked for (empty until its WANT arrived)."""
        return list(self._peer_wants)

    # ----------------------------------------------------------- transitions

    def _check(self, what: Input) -> Phase:
        nxt = TRANSITIONS.get((self.phase, what))
        if nxt is None:
            raise LocalProtocolError(f"{what.value} is not allowed while {self.phase.value}")
        return nxt

    def _move(self, what: Input, *, local: bool = False) -> None:
        nxt = TRANSITIONS.get((self.phase, what))
        if nxt is None:
            if local:
                raise LocalProtocolError(f"{what.value} is not allowed while {self.phase.value}")
            raise RemoteProtocolError(f"a {what.value} frame is not allowed while "
                                      f"{self.phase.value}")
        self.phase = nxt

    def _dispatch(self, frame: Frame) -> tuple[list[bytes], list[Event]]:
        ftype = frame.type
        if ftype is FrameType.CLOSE:
            if len(frame.payload) != 1:
                raise DecodeError("CLOSE carries exactly one reason byte")
            self._move(Input.CLOSE)
            return [], [Closed(self._incomplete(), reason="closed by the peer")]
        if ftype in (FrameType.PING, FrameType.PONG):
            if len(frame.payload) > MAX_PING_BYTES:
                raise DecodeError(f"{ftype.name} carries at most {MAX_PING_BYTES} bytes")
            self._move(Input.PING)
            if ftype is FrameType.PING:
                return [self._frame(FrameType.PONG, frame.payload)], []
            return [], []
        if ftype is FrameType.RECONCILE:
            if self.phase is not Phase.RECONCILING:
                self._move(Input.RECONCILE)  # raises: not allowed here
            return self._on_reconcile(frame.payload)
        ext = self._extensions.get(ftype)
        if ext is not None:
            self._move(Input.EXTENSION)
            ext.receive(frame.payload)
            return [], []
        what = _FRAME_INPUT.get(ftype)
        if what is None or (self.phase, what) not in TRANSITIONS:
            raise RemoteProtocolError(f"a {ftype.name} frame is not allowed while "
                                      f"{self.phase.value}")
        if what is Input.WANT:
            events = self._on_want(frame.payload)
        elif what is Input.DATA:
            events = self._on_data(frame.payload)
        else:
            if frame.payload:
                raise DecodeError("END carries no payload")
            events = []
        self._move(what)
        return [], events + self._closed_events()

    # ----------------------------------------------------------- handlers

    def _on_reconcile(self, payload: bytes) -> tuple[list[bytes], list[Event]]:
        reply = self.reconciler.receive(payload)
        frames = [] if reply is None else [self._frame(FrameType.RECONCILE, reply)]
        if self.reconciler.done:
            self._move(Input.RECONCILE_LAST)
            return frames, [Reconciled(self.reconciler.need, self.reconciler.offer)]
        self._move(Input.RECONCILE)
        return frames, []

    def _on_want(self, payload: bytes) -> list[Event]:
        if len(payload) < 2:
            raise DecodeError("truncated WANT")
        (count,) = struct.unpack_from(">H", payload)
        if count > MAX_WANTS or len(payload) != 2 + count * _WANT_ITEM.size:
            raise DecodeError("WANT length does not match its count")
        items = []
        seen = set()
        for j in range(count):
            item, offset = _WANT_ITEM.unpack_from(payload, 2 + j * _WANT_ITEM.size)
            if item in seen or item not in self._offer:
                raise RemoteProtocolError("the peer wants an item we did not offer")
            seen.add(item)
            items.append((item, offset))
        self._peer_wants = items
        return [Wanted(items)]

    def _on_data(self, payload: bytes) -> list[Event]:
        if len(payload) < _DATA_HEAD.size:
            raise DecodeError("truncated DATA")
        item, offset, total = _DATA_HEAD.unpack_from(payload)
        data = payload[_DATA_HEAD.size :]
        expected = self._wants.get(item)
        if expected is None or item in self._complete:
            raise RemoteProtocolError("the peer sent an item we did not ask for")
        if self._current is not None and self._current != item:
            # items come whole, one after another: at most one is half-received, so
            # a session's in-flight bytes are bounded by one item, not by MAX_WANTS
            raise RemoteProtocolError("the peer interleaved two items")
        if offset != expected:
            raise RemoteProtocolError("the peer sent an item out of order")
        if total > MAX_ITEM_BYTES or offset + len(data) > total:
            raise RemoteProtocolError("the peer sent more of an item than it announced")
        if self._totals.setdefault(item, total) != total:
            raise RemoteProtocolError("the peer changed an item's size mid-transfer")
        if not data and offset != total:
            raise RemoteProtocolError("an empty DATA frame in the middle of an item")
        self._current = item
        self._wants[item] = offset + len(data)
        self.payload_in += len(data)
        events: list[Event] = [Chunk(item, offset, total, data)]
        if offset + len(data) == total:
            self._complete.add(item)
            self._current = None
            events.append(Completed(item))
        return events

    # ----------------------------------------------------------- helpers

    def _incomplete(self) -> list[bytes]:
        return sorted(i for i in self._wants if i not in self._complete)

    def _closed_events(self) -> list[Event]:
        if self.phase is Phase.CLOSED:
            return [Closed(self._incomplete())]
        return []

    def _frame(self, frame_type: FrameType, payload: bytes) -> bytes:
        wire = encode_frame(frame_type, payload)
        self.bytes_out += len(wire)
        return wire
