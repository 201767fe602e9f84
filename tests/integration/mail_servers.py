"""Real mail servers on loopback for the mail tests.

* :class:`SmtpServer`: aiosmtpd on 127.0.0.1 that requires STARTTLS and AUTH
  (PLAIN/LOGIN, one user) and delivers every accepted message into a Maildir.
* :class:`DovecotServer`: Debian's ``dovecot`` (``dovecot-imapd``), run as root in
  the foreground (``dovecot -F -c CONF``) with a config written here: IMAP on
  127.0.0.1 with STARTTLS, one passwd-file user whose mail is that same Maildir.

Both use one self-signed certificate made here (:func:`make_certificate`), which the
client trusts through ``--cafile``: nothing in samizdat ever turns verification off.

Dovecot refuses to serve mail as root, so the mail user is ``nobody`` and the
Maildir (in a world-traversable temporary folder, since pytest's own are 0700)
belongs to it. The fixtures need root and the dovecot binary; without them the
tests that use them skip with the reason.
"""

from __future__ import annotations

import datetime
import ipaddress
import mailbox
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DOVECOT = "/usr/sbin/dovecot"
USER = "reader"
PASSWORD = "mail-secret-123"
ADDRESS = "reader@example.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Certificate:
    cert: Path
    key: Path


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost (ECDSA P-256)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = folder / "cert.pem"
    key_path = folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return Certificate(cert_path, key_path)


class _MaildirHandler:
    """aiosmtpd handler: every accepted message goes into the Maildir, owned by the
    mail user so that dovecot may read and move it."""

    def __init__(self, maildir: Path, uid: int, gid: int) -> None:
        self.maildir = maildir
        self.uid = uid
        self.gid = gid
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        box = mailbox.Maildir(str(self.maildir), create=False)
        key = box.add(raw.replace(b"\r\n", b"\n"))
        path = self.maildir / box._lookup(key)
        if os.geteuid() == 0:
            os.chown(path, self.uid, self.gid)
        self.received += 1
        return "250 OK delivered"


class SmtpServer:
    """aiosmtpd on loopback with required STARTTLS and AUTH, into a Maildir."""

    def __init__(self, maildir: Path, cert: Certificate, uid: int, gid: int) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                          auth_data: Any) -> AuthResult:
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login == USER.encode()
                and auth_data.password == PASSWORD.encode()
            )
            return AuthResult(success=ok, handled=False)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert.cert), str(cert.key))
        self.port = free_port()
        self.handler = _MaildirHandler(maildir, uid, gid)
        self._controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            authenticator=authenticator,
            auth_required=True,
        )

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


class DovecotServer:
    """Debian's dovecot in the foreground, IMAP with STARTTLS on 127.0.0.1 only."""

    def __init__(self, root: Path, maildir: Path, cert: Certificate, uid: int, gid: int) -> None:
        self.root = root
        self.port = free_port()
        self.log = root / "dovecot.log"
        self.conf = root / "dovecot.conf"
        passwd = root / "passwd"
        home = root / "home"
        home.mkdir()
        os.chown(home, uid, gid)
        passwd.write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{home}::\n")
        passwd.chmod(0o644)
        self.conf.write_text(
            f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {self.log}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert.cert}
ssl_key = <{cert.key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{maildir}:INDEX={home}/index
mail_privileged_group =
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {passwd}
}}
userdb {{
  driver = passwd-file
  args = {passwd}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"dovecot exited at start: {self._failure()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer on {self.port}: {self._failure()}")

    def _failure(self) -> str:
        err = b""
        if self._proc is not None and self._proc.poll() is not None and self._proc.stderr:
            err = self._proc.stderr.read()
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        return (err.decode(errors="replace") + log)[-2000:]

    def stop(self) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


@dataclass
class MailServers:
    """What a test needs to talk to the running servers."""

    smtp: SmtpServer
    imap: DovecotServer
    cafile: Path
    maildir: Path
    user: str = USER
    password: str = PASSWORD
    address: str = ADDRESS

    @property
    def smtp_addr(self) -> str:
        return f"127.0.0.1:{self.smtp.port}"

    @property
    def imap_addr(self) -> str:
        return f"127.0.0.1:{self.imap.port}"

    def deliver(self, raw: bytes) -> None:
        """Put a message straight into the Maildir, as if some other sender had
        delivered it (for hostile mail a real client would not produce)."""
        box = mailbox.Maildir(str(self.maildir), create=False)
        key = box.add(raw)
        path = self.maildir / box._lookup(key)
        os.chown(path, self.smtp.handler.uid, self.smtp.handler.gid)

    def clear(self) -> None:
        """Empty the Maildir between tests."""
        for sub in ("new", "cur", "tmp"):
            for path in (self.maildir / sub).iterdir():
                path.unlink()


def servers_missing() -> str | None:
    """Why the real servers cannot run here, or None."""
    if os.geteuid() != 0:
        return "dovecot must be started as root (run the tests as root)"
    if not Path(DOVECOT).exists():
        return "dovecot is not installed (run scripts/install-system-deps as root)"
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        return "aiosmtpd is not installed (pip install '.[mail]')"
    return None


@pytest.fixture(scope="module")
def mail_servers() -> Iterator[MailServers]:
    """A running SMTP server and dovecot sharing one Maildir, for the module.

    Both are stopped at the end whatever happened; the temporary folder is removed.
    """
    reason = servers_missing()
    if reason:
        pytest.skip(reason)
    mail_user = pwd.getpwnam("nobody")
    uid, gid = mail_user.pw_uid, mail_user.pw_gid
    root = Path(tempfile.mkdtemp(prefix="samizdat-mail-"))
    root.chmod(0o755)
    smtp: SmtpServer | None = None
    imap: DovecotServer | None = None
    try:
        cert = make_certificate(root)
        maildir = root / "Maildir"
        mailbox.Maildir(str(maildir), create=True)
        for path in (maildir, maildir / "new", maildir / "cur", maildir / "tmp"):
            os.chown(path, uid, gid)
        smtp = SmtpServer(maildir, cert, uid, gid)
        smtp.start()
        imap = DovecotServer(root, maildir, cert, uid, gid)
        imap.start()
        yield MailServers(smtp=smtp, imap=imap, cafile=cert.cert, maildir=maildir)
    finally:
        if imap is not None:
            imap.stop()
        if smtp is not None:
            smtp.stop()
        shutil.rmtree(root, ignore_errors=True)
