"""Two people add each other by invite and sync over TCP, through the real CLI."""

from __future__ import annotations

from typing import Any

from tests.integration.network_helpers import NodeProcess


def test_invite_accept_list_remove_over_tcp(make_cli: Any) -> None:
    alice, bob = make_cli("alice"), make_cli("bob")
    alice.ok("init")
    bob.ok("init")
    node = NodeProcess(alice.home)
    try:
        node.wait_ready()
        code = alice.ok("contact", "invite")["code"]
        assert code.startswith("sz1-") and len(code) < 100
        added = bob.ok("contact", "accept", code)
        assert added["contact"] == 1
        # single use: the same code is refused the second time
        again = bob("contact", "accept", code)
        assert again.code == 1 and "refused" in again.stderr
        listed = alice.ok("contact", "list")["contacts"]
        assert [c["id"] for c in listed] == [1]
        assert bob.ok("contact", "list")["contacts"][0]["address"] == node.address
        synced = bob.ok("sync")
        assert synced["reached"] == 1
        # alice removes bob: his next connection is refused in the handshake
        alice.ok("contact", "remove", "1")
        refused = bob("sync")
        assert refused.code == 3
    finally:
        assert node.terminate() == 0  # SIGTERM: clean shutdown
    # the node's log names no contact: not bob's fingerprint, not his address
    log = node.stderr()
    assert "a new contact was added by invite" in log
    assert listed[0]["fingerprint"] not in log
    assert str(bob.home) not in log


def test_invite_text_and_qr(make_cli: Any) -> None:
    alice = make_cli("alice")
    alice.ok("init")
    out = alice("contact", "invite", "--address", "127.0.0.1:9")
    assert out.code == 0, out.stderr
    assert out.stdout.startswith("sz1-")
    assert "█" in out.stdout or "▀" in out.stdout  # the QR code drawn in the terminal


def test_invite_without_address_is_a_usage_error(make_cli: Any) -> None:
    alice = make_cli("alice")
    alice.ok("init")
    out = alice("contact", "invite")
    assert out.code == 2 and "node run" in out.stderr
