"""Onion services on a private Tor network on loopback (built once for this module).

Marked ``tor``: these run in ``make test`` and CI (``tor`` is a Debian package listed
in ``scripts/install-system-deps``); they are not skipped there. The network takes
20-35 s to bootstrap and about 800 MB.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samizdat.protocol.frames import FrameType
from samizdat.transports import tcp
from samizdat.transports.tls import (
    TransportIdentity,
    client_context,
    contact_sni,
    fixed_server_context,
    peer_transport_key,
)
from samizdat.transports.tor import is_onion, socks5_connect, start_onion_service
from tests.integration.network_helpers import NodeProcess
from tests.integration.tor_testnet import TorClient, TorTestnet, tor_available

pytestmark = [
    pytest.mark.tor,
    pytest.mark.skipif(
        not tor_available() and not os.environ.get("CI"),
        reason="tor is not installed (scripts/install-system-deps installs it)",
    ),
]


@pytest.fixture(scope="module")
def tor_net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TorTestnet]:
    net = TorTestnet(Path(tmp_path_factory.mktemp("tornet")))
    try:
        net.start()
        net.add_client("alice")
        net.add_client("bob")
        net.wait_bootstrapped()
        yield net
    finally:
        net.stop()


def client(net: TorTestnet, name: str) -> TorClient:
    return net.clients[name]


def test_pinned_tls_through_an_onion_service(tor_net: TorTestnet) -> None:
    alice, bob = (TransportIdentity.from_seed(os.urandom(32)) for _ in range(2))
    got: list[bytes] = []

    async def handler(conn: tcp.Connection) -> None:
        got.append(peer_transport_key(conn.ssl_object))
        frame = await conn.read_frame(timeout=30)
        await conn.write_frame(FrameType.PONG, b"echo:" + frame.payload)

    async def main() -> None:
        ctx = fixed_server_context(alice, [bob.certificate], int(time.time()))
        srv = await tcp.listen("127.0.0.1", 0, lambda: ctx, handler)
        port = srv.sockets[0].getsockname()[1]
        onion = await start_onion_service(client(tor_net, "alice").control_port, port)
        try:
            assert is_onion(onion.address)
            r, w = await socks5_connect(
                "127.0.0.1", client(tor_net, "bob").socks_port, onion.address, 443
            )
            sni = contact_sni(bob, alice.public_key, int(time.time()))
            conn = await tcp.upgrade(r, w, client_context(bob, alice.certificate), sni)
            assert peer_transport_key(conn.ssl_object, alice.public_key) == alice.public_key
            await conn.write_frame(FrameType.PING, b"over tor")
            assert (await conn.read_frame(timeout=60)).payload == b"echo:over tor"
            await conn.close()
        finally:
            onion.close()
            srv.close()
            await srv.wait_closed()

    asyncio.run(main())
    assert got == [bob.public_key]


def test_two_people_invite_and_sync_over_onion_services(
    tor_net: TorTestnet, make_cli: Any, tmp_path: Path
) -> None:
    alice_tor, bob_tor = client(tor_net, "alice"), client(tor_net, "bob")
    alice, bob = make_cli("alice"), make_cli("bob")
    alice.ok("init")
    bob.ok("init")
    text = tmp_path / "appeal.txt"
    text.write_text("To all members.\n\nPass it on, through Tor.\n", encoding="utf-8")
    ver = alice.ok("draft", "new", text, "--title", "Appeal")["version"]
    alice.ok("share", ver)
    node = NodeProcess(
        alice.home,
        extra=["--tor", "--tor-control", f"127.0.0.1:{alice_tor.control_port}"],
        env={"SAMIZDAT_TOR_SOCKS": str(alice_tor.socks_port)},
    )
    bob_env = {"SAMIZDAT_TOR_SOCKS": f"127.0.0.1:{bob_tor.socks_port}"}
    try:
        info = node.wait_ready(timeout=150)
        assert is_onion(info["address"].rpartition(":")[0])
        code = alice.ok("contact", "invite")["code"]
        added = bob.ok("contact", "accept", code, env=bob_env, timeout=300)
        assert added["contact"] == 1
        assert bob.ok("contact", "list")["contacts"][0]["address"] == info["address"]
        got = bob.ok("sync", env=bob_env, timeout=300)
        assert got == {"contacts": 1, "reached": 1, "sent": 0, "received": 1}
        assert "through Tor" in bob.ok("read", ver)["text"]
    finally:
        assert node.terminate() == 0
