"""Hostile contacts against a real node (in-process, real store, real TLS sockets).

Each hostile peer is a *contact* (it passed the TLS handshake: strangers never get
this far, see test_network_tls.py) that then breaks the session protocol. Each must
be cut off with a logged reason, the store must be unchanged, and the node must go
on serving an honest contact, which receives the shared document afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import os
import struct
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from samizdat.app import documents, network
from samizdat.core.crypto import SecretBytes
from samizdat.errors import NetworkError, ProtocolError
from samizdat.node.node import Node, NodeConfig
from samizdat.protocol.frames import FrameType, encode_frame
from samizdat.protocol.reconcile import ItemSet
from samizdat.protocol.session import Reconciled, Session, Wanted
from samizdat.store import Store
from samizdat.store.contacts import ContactBook
from samizdat.transports import tcp
from samizdat.transports.tls import TransportIdentity, client_context, contact_sni

PW = SecretBytes(b"hostile test passphrase")


def now() -> int:
    return int(time.time())


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (``network_partial`` and ``blobs`` included), so
    that "the store is untouched" means exactly that."""
    tables = [str(r[0]) for r in store.db.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    assert "network_partial" in tables and "blobs" in tables
    return {t: sorted(map(tuple, store.db.query(f'SELECT * FROM "{t}"')), key=repr)
            for t in tables}


Attack = Callable[[tcp.Connection], Awaitable[None]]


def send(conn: tcp.Connection, frames: list[bytes]) -> None:
    for wire in frames:
        conn.write(wire)


async def reconcile(conn: tcp.Connection, ids: list[bytes]) -> tuple[Session, list[bytes]]:
    """Play an honest initiator up to the node's WANT; return the machine and the
    ids the node asked for."""
    machine = Session(ItemSet(ids), initiator=True)
    send(conn, machine.start()[0])
    while True:
        frames, events = machine.receive(await conn.read_frame(timeout=5))
        send(conn, frames)
        for e in events:
            if isinstance(e, Reconciled):
                send(conn, machine.want([]))
            if isinstance(e, Wanted):
                return machine, [i for i, _ in e.items]


async def malformed(conn: tcp.Connection) -> None:
    conn.write(struct.pack(">I", 21) + b"\x09\x01 not a frame version")
    await conn.drain()


async def truncated(conn: tcp.Connection) -> None:
    await conn.write_frame(FrameType.RECONCILE, b"\x01")


async def oversized(conn: tcp.Connection) -> None:
    conn.write(b"\x7f\xff\xff\xff")
    await conn.drain()


async def out_of_order(conn: tcp.Connection) -> None:
    send(conn, [encode_frame(FrameType.WANT, b"\x00\x00")])


async def slowloris(conn: tcp.Connection) -> None:
    conn.write(b"\x00\x00\x01\x00\x01\x01" + b"x" * 10)  # 256 announced, 12 sent
    await conn.drain()
    await asyncio.sleep(3)


async def ping_flood(conn: tcp.Connection) -> None:
    send(conn, [encode_frame(FrameType.PING, b"p")] * 2000)
    await conn.drain()


async def unsolicited(conn: tcp.Connection) -> None:
    await reconcile(conn, [])
    head = struct.pack(">16sQQ", os.urandom(16), 0, 1)
    send(conn, [encode_frame(FrameType.DATA, head + b"x")])


async def failing_item(conn: tcp.Connection) -> None:
    ids = [os.urandom(16)]
    machine, asked = await reconcile(conn, ids)
    assert asked == ids  # the node asked for it
    send(conn, machine.send_item(ids[0], b"\x01 forged package"))


async def oversized_item(conn: tcp.Connection) -> None:
    ids = [os.urandom(16)]
    await reconcile(conn, ids)
    head = struct.pack(">16sQQ", ids[0], 0, 3_000_000)  # over the 2 MB item limit
    send(conn, [encode_frame(FrameType.DATA, head + b"x" * 1000)])


async def half_item_then_garbage(conn: tcp.Connection) -> None:
    """Half of an item the node asked for, then a frame that breaks the protocol:
    the half must not stay in the store (``network_partial``) as if an honest
    transfer had been interrupted."""
    ids = [os.urandom(16)]
    machine, asked = await reconcile(conn, ids)
    assert asked == ids
    frames = machine.send_item(ids[0], os.urandom(300_000))
    send(conn, frames[: len(frames) // 2])
    conn.write(struct.pack(">I", 21) + b"\x09\x01 not a frame version")
    await conn.drain()


ATTACKS: dict[str, tuple[Attack, str]] = {
    "half_item_then_garbage": (half_item_then_garbage, "malformed frame"),
    "malformed": (malformed, "malformed frame"),
    "truncated": (truncated, "malformed frame"),
    "oversized": (oversized, "announced (limit"),
    "out_of_order": (out_of_order, "not allowed while"),
    "slowloris": (slowloris, "stalled"),
    "ping_flood": (ping_flood, "flood"),
    "unsolicited": (unsolicited, "did not ask for"),
    "failing_item": (failing_item, "failed verification"),
    "oversized_item": (oversized_item, "an item over"),
}


@pytest.fixture
def served(tmp_path: Path) -> tuple[Store, str]:
    home = tmp_path / "alice"
    documents.init(home, PW, os.urandom)
    store = Store.open(home, PW)
    text = ["Read it,", "copy it,", "pass it on."]
    _doc, ver = documents.draft_new(store, text, "Appeal", os.urandom, now())
    network.share(store, ver, now())
    return store, ver.hex()


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_hostile_contact_is_cut_off_and_honest_one_still_served(
    name: str, served: tuple[Store, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, ver = served
    attack, reason = ATTACKS[name]
    hostile = TransportIdentity.from_seed(os.urandom(32))
    honest_home = tmp_path / "bob"
    documents.init(honest_home, PW, os.urandom)
    bob_store = Store.open(honest_home, PW)
    caplog.set_level(logging.INFO, logger="samizdat.node")

    async def main() -> None:
        config = NodeConfig(port=0, session_timeout=1.0, interval=3600, max_frame=1 << 20,
                            max_item=2_000_000)
        node: Node = network.make_node(store, os.urandom, now, config)
        host, port = await node.start()
        book = ContactBook(store.db)
        with store.transaction():
            book.add(hostile.public_key, hostile.certificate, "", now())
        bob: Node = network.make_node(bob_store, os.urandom, now, NodeConfig(port=0))
        with store.transaction():
            book.add(bob.identity.public_key, bob.identity.certificate, "", now())
        with bob_store.transaction():
            alice = ContactBook(bob_store.db).add(
                node.identity.public_key, node.identity.certificate, f"{host}:{port}", now()
            )
        before = snapshot(store)
        conn = await tcp.dial(host, port, client_context(hostile, node.identity.certificate),
                              contact_sni(hostile, node.identity.public_key, now()))
        try:
            await attack(conn)
            await asyncio.sleep(0.3)
            for _ in range(40):  # wait for the node to log the cut
                if node.cut_off:
                    break
                await asyncio.sleep(0.1)
        except (NetworkError, ProtocolError):
            pass  # the node may cut us while we still write: that is the point
        finally:
            await conn.close()
        assert node.cut_off == 1
        assert snapshot(store) == before  # the store is untouched
        await bob.sync_with(alice)  # the node goes on serving others
        assert bob.totals.received == 1
        await node.close()
        await bob.close()

    try:
        asyncio.run(main())
    finally:
        store.close()
        bob_store.close()
    cuts = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cut off")]
    assert len(cuts) == 1 and reason in cuts[0], cuts
    assert ver[:16] not in caplog.text
