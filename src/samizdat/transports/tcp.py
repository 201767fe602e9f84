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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from samizdat.errors import NetworkError, ProtocolError

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
STREAM_LIMIT = 1024 * 1024
"""Read buffer high-water mark. asyncio's default (64 KiB) pauses and resumes the
TLS transport every 128 KiB, which cost most of the throughput with 1 MiB frames."""


class Refused(NetworkError):
    """The peer was reached but refused the TLS handshake (we are not its contact, or
    no invite is open)."""
_LEN = struct.Struct(">I")


@dataclass
class Connection:
    """One established, authenticated stream to a peer."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    max_frame: int = DEFAULT_MAX_FRAME
    read_timeout: float = 60.0
    bytes_in: int = 0
    bytes_out: int = 0

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
                head = await self.reader.readexactly(_LEN.size)
                (length,) = _LEN.unpack(head)
                if length > self.max_frame:
                    raise ProtocolError(
                        f"the peer announced a frame of {length} bytes "
                        f"(limit {self.max_frame})"
                    )
                payload = await self.reader.readexactly(length)
        except TimeoutError as exc:
            raise ProtocolError(f"the peer stalled: no whole frame within {limit:g} s") from exc
        except asyncio.IncompleteReadError as exc:
            raise NetworkError("the peer closed the connection mid-frame") from exc
        except (ConnectionError, ssl.SSLError) as exc:
            raise NetworkError("the connection broke") from exc
        self.bytes_in += _LEN.size + length
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
    handshake_timeout: float = HANDSHAKE_TIMEOUT,
) -> asyncio.Server:
    """Listen on ``host:port``; each authenticated peer is handed to ``handler``.

    ``context`` is called for every accepted socket, so a contact list that changed
    (someone added or removed) takes effect at the next handshake. The TLS handshake
    is done here, before ``handler`` sees the connection; peers that fail it are
    dropped without a word and without one application byte being read.
    """

    async def on_plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(handshake_timeout):
                await writer.start_tls(context(), ssl_handshake_timeout=handshake_timeout)
        except (TimeoutError, ssl.SSLError, OSError, ConnectionError):
            writer.transport.abort()
            return
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
