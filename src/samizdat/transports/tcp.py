"""TCP between contacts: dial, listen, and length-prefixed frames over pinned TLS.

This is a thin adapter. It knows nothing of documents or reconciliation: it moves
frames (``docs/spec/frames.md``), cut by the one sans-io decoder
:class:`samizdat.protocol.frames.FrameDecoder`, over a TLS 1.3 stream made by
:mod:`samizdat.transports.tls` with asyncio's public ``loop.start_tls``. Every read has
a deadline and a size cap, so a peer that stalls mid-frame (slowloris) or announces a
huge frame is cut off with a :class:`~samizdat.errors.ProtocolError` naming the
reason, never waited on forever or allocated for. Before TLS starts a connection
holds no buffer of its own (:class:`_Plain`); handshakes are bounded in number and
time (:func:`listen`). The same :class:`Connection` runs over Tor (:mod:`.tor` hands over a
SOCKS-connected stream that is then upgraded to TLS the same way).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field

from samizdat.core.address import parse_hostport
from samizdat.errors import (
    DecodeError,
    NetworkError,
    ProtocolError,
    RemoteProtocolError,
    SamizdatError,
)
from samizdat.protocol.admission import HandshakeSlots
from samizdat.protocol.frames import (
    HEADER_BYTES,
    MAX_FRAME,
    Frame,
    FrameDecoder,
    FrameType,
    encode_frame,
)

__all__ = [
    "DEFAULT_MAX_FRAME",
    "Connection",
    "Listener",
    "Refused",
    "dial",
    "listen",
    "parse_hostport",
    "upgrade",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_FRAME = MAX_FRAME
"""Largest frame payload a peer may announce (bytes); larger ones cut the connection."""

HANDSHAKE_TIMEOUT = 20.0
"""How long a dialer waits for the TLS handshake (Tor circuits can be slow)."""
SERVER_HANDSHAKE_TIMEOUT = 5.0
"""How long a listener gives a client to finish the handshake: the TCP connection
is already there, so an honest client needs a few round trips; a stalled one holds
a handshake slot only this long."""
STREAM_LIMIT = 2 * 1024 * 1024
"""Whole frames that may wait unread before reading from the socket pauses."""
SCRATCH_BYTES = 64 * 1024
"""Bytes decrypted per read when no large frame body is pending (headers, small
frames); cut into frames by the decoder."""
DIRECT_MIN = 16 * 1024
"""A pending frame body at least this large is decrypted in place."""


class Refused(NetworkError):
    """The peer was reached but refused the TLS handshake (we are not its contact, or
    no invite is open)."""


class _FrameStream(asyncio.BufferedProtocol):
    """The application protocol under TLS: decrypted bytes go straight into the one
    frame decoder (:class:`samizdat.protocol.frames.FrameDecoder`), whole frames wait
    in a queue for :meth:`frame`. As a *buffered* protocol it lets asyncio's TLS
    layer decrypt a large frame's body in place, into the decoder's buffer for it
    (``pending_space``), so its bytes are copied once more only, into the payload.

    Memory is bounded: the decoder holds at most one partial frame (``max_frame`` +
    6 bytes), and reading from the socket pauses while more than ``limit`` bytes of
    whole frames wait unread. Writing keeps asyncio's flow control: :meth:`drain`
    waits while the transport's buffer is above its high-water mark.
    """

    def __init__(self, max_frame: int, limit: int = STREAM_LIMIT) -> None:
        self.decoder = FrameDecoder(max_frame=max_frame)
        self.transport: asyncio.Transport | None = None
        self._frames: deque[Frame] = deque()
        self._queued = 0
        self._limit = limit
        self._reading_paused = False
        self._writing_paused = False
        self._error: SamizdatError | None = None
        self._eof = False
        self._lost = False
        self._read_waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # made on the first read after the handshake, not before it: a stranger's
        # connection, which ends in the handshake, never costs these 64 KiB
        self._scratch: bytearray | None = None
        self._direct = False  # the last buffer handed out was the decoder's own

    # asyncio calls these
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def get_buffer(self, sizehint: int) -> memoryview:
        space = None if self._error is not None else self.decoder.pending_space()
        self._direct = space is not None and len(space) >= DIRECT_MIN
        if self._direct:
            assert space is not None
            return space
        if self._scratch is None:
            self._scratch = bytearray(SCRATCH_BYTES)
        return memoryview(self._scratch)

    def buffer_updated(self, nbytes: int) -> None:
        if self._error is not None:
            return
        try:
            if self._direct:
                frames = self.decoder.commit(nbytes)
            else:
                assert self._scratch is not None  # get_buffer made it
                with memoryview(self._scratch) as view:
                    frames = self.decoder.feed(view[:nbytes])
        except DecodeError as exc:
            self._error = RemoteProtocolError(
                f"the peer sent a malformed frame ({exc.message})")
            frames = []
        for frame in frames:
            self._frames.append(frame)
            self._queued += len(frame.payload)
        if self._error is not None or self._queued > self._limit:
            self._pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self._eof = True
        self._wake()
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if not self.closed.done():
            self.closed.set_result(None)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # ours
    def _pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()

    def _wake(self) -> None:
        if self._read_waiter is not None and not self._read_waiter.done():
            self._read_waiter.set_result(None)

    async def frame(self) -> Frame:
        """The next whole frame (the caller puts a deadline around this)."""
        while True:
            if self._frames:
                frame = self._frames.popleft()
                self._queued -= len(frame.payload)
                if self._reading_paused and self._queued <= self._limit and self._error is None:
                    self._reading_paused = False
                    if self.transport is not None and not self.transport.is_closing():
                        self.transport.resume_reading()
                return frame
            if self._error is not None:
                raise self._error
            if self._eof:
                if self.decoder.at_boundary:
                    raise NetworkError("the peer closed the connection")
                raise NetworkError("the peer closed the connection mid-frame")
            self._read_waiter = asyncio.get_running_loop().create_future()
            try:
                await self._read_waiter
            finally:
                self._read_waiter = None

    async def drain(self) -> None:
        """Wait until the transport's write buffer is below its high-water mark."""
        if self._lost:
            raise NetworkError("the connection broke")
        if self._writing_paused:
            self._drain_waiter = asyncio.get_running_loop().create_future()
            await self._drain_waiter
            if self._lost:
                raise NetworkError("the connection broke")


@dataclass
class Connection:
    """One established, authenticated stream to a peer, carrying frames
    (``docs/spec/frames.md``) both ways."""

    transport: asyncio.Transport = field(repr=False)
    _stream: _FrameStream = field(repr=False)
    read_timeout: float = 60.0
    bytes_in: int = 0
    bytes_out: int = 0
    # the StreamWriter of a tunnel the TLS runs over (SOCKS through Tor): kept alive
    # with the connection, because a StreamWriter that is garbage collected closes
    # its transport, which is the one under this TLS
    _tunnel: object = field(default=None, repr=False)

    @property
    def ssl_object(self) -> ssl.SSLObject:
        obj = self.transport.get_extra_info("ssl_object")
        if obj is None:
            raise ProtocolError("the connection is not encrypted")
        return obj  # type: ignore[no-any-return]

    @property
    def max_frame(self) -> int:
        """Largest frame payload accepted from the peer."""
        return self._stream.decoder.max_frame

    @max_frame.setter
    def max_frame(self, value: int) -> None:
        self._stream.decoder.max_frame = value

    async def read_frame(self, *, timeout: float | None = None) -> Frame:
        """The next frame. The whole frame must arrive within ``timeout``.

        Raises :class:`ProtocolError` for a malformed or oversized frame or a stall,
        and :class:`NetworkError` when the peer closed the connection.
        """
        limit = self.read_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                frame = await self._stream.frame()
        except TimeoutError as exc:
            raise ProtocolError(f"the peer stalled: no whole frame within {limit:g} s") from exc
        except (ConnectionError, ssl.SSLError) as exc:
            raise NetworkError("the connection broke") from exc
        self.bytes_in += HEADER_BYTES + len(frame.payload)
        return frame

    def write(self, wire: bytes) -> None:
        """Queue bytes that are already frames (``encode_frame``); see :meth:`drain`."""
        if self.transport.is_closing():
            raise NetworkError("the connection broke")
        self.transport.write(wire)
        self.bytes_out += len(wire)

    async def drain(self) -> None:
        """Wait until the kernel buffer has room again (backpressure)."""
        try:
            await self._stream.drain()
        except (ConnectionError, ssl.SSLError) as exc:
            raise NetworkError("the connection broke") from exc

    async def write_frame(self, frame_type: FrameType, payload: bytes) -> None:
        """Send one frame and wait for buffer room."""
        self.write(encode_frame(frame_type, payload))
        await self.drain()

    def abort(self) -> None:
        """Drop the connection at once (no TLS goodbye)."""
        self.transport.abort()

    async def close(self) -> None:
        """Close politely, but never wait long for a peer that does not answer."""
        self.transport.close()
        try:
            async with asyncio.timeout(2):
                await asyncio.shield(self._stream.closed)
        except TimeoutError:
            self.transport.abort()


async def _tls(
    transport: asyncio.Transport, ctx: ssl.SSLContext, *, server_side: bool,
    server_hostname: str | None, timeout: float, max_frame: int,
) -> Connection:
    """Start TLS on a connected plain transport; the handshake must end in ``timeout``."""
    loop = asyncio.get_running_loop()
    stream = _FrameStream(max_frame)
    async with asyncio.timeout(timeout):
        tls = await loop.start_tls(
            transport, stream, ctx, server_side=server_side,
            server_hostname=server_hostname, ssl_handshake_timeout=timeout,
        )
    if tls is None or tls.is_closing():
        transport.abort()
        raise ConnectionResetError("the peer left during the handshake")
    assert isinstance(tls, asyncio.Transport)
    stream.connection_made(tls)  # start_tls does not call it for us
    return Connection(tls, stream)


class _Plain(asyncio.Protocol):
    """A plain TCP connection before TLS starts: it holds no buffers of its own."""

    def __init__(self) -> None:
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:  # pragma: no cover - start_tls is first
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


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
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            transport, _ = await loop.create_connection(_Plain, host, port)
        return await _tls(transport, ctx, server_side=False, server_hostname=server_hostname,
                          timeout=timeout, max_frame=max_frame)
    except TimeoutError as exc:
        raise NetworkError("the contact did not answer in time") from exc
    except (ssl.SSLError, ConnectionResetError, ConnectionAbortedError) as exc:
        raise Refused("the contact refused the secure connection") from exc
    except OSError as exc:
        raise NetworkError("the contact could not be reached") from exc


async def upgrade(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    ctx: ssl.SSLContext,
    server_hostname: str,
    *,
    timeout: float = HANDSHAKE_TIMEOUT,
    max_frame: int = DEFAULT_MAX_FRAME,
) -> Connection:
    """Start TLS on an already connected plain stream (a SOCKS tunnel through Tor).
    The stream must have nothing unread: the peer speaks only after our ClientHello."""
    del reader  # its protocol is replaced by the TLS layer
    try:
        assert isinstance(writer.transport, asyncio.Transport)
        conn = await _tls(writer.transport, ctx, server_side=False,
                          server_hostname=server_hostname, timeout=timeout,
                          max_frame=max_frame)
        conn._tunnel = writer
        return conn
    except TimeoutError as exc:
        raise NetworkError("the contact did not answer in time") from exc
    except (ssl.SSLError, OSError) as exc:
        raise Refused("the contact refused the secure connection") from exc


Handler = Callable[[Connection], Awaitable[None]]


class Listener:
    """A listening socket and the connections it accepted, which it owns.

    Each accepted connection runs in a task of this listener: :meth:`close` stops
    accepting and cancels them all, :meth:`wait_closed` waits until every one has
    ended. A task that fails with an exception (a bug in the handler: the handler
    is expected to deal with the peer's faults itself) is logged at once and kept;
    :meth:`wait_closed` then raises them all as one exception group, so no
    failure is lost and one failing connection does not stop the others.
    """

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.closing = False
        self.tasks: set[asyncio.Task[None]] = set()
        self.errors: list[BaseException] = []
        self.ended = 0
        """Connections whose task has ended, one way or another."""

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return () if self.server is None else tuple(self.server.sockets)

    def spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.ended += 1
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("a connection handler failed", exc_info=exc)
            self.errors.append(exc)

    def close(self) -> None:
        """Stop accepting and cancel every connection's task."""
        self.closing = True
        if self.server is not None:
            self.server.close()
        for task in list(self.tasks):
            task.cancel()

    async def wait_closed(self) -> None:
        """Wait until the socket is closed and every connection's task has ended;
        raise the failures of those tasks, if any."""
        if self.server is not None:
            await self.server.wait_closed()
        while self.tasks:
            await asyncio.wait(list(self.tasks))
        if self.errors:
            errors, self.errors = self.errors, []
            raise BaseExceptionGroup("connection handlers failed", errors)


async def listen(
    host: str,
    port: int,
    context: Callable[[], ssl.SSLContext],
    handler: Handler,
    *,
    max_frame: int = DEFAULT_MAX_FRAME,
    handshake_timeout: float = SERVER_HANDSHAKE_TIMEOUT,
    slots: HandshakeSlots | None = None,
) -> Listener:
    """Listen on ``host:port``; each authenticated peer is handed to ``handler``.

    ``context`` is called for every accepted socket and should return a cached
    context (building one per connection costs memory a stranger could make us
    spend). The TLS handshake is done here, before ``handler`` sees the connection;
    peers that fail it are dropped without a word and without one application byte
    being read. Handshakes in progress are bounded by ``slots`` (overall and per
    source address, oldest evicted: ``protocol/admission.py``) and each must finish
    within ``handshake_timeout``. Every connection's task belongs to the returned
    :class:`Listener`, which cancels and awaits them when it closes.
    """
    loop = asyncio.get_running_loop()
    pending = slots if slots is not None else HandshakeSlots()
    live: dict[Hashable, asyncio.Transport] = {}
    listener = Listener()

    async def serve(transport: asyncio.Transport) -> None:
        peer = transport.get_extra_info("peername")
        source = peer[0] if isinstance(peer, tuple) and peer else "?"
        me = id(transport)
        live[me] = transport
        for old in pending.arrive(me, source, loop.time()):
            victim = live.pop(old, None)
            if victim is not None:
                victim.abort()
        if me not in live:  # refused: a burst of newer connections than ours
            return
        try:
            conn = await _tls(transport, context(), server_side=True, server_hostname=None,
                              timeout=handshake_timeout, max_frame=max_frame)
        except (TimeoutError, ssl.SSLError, OSError, RuntimeError):
            transport.abort()
            return
        except asyncio.CancelledError:  # the listener closes mid-handshake
            transport.abort()
            raise
        finally:
            pending.leave(me)
            live.pop(me, None)
        try:
            await handler(conn)
        except BaseException:
            # the listener closes (SIGTERM) or the handler failed: drop the line at
            # once, so that nothing awaited here can hide why the task ends
            conn.abort()
            raise
        if not conn.transport.is_closing():
            await conn.close()

    class _Accepted(_Plain):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            if listener.closing:
                transport.abort()
                return
            listener.spawn(serve(transport))

    listener.server = await loop.create_server(_Accepted, host, port)
    return listener
