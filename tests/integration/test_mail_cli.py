"""``samizdat mail send`` / ``mail fetch`` end to end, through the real command and
real servers on loopback: aiosmtpd (STARTTLS + AUTH) into a Maildir, Debian's dovecot
serving it over IMAP with STARTTLS."""

from __future__ import annotations

import mailbox
import os
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from samizdat.transports import mail as transport
from tests.conftest import Cli, write
from tests.integration.mail_servers import MailServers, free_port, mail_servers  # noqa: F401

pytestmark = pytest.mark.mail

TEXT = (
    "To all members of the party.\n\nThe leadership has led the country into crisis.\n\n"
    "Read it, copy it, pass it on.\n"
)


def _draft(cli: Cli, tmp_path: Path, text: str = TEXT, title: str = "Appeal") -> str:
    cli.ok("init")
    src = write(tmp_path / f"{cli.home.name}-draft.txt", text)
    version: str = cli.ok("draft", "new", src, "--title", title)["version"]
    return version


def _smtp_args(s: MailServers) -> list[str]:
    return ["--smtp", s.smtp_addr, "--starttls", "--user", s.user, "--cafile", str(s.cafile)]


def _imap_args(s: MailServers) -> list[str]:
    return ["--imap", s.imap_addr, "--starttls", "--user", s.user, "--cafile", str(s.cafile)]


def _send(cli: Cli, s: MailServers, version: str) -> Any:
    return cli.ok("mail", "send", version, "--to", s.address, "--from", "writer@example.org",
                  *_smtp_args(s), env={"SAMIZDAT_SMTP_PASSWORD": s.password})


def _fetch(cli: Cli, s: MailServers, cap: str, *extra: str) -> Any:
    return cli.ok("mail", "fetch", *_imap_args(s), *extra,
                  env={"SAMIZDAT_IMAP_PASSWORD": s.password, "SAMIZDAT_CAP": cap})


def test_send_over_smtp_fetch_over_imap_imports_the_identical_version_once(
    make_cli: Any, tmp_path: Path, mail_servers: MailServers  # noqa: F811
) -> None:
    mail_servers.clear()
    sender, reader = make_cli("sender"), make_cli("reader")
    version = _draft(sender, tmp_path)
    sent = _send(sender, mail_servers, version)
    assert sent["message_id"].startswith("<") and sent["cap"].startswith("sz1-")
    assert mail_servers.smtp.handler.received >= 1

    # what the server stored is an ordinary message without the capability
    stored = [p.read_bytes() for p in (mail_servers.maildir / "new").iterdir()]
    assert len(stored) == 1
    assert sent["cap"].encode() not in stored[0]
    assert sent["cap"][4:].upper().encode() not in stored[0]
    assert b"samizdat" not in stored[0].lower()
    assert message_from_bytes(stored[0])["Message-ID"] == sent["message_id"]

    reader.ok("init")
    got = _fetch(reader, mail_servers, sent["cap"])
    assert [c["version"] for c in got["imported"]] == [version]
    assert reader.ok("read", version)["text"] == sender.ok("read", version)["text"]

    again = _fetch(reader, mail_servers, sent["cap"])
    assert again["imported"] == []
    # IMAP messages never change: one dealt with is not even downloaded again
    assert again["skipped"] == {"already_seen": 1}

    # the same delivery read straight from the Maildir, as a local mail program would
    local = make_cli("local")
    local.ok("init")
    got = local.ok("mail", "fetch", "--maildir", mail_servers.maildir, "--cap", sent["cap"])
    assert [c["version"] for c in got["imported"]] == [version]


def test_a_wrong_cap_skips_and_the_right_one_later_imports(
    make_cli: Any, tmp_path: Path, mail_servers: MailServers  # noqa: F811
) -> None:
    mail_servers.clear()
    sender, other, reader = make_cli("sender"), make_cli("other"), make_cli("reader")
    version = _draft(sender, tmp_path)
    sent = _send(sender, mail_servers, version)
    other_version = _draft(other, tmp_path, "Something else entirely.\n", "Other")
    wrong = other.ok("mail", "send", other_version, "--to", mail_servers.address,
                     "--out", tmp_path / "unsent.eml")["cap"]
    reader.ok("init")
    first = _fetch(reader, mail_servers, wrong)
    assert first["imported"] == [] and first["skipped"] == {"wrong_cap": 1}
    second = _fetch(reader, mail_servers, f"{wrong} {sent['cap']}")
    assert [c["version"] for c in second["imported"]] == [version]


def test_eml_and_mbox_sources(make_cli: Any, tmp_path: Path) -> None:
    sender, reader = make_cli("sender"), make_cli("reader")
    version = _draft(sender, tmp_path)
    eml = tmp_path / "copy.eml"
    sent = sender.ok("mail", "send", version, "--to", "reader@example.test", "--out", eml)
    reader.ok("init")
    got = reader.ok("mail", "fetch", "--eml", eml, env={"SAMIZDAT_CAP": sent["cap"]})
    assert [c["version"] for c in got["imported"]] == [version]
    assert reader.ok("read", version)["text"] == sender.ok("read", version)["text"]

    box_path = tmp_path / "export.mbox"
    box = mailbox.mbox(str(box_path))
    box.add(message_from_bytes(eml.read_bytes()))
    box.add(message_from_bytes(b"From: friend@example.org\r\nSubject: hi\r\n\r\nlunch?\r\n"))
    box.flush()
    box.close()
    second = make_cli("second")
    second.ok("init")
    got = second.ok("mail", "fetch", "--mbox", box_path, "--cap", sent["cap"])
    assert [c["version"] for c in got["imported"]] == [version]
    assert got["skipped"] == {"no_attachment": 1}
    again = second.ok("mail", "fetch", "--mbox", box_path, "--eml", eml, "--cap", sent["cap"])
    assert again["imported"] == []
    assert again["skipped"] == {"already_imported": 2, "no_attachment": 1}


def _hostile_mail(tmp_path: Path, good: bytes, foreign: bytes) -> dict[str, bytes]:
    def msg(payload: bytes) -> bytes:
        return transport.build_message(payload, sender="x@example.org", to="r@example.test",
                                       rng=os.urandom, now=0.0).raw

    parts = b"".join(b"--B\r\nContent-Type: application/octet-stream\r\n\r\nAAAA\r\n"
                     for _ in range(300))
    return {
        "good": good,
        "foreign bundle (another cap)": foreign,
        "random attachment": msg(os.urandom(777)),
        "huge attachment": msg(os.urandom(400_000)),
        "part flood": b"From: x@example.org\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        + parts + b"--B--\r\n",
        "plain text": b"From: x@example.org\r\nSubject: hello\r\n\r\nNo attachment.\r\n",
    }


def test_bad_mail_is_skipped_and_counted_by_reason_over_imap(
    make_cli: Any, tmp_path: Path, mail_servers: MailServers  # noqa: F811
) -> None:
    mail_servers.clear()
    sender, other, reader = make_cli("sender"), make_cli("other"), make_cli("reader")
    version = _draft(sender, tmp_path)
    good = tmp_path / "good.eml"
    cap = sender.ok("mail", "send", version, "--to", "r@example.test", "--out", good)["cap"]
    other_version = _draft(other, tmp_path, "Another text.\n", "Other")
    foreign = tmp_path / "foreign.eml"
    other.ok("mail", "send", other_version, "--to", "r@example.test", "--out", foreign)
    for raw in _hostile_mail(tmp_path, good.read_bytes(), foreign.read_bytes()).values():
        mail_servers.deliver(raw)
    reader.ok("init")
    got = _fetch(reader, mail_servers, cap, "--max-attachment", "200000")
    assert [c["version"] for c in got["imported"]] == [version]
    assert got["messages"] == 6
    skipped = got["skipped"]
    # the random attachment is either an impossible length or one no cap opens
    assert skipped.pop("not_a_bundle", 0) + skipped.pop("wrong_cap", 0) == 2
    assert skipped == {"attachment_too_large": 1, "malformed": 1, "no_attachment": 1}
    # nothing half-imported: the reader knows exactly the one good version
    assert reader("read", other_version).code != 0
    # the imported, malformed and plain messages are not downloaded again; the
    # others are looked at again (a capability or a bigger cap may open them later)
    again = _fetch(reader, mail_servers, cap, "--max-attachment", "200000")
    left = again["skipped"]
    assert left.pop("not_a_bundle", 0) + left.pop("wrong_cap", 0) == 2
    assert left == {"already_seen": 3, "attachment_too_large": 1}


def test_exit_codes(make_cli: Any, tmp_path: Path, mail_servers: MailServers) -> None:  # noqa: F811
    sender = make_cli("sender")
    version = _draft(sender, tmp_path)
    # usage: no server, no capability, both TLS modes, login without TLS
    assert sender("mail", "send", version, "--to", "a@example.org").code == 2
    assert sender("mail", "fetch", "--imap", mail_servers.imap_addr).code == 2
    assert sender("mail", "send", version, "--to", "a@example.org", "--smtp",
                  mail_servers.smtp_addr, "--starttls", "--tls").code == 2
    assert sender("mail", "send", version, "--to", "a@example.org", "--smtp",
                  mail_servers.smtp_addr, "--user", "u",
                  env={"SAMIZDAT_SMTP_PASSWORD": "p"}).code == 2
    # other errors: wrong passwords, unreachable server, unverifiable TLS
    bad = sender("mail", "send", version, "--to", "a@example.org", *_smtp_args(mail_servers),
                 env={"SAMIZDAT_SMTP_PASSWORD": "not-the-password"})
    assert bad.code == 3 and "refused the login" in bad.stderr
    assert "not-the-password" not in bad.stderr and "Traceback" not in bad.stderr
    cap = sender.ok("mail", "send", version, "--to", "a@example.org",
                    "--out", tmp_path / "x.eml")["cap"]
    wrong_imap = sender("mail", "fetch", *_imap_args(mail_servers),
                        env={"SAMIZDAT_IMAP_PASSWORD": "nope", "SAMIZDAT_CAP": cap})
    assert wrong_imap.code == 3 and "Traceback" not in wrong_imap.stderr
    closed = sender("mail", "fetch", "--imap", f"127.0.0.1:{free_port()}", "--tls", "--user",
                    "u", env={"SAMIZDAT_IMAP_PASSWORD": "p", "SAMIZDAT_CAP": cap})
    assert closed.code == 3 and "cannot reach" in closed.stderr
    untrusted = sender("mail", "send", version, "--to", "a@example.org", "--smtp",
                       mail_servers.smtp_addr, "--starttls", "--user", mail_servers.user,
                       env={"SAMIZDAT_SMTP_PASSWORD": mail_servers.password})
    assert untrusted.code == 3 and "TLS" in untrusted.stderr


def test_settings_from_the_config_file_and_no_passwords_in_it(
    make_cli: Any, tmp_path: Path, mail_servers: MailServers  # noqa: F811
) -> None:
    mail_servers.clear()
    sender, reader = make_cli("sender"), make_cli("reader")
    version = _draft(sender, tmp_path)
    (sender.home / "mail.toml").write_text(
        f'[smtp]\nserver = "{mail_servers.smtp_addr}"\nsecurity = "starttls"\n'
        f'user = "{mail_servers.user}"\nfrom = "writer@example.org"\n'
        f'cafile = "{mail_servers.cafile}"\n'
    )
    sent = sender.ok("mail", "send", version, "--to", mail_servers.address,
                     env={"SAMIZDAT_SMTP_PASSWORD": mail_servers.password})
    reader.ok("init")
    (reader.home / "mail.toml").write_text(
        f'[imap]\nserver = "{mail_servers.imap_addr}"\nsecurity = "starttls"\n'
        f'user = "{mail_servers.user}"\ncafile = "{mail_servers.cafile}"\n'
    )
    got = reader.ok("mail", "fetch", env={"SAMIZDAT_IMAP_PASSWORD": mail_servers.password,
                                          "SAMIZDAT_CAP": sent["cap"]})
    assert [c["version"] for c in got["imported"]] == [version]
    (reader.home / "mail.toml").write_text('[imap]\nserver = "x:1"\npassword = "secret"\n')
    refused = reader("mail", "fetch", env={"SAMIZDAT_CAP": sent["cap"]})
    assert refused.code == 2 and "secret" not in refused.stderr


def test_opened_but_altered_or_foreign_payloads_are_rejected_and_nothing_is_stored(
    make_cli: Any, tmp_path: Path
) -> None:
    """Bundles that open with the capability given but hold an altered copy (the
    text changed under its signature-less version id) or bytes that are no samizdat
    package at all: counted as rejected / not_a_bundle, nothing stored."""
    from samizdat.app.carry import package_version
    from samizdat.core.crypto import SecretBytes
    from samizdat.core.envelope import seal
    from samizdat.store import Store
    from tests.conftest import PASSPHRASE

    sender, reader = make_cli("sender"), make_cli("reader")
    version = _draft(sender, tmp_path)
    with Store.open(sender.home, SecretBytes(PASSPHRASE.encode())) as store:
        package = package_version(store, bytes.fromhex(version))
    assert b"pass it on" in package
    altered = package.replace(b"pass it on", b"pass it in")
    files = []
    caps = []
    for name, payload in (("altered", altered), ("foreign", os.urandom(3000))):
        cap, (bundle,) = seal(payload, k=1, n=1, rng=os.urandom)
        path = tmp_path / f"{name}.eml"
        path.write_bytes(transport.build_message(bundle, sender="x@example.org",
                                                 to="r@example.test", rng=os.urandom,
                                                 now=0.0).raw)
        files.append(path)
        caps.append(cap.danger_real_capability_string())
    reader.ok("init")
    got = reader.ok("mail", "fetch", "--eml", *files, env={"SAMIZDAT_CAP": " ".join(caps)})
    assert got["imported"] == []
    assert got["skipped"] == {"rejected": 1, "not_a_bundle": 1}
    assert reader("read", version).code != 0
