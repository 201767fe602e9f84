"""A node gives back what a burst of strangers' connections cost it.

Every connection asyncio ends leaves reference cycles behind (the plain transport
holds a bound method of itself; a failed handshake's exception holds the frames
that hold its ``SSLProtocol``, with a 256 KiB read buffer, and our frame stream).
Only the cyclic garbage collector frees them, and its oldest generation runs
rarely in a long-lived process: before the node collected them itself, a 3,000
connect/close flood left a node process ~50 MB larger for good
(``bench/bench_attack.py``, which measures the RSS from outside; tests never
assert RSS). What is asserted here is the behaviour: after a burst, once the
node's housekeeping has run, no TLS protocol object of those connections is left,
even with the interpreter's automatic collection off, and the free heap is handed
back to the OS once no handshake is pending.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from asyncio import sslproto
from collections.abc import Iterator
from pathlib import Path

import pytest

from samizdat.app import documents, network
from samizdat.core.crypto import SecretBytes
from samizdat.node import node as node_module
from samizdat.node.node import NodeConfig
from samizdat.store import Store
from samizdat.transports import tcp
from samizdat.transports.tls import invite_client_context

PW = SecretBytes(b"memory test passphrase")


def now() -> int:
    return int(time.time())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    documents.init(tmp_path / "alice", PW, os.urandom)
    s = Store.open(tmp_path / "alice", PW)
    try:
        yield s
    finally:
        s.close()


def tls_protocols() -> int:
    """asyncio TLS protocol objects still in memory, reachable or not."""
    return sum(isinstance(o, sslproto.SSLProtocol) for o in gc.get_objects())


async def connect_and_close(host: str, port: int) -> None:
    _r, w = await asyncio.open_connection(host, port)
    w.transport.abort()


async def stranger(host: str, port: int) -> None:
    """A certificate-less client naming nothing the node knows: refused in the
    ClientHello (``docs/spec/admission.md``)."""
    with pytest.raises(tcp.NetworkError):
        await tcp.dial(host, port, invite_client_context(),
                       os.urandom(16).hex() + ".invalid", timeout=5)


def test_after_a_burst_of_strangers_the_node_frees_their_connections(
    store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    trims: list[None] = []
    real_trim = node_module.release_free_memory
    monkeypatch.setattr(node_module, "release_free_memory",
                        lambda: (trims.append(None), real_trim())[1])

    async def main() -> None:
        node = network.make_node(store, os.urandom, now, NodeConfig(port=0, interval=3600))
        host, port = await node.start()
        try:
            gc.collect()  # what earlier tests left is not this test's
            before = tls_protocols()
            for _ in range(3):
                await asyncio.gather(*(connect_and_close(host, port) for _ in range(20)))
                await asyncio.gather(*(stranger(host, port) for _ in range(5)))
            assert node.server is not None
            async with asyncio.timeout(10):  # every handshake and connection ended
                while len(node.slots) or node.server.tasks:
                    await asyncio.sleep(0.02)
            assert tls_protocols() > before  # the control: the burst left them behind
            trims.clear()
            node.reclaim_memory()  # what the housekeeping task does every few seconds
            assert tls_protocols() == before
            assert trims  # and, no handshake pending, the free heap went back to the OS
        finally:
            await node.close()

    gc.disable()  # nothing but the node itself may free them
    try:
        asyncio.run(main())
    finally:
        gc.enable()
