"""The wire frame codec: how protocol messages are cut into frames on a byte stream.

Sans-io, like h11: :class:`FrameDecoder` is fed whatever bytes arrived
(``feed(data)``) and hands back every frame that is now complete; :func:`encode_frame`
turns one frame into bytes. No socket, clock or randomness is touched here.

A frame on the wire (``docs/spec/frames.md``)::

    u32 big-endian  length     of everything after this field (2 .. max_frame + 2)
    u8              version    FRAME_VERSION (1)
    u8              type       a FrameType
    bytes           payload    length - 2 bytes

Hard limits, checked before anything is buffered:

* an announced length above ``max_frame + 2`` (default :data:`MAX_FRAME`, 1 MiB of
  payload) is rejected the moment the 4-byte length has arrived, so a hostile peer
  cannot make us buffer a large frame (or wait for one) at all;
* the decoder never holds more than one partial frame: its buffer is bounded by
  ``4 + 2 + max_frame`` bytes whatever is fed;
* an unknown version or type is rejected as soon as its byte arrives.

Every rejection is a :class:`~samizdat.errors.DecodeError` (a kind of
``InputError``); after one, the decoder is *poisoned* and refuses further input,
because a byte stream that lost its framing cannot be resynchronised safely.

Transports that already delimit frames (``transports/tcp.py`` moves
``u32 length || body`` frames itself) use :func:`encode_body` / :func:`decode_body`,
which are the same format without the length field.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import Final

from samizdat.errors import DecodeError

__all__ = [
    "FRAME_VERSION",
    "HEADER_BYTES",
    "MAX_FRAME",
    "Frame",
    "FrameDecoder",
    "FrameType",
    "decode_body",
    "encode_body",
    "encode_frame",
]

FRAME_VERSION: Final = 1
"""The version byte of every frame this code writes and the only one it reads."""

MAX_FRAME: Final = 1 << 20
"""Largest payload a frame may carry (1 MiB). Bigger objects are streamed in chunks."""

HEADER_BYTES: Final = 6
"""Length field (4) + version (1) + type (1)."""

_LEN: Final = struct.Struct(">I")


class FrameType(enum.IntEnum):
    """What a frame's payload is. The numbers are wire values: never reuse one."""

    RECONCILE = 0x01
    """One message of range-based set reconciliation (``protocol/reconcile.py``)."""
    WANT = 0x02
    """A request for items by their pair-keyed ids (``protocol/session.py``)."""
    DATA = 0x03
    """A chunk of an item: id, offset, bytes (resumable transfer)."""
    END = 0x04
    """The sender has nothing more to send in this session."""
    CLOSE = 0x05
    """The sender closes the session, with a one-byte reason code."""
    PING = 0x06
    """Keep-alive; the payload is echoed in a PONG."""
    PONG = 0x07
    """Answer to a PING."""
    SKETCH = 0x08
    """Optional, after reconciliation: one document's reach sketch under its
    pair-keyed id (``docs/spec/reach.md``)."""
    INVITE = 0x10
    """One message of the invite exchange (``docs/spec/invite.md``); never in a session."""


_TYPES: Final = frozenset(int(t) for t in FrameType)
_BY_VALUE: Final = {int(t): t for t in FrameType}  # FrameType(x) without the enum call


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame: its type and payload (the version is implied)."""

    type: FrameType
    payload: bytes

    def __repr__(self) -> str:  # payloads may be large: show their size only
        return f"Frame({self.type.name}, {len(self.payload)} bytes)"


def encode_body(frame_type: FrameType, payload: bytes, *, max_frame: int = MAX_FRAME) -> bytes:
    """``version || type || payload``: a frame without its length field."""
    if len(payload) > max_frame:
        raise ValueError(f"frame payload of {len(payload)} bytes exceeds {max_frame}")
    if frame_type not in _TYPES:
        raise ValueError(f"unknown frame type {frame_type}")
    return bytes((FRAME_VERSION, frame_type)) + payload


def encode_frame(frame_type: FrameType, payload: bytes, *, max_frame: int = MAX_FRAME) -> bytes:
    """One whole frame, length field included, ready to write to a stream."""
    body = encode_body(frame_type, payload, max_frame=max_frame)
    return _LEN.pack(len(body)) + body


def _check_head(version: int, frame_type: int) -> FrameType:
    if version != FRAME_VERSION:
        raise DecodeError(f"frame version {version} is not supported (expected {FRAME_VERSION})")
    kind = _BY_VALUE.get(frame_type)
    if kind is None:
        raise DecodeError(f"unknown frame type {frame_type}")
    return kind


def decode_body(body: bytes, *, max_frame: int = MAX_FRAME) -> Frame:
    """Decode ``version || type || payload`` (a frame whose length a transport
    already delimited)."""
    if len(body) < 2:
        raise DecodeError("truncated frame: no version and type")
    if len(body) - 2 > max_frame:
        raise DecodeError(f"frame payload of {len(body) - 2} bytes exceeds {max_frame}")
    return Frame(_check_head(body[0], body[1]), bytes(body[2:]))


class FrameDecoder:
    """Incremental decoder: ``feed(bytes) -> [Frame, ...]``.

    Holds at most one partial frame. Raises :class:`DecodeError` on the first bad
    byte and stays failed afterwards (``feed`` raises again), since the stream can
    no longer be trusted to be in step.

    For transports that can write received bytes in place (asyncio's buffered
    protocols), :meth:`pending_space` is the memory where the rest of the frame
    being read goes, and :meth:`commit` says how much of it was written: a large
    frame is then copied once, into the ``bytes`` of its payload.
    """

    __slots__ = ("_body", "_failed", "_filled", "_head", "_max_frame")

    def __init__(self, *, max_frame: int = MAX_FRAME) -> None:
        if not 0 <= max_frame <= MAX_FRAME:
            raise ValueError("max_frame must be between 0 and MAX_FRAME")
        self._max_frame = max_frame
        self._head = bytearray()  # the length field, while it is incomplete
        self._body: bytearray | None = None  # version || type || payload being read
        self._filled = 0
        self._failed = False

    @property
    def max_frame(self) -> int:
        """Largest payload accepted; may be changed between frames (never above
        :data:`MAX_FRAME`)."""
        return self._max_frame

    @max_frame.setter
    def max_frame(self, value: int) -> None:
        if not 0 <= value <= MAX_FRAME:
            raise ValueError("max_frame must be between 0 and MAX_FRAME")
        self._max_frame = value

    @property
    def buffered(self) -> int:
        """Bytes held for the frame not yet complete (bounded by max_frame + 6)."""
        return len(self._head) + (0 if self._body is None else self._filled)

    @property
    def at_boundary(self) -> bool:
        """True when no partial frame is pending (a clean place for the stream to end)."""
        return self._body is None and not self._head

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        """Take the next bytes of the stream; return the frames they complete."""
        if self._failed:
            raise DecodeError("the frame stream already failed; close the connection")
        try:
            return self._feed(memoryview(data))
        except DecodeError:
            self._fail()
            raise

    def pending_space(self) -> memoryview | None:
        """Where the rest of the frame being read may be written in place (then call
        :meth:`commit`), or None when no frame body is pending."""
        if self._failed or self._body is None:
            return None
        return memoryview(self._body)[self._filled :]

    def commit(self, nbytes: int) -> list[Frame]:
        """``nbytes`` were written at the start of :meth:`pending_space`."""
        if self._failed:
            raise DecodeError("the frame stream already failed; close the connection")
        body = self._body
        if body is None or not 0 <= nbytes <= len(body) - self._filled:
            raise ValueError("commit() does not match pending_space()")
        try:
            return self._advance(nbytes)
        except DecodeError:
            self._fail()
            raise

    def _fail(self) -> None:
        self._failed = True
        self._head.clear()
        self._body = None

    def _start(self, length: int) -> None:
        if length < 2:
            raise DecodeError("frame too short: no version and type")
        if length - 2 > self._max_frame:
            raise DecodeError(f"frame of {length - 2} bytes announced (limit {self._max_frame})")
        self._body = bytearray(length)
        self._filled = 0

    def _advance(self, nbytes: int) -> list[Frame]:
        body = self._body
        assert body is not None
        before = self._filled
        self._filled += nbytes
        if before < 2 <= self._filled:
            _check_head(body[0], body[1])  # fail fast on a bad header
        if self._filled < len(body):
            return []
        self._body = None
        with memoryview(body) as view:
            return [Frame(_check_head(body[0], body[1]), bytes(view[2:]))]

    def _feed(self, view: memoryview) -> list[Frame]:
        frames: list[Frame] = []
        pos = 0
        end = len(view)
        while pos < end:
            body = self._body
            if body is not None:
                take = min(len(body) - self._filled, end - pos)
                body[self._filled : self._filled + take] = view[pos : pos + take]
                pos += take
                frames += self._advance(take)
                continue
            if not self._head and end - pos >= 4:
                (length,) = _LEN.unpack_from(view, pos)
                pos += 4
                if length >= 2 and end - pos >= length and length - 2 <= self._max_frame:
                    # fast path: the whole frame is here; one copy, into its payload
                    head = _check_head(view[pos], view[pos + 1])
                    frames.append(Frame(head, bytes(view[pos + 2 : pos + length])))
                    pos += length
                    continue
                self._start(length)
                continue
            take = min(4 - len(self._head), end - pos)
            self._head += view[pos : pos + take]
            pos += take
            if len(self._head) == 4:
                (length,) = _LEN.unpack(self._head)
                self._head.clear()
                self._start(length)
        return frames

    def __repr__(self) -> str:
        return f"<FrameDecoder buffered={self.buffered} failed={self._failed}>"
