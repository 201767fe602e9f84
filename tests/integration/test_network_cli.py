"""Two people add each other by invite and sync over TCP, through the real CLI."""

from __future__ import annotations

from typing import Any

from tests.integration.network_helpers import NodeProcess


def test_invite_accept_list_remove_over_tcp(make_cli: Any, tmp_path: Any) -> None:
    alice, bob = make_cli("alice"), make_cli("bob")
    alice.ok("init")
    bob.ok("init")
    node = NodeProcess(alice.home)
    try:
        node.wait_ready()
        code = alice.ok("contact", "invite")["code"]
        assert code.startswith("szi1-") and len(code) < 100
        # from a file, never on the command line (ps, shell history)
        code_file = tmp_path / "invite.txt"
        code_file.write_text(code + "\n")
        added = bob.ok("contact", "accept", "--code-file", code_file)
        assert added["contact"] == 1
        # single use: the same code (here from standard input) is refused the second time
        again = bob("contact", "accept", "-", input=code)
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
    assert out.stdout.startswith("szi1-")
    assert "█" in out.stdout or "▀" in out.stdout  # the QR code drawn in the terminal


def test_invite_without_address_is_a_usage_error(make_cli: Any) -> None:
    alice = make_cli("alice")
    alice.ok("init")
    out = alice("contact", "invite")  # waits 10 s for a starting node, then gives up
    assert out.code == 2 and "node run" in out.stderr


def test_invite_waits_for_a_node_that_is_starting(make_cli: Any) -> None:
    alice = make_cli("alice")
    alice.ok("init")
    node = NodeProcess(alice.home)  # not waited for: invite right away
    try:
        code = alice.ok("contact", "invite")["code"]
        assert code.startswith("szi1-")
    finally:
        assert node.terminate() == 0


def _wait(pred: Any, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.3)
    raise TimeoutError("condition not reached")


def test_shared_document_is_passed_along_two_hops(make_cli: Any, tmp_path: Any) -> None:
    alice, bob, carol = make_cli("alice"), make_cli("bob"), make_cli("carol")
    for c in (alice, bob, carol):
        c.ok("init")
    text = tmp_path / "manifesto.txt"
    text.write_text("To all members.\n\nRead it, copy it, pass it on.\n", encoding="utf-8")
    made = alice.ok("draft", "new", text, "--title", "Appeal")
    ver = made["version"]
    alice.ok("share", ver)
    a, b = NodeProcess(alice.home), NodeProcess(bob.home)
    try:
        a.wait_ready()
        b.wait_ready()
        bob.ok("contact", "accept", alice.ok("contact", "invite")["code"])
        carol.ok("contact", "accept", bob.ok("contact", "invite")["code"])
        # bob's node fetches from alice on its own, then passes it along to carol
        _wait(lambda: bob("read", ver).code == 0)
        got = carol.ok("sync")
        assert got["received"] == 1
        assert "pass it on" in carol.ok("read", ver)["text"]
        assert carol.ok("sync")["received"] == 0  # nothing is sent twice
    finally:
        assert a.terminate() == 0
        assert b.terminate() == 0
    for log in (a.stderr(), b.stderr()):
        assert ver[:16] not in log and "Appeal" not in log


def test_restarted_node_keeps_its_port_so_contacts_still_reach_it(make_cli: Any) -> None:
    alice, bob = make_cli("alice"), make_cli("bob")
    alice.ok("init")
    bob.ok("init")
    node = NodeProcess(alice.home, listen=None)
    try:
        first = node.wait_ready()["address"]
        bob.ok("contact", "accept", alice.ok("contact", "invite")["code"])
    finally:
        assert node.terminate() == 0
    node = NodeProcess(alice.home, listen=None)
    try:
        assert node.wait_ready()["address"] == first
        assert bob.ok("sync")["reached"] == 1
    finally:
        assert node.terminate() == 0
