"""Pinned TLS 1.3 between contacts, over real loopback sockets.

Each test runs a real listener (:func:`samizdat.transports.tcp.listen`) and real
dialers; nothing is mocked. "Refused before any application byte" is checked from the
server's side: the handler, which is where application bytes would be read, is never
entered for a refused peer.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Callable

import pytest

from samizdat.errors import NetworkError, ProtocolError
from samizdat.protocol.admission import epoch_of
from samizdat.protocol.frames import FrameType
from samizdat.transports import tcp
from samizdat.transports.tls import (
    Directory,
    TransportIdentity,
    admitted_route,
    client_context,
    contact_sni,
    fixed_server_context,
    invite_client_context,
    invite_name,
    peer_certificate,
    peer_transport_key,
    server_context,
)

INVITE = os.urandom(32)  # an invite's secret hash


def now() -> int:
    return int(time.time())


def sni(me: TransportIdentity, server: TransportIdentity) -> str:
    return contact_sni(me, server.public_key, now())


def ident() -> TransportIdentity:
    return TransportIdentity.from_seed(os.urandom(32))


class Server:
    """A listener whose contact list can change between handshakes."""

    def __init__(self, me: TransportIdentity, contacts: list[TransportIdentity]) -> None:
        self.me = me
        self.contacts = contacts
        self.invites = False
        self.entered: list[bytes | None] = []  # peer key per handler entry (None: invite)
        self.directory = Directory(me)
        self.ctx = server_context(me, self.admit)  # built once, as the node does

    def admit(self, name: str | None) -> object:
        self.directory.update(
            [(c.public_key, c.certificate) for c in self.contacts],
            [INVITE] if self.invites else [], now(),
        )
        return self.directory.admit(name)

    def context(self) -> ssl.SSLContext:
        return self.ctx

    async def handler(self, conn: tcp.Connection) -> None:
        route = admitted_route(conn.ssl_object)
        assert route is not None
        cert = peer_certificate(conn.ssl_object)
        if route.kind == "contact":  # what the node checks before reading a byte
            key = peer_transport_key(conn.ssl_object, route.key)
        else:
            assert cert is None
            key = None
        self.entered.append(key)
        frame = await conn.read_frame(timeout=5)
        await conn.write_frame(FrameType.PONG, b"echo:" + frame.payload)


async def run_with(server: Server, body: Callable[[int], object]) -> None:
    srv = await tcp.listen("127.0.0.1", 0, server.context, server.handler)
    port = srv.sockets[0].getsockname()[1]
    try:
        await body(port)  # type: ignore[misc]
    finally:
        srv.close()
        await srv.wait_closed()


async def refused(port: int, ctx: ssl.SSLContext, sni: str) -> None:
    """The handshake fails, or (TLS 1.3: the client finishes first) the first read does."""
    with pytest.raises(NetworkError):
        await talk(await tcp.dial("127.0.0.1", port, ctx, sni))


async def talk(conn: tcp.Connection) -> bytes:
    await conn.write_frame(FrameType.PING, b"hello")
    try:
        return (await conn.read_frame(timeout=5)).payload
    finally:
        await conn.close()


def test_contacts_authenticate_each_other_with_tls13() -> None:
    alice, bob = ident(), ident()
    server = Server(alice, [bob])

    async def body(port: int) -> None:
        ctx = client_context(bob, alice.certificate)
        conn = await tcp.dial("127.0.0.1", port, ctx, sni(bob, alice))
        assert conn.ssl_object.version() == "TLSv1.3"
        assert peer_transport_key(conn.ssl_object, alice.public_key) == alice.public_key
        assert await talk(conn) == b"echo:hello"

    asyncio.run(run_with(server, body))
    assert server.entered == [bob.public_key]


def test_each_of_several_contacts_is_accepted() -> None:
    alice = ident()
    friends = [ident() for _ in range(5)]
    server = Server(alice, friends)

    async def body(port: int) -> None:
        for f in friends:
            conn = await tcp.dial("127.0.0.1", port, client_context(f, alice.certificate),
                                  sni(f, alice))
            assert await talk(conn) == b"echo:hello"

    asyncio.run(run_with(server, body))
    assert server.entered == [f.public_key for f in friends]


def test_stranger_is_refused_in_the_handshake() -> None:
    alice, bob, mallory = ident(), ident(), ident()
    server = Server(alice, [bob])

    async def body(port: int) -> None:
        # mallory even pins alice correctly: her own name is what fails
        await refused(port, client_context(mallory, alice.certificate), sni(mallory, alice))
        # and with bob's name (say it leaked) her certificate fails inside the handshake
        await refused(port, client_context(mallory, alice.certificate), sni(bob, alice))

    asyncio.run(run_with(server, body))
    assert server.entered == []  # the handler (the only reader) was never entered


def test_removed_contact_is_refused_at_the_next_handshake() -> None:
    alice, bob = ident(), ident()
    server = Server(alice, [bob])

    async def body(port: int) -> None:
        ctx = client_context(bob, alice.certificate)
        assert await talk(await tcp.dial("127.0.0.1", port, ctx, sni(bob, alice))) == b"echo:hello"
        server.contacts.clear()
        await refused(port, ctx, sni(bob, alice))

    asyncio.run(run_with(server, body))
    assert server.entered == [bob.public_key]


def test_dialer_refuses_a_server_that_is_not_the_pinned_contact() -> None:
    alice, bob, impostor = ident(), ident(), ident()
    server = Server(impostor, [bob])

    async def body(port: int) -> None:
        with pytest.raises(NetworkError):
            await tcp.dial("127.0.0.1", port, client_context(bob, alice.certificate),
                           sni(bob, impostor))

    asyncio.run(run_with(server, body))
    assert server.entered == []


def test_invite_path_only_while_an_invite_is_open() -> None:
    alice = ident()
    server = Server(alice, [])

    async def body(port: int) -> None:
        name = invite_name(INVITE, epoch_of(now()))
        await refused(port, invite_client_context(), name)  # no invite pending
        server.invites = True
        await refused(port, invite_client_context(), invite_name(os.urandom(32), epoch_of(now())))
        conn = await tcp.dial("127.0.0.1", port, invite_client_context(), name)
        # the acceptor pins the inviter's key from the invite before sending anything
        assert peer_transport_key(conn.ssl_object, alice.public_key) == alice.public_key
        assert await talk(conn) == b"echo:hello"

    asyncio.run(run_with(server, body))
    assert server.entered == [None]


def test_unknown_sni_is_refused() -> None:
    alice, bob = ident(), ident()
    server = Server(alice, [bob])

    async def body(port: int) -> None:
        await refused(port, client_context(bob, alice.certificate), "x.y")

    asyncio.run(run_with(server, body))
    assert server.entered == []


def test_slow_and_oversized_frames_are_cut_off() -> None:
    alice, bob = ident(), ident()
    results: list[str] = []

    async def handler(conn: tcp.Connection) -> None:
        conn.max_frame = 1024  # the one frame decoder's limit, changed between frames
        for _ in range(2):
            try:
                await conn.read_frame(timeout=0.5)
            except ProtocolError as exc:
                results.append(exc.message)
                return

    async def main() -> None:
        ctx = fixed_server_context(alice, [bob.certificate], now())
        srv = await tcp.listen("127.0.0.1", 0, lambda: ctx, handler)
        port = srv.sockets[0].getsockname()[1]
        cctx = client_context(bob, alice.certificate)
        slow = await tcp.dial("127.0.0.1", port, cctx, sni(bob, alice))
        slow.write(b"\x00\x00\x00\x10\x01\x01a")  # announces 16 bytes, sends 3, stalls
        await slow.drain()
        big = await tcp.dial("127.0.0.1", port, cctx, sni(bob, alice))
        big.write(b"\xff\xff\xff\xff")
        await big.drain()
        await asyncio.sleep(1.2)
        for c in (slow, big):
            await c.close()
        srv.close()
        await srv.wait_closed()

    asyncio.run(main())
    assert len(results) == 2, results
    assert sorted(r.split(":")[0].split(" (")[0] for r in results) == [
        "the peer sent a malformed frame", "the peer stalled",
    ]
    assert any("announced" in r for r in results)


def test_certificate_is_a_pure_function_of_the_key() -> None:
    seed = os.urandom(32)
    a, b = TransportIdentity.from_seed(seed), TransportIdentity.from_seed(seed)
    assert a.certificate == b.certificate
    assert seed.hex() not in repr(a)
