"""One contact session, sans-io: reconcile, ask for what is missing, stream it, end.

The driver (the asyncio node, or the simulator's virtual link) feeds decoded frames
to :meth:`Session.receive` and writes out the bytes it returns; decisions that need
the store or the policy come back as events, and the driver answers them by calling
:meth:`Session.want`, :meth:`Session.send_item` and :meth:`Session.end`. No socket,
clock or randomness here: timeouts are the driver's (it calls :meth:`Session.abort`).

Phases and the frames each accepts (the transition table, ``_TABLE``)::

    RECONCILING --RECONCILE--> RECONCILING | CHOOSING (our reconciler finished)
    CHOOSING    --WANT-------> CHOOSING     (peer's wants; we answer them with DATA)
    CHOOSING    --want()-----> EXCHANGING   (we sent our WANT)
    EXCHANGING  --WANT | DATA | END--> EXCHANGING | CLOSED (both ENDs seen)
    any         --CLOSE------> FAILED       (the peer gave up)
    any         --bad frame--> FAILED       (ProtocolError / DecodeError raised)

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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from samizdat.errors import DecodeError, ProtocolError
from samizdat.protocol.frames import MAX_FRAME, Frame, FrameType, encode_frame
from samizdat.protocol.reconcile import ItemSet, Limits, Reconciler

__all__ = [
    "CHUNK_BYTES",
    "MAX_ITEM_BYTES",
    "MAX_PING_BYTES",
    "MAX_WANTS",
    "Chunk",
    "Closed",
    "Completed",
    "Event",
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
    RECONCILING = "reconciling"
    CHOOSING = "choosing"
    EXCHANGING = "exchanging"
    CLOSED = "closed"
    FAILED = "failed"


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
                 chunk_bytes: int = CHUNK_BYTES) -> None:
        if not 1 <= chunk_bytes <= MAX_FRAME - _DATA_HEAD.size:
            raise ValueError("chunk_bytes must fit in one frame")
        self.initiator = initiator
        self.phase = Phase.RECONCILING
        self.reconciler = Reconciler(offer, limits=limits)
        self._offer = offer
        self._chunk = chunk_bytes
        self._wants: dict[bytes, int] = {}  # item -> next offset we expect
        self._totals: dict[bytes, int] = {}
        self._complete: set[bytes] = set()
        self._peer_wants: list[tuple[bytes, int]] | None = None
        self._current: bytes | None = None  # the item being received, if unfinished
        self._sent_end = False
        self._peer_end = False
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
        """Take one frame from the peer; return frames to send and events."""
        if self.phase in (Phase.CLOSED, Phase.FAILED):
            raise ProtocolError(f"a frame arrived after the session {self.phase.value}")
        self.bytes_in += len(frame.payload) + 6
        if frame.type is FrameType.CLOSE:
            self.phase = Phase.FAILED
            if len(frame.payload) != 1:
                raise DecodeError("CLOSE carries exactly one reason byte")
            return [], [Closed(self._incomplete(), reason="closed by the peer")]
        if frame.type in (FrameType.PING, FrameType.PONG):
            if len(frame.payload) > MAX_PING_BYTES:
                self.phase = Phase.FAILED
                raise DecodeError(f"{frame.type.name} carries at most {MAX_PING_BYTES} bytes")
            if frame.type is FrameType.PING:
                return [self._frame(FrameType.PONG, frame.payload)], []
            return [], []
        handler = _TABLE.get((self.phase, frame.type))
        if handler is None:
            self.phase = Phase.FAILED
            raise ProtocolError(f"a {frame.type.name} frame is not allowed while "
                                f"{self.phase.value}")
        try:
            return handler(self, frame.payload)
        except (DecodeError, ProtocolError):
            self.phase = Phase.FAILED
            raise

    def want(self, items: list[tuple[bytes, int]]) -> list[bytes]:
        """Ask for ``items`` (id, offset) — ids from :class:`Reconciled` ``need``."""
        if self.phase is not Phase.CHOOSING:
            raise ProtocolError("want() comes once, after reconciliation")
        if len(items) > MAX_WANTS:
            raise ValueError(f"at most {MAX_WANTS} items per session")
        need = set(self.reconciler.need)
        out = bytearray(struct.pack(">H", len(items)))
        for item, offset in items:
            if item not in need:
                raise ValueError("only ids the peer offered can be wanted")
            self._wants[item] = offset
            out += _WANT_ITEM.pack(item, offset)
        self.phase = Phase.EXCHANGING
        frames = [self._frame(FrameType.WANT, bytes(out))]
        return frames

    def send_item(self, item: bytes, payload: bytes, offset: int = 0) -> list[bytes]:
        """DATA frames carrying ``payload[offset:]`` of an item the peer wanted."""
        if self._peer_wants is None or self._sent_end:
            raise ProtocolError("send_item() only answers the peer's WANT")
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
        if self._sent_end:
            return [], []
        self._sent_end = True
        frames = [self._frame(FrameType.END, b"")]
        return frames, self._maybe_close()

    def abort(self, reason: int = 1) -> list[bytes]:
        """Give up (timeout, shutdown): a CLOSE frame for the peer."""
        self.phase = Phase.FAILED
        return [self._frame(FrameType.CLOSE, bytes((reason & 0xFF,)))]

    @property
    def closed(self) -> bool:
        return self.phase in (Phase.CLOSED, Phase.FAILED)

    # ----------------------------------------------------------- handlers

    def _on_reconcile(self, payload: bytes) -> tuple[list[bytes], list[Event]]:
        reply = self.reconciler.receive(payload)
        frames = [] if reply is None else [self._frame(FrameType.RECONCILE, reply)]
        if self.reconciler.done:
            self.phase = Phase.CHOOSING
            return frames, [Reconciled(self.reconciler.need, self.reconciler.offer)]
        return frames, []

    def _on_want(self, payload: bytes) -> tuple[list[bytes], list[Event]]:
        if self._peer_wants is not None:
            raise ProtocolError("the peer sent WANT twice")
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
                raise ProtocolError("the peer wants an item we did not offer")
            seen.add(item)
            items.append((item, offset))
        self._peer_wants = items
        return [], [Wanted(items)]

    def _on_data(self, payload: bytes) -> tuple[list[bytes], list[Event]]:
        if len(payload) < _DATA_HEAD.size:
            raise DecodeError("truncated DATA")
        item, offset, total = _DATA_HEAD.unpack_from(payload)
        data = payload[_DATA_HEAD.size :]
        expected = self._wants.get(item)
        if expected is None or item in self._complete:
            raise ProtocolError("the peer sent an item we did not ask for")
        if self._current is not None and self._current != item:
            # items come whole, one after another: at most one is half-received, so
            # a session's in-flight bytes are bounded by one item, not by MAX_WANTS
            raise ProtocolError("the peer interleaved two items")
        self._current = item
        if offset != expected:
            raise ProtocolError("the peer sent an item out of order")
        if total > MAX_ITEM_BYTES or offset + len(data) > total:
            raise ProtocolError("the peer sent more of an item than it announced")
        if self._totals.setdefault(item, total) != total:
            raise ProtocolError("the peer changed an item's size mid-transfer")
        if not data and offset != total:
            raise ProtocolError("an empty DATA frame in the middle of an item")
        self._wants[item] = offset + len(data)
        self.payload_in += len(data)
        events: list[Event] = [Chunk(item, offset, total, data)]
        if offset + len(data) == total:
            self._complete.add(item)
            self._current = None
            events.append(Completed(item))
        return [], events

    def _on_end(self, payload: bytes) -> tuple[list[bytes], list[Event]]:
        if payload:
            raise DecodeError("END carries no payload")
        self._peer_end = True
        return [], self._maybe_close()

    # ----------------------------------------------------------- helpers

    def _incomplete(self) -> list[bytes]:
        return sorted(i for i in self._wants if i not in self._complete)

    def _maybe_close(self) -> list[Event]:
        if self._sent_end and self._peer_end and self.phase is Phase.EXCHANGING:
            self.phase = Phase.CLOSED
            return [Closed(self._incomplete())]
        return []

    def _frame(self, frame_type: FrameType, payload: bytes) -> bytes:
        wire = encode_frame(frame_type, payload)
        self.bytes_out += len(wire)
        return wire


_Handler = Callable[[Session, bytes], tuple[list[bytes], list[Event]]]

_TABLE: Final[dict[tuple[Phase, FrameType], _Handler]] = {
    (Phase.RECONCILING, FrameType.RECONCILE): Session._on_reconcile,
    (Phase.CHOOSING, FrameType.WANT): Session._on_want,
    (Phase.EXCHANGING, FrameType.WANT): Session._on_want,
    (Phase.EXCHANGING, FrameType.DATA): Session._on_data,
    (Phase.EXCHANGING, FrameType.END): Session._on_end,
}
"""The transition table: which frame each phase accepts, and its handler."""


