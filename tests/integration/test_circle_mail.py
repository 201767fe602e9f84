"""A circle's drafts by e-mail, through the real command and real servers on
loopback (aiosmtpd with STARTTLS + AUTH into a Maildir, dovecot serving it over
IMAP): the draft and its comments travel as a circle item, which the co-author's
``mail fetch`` opens without a capability and a reader reading the same mailbox
cannot open at all."""

from __future__ import annotations

import os
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, write
from tests.integration.mail_servers import MailServers, mail_servers  # noqa: F401
from tests.integration.test_circle_cli import _cells

pytestmark = pytest.mark.mail

DRAFT = ("Товарищи, мы пишем вам тайно.\n\n收成失败了，没有人说。\n\n"
         "کنگره باید فوراً اقدام کند.\n\nRead, copy, pass it on.\n")
COMMENT = "哪里的收成？ Где именно?"
PUBLIC = "An open letter anyone may read.\n"


def _smtp(s: MailServers) -> list[str]:
    return ["--smtp", s.smtp_addr, "--starttls", "--user", s.user, "--cafile", str(s.cafile),
            "--from", "anna@example.org"]


def _imap(s: MailServers) -> list[str]:
    return ["--imap", s.imap_addr, "--starttls", "--user", s.user, "--cafile", str(s.cafile)]


def _circle(tmp_path: Path, owner: Cli, *members: Cli, name: str = "редакция") -> None:
    key = tmp_path / f"{name}.key"
    owner.ok("circle", "new", name, "--key-out", key)
    for m in members:
        m.ok("circle", "join", name, "--code-file", key)


def _circle_draft(cli: Cli, tmp_path: Path, circle: str = "редакция",
                  text: str = DRAFT) -> str:
    made = cli.ok("draft", "new", write(tmp_path / f"{cli.home.name}-{circle}.txt", text),
                  "--title", "Платформа", "--circle", circle)
    version: str = made["version"]
    cli.ok("sign", version)  # signed by its author, still a draft of the circle
    cli.ok("draft", "comment", version, "--paragraph", "2", COMMENT)
    return version


def _parts(raw: bytes) -> list[tuple[str, str | None]]:
    return [(p.get_content_type(), p.get("Content-Transfer-Encoding"))
            for p in message_from_bytes(raw).walk()]


def test_a_co_author_gets_the_draft_and_comments_by_mail_and_a_reader_nothing(
    make_cli: Any, tmp_path: Path, mail_servers: MailServers  # noqa: F811
) -> None:
    mail_servers.clear()
    anna, boris, reader = make_cli("anna"), make_cli("boris"), make_cli("reader")
    for c in (anna, boris, reader):
        c.ok("init")
    _circle(tmp_path, anna, boris)
    draft = _circle_draft(anna, tmp_path)
    public = anna.ok("draft", "new", write(tmp_path / "open.txt", PUBLIC),
                     "--title", "Open letter")["version"]
    anna.ok("sign", public)  # a signed version of a document in no circle: for readers
    env = {"SAMIZDAT_SMTP_PASSWORD": mail_servers.password}
    sent = anna.ok("mail", "send", draft, "--to", mail_servers.address, *_smtp(mail_servers),
                   env=env)
    assert sent["cap"] is None and sent["circle"] == "редакция"
    assert sent["message_id"].startswith("<")
    open_copy = anna.ok("mail", "send", public, "--to", mail_servers.address,
                        *_smtp(mail_servers), env=env)
    assert open_copy["cap"].startswith("sz1-") and "circle" not in open_copy

    # the server holds two messages of the same shape, neither with the draft in it
    stored = sorted((p.read_bytes() for p in (mail_servers.maildir / "new").iterdir()),
                    key=lambda raw: sent["message_id"].encode() not in raw)
    assert len(stored) == 2
    assert _parts(stored[0]) == _parts(stored[1])
    for raw in stored:
        for word in ("Товарищи", "收成", "کنگره", "哪里", "редакция"):
            assert word.encode() not in raw
        assert b"samizdat" not in raw.lower()

    # the reader reads the same mailbox with every capability she was given
    caps = [open_copy["cap"], *([sent["cap"]] if sent["cap"] else [])]
    got = reader.ok("mail", "fetch", *_imap(mail_servers),
                    env={"SAMIZDAT_IMAP_PASSWORD": mail_servers.password,
                         "SAMIZDAT_CAP": " ".join(caps)})
    assert [c["version"] for c in got["imported"]] == [public]
    assert got["skipped"] == {"wrong_cap": 1}
    assert reader("read", draft).code != 0
    local = reader.ok("mail", "fetch", "--maildir", mail_servers.maildir,
                      env={"SAMIZDAT_CAP": " ".join(caps)})
    assert local["imported"] == [] and local["skipped"] == {
        "already_imported": 1, "wrong_cap": 1}
    cells = _cells(reader)
    for para in DRAFT.split("\n\n"):
        assert para.strip().encode() not in cells
    assert COMMENT.encode() not in cells and "редакция".encode() not in cells

    # the co-author needs no capability: the circle key opens the item
    got = boris.ok("mail", "fetch", *_imap(mail_servers),
                   env={"SAMIZDAT_IMAP_PASSWORD": mail_servers.password})
    (item,) = got["imported"]
    assert (item["version"], item["status"], item["circle"]) == (draft, "circle", "редакция")
    assert got["skipped"] == {"wrong_cap": 1}  # the open copy, for a cap boris lacks
    assert boris.ok("read", draft)["text"] == anna.ok("read", draft)["text"]
    (comment,) = boris.ok("read", draft, "--comments")["comments"]
    assert (comment["text"], comment["paragraph"]) == (COMMENT, 2)
    # the item is never imported twice; the message needs no new look
    again = boris.ok("mail", "fetch", *_imap(mail_servers),
                     env={"SAMIZDAT_IMAP_PASSWORD": mail_servers.password})
    assert again["imported"] == [] and again["skipped"] == {"already_seen": 1,
                                                            "wrong_cap": 1}


def test_an_item_of_another_circle_is_skipped_with_a_count_until_joined(
    make_cli: Any, tmp_path: Path
) -> None:
    anna, boris, carol = make_cli("anna"), make_cli("boris"), make_cli("carol")
    for c in (anna, boris, carol):
        c.ok("init")
    _circle(tmp_path, anna, boris)
    _circle(tmp_path, carol, name="другой")
    mine = _circle_draft(anna, tmp_path)
    theirs = _circle_draft(carol, tmp_path, "другой", "Чужой черновик.\n\n别人的草稿。\n")
    ours, other = tmp_path / "ours.eml", tmp_path / "other.eml"
    assert anna.ok("mail", "send", mine, "--to", "b@example.test", "--out", ours)["circle"]
    carol.ok("mail", "send", theirs, "--to", "b@example.test", "--out", other)
    got = boris.ok("mail", "fetch", "--eml", ours, other)
    assert [c["version"] for c in got["imported"]] == [mine]
    assert got["skipped"] == {"wrong_cap": 1}
    assert boris("read", theirs).code != 0
    assert "Чужой".encode() not in _cells(boris)
    # a store in a circle needs no capability to look, and opens only its own
    lost = carol.ok("mail", "fetch", "--eml", ours)
    assert lost["imported"] == [] and lost["skipped"] == {"wrong_cap": 1}
    # once boris joins carol's circle the same message opens
    carol_key = tmp_path / "другой.key"
    boris.ok("circle", "join", "другой", "--code-file", carol_key)
    later = boris.ok("mail", "fetch", "--eml", ours, other)
    assert [c["version"] for c in later["imported"]] == [theirs]
    assert later["skipped"] == {"already_imported": 1}


def test_circle_mail_refuses_a_contact_and_a_damaged_item_stores_nothing(
    make_cli: Any, tmp_path: Path
) -> None:
    anna, boris = make_cli("anna"), make_cli("boris")
    for c in (anna, boris):
        c.ok("init")
    _circle(tmp_path, anna, boris)
    draft = _circle_draft(anna, tmp_path)
    res = anna("mail", "send", draft, "--to", "b@example.test", "--contact", "1",
               "--out", tmp_path / "x.eml")
    assert res.code == 2 and "circle" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) <= 2  # the line and its hint
    assert not (tmp_path / "x.eml").exists()

    from samizdat.transports import mail as transport

    eml = tmp_path / "item.eml"
    anna.ok("mail", "send", draft, "--to", "b@example.test", "--out", eml)
    limits = transport.Limits.for_attachment(1 << 20)
    (item,), _ = transport.extract_attachments(eml.read_bytes(), limits)
    damaged = bytearray(item)
    damaged[len(damaged) // 2] ^= 1
    bad = tmp_path / "bad.eml"
    bad.write_bytes(transport.build_message(bytes(damaged), sender="a@example.org",
                                            to="b@example.test", rng=os.urandom,
                                            now=0.0).raw)
    got = boris.ok("mail", "fetch", "--eml", bad)
    assert got["imported"] == [] and got["skipped"] == {"not_a_bundle": 1}
    assert boris("read", draft).code != 0
    assert boris.ok("list")["documents"] == []


def test_an_item_naming_another_circle_inside_is_rejected_by_mail_fetch(
    make_cli: Any, tmp_path: Path
) -> None:
    """A member of circles A and B gets an item sealed with B's key that says it is
    A's: made on purpose (to move a document between circles). Counted as
    rejected, nothing stored, and the fetch goes on."""
    from samizdat.app.carry import package_version
    from samizdat.core import circle as core
    from samizdat.core.crypto import SecretBytes
    from samizdat.core.envelope import Sealer, drop_wrap
    from samizdat.store import Store
    from samizdat.transports import mail as transport
    from tests.conftest import PASSPHRASE

    anna, boris = make_cli("anna"), make_cli("boris")
    for c in (anna, boris):
        c.ok("init")
    _circle(tmp_path, anna, boris)
    _circle(tmp_path, anna, boris, name="B")
    draft = _circle_draft(anna, tmp_path)
    a_id = next(c["circle"] for c in anna.ok("circle", "list")["circles"]
                if c["name"] == "редакция")
    b_key = core.CircleKey.parse((tmp_path / "B.key").read_text().strip())
    with Store.open(anna.home, SecretBytes(PASSPHRASE.encode())) as store:
        package = package_version(store, bytes.fromhex(draft))
    root = os.urandom(32)
    out: list[bytes | memoryview] = [drop_wrap(b_key.wrap_cap(), root, os.urandom)]
    sealer = Sealer(k=1, n=1, rng=os.urandom, sinks=[out.append], root_key=root)
    sealer.write(core.encode_item(core.CircleItem(bytes.fromhex(a_id), package)))
    sealer.close()
    forged = tmp_path / "forged.eml"
    forged.write_bytes(transport.build_message(b"".join(out), sender="a@example.org",
                                               to="b@example.test", rng=os.urandom,
                                               now=0.0).raw)
    good = tmp_path / "good.eml"
    anna.ok("mail", "send", draft, "--to", "b@example.test", "--out", good)
    got = boris.ok("mail", "fetch", "--eml", forged, good)
    assert got["skipped"] == {"rejected": 1}
    assert [(c["version"], c["circle"]) for c in got["imported"]] == [(draft, "редакция")]
