"""The node runs the engine's decisions: whom to call, and what to ask for.

Real nodes in-process (real stores, real TLS sockets on loopback). Bob has two
contacts, Alice and Carol, that both pass along the same version under their own
pair-keyed ids, which Bob cannot match with each other.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from samizdat.app import documents, network
from samizdat.core.crypto import SecretBytes
from samizdat.node.node import NodeConfig
from samizdat.store import Store
from samizdat.store.contacts import Contact
from tests.integration.network_helpers import befriend

PW = SecretBytes(b"engine test passphrase")


def now() -> int:
    return int(time.time())


def test_a_round_fetches_an_item_once_though_two_contacts_offer_it(tmp_path: Path) -> None:
    """Attack on the old node: its round dialled every contact at once and each
    session asked for everything it lacked, so an item two contacts offered came
    twice (two payload copies for one item). The engine calls one contact at a time
    and asks only for what is still lacking: one copy."""
    stores = {}
    for name in ("alice", "bob", "carol"):
        documents.init(tmp_path / name, PW, os.urandom)
        stores[name] = Store.open(tmp_path / name, PW)
    _doc, ver = documents.draft_new(stores["alice"], ["Read it,", "pass it on."], "Appeal",
                                    os.urandom, now())
    network.share(stores["alice"], ver, now())

    async def main() -> None:
        nodes = {n: network.make_node(s, os.urandom, now, NodeConfig(port=0, interval=3600))
                 for n, s in stores.items()}
        addr = {}
        for n, node in nodes.items():
            host, port = await node.start()
            addr[n] = f"{host}:{port}"
        alice, bob, carol = nodes["alice"], nodes["bob"], nodes["carol"]
        alice_in_carol, _ = befriend(carol, stores["carol"], alice, stores["alice"],
                                      addr["carol"], addr["alice"])
        befriend(alice, stores["alice"], bob, stores["bob"], addr["alice"], addr["bob"])
        befriend(carol, stores["carol"], bob, stores["bob"], addr["carol"], addr["bob"])
        await carol.sync_with(alice_in_carol)  # carol now holds and passes it along too
        assert carol.totals.received == 1
        await bob.round()
        assert bob.totals.received == 1  # one copy, not one per contact
        assert bob.cut_off == 0
        # reach sketches may still carry news (carol's token was drawn after her
        # sync with alice, so alice lacks it): bob calls again until both contacts
        # are in step, and then a round is quiet; no payload is fetched again
        for _ in range(4):
            if set(bob.gossip.in_step) == {alice.identity.public_key,
                                           carol.identity.public_key}:
                break
            await bob.round()
        assert set(bob.gossip.in_step) == {alice.identity.public_key,
                                           carol.identity.public_key}
        calls: list[Contact] = []
        dial = bob.sync_with

        async def counted(contact: Contact) -> None:
            calls.append(contact)
            await dial(contact)

        bob.sync_with = counted  # type: ignore[method-assign]
        sent = alice.totals.sent + carol.totals.sent
        await bob.round()
        assert calls == []  # quiet: every contact in step, nothing lacking
        assert alice.totals.sent + carol.totals.sent == sent
        assert bob.totals.received == 1
        for node in nodes.values():
            await node.close()

    try:
        asyncio.run(main())
    finally:
        for s in stores.values():
            s.close()
    assert bytes.fromhex(ver.hex()) in [v.version_id for v in Store.open(
        tmp_path / "bob", PW).all_versions()]
