"""The mail transport on opaque bytes, through the real servers on loopback:
SMTP with STARTTLS and login (aiosmtpd) into a Maildir, fetched back over IMAP with
STARTTLS from Debian's dovecot."""

from __future__ import annotations

import imaplib
import os

import pytest

from samizdat.core.crypto import SecretBytes
from samizdat.errors import NetworkError, UsageError
from samizdat.transports import mail
from tests.integration.mail_servers import MailServers, mail_servers  # noqa: F401

pytestmark = pytest.mark.mail


def _settings(servers: MailServers) -> mail.SmtpSettings:
    host, port = mail.parse_hostport(servers.smtp_addr, 25)
    return mail.SmtpSettings(host, port, "starttls", servers.user, servers.cafile, timeout=20)


def _imap(servers: MailServers, **kw: object) -> mail.ImapSettings:
    host, port = mail.parse_hostport(servers.imap_addr, 143)
    args: dict[str, object] = {
        "security": "starttls", "user": servers.user, "cafile": servers.cafile, "timeout": 20
    }
    args.update(kw)
    return mail.ImapSettings(host, port, **args)  # type: ignore[arg-type]


def test_smtp_starttls_login_then_imap_fetch_gives_back_the_same_bytes(
    mail_servers: MailServers,  # noqa: F811
) -> None:
    mail_servers.clear()
    payload = os.urandom(200_000)
    out = mail.build_message(payload, sender="writer@example.org", to=mail_servers.address,
                             rng=os.urandom, now=1_700_000_000.0)
    mail.send_message(out, sender="writer@example.org", to=mail_servers.address,
                      settings=_settings(mail_servers),
                      password=SecretBytes(mail_servers.password.encode()))
    items = list(mail.fetch_imap(_imap(mail_servers),
                                 SecretBytes(mail_servers.password.encode()), mail.Limits()))
    assert len(items) == 1 and items[0].raw is not None
    found, oversized = mail.extract_attachments(items[0].raw, mail.Limits())
    assert found == [payload] and oversized == 0
    assert out.message_id.encode() in items[0].raw


def test_smtp_wrong_password_is_a_network_error_without_the_password(
    mail_servers: MailServers,  # noqa: F811
) -> None:
    out = mail.build_message(b"x" * 10, sender="a@example.org", to=mail_servers.address,
                             rng=os.urandom, now=0.0)
    with pytest.raises(NetworkError) as info:
        mail.send_message(out, sender="a@example.org", to=mail_servers.address,
                          settings=_settings(mail_servers),
                          password=SecretBytes(b"guessed-wrong"))
    assert "refused the login" in info.value.message
    assert "guessed-wrong" not in info.value.one_line()


def test_smtp_without_the_ca_fails_verification(mail_servers: MailServers) -> None:  # noqa: F811
    settings = _settings(mail_servers)
    settings = mail.SmtpSettings(settings.host, settings.port, "starttls", settings.user, None, 20)
    out = mail.build_message(b"x", sender="a@example.org", to=mail_servers.address,
                             rng=os.urandom, now=0.0)
    with pytest.raises(NetworkError) as info:
        mail.send_message(out, sender="a@example.org", to=mail_servers.address,
                          settings=settings, password=SecretBytes(mail_servers.password.encode()))
    assert "TLS" in info.value.message


def test_login_over_cleartext_is_refused_before_connecting() -> None:
    settings = mail.SmtpSettings("127.0.0.1", 9, "none", "someone")
    out = mail.build_message(b"x", sender="a@example.org", to="b@example.org",
                             rng=os.urandom, now=0.0)
    with pytest.raises(UsageError):
        mail.send_message(out, sender="a@example.org", to="b@example.org",
                          settings=settings, password=SecretBytes(b"pw"))


def test_imap_wrong_password_is_a_network_error(mail_servers: MailServers) -> None:  # noqa: F811
    with pytest.raises(NetworkError) as info:
        list(mail.fetch_imap(_imap(mail_servers), SecretBytes(b"nope"), mail.Limits()))
    assert "nope" not in info.value.one_line()


def test_imap_skips_a_message_over_the_cap_without_downloading_it(
    mail_servers: MailServers,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every byte the IMAP client reads from the server, counted where imaplib reads
    received = 0
    real_read, real_readline = imaplib.IMAP4.read, imaplib.IMAP4.readline

    def read(self: imaplib.IMAP4, size: int) -> bytes:
        nonlocal received
        data = real_read(self, size)
        received += len(data)
        return data

    def readline(self: imaplib.IMAP4) -> bytes:
        nonlocal received
        line = real_readline(self)
        received += len(line)
        return line

    monkeypatch.setattr(imaplib.IMAP4, "read", read)
    monkeypatch.setattr(imaplib.IMAP4, "readline", readline)
    mail_servers.clear()
    big = mail.build_message(os.urandom(300_000), sender="a@example.org",
                             to=mail_servers.address, rng=os.urandom, now=0.0)
    small = mail.build_message(b"small", sender="a@example.org",
                               to=mail_servers.address, rng=os.urandom, now=0.0)
    mail_servers.deliver(big.raw)
    mail_servers.deliver(small.raw)
    limits = mail.Limits(max_message=100_000, max_attachment=50_000)
    items = list(mail.fetch_imap(_imap(mail_servers),
                                 SecretBytes(mail_servers.password.encode()), limits))
    assert sorted(str(i.reason) for i in items) == ["None", "too_large"]
    (downloaded,) = [i.raw for i in items if i.raw is not None]
    assert small.message_id.encode() in downloaded
    # the big message (over 400 kB as sent) was never downloaded, not even in part
    assert len(big.raw) > 400_000
    assert received < len(small.raw) + 20_000, f"{received} bytes read from the server"
