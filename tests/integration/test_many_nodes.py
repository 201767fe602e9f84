"""Twenty node processes on loopback in a friend-to-friend graph.

Three documents are shared by three different people; each node talks only to its
own contacts (a ring with chords: every node has 3-4 contacts, most nodes are 2-4
hops from each origin). Six nodes are killed with SIGKILL a moment after the start,
mid-transfer, and restarted on the same port. Done when every node holds every
version; then every node is stopped with SIGTERM (exit 0) and every store passes
SQLite's integrity check.

Contacts are written into each store directly (in-process, with the store's own
ContactBook) instead of through 40 invite exchanges: the invite flow has its own tests
(test_network_cli.py, test_tor.py) and this test is about the graph.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from samizdat.app import documents, network
from samizdat.core.crypto import SecretBytes
from samizdat.store import Store
from samizdat.store.contacts import ContactBook
from tests.conftest import PASSPHRASE
from tests.integration.network_helpers import NodeProcess
from tests.integration.tor_testnet import free_port

N = 20
PW = SecretBytes(PASSPHRASE.encode())


def edges(n: int) -> set[tuple[int, int]]:
    out = set()
    for i in range(n):
        for step in (1, 7):
            j = (i + step) % n
            out.add((min(i, j), max(i, j)))
    return out


def text_of(seed: int) -> list[str]:
    rnd = random.Random(seed)
    words = ["committee", "members", "leadership", "read", "copy", "pass", "on", "the"]
    return [" ".join(rnd.choice(words) for _ in range(60)) + f" {seed}.{k}" for k in range(400)]


def missing(home: Path, versions: list[bytes]) -> list[bytes]:
    store = Store.open(home, PW)
    try:
        return [v for v in versions if not store.has_version(v)]
    finally:
        store.close()


@pytest.mark.slow
def test_twenty_nodes_with_kills_all_end_complete(tmp_path: Path) -> None:
    homes = [tmp_path / f"n{i:02d}" for i in range(N)]
    ports = [free_port() for _ in range(N)]
    idents = []
    for home in homes:
        documents.init(home, PW, os.urandom)
        with Store.open(home, PW) as store:
            idents.append(network.identity(store, os.urandom))
    for a, b in edges(N):
        for me, peer in ((a, b), (b, a)):
            with Store.open(homes[me], PW) as store, store.transaction():
                ContactBook(store.db).add(
                    idents[peer].public_key, idents[peer].certificate,
                    f"127.0.0.1:{ports[peer]}", int(time.time()),
                )
    versions = []
    for origin in (0, 7, 13):
        with Store.open(homes[origin], PW) as store:
            _doc, ver = documents.draft_new(
                store, text_of(origin), f"Doc {origin}", os.urandom, int(time.time())
            )
            network.share(store, ver, int(time.time()))
            versions.append(ver)

    def start(i: int) -> NodeProcess:
        return NodeProcess(homes[i], listen=f"127.0.0.1:{ports[i]}", interval=1.0)

    nodes = [start(i) for i in range(N)]
    victims = [2, 5, 9, 11, 16, 19]
    try:
        for node in nodes:
            node.wait_ready(timeout=120)
        time.sleep(0.5)  # transfers are under way
        for i in victims:
            nodes[i].kill()
        # what the victims held when killed: the kill must have hit unfinished work
        held_at_kill = [len(versions) - len(missing(homes[i], versions)) for i in victims]
        print("versions held by the killed nodes:", held_at_kill)
        assert min(held_at_kill) < len(versions), "the kills came after the transfer"
        for i in victims:
            nodes[i] = start(i)
            nodes[i].wait_ready(timeout=120)
        deadline = time.monotonic() + 240
        pending = set(range(N))
        while pending and time.monotonic() < deadline:
            time.sleep(3)
            pending = {i for i in pending if missing(homes[i], versions)}
        assert not pending, f"nodes {sorted(pending)} did not get everything"
    finally:
        codes = [n.terminate() for n in nodes]
    assert codes == [0] * N
    for home in homes:
        with Store.open(home, PW) as store:
            assert store.db.integrity_check() == ["ok"]
            assert not [v for v in versions if not store.has_version(v)]
