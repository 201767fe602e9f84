"""An item cut off mid-transfer resumes from where it stopped, through a real node.

The sending side is played by the real protocol machine in the test (so the test can
cut the connection after exactly half of the DATA frames and see the offset the node
asks for next time); the receiving side is a real Node over a real store.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from samizdat.app import documents, network
from samizdat.core.crypto import SecretBytes
from samizdat.node.node import Node, NodeConfig
from samizdat.node.session import pair_id, pair_key
from samizdat.protocol.session import Closed
from samizdat.store import Store
from samizdat.store.contacts import ContactBook
from samizdat.transports import tcp
from samizdat.transports.tls import client_context, contact_sni
from tests.integration.network_helpers import offer

PW = SecretBytes(b"resume test passphrase")


def now() -> int:
    return int(time.time())


def test_interrupted_item_resumes_from_its_offset(tmp_path: Path) -> None:
    for name in ("alice", "bob"):
        documents.init(tmp_path / name, PW, os.urandom)
    alice_store, bob_store = Store.open(tmp_path / "alice", PW), Store.open(tmp_path / "bob", PW)
    line = " ".join(["read it, copy it, pass it on"] * 10)
    _doc, ver = documents.draft_new(
        alice_store, (f"{i} {line}" for i in range(2000)), "Long", os.urandom, now()
    )
    package = network.StoreLibrary(alice_store, lambda: 0).package(ver)
    alice = network.identity(alice_store, os.urandom)
    assert len(package) > 8 * 64 * 1024

    async def main() -> int:
        node: Node = network.make_node(bob_store, os.urandom, now,
                                       NodeConfig(port=0, session_timeout=2.0))
        host, port = await node.start()
        with bob_store.transaction():
            ContactBook(bob_store.db).add(alice.public_key, alice.certificate, "", now())
        item = pair_id(pair_key(alice.public_key, node.identity.public_key), ver)
        ctx = client_context(alice, node.identity.certificate)
        sni = contact_sni(alice, node.identity.public_key, now())

        # first session: half of the DATA frames, then the line goes dead
        conn = await tcp.dial(host, port, ctx, sni)
        machine, wanted = await offer(conn, item, initiator=True)
        assert wanted == [(item, 0)]
        frames = machine.send_item(item, package, 0)
        half = frames[: len(frames) // 2]
        for wire in half:
            conn.write(wire)
        await conn.drain()
        await asyncio.sleep(0.3)
        conn.abort()
        for _ in range(50):
            total, prefix = ContactBook(bob_store.db).partial(item)
            if prefix:
                break
            await asyncio.sleep(0.1)
        assert total == len(package) and 0 < len(prefix) < len(package)
        assert prefix == package[: len(prefix)]
        assert not bob_store.has_version(ver)

        # second session: the node asks from the offset it reached
        conn = await tcp.dial(host, port, ctx, sni)
        machine, wanted = await offer(conn, item, initiator=True)
        assert wanted == [(item, len(prefix))]
        for wire in machine.send_item(item, package, len(prefix)):
            conn.write(wire)
        frames_end, _ = machine.end()
        for wire in frames_end:
            conn.write(wire)
        await conn.drain()
        while not machine.closed:
            _f, events = machine.receive(await conn.read_frame(timeout=10))
            assert not [e for e in events if isinstance(e, Closed) and e.reason != "done"]
        for _ in range(100):  # the node verifies and stores the item
            if bob_store.has_version(ver):
                break
            await asyncio.sleep(0.1)
        await conn.close()
        await node.close()
        return len(prefix)

    try:
        resumed_from = asyncio.run(main())
        assert bob_store.has_version(ver)
        assert ContactBook(bob_store.db).partial(
            pair_id(pair_key(alice.public_key, network.identity(bob_store, os.urandom)
                             .public_key), ver)
        ) == (0, b"")
        assert resumed_from > 0
    finally:
        alice_store.close()
        bob_store.close()
