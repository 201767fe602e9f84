"""Strangers get nothing: attacks by a peer that is not a contact, on a real node.

A real node (in-process, real store, real TLS on 127.0.0.1) is attacked the way a
scanner or a flooder would: a ClientHello with a name that proves nothing, a
certificate-less client that completes TLS, idle half-open connections. Each test
first shows what the attacker would have got (the control) so that it can fail.
The memory these attacks cost a node *process* is measured from outside by
``bench/bench_attack.py`` (tests never assert timings or RSS).
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from samizdat.app import documents, network
from samizdat.core import invite as inv
from samizdat.core.crypto import SecretBytes
from samizdat.node.node import Node, NodeConfig
from samizdat.protocol.admission import MAX_PENDING, epoch_of
from samizdat.protocol.frames import FrameType
from samizdat.store import Store
from samizdat.store.contacts import Contact, ContactBook, invite_secret_hash
from samizdat.transports import tcp
from samizdat.transports.tls import (
    TransportIdentity,
    contact_sni,
    invite_client_context,
    invite_name,
    sni_secret,
)

PW = SecretBytes(b"stranger test passphrase")


def now() -> int:
    return int(time.time())


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store, bytes]]:
    homes = [tmp_path / "alice", tmp_path / "bob"]
    for h in homes:
        documents.init(h, PW, os.urandom)
    alice, bob = (Store.open(h, PW) for h in homes)
    _doc, ver = documents.draft_new(alice, ["Read it,", "pass it on."], "Appeal",
                                    os.urandom, now())
    network.share(alice, ver, now())
    try:
        yield alice, bob, ver
    finally:
        alice.close()
        bob.close()


async def start_pair(alice_store: Store, bob_store: Store) -> tuple[Node, Node, Contact, str, int]:
    """Alice's node listening, Bob her contact (not listening), Bob's view of Alice."""
    node = network.make_node(alice_store, os.urandom, now, NodeConfig(port=0, interval=3600))
    host, port = await node.start()
    bob = network.make_node(bob_store, os.urandom, now, NodeConfig(port=0))
    with alice_store.transaction():
        ContactBook(alice_store.db).add(bob.identity.public_key, bob.identity.certificate,
                                        "", now())
    with bob_store.transaction():
        alice = ContactBook(bob_store.db).add(
            node.identity.public_key, node.identity.certificate, f"{host}:{port}", now())
    return node, bob, alice, host, port


async def server_flight(host: str, port: int, name: str) -> bytes:
    """Send a real TLS 1.3 ClientHello naming ``name`` (no certificate, no pin: a
    scanner) and return every byte the server answers before it closes."""
    ctx = invite_client_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=name)
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(outgoing.read())
    got = b""
    try:
        async with asyncio.timeout(3):
            while chunk := await reader.read(65536):
                got += chunk
                if len(got) > 64:  # more than an alert: the server is talking
                    break
    except (TimeoutError, ConnectionError):
        pass
    writer.transport.abort()
    return got


def is_server_hello(flight: bytes) -> bool:
    return flight[:1] == b"\x16"  # a handshake record: ServerHello, then the certificate


def test_a_scanner_never_receives_the_certificate(stores: tuple[Store, Store, bytes]) -> None:
    alice_store, bob_store, _ = stores

    async def main() -> None:
        node, bob, _alice, host, port = await start_pair(alice_store, bob_store)
        try:
            good = contact_sni(bob.identity, node.identity.public_key, now())
            assert is_server_hello(await server_flight(host, port, good))  # the control
            for name in ["contact.samizdat.invalid", "invite.samizdat.invalid",
                         "example.org", good.replace(good[0], "a" if good[0] != "a" else "b"),
                         invite_name(os.urandom(32), epoch_of(now()))]:
                flight = await server_flight(host, port, name)
                assert not is_server_hello(flight), name
                assert len(flight) <= 7  # at most one TLS alert record
            # a name from another hour than the three around now is refused too
            old = contact_sni(bob.identity, node.identity.public_key, now() - 3 * 3600)
            assert not is_server_hello(await server_flight(host, port, old))
        finally:
            await node.close()

    asyncio.run(main())


def test_a_certificate_less_client_with_a_contact_name_gets_no_application_byte(
    stores: tuple[Store, Store, bytes],
) -> None:
    """Even holding a pair's name (the pair secret leaked), a client without the
    contact's certificate is dropped before one application byte is read or sent,
    and no store transaction runs (the old node answered an invite frame here)."""
    alice_store, bob_store, _ = stores

    async def main() -> None:
        node, bob, _alice, host, port = await start_pair(alice_store, bob_store)
        try:
            name = contact_sni(bob.identity, node.identity.public_key, now())
            conn = await tcp.dial(host, port, invite_client_context(), name,
                                  max_frame=inv.MAX_MESSAGE_BYTES)
            mark = ContactBook(alice_store.db).change_mark()
            stranger = TransportIdentity.from_seed(os.urandom(32))
            with pytest.raises((tcp.NetworkError, tcp.ProtocolError)):
                await conn.write_frame(FrameType.INVITE, inv.accept_message(
                    os.urandom(12), stranger.certificate, ""))
                await conn.read_frame(timeout=3)
            await conn.close()
            assert ContactBook(alice_store.db).change_mark() == mark
        finally:
            await node.close()

    asyncio.run(main())


def test_an_invite_name_opens_the_door_only_while_that_invite_is_open(
    stores: tuple[Store, Store, bytes],
) -> None:
    alice_store, bob_store, _ = stores

    async def main() -> None:
        node, _bob, _alice, host, port = await start_pair(alice_store, bob_store)
        try:
            secret = os.urandom(inv.SECRET_BYTES)
            name = invite_name(invite_secret_hash(secret), epoch_of(now()))
            assert not is_server_hello(await server_flight(host, port, name))
            with alice_store.transaction():
                ContactBook(alice_store.db).add_invite(secret, now() + 60)
            assert is_server_hello(await server_flight(host, port, name))
            with alice_store.transaction():
                assert ContactBook(alice_store.db).redeem_invite(secret, now())
            assert not is_server_hello(await server_flight(host, port, name))
        finally:
            await node.close()

    asyncio.run(main())


def test_idle_connection_flood_is_bounded_and_a_contact_still_syncs(
    stores: tuple[Store, Store, bytes],
) -> None:
    alice_store, bob_store, ver = stores
    flood = 4 * MAX_PENDING

    async def main() -> None:
        node, bob, alice, host, port = await start_pair(alice_store, bob_store)
        idle = []
        try:
            for _ in range(flood):
                idle.append(await asyncio.open_connection(host, port))
            await asyncio.sleep(0.3)
            assert len(node.slots) <= MAX_PENDING
            assert node.slots.evicted + node.slots.refused >= flood - MAX_PENDING
            await bob.sync_with(alice)
            assert bob.totals.received == 1
        finally:
            for _r, w in idle:
                w.transport.abort()
            await node.close()
            await bob.close()

    asyncio.run(main())
    assert bob_store.has_version(ver)


def test_pair_names_differ_per_pair_and_per_hour() -> None:
    a, b, c = (TransportIdentity.from_seed(os.urandom(32)) for _ in range(3))
    t = now()
    assert sni_secret(a, b.public_key) == sni_secret(b, a.public_key)
    assert contact_sni(a, b.public_key, t) == contact_sni(b, a.public_key, t)
    assert contact_sni(a, b.public_key, t) != contact_sni(a, c.public_key, t)
    assert contact_sni(a, b.public_key, t) != contact_sni(a, b.public_key, t + 3600)
