"""How a session ends, through the real driver (``node/session.py``) over real TLS.

The peer is played by the protocol machine in the test, so the test can choose
exactly when its frames arrive.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from samizdat.app import documents, network
from samizdat.core.crypto import SecretBytes
from samizdat.node.session import SessionStats, pair_key, run_session
from samizdat.protocol.reconcile import ItemSet
from samizdat.protocol.session import Session, Wanted
from samizdat.store import Store
from samizdat.transports import tcp
from samizdat.transports.tls import (
    TransportIdentity,
    client_context,
    contact_sni,
    fixed_server_context,
)

PW = SecretBytes(b"session end test passphrase")


def now() -> int:
    return int(time.time())


def test_a_session_that_ends_on_our_own_end_returns_when_the_peer_hangs_up(
    tmp_path: Path,
) -> None:
    """The peer answers our WANT with its WANT and its END in one write (nothing to
    send either way: a second sync). Our reader takes both before our sender runs,
    so the session closes on our own END, in the sender. Before: the reader stayed
    in read_frame after the close, and the peer's polite hang-up was reported as
    "the peer closed the connection" (carol's "no contact could be reached" in
    test_network_cli.py's two-hop test, under load); a peer that kept the line
    open would have had us wait for the idle timeout and cut it off."""
    documents.init(tmp_path / "carol", PW, os.urandom)
    store = Store.open(tmp_path / "carol", PW)
    carol = network.identity(store, os.urandom)
    bob = TransportIdentity.from_seed(os.urandom(32))
    peer_done: list[str] = []

    async def peer(conn: tcp.Connection) -> None:
        machine = Session(ItemSet([]), initiator=False)
        while not machine.closed:
            frames, events = machine.receive(await conn.read_frame(timeout=5))
            for wire in frames:
                conn.write(wire)
            if any(isinstance(e, Wanted) for e in events):
                conn.write(b"".join(machine.want([]) + machine.end()[0]))
        peer_done.append(machine.phase.value)
        await conn.close()  # the session is over: hang up

    async def main() -> SessionStats:
        ctx = fixed_server_context(bob, [carol.certificate], now())
        srv = await tcp.listen("127.0.0.1", 0, lambda: ctx, peer)
        port = srv.sockets[0].getsockname()[1]
        conn = await tcp.dial("127.0.0.1", port, client_context(carol, bob.certificate),
                              contact_sni(carol, bob.public_key, now()))
        try:
            async with asyncio.timeout(20):
                return await run_session(
                    conn, network.StoreLibrary(store, now),
                    pair_key(carol.public_key, bob.public_key), initiator=True, timeout=10,
                )
        finally:
            await conn.close()
            srv.close()
            await srv.wait_closed()

    try:
        stats = asyncio.run(main())
    finally:
        store.close()
    assert peer_done == ["closed"]
    assert (stats.sent, stats.received) == (0, 0)
