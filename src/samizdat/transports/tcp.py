"""TCP between contacts: dial, listen, and length-prefixed frames over pinned TLS.

This is a thin adapter. It knows nothing of documents or reconciliation: it moves
opaque frames, each ``u32 big-endian length || payload``, over a TLS 1.3 stream
made by :mod:`samizdat.transports.tls`. Every read has a deadline and a size cap, so a
peer that stalls mid-frame (slowloris) or announces a huge frame is cut off with a
:class:`~samizdat.errors.ProtocolError` naming the reason, never waited on forever or
allocated for. The same :class:`Connection` runs over Tor (:mod:`.tor` hands over a
SOCKS-connected stream that is then upgraded to TLS the same way).
"""

from __future__ import annotations

import asyncio
import ssl
import struct
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from samizdat.errors import NetworkError, ProtocolError
from samizdat.protocol.admission import HandshakeSlots

__all__ = [
    "DEFAULT_MAX_FRAME",
    "Connection",
    "Refused",
    "dial",
    "listen",
    "parse_hostport",
    "upgrade",
]

DEFAULT_MAX_FRAME = 4 * 1024 * 1024
"""Largest frame a peer may announce (bytes); larger ones cut the connection."""

HANDSHAKE_TIMEOUT = 20.0
"""How long a dialer waits for the TLS handshake (Tor circuits can be slow)."""
SERVER_HANDSHAKE_TIMEOUT = 5.0
"""How long a listener gives a client to finish the handshake: the TCP connection
is already there, so an honest client needs a few round trips; a stalled one holds
a handshake slot only this long."""
STREAM_LIMIT = 1024 * 1024
"""Read buffer high-water mark. asyncio's default (64 KiB) pauses and resumes the
TLS transport every 128 KiB, which cost most of the throughput with 1 MiB frames."""
SCRATCH_BYTES = 256 * 1024
"""Bytes decrypted per read into the scratch buffer (headers and small frames)."""
DIRECT_FRAME = 64 * 1024
"""Frames larger than this are decrypted straight into their own buffer (no copies
through a stream buffer); smaller ones are cut from the scratch bytes."""


class Refused(NetworkError):
    """The peer was reached but refused the TLS handshake (we are not its contact, or
    no invite is open)."""
_LEN = struct.Struct(">I")


class _FrameReader(asyncio.BufferedProtocol):
    """The receiving half of a :class:`Connection`: cuts the decrypted stream into
    frames with as few copies as the TLS layer allows.

    It replaces the :class:`asyncio.StreamReaderProtocol` once the handshake is done.
    As a *buffered* protocol it hands asyncio's TLS layer the memory to decrypt into:
    once a large frame's length is known, that is the frame's own buffer, so its
    bytes are written once (then copied once into the ``bytes`` returned). Headers
    are parsed only by :meth:`frame`, with the limit the caller passes at that moment,
    so nothing is allocated for an announcement before it is checked. Unread bytes
    are bounded: reading from the peer pauses above ``limit`` and resumes when frames
    are taken. Write-side callbacks (pause/resume, connection lost) go on to the
    stream protocol, so :meth:`asyncio.StreamWriter.drain` keeps its backpressure.
    """

    def __init__(
        self, inner: asyncio.BaseProtocol, transport: asyncio.BaseTransport,
        leftover: bytes, *, eof: bool, limit: int = STREAM_LIMIT,
    ) -> None:
        self._inner = inner
        self._transport = transport
        self._buf = bytearray(leftover)
        self._scratch = memoryview(bytearray(SCRATCH_BYTES))
        # a large frame is decrypted in place into _frame[:_want] (reused: growing it
        # costs page faults and zeroing; it never exceeds the largest frame allowed)
        self._frame = bytearray()
        self._want = 0
        self._filled = 0
        self._eof = eof
        self._lost: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self._limit = limit

    # asyncio calls these
    def get_buffer(self, sizehint: int) -> memoryview:
        if self._want and self._filled < self._want:
            return memoryview(self._frame)[self._filled : self._want]
        return self._scratch

    def buffer_updated(self, nbytes: int) -> None:
        if self._want and self._filled < self._want:
            self._filled += nbytes
        else:
            self._buf += self._scratch[:nbytes]
            if len(self._buf) > self._limit and not self._paused:
                self._paused = True
                self._transport.pause_reading()  # type: ignore[attr-defined]
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._lost = exc
        self._wake()
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _resume(self) -> None:
        if self._paused and len(self._buf) <= self._limit:
            self._paused = False
            self._transport.resume_reading()  # type: ignore[attr-defined]

    async def frame(self, max_frame: int) -> bytes:
        """The next frame's payload (the caller puts a deadline around this)."""
        while True:
            if self._want:
                if self._filled == self._want:
                    with memoryview(self._frame) as view:
                        payload = bytes(view[: self._want])
                    self._want = 0
                    return payload
            elif len(self._buf) >= _LEN.size:
                (length,) = _LEN.unpack_from(self._buf)
                if length > max_frame:
                    raise ProtocolError(
                        f"the peer announced a frame of {length} bytes (limit {max_frame})"
                    )
                end = _LEN.size + length
                if len(self._buf) >= end:
                    with memoryview(self._buf) as view:
                        payload = bytes(view[_LEN.size : end])
                    del self._buf[:end]
                    self._resume()
                    return payload
                if length > DIRECT_FRAME:
                    if len(self._frame) < length:
                        self._frame = bytearray(length)
                    self._want = length
                    self._filled = len(self._buf) - _LEN.size
                    self._frame[: self._filled] = memoryview(self._buf)[_LEN.size :]
                    self._buf.clear()
                    continue
            if self._lost is not None:
                raise NetworkError("the connection broke") from self._lost
            if self._eof:
                raise NetworkError("the peer closed the connection mid-frame")
            if self._paused:  # not a whole frame buffered: we need more bytes
                self._paused = False
                self._transport.resume_reading()  # type: ignore[attr-defined]
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None


def _take_over(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> _FrameReader:
    """Put a :class:`_FrameReader` under ``writer``'s transport, with whatever the
    stream reader had already received (read through its private buffer: the only
    way to take it without waiting)."""
    transport = writer.transport
    buffered: bytearray = reader._buffer  # type: ignore[attr-defined]
    leftover = bytes(buffered)
    buffered.clear()
    proto = _FrameReader(
        transport.get_protocol(), transport, leftover,
        eof=bool(reader._eof) or transport.is_closing(),  # type: ignore[attr-defined]
    )
    transport.set_protocol(proto)
    if not transport.is_closing():
        transport.resume_reading()  # type: ignore[attr-defined]  # the reader may have paused it
    return proto


@dataclass
class Connection:
    """One established, authenticated stream to a peer."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    max_frame: int = DEFAULT_MAX_FRAME
    read_timeout: float = 60.0
    bytes_in: int = 0
    bytes_out: int = 0
    _in: _FrameReader = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._in = _take_over(self.reader, self.writer)

    @property
    def ssl_object(self) -> ssl.SSLObject:
        obj = self.writer.get_extra_info("ssl_object")
        if obj is None:
            raise ProtocolError("the connection is not encrypted")
        return obj  # type: ignore[no-any-return]

    async def read_frame(self, *, timeout: float | None = None) -> bytes:
        """The next frame's payload. The whole frame must arrive within ``timeout``.

        Raises :class:`ProtocolError` for an oversized announcement or a stall, and
        :class:`NetworkError` when the peer closed the connection.
        """
        limit = self.read_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                payload = await self._in.frame(self.max_frame)
        except TimeoutError as exc:
            raise ProtocolError(f"the peer stalled: no whole frame within {limit:g} s") from exc
        except (ConnectionError, ssl.SSLError) as exc:
            raise NetworkError("the connection broke") from exc
        self.bytes_in += _LEN.size + len(payload)
        return payload

    async def write_frame(self, payload: bytes) -> None:
        """Send one frame and wait until the kernel buffer has room (backpressure)."""
        if len(payload) > self.max_frame:
            raise ProtocolError("frame too large to send")
        self.writer.write(_LEN.pack(len(payload)))
        self.writer.write(payload)
        self.bytes_out += _LEN.size + len(payload)
        try:
            await self.writer.drain()
        except (ConnectionError, ssl.SSLError) as exc:
            raise NetworkError("the connection broke") from exc

    async def close(self) -> None:
        """Close politely, but never wait long for a peer that does not answer."""
        self.writer.close()
        try:
            async with asyncio.timeout(2):
                await self.writer.wait_closed()
        except (TimeoutError, ConnectionError, ssl.SSLError):
            pass


def parse_hostport(
    text: str, *, default_port: int | None = None, allow_zero: bool = False
) -> tuple[str, int]:
    """``host:port`` (IPv6 as ``[addr]:port``) into a pair, or :class:`ValueError`.
    Port 0 (any free port) only with ``allow_zero``, for listening."""
    host, sep, port = text.rpartition(":")
    if not sep:
        if default_port is None:
            raise ValueError("expected HOST:PORT")
        host, port = text, str(default_port)
    host = host.strip("[]")
    if not host or not port.isdigit() or not (0 if allow_zero else 1) <= int(port) < 65536:
        raise ValueError("expected HOST:PORT with a port from 1 to 65535")
    return host, int(port)


async def dial(
    host: str,
    port: int,
    ctx: ssl.SSLContext,
    server_hostname: str,
    *,
    timeout: float = HANDSHAKE_TIMEOUT,
    max_frame: int = DEFAULT_MAX_FRAME,
) -> Connection:
    """Open TCP to ``host:port`` and finish the TLS handshake within ``timeout``."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host, port, ssl=ctx, server_hostname=server_hostname,
                ssl_handshake_timeout=timeout, limit=STREAM_LIMIT,
            )
    except TimeoutError as exc:
        raise NetworkError("the contact did not answer in time") from exc
    except (ssl.SSLError, ConnectionResetError, ConnectionAbortedError) as exc:
        raise Refused("the contact refused the secure connection") from exc
    except OSError as exc:
        raise NetworkError("the contact could not be reached") from exc
    return Connection(reader, writer, max_frame=max_frame)


async def upgrade(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    ctx: ssl.SSLContext,
    server_hostname: str,
    *,
    timeout: float = HANDSHAKE_TIMEOUT,
    max_frame: int = DEFAULT_MAX_FRAME,
) -> Connection:
    """Start TLS on an already connected plain stream (a SOCKS tunnel through Tor)."""
    try:
        async with asyncio.timeout(timeout):
            await writer.start_tls(
                ctx, server_hostname=server_hostname, ssl_handshake_timeout=timeout
            )
    except TimeoutError as exc:
        raise NetworkError("the contact did not answer in time") from exc
    except (ssl.SSLError, OSError) as exc:
        raise Refused("the contact refused the secure connection") from exc
    return Connection(reader, writer, max_frame=max_frame)


Handler = Callable[[Connection], Awaitable[None]]


async def listen(
    host: str,
    port: int,
    context: Callable[[], ssl.SSLContext],
    handler: Handler,
    *,
    max_frame: int = DEFAULT_MAX_FRAME,
    handshake_timeout: float = SERVER_HANDSHAKE_TIMEOUT,
    slots: HandshakeSlots | None = None,
) -> asyncio.Server:
    """Listen on ``host:port``; each authenticated peer is handed to ``handler``.

    ``context`` is called for every accepted socket and should return a cached
    context (building one per connection costs memory a stranger could make us
    spend). The TLS handshake is done here, before ``handler`` sees the connection;
    peers that fail it are dropped without a word and without one application byte
    being read. Handshakes in progress are bounded by ``slots`` (overall and per
    source address, oldest evicted: ``protocol/admission.py``) and each must finish
    within ``handshake_timeout``.
    """
    pending = slots if slots is not None else HandshakeSlots()
    live: dict[Hashable, asyncio.WriteTransport] = {}

    async def on_plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        transport = writer.transport
        peer = writer.get_extra_info("peername")
        source = peer[0] if isinstance(peer, tuple) and peer else "?"
        me = id(transport)
        live[me] = transport
        for old in pending.arrive(me, source):
            victim = live.pop(old, None)
            if victim is not None:
                victim.abort()
        try:
            async with asyncio.timeout(handshake_timeout):
                await writer.start_tls(context(), ssl_handshake_timeout=handshake_timeout)
        except (TimeoutError, ssl.SSLError, OSError, ConnectionError, RuntimeError):
            writer.transport.abort()
            return
        finally:
            pending.leave(me)
            live.pop(me, None)
        if writer.transport is None or writer.transport.is_closing():
            return  # evicted, or the peer left, while the handshake finished
        conn = Connection(reader, writer, max_frame=max_frame)
        try:
            await handler(conn)
        except asyncio.CancelledError:
            # the loop is shutting down (SIGTERM): this is the top of the connection's
            # task, so ending quietly here loses nothing and keeps the log clean
            writer.transport.abort()
            return
        finally:
            if not writer.transport.is_closing():
                await conn.close()

    return await asyncio.start_server(on_plain, host, port, limit=STREAM_LIMIT)
