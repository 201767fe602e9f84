"""The listener owns every connection it accepts (real TLS on 127.0.0.1).

:func:`samizdat.transports.tcp.listen` hands each authenticated peer to a handler
in a task of its own. Those tasks are supervised: closing the listener cancels them
and waits for them, and a handler that fails with an error of ours (a bug) is
reported, never lost as a "Task exception was never retrieved" in the loop's log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

import pytest

from samizdat.errors import NetworkError, ProtocolError
from samizdat.protocol.frames import FrameType
from samizdat.transports import tcp
from samizdat.transports.tls import (
    TransportIdentity,
    client_context,
    contact_sni,
    fixed_server_context,
)


def now() -> int:
    return int(time.time())


def pair() -> tuple[TransportIdentity, TransportIdentity]:
    return (TransportIdentity.from_seed(os.urandom(32)),
            TransportIdentity.from_seed(os.urandom(32)))


async def dial(port: int, alice: TransportIdentity, bob: TransportIdentity) -> tcp.Connection:
    return await tcp.dial("127.0.0.1", port, client_context(bob, alice.certificate),
                          contact_sni(bob, alice.public_key, now()))


def test_closing_the_listener_cancels_and_awaits_every_connection() -> None:
    """Before: the connection tasks were created outside any group; closing the
    server left a handler running (and its socket open) after ``wait_closed``."""
    alice, bob = pair()
    ended: list[str] = []

    async def main() -> None:
        inside = asyncio.Event()

        async def handler(conn: tcp.Connection) -> None:
            inside.set()
            try:
                await asyncio.Event().wait()  # a session that would run for ever
            finally:
                ended.append("handler")

        ctx = fixed_server_context(alice, [bob.certificate], now())
        srv = await tcp.listen("127.0.0.1", 0, lambda: ctx, handler)
        port = srv.sockets[0].getsockname()[1]
        conn = await dial(port, alice, bob)
        await conn.write_frame(FrameType.PING, b"hello")
        async with asyncio.timeout(5):
            await inside.wait()
        srv.close()
        async with asyncio.timeout(5):
            await srv.wait_closed()
        assert ended == ["handler"]  # ended before wait_closed returned
        with pytest.raises((NetworkError, ProtocolError)):
            await conn.read_frame(timeout=5)  # and its connection is gone
        await conn.close()

    asyncio.run(main())


def test_a_failing_handler_is_reported_not_swallowed(caplog: pytest.LogCaptureFixture) -> None:
    """Before: a handler's unexpected exception ended its orphan task and was seen
    by no one (wait_closed returned as if all went well)."""
    alice, bob = pair()
    caplog.set_level(logging.ERROR, logger="samizdat.transports.tcp")
    done: list[bool] = []

    async def main() -> None:
        async def handler(conn: tcp.Connection) -> None:
            done.append(True)
            raise RuntimeError("a bug in the handler")

        ctx = fixed_server_context(alice, [bob.certificate], now())
        srv = await tcp.listen("127.0.0.1", 0, lambda: ctx, handler)
        port = srv.sockets[0].getsockname()[1]
        conn = await dial(port, alice, bob)
        await conn.write_frame(FrameType.PING, b"hello")
        with pytest.raises((NetworkError, ProtocolError)):
            await conn.read_frame(timeout=5)  # the handler ended: the server closed
        await conn.close()
        # the listener goes on serving others after one handler failed
        again = await dial(port, alice, bob)
        await again.write_frame(FrameType.PING, b"hello")
        with pytest.raises((NetworkError, ProtocolError)):
            await again.read_frame(timeout=5)
        await again.close()
        assert done == [True, True]
        srv.close()
        with pytest.raises(ExceptionGroup) as failed:
            async with asyncio.timeout(5):
                await srv.wait_closed()
        assert [str(e) for e in failed.value.exceptions] == ["a bug in the handler"] * 2

    asyncio.run(main())
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 2 and "connection handler failed" in logged[0].getMessage()
