"""E-mail as a transport: one sealed bundle per message, as an ordinary attachment.

What leaves this module looks like any mail a person sends a friend: a short plain
text body, a subject from a list of everyday ones, and one attachment of type
``application/octet-stream`` with an everyday name. There is no samizdat header,
no ``X-Mailer``, no marker in the body; the attachment itself is a sealed bundle,
which without the read capability is indistinguishable from random bytes. The
read capability never travels in this message (see ``docs/mail.md``).

Receiving is bounded everywhere, because the mail comes from anyone:

* a message larger than :attr:`Limits.max_message` is skipped before it is read
  (file size, the IMAP ``RFC822.SIZE``, a partial IMAP fetch, a streaming mbox
  reader), never held in memory whole;
* an attachment larger than :attr:`Limits.max_attachment` is skipped;
* a MIME tree with more than :attr:`Limits.max_parts` parts or nested deeper than
  :attr:`Limits.max_depth` is skipped as malformed, and so is anything the parser
  chokes on.

Every skipped item carries a reason (one of :data:`REASONS`) so that ``mail fetch``
can say how many were skipped and why.

Sending goes through :mod:`smtplib` with implicit TLS or STARTTLS and login when
configured; receiving through :mod:`imaplib` (TLS or STARTTLS), an mbox file, a
Maildir, or ``.eml`` files. Network and file failures become
:class:`~samizdat.errors.NetworkError` / :class:`~samizdat.errors.InputError` with
one-line messages that never contain the password.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import email.utils
import imaplib
import re
import smtplib
import ssl
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email import encoders
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import Literal

from samizdat.core.address import parse_hostport
from samizdat.core.crypto import SecretBytes
from samizdat.errors import DecodeError, InputError, NetworkError, UsageError

__all__ = [
    "REASONS",
    "ImapSettings",
    "Limits",
    "MailItem",
    "OutgoingMail",
    "Security",
    "SmtpSettings",
    "build_message",
    "extract_attachments",
    "fetch_imap",
    "parse_hostport",
    "read_eml",
    "read_maildir",
    "read_mbox",
    "send_message",
]

Security = Literal["none", "starttls", "tls"]
"""How a mail connection is protected: not at all, STARTTLS, or implicit TLS."""

Rng = Callable[[int], bytes]

REASONS = (
    "malformed",  # the message is not parseable MIME, or its tree is too deep/wide
    "too_large",  # the message is over the size cap
    "attachment_too_large",  # one attachment is over the size cap
    "no_attachment",  # an ordinary message with nothing that could be a bundle
    "not_a_bundle",  # an attachment that is not a sealed bundle we can open
    "wrong_cap",  # a bundle that none of the capabilities we hold opens
    "already_imported",  # this exact attachment was imported before
    "already_seen",  # an IMAP message dealt with before, not downloaded again
    "unreadable",  # a file or mailbox entry that could not be read
)
"""Every reason an item can be skipped for; the keys of ``mail fetch``'s ``skipped``."""

MiB = 1024 * 1024

# Everyday wording, chosen at random per message so that samizdat mail has no
# fixed subject, body or file name an observer could filter on.
_SUBJECTS = (
    "the file",
    "as promised",
    "here it is",
    "for you",
    "notes",
    "from last week",
    "copy",
    "backup",
)
_BODIES = (
    "Hello,\n\nhere is the file we talked about.\n\nBest wishes\n",
    "Hi,\n\nas promised, the file is attached.\n\nTake care\n",
    "Hello,\n\nattached, as you asked.\n\nAll the best\n",
    "Hi,\n\nthe attachment is the copy I mentioned.\n\nSee you soon\n",
)
_WIRE = compat32.clone(linesep="\r\n")
_FILENAMES = ("notes.dat", "backup.dat", "data.bin", "archive.dat", "file.bin", "copy.dat")


@dataclass(frozen=True)
class Limits:
    """How much a received message may cost us; anything bigger is skipped."""

    max_message: int = 48 * MiB
    max_attachment: int = 32 * MiB
    max_parts: int = 64
    max_depth: int = 8

    @classmethod
    def for_attachment(cls, max_attachment: int) -> Limits:
        """Limits where a message may hold one attachment of ``max_attachment`` bytes:
        base64 costs 4/3, plus room for headers and a body."""
        return cls(max_message=max_attachment * 4 // 3 + MiB, max_attachment=max_attachment)


@dataclass(frozen=True)
class MailItem:
    """One message found in a source: its raw bytes, or why it was skipped before
    being read. ``where`` names it for people (``inbox.mbox #3``, ``IMAP uid 7``)."""

    where: str
    raw: bytes | None = field(default=None, repr=False)
    reason: str | None = None
    key: str | None = field(default=None, repr=False)
    """A name that stays bound to these exact bytes (IMAP: account, mailbox,
    UIDVALIDITY and UID; IMAP messages never change), so a message dealt with
    once need not be downloaded again. None for files, which can change."""


@dataclass(frozen=True)
class OutgoingMail:
    """A message ready for SMTP: its bytes and its ``Message-ID``."""

    message_id: str
    raw: bytes = field(repr=False)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. The password is passed separately, never stored here."""

    host: str
    port: int
    security: Security = "none"
    user: str | None = None
    cafile: Path | None = None
    timeout: float = 60.0


@dataclass(frozen=True)
class ImapSettings:
    """Where and how to fetch. The password is passed separately."""

    host: str
    port: int
    security: Security = "none"
    user: str | None = None
    mailbox: str = "INBOX"
    cafile: Path | None = None
    timeout: float = 60.0


# ---------------------------------------------------------------------- building


def _pick(rng: Rng, options: tuple[str, ...]) -> str:
    return options[int.from_bytes(rng(2), "big") % len(options)]


def _domain(address: str) -> str:
    _name, addr = email.utils.parseaddr(address)
    if addr not in address or not re.fullmatch(r"[^@\s<>]+@[A-Za-z0-9.-]+", addr):
        raise UsageError(f"not an e-mail address: {address!r}")
    return addr.rsplit("@", 1)[1].lower()


def build_message(
    attachment: bytes,
    *,
    sender: str,
    to: str,
    rng: Rng,
    now: float,
    subject: str | None = None,
    body: str | None = None,
    filename: str | None = None,
) -> OutgoingMail:
    """A standard ``multipart/mixed`` message carrying ``attachment``.

    Subject, body and file name are picked with ``rng`` from everyday ones unless
    given. The ``Message-ID`` is random under the sender's own domain, like a mail
    client's; ``now`` (seconds since the epoch) becomes the ``Date``.
    """
    for value in (sender, to, subject or "", filename or ""):
        if "\n" in value or "\r" in value:
            raise UsageError("addresses, subject and file name cannot contain a line break")
    domain = _domain(sender)
    _domain(to)
    # boundary and Message-ID in the shapes a common mail client (Thunderbird) uses,
    # so they do not single samizdat out
    msg = MIMEMultipart("mixed", boundary="-" * 12 + _alnum(rng, 24))
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject if subject is not None else _pick(rng, _SUBJECTS)
    msg["Date"] = email.utils.format_datetime(datetime.datetime.fromtimestamp(now, datetime.UTC))
    message_id = f"<{uuid.UUID(bytes=rng(16), version=4)}@{domain}>"
    msg["Message-ID"] = message_id
    msg.preamble = "This is a multi-part message in MIME format."
    text = body if body is not None else _pick(rng, _BODIES)
    msg.attach(MIMEText(text, "plain", "us-ascii" if text.isascii() else "utf-8"))
    # The stdlib writes the headers and structure; the attachment's base64 is made
    # in one C call and spliced in for a marker, because the email generator
    # handles a large body line by line in Python (several times slower).
    marker = "=" + rng(16).hex() + "="
    part = MIMEApplication(b"", "octet-stream", _encoder=encoders.encode_noop)
    part.set_payload(marker)
    part["Content-Transfer-Encoding"] = "base64"
    part.add_header(
        "Content-Disposition",
        "attachment",
        filename=filename if filename is not None else _pick(rng, _FILENAMES),
    )
    msg.attach(part)
    # CRLF line ends, as RFC 5322 wants on the wire: smtplib sends bytes unchanged
    head, found, tail = msg.as_bytes(policy=_WIRE).partition(marker.encode("ascii"))
    if not found:
        raise RuntimeError("MIME marker lost")  # cannot happen: the marker is ours
    return OutgoingMail(message_id=message_id, raw=head + _base64_lines(attachment) + tail)


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _alnum(rng: Rng, n: int) -> str:
    return "".join(_ALNUM[b % len(_ALNUM)] for b in rng(n))


def _base64_lines(data: bytes) -> bytes:
    """Base64 in lines of 76 characters joined by CRLF (RFC 2045 §6.8)."""
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


# ----------------------------------------------------------------------- parsing


def _leaves(msg: Message, limits: Limits) -> list[Message]:
    """The non-multipart parts of ``msg``, depth first, within the limits."""
    leaves: list[Message] = []
    count = 0
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        count += 1
        if count > limits.max_parts:
            raise DecodeError("the message has too many MIME parts")
        if depth > limits.max_depth:
            raise DecodeError("the message's MIME parts are nested too deeply")
        if part.is_multipart():
            children = part.get_payload()
            if not isinstance(children, list):
                raise DecodeError("a multipart part without parts")
            for child in reversed(children):
                if not isinstance(child, Message):
                    raise DecodeError("a multipart part holds something that is not a part")
                stack.append((child, depth + 1))
        else:
            leaves.append(part)
    return leaves


def _is_candidate(part: Message) -> bool:
    """Could this part be a bundle? Anything attached that is not text: mail clients
    and forwarding change content types, so the type alone does not decide."""
    maintype = part.get_content_maintype()
    disposition = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    if maintype in ("text", "multipart", "message"):
        return disposition == "attachment" and maintype != "multipart"
    return True


_BOUNDARY_PARAM = re.compile(rb"(?i)boundary[\s*0-9]*=")
# base64 lines are 76 characters and text lines rarely much shorter on average; a
# message of millions of tiny lines is made to be slow, not to carry a copy
_BYTES_PER_LINE = 32
_FREE_LINES = 20_000


def _check_parse_cost(raw: bytes, limits: Limits) -> None:
    """Refuse, before parsing, a message whose parse would cost out of proportion
    to its size. The stdlib parser checks every line against the boundary of every
    open multipart, so its cost is lines x nesting depth: 300 nested multiparts and
    a megabyte of short lines took 2 minutes. Nesting cannot exceed the number of
    boundary declarations (a multipart without one is not split), which are
    counted wherever they are (folded headers, RFC 2231 forms); lines are bounded
    by the size."""
    if len(_BOUNDARY_PARAM.findall(raw)) > limits.max_depth:
        raise DecodeError("the message declares too many MIME multiparts")
    if raw.count(b"\n") > _FREE_LINES + len(raw) // _BYTES_PER_LINE:
        raise DecodeError("the message has too many short lines to be a sealed copy")


def extract_attachments(raw: bytes, limits: Limits) -> tuple[list[bytes], int]:
    """The attachments of one raw message that could be bundles, and how many other
    attachments were over ``limits.max_attachment``.

    Raises :class:`DecodeError` for a message that is over the size cap or that
    is not MIME we can walk (too many parts, too deep, too costly to parse, or
    the parser fails). The parse costs at most ~9 line checks per line, for at
    most ``20,000 + size / 32`` lines.
    """
    if len(raw) > limits.max_message:
        raise DecodeError("the message is over the size limit")
    # Cheap guard before the parser builds a tree: every part needs a boundary
    # line ("--..."), so far more of those than allowed parts means a hostile
    # message that would cost seconds to parse. Base64 lines never start with "-".
    if raw.count(b"\n--") > 4 * limits.max_parts + 64:
        raise DecodeError("the message has too many MIME parts")
    _check_parse_cost(raw, limits)
    try:
        msg = BytesParser(policy=compat32).parsebytes(raw)
        if msg.defects and not msg.keys():
            raise DecodeError("not a mail message")
        found: list[bytes] = []
        oversized = 0
        for part in _leaves(msg, limits):
            if not _is_candidate(part):
                continue
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes) or not payload:
                continue
            if len(payload) > limits.max_attachment:
                oversized += 1
                continue
            found.append(payload)
    except DecodeError:
        raise
    except (ValueError, TypeError, LookupError, RecursionError, AttributeError) as exc:
        raise DecodeError(f"malformed MIME ({type(exc).__name__})") from exc
    return found, oversized


# ----------------------------------------------------------------------- sources


def read_eml(paths: Iterable[Path], limits: Limits) -> Iterator[MailItem]:
    """One item per ``.eml`` file (a directory means every ``*.eml`` file in it)."""
    for path in paths:
        if path.is_dir():
            yield from read_eml(sorted(path.glob("*.eml")), limits)
            continue
        yield _read_file(path, path.name, limits)


def read_maildir(folder: Path, limits: Limits) -> Iterator[MailItem]:
    """Every message in a Maildir (``new/`` and ``cur/``), read without changing it."""
    if not (folder / "cur").is_dir() and not (folder / "new").is_dir():
        raise InputError(f"{folder} is not a Maildir (no cur/ or new/ folder)")
    for sub in ("new", "cur"):
        directory = folder / sub
        if directory.is_dir():
            for path in sorted(directory.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    yield _read_file(path, f"{sub}/{path.name}", limits)


def _read_file(path: Path, where: str, limits: Limits) -> MailItem:
    try:
        with path.open("rb") as fh:
            raw = fh.read(limits.max_message + 1)
    except OSError:
        return MailItem(where, reason="unreadable")
    if len(raw) > limits.max_message:
        return MailItem(where, reason="too_large")
    return MailItem(where, raw)


_MAX_LINE = 1 * MiB


def read_mbox(path: Path, limits: Limits) -> Iterator[MailItem]:
    """The messages of an mbox file, streamed: a message over the size cap is
    skipped without ever being held whole. Lines that start a message are
    ``From `` lines after a blank line (or at the top); ``>From `` quoting
    (mboxrd) is undone."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read the mbox file {path.name}") from exc
    with fh:
        index = 0
        buf: list[bytes] | None = None  # None: before the first From line
        size = 0
        too_big = False
        previous_blank = True

        def finish() -> MailItem:
            where = f"{path.name} #{index}"
            if too_big:
                return MailItem(where, reason="too_large")
            assert buf is not None
            raw = b"".join(buf)
            if raw.endswith(b"\n\n"):  # the separator blank line belongs to mbox
                raw = raw[:-1]
            return MailItem(where, raw)

        while True:
            line = fh.readline(_MAX_LINE)
            if not line:
                break
            if line.startswith(b"From ") and previous_blank:
                if buf is not None:
                    yield finish()
                index += 1
                buf, size, too_big = [], 0, False
                previous_blank = False
                continue
            previous_blank = line in (b"\n", b"\r\n")
            if buf is None:
                continue  # junk before the first message
            size += len(line)
            if size > limits.max_message:
                too_big = True
                buf.clear()
            if too_big:
                continue
            if re.match(rb">+From ", line):
                line = line[1:]
            buf.append(line)
        if buf is not None:
            yield finish()


# ------------------------------------------------------------------- connections


def _tls_context(cafile: Path | None) -> ssl.SSLContext:
    """Verifying TLS: the system's trust store, or only ``cafile`` when given (a
    self-hosted server with its own certificate). Never unverified."""
    try:
        if cafile is not None:
            return ssl.create_default_context(cafile=str(cafile))
        return ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        raise InputError(f"cannot load the CA file {cafile}") from exc


def _refuse_cleartext_login(security: Security, user: str | None, what: str) -> None:
    if user is not None and security == "none":
        raise UsageError(
            f"refusing to send the {what} password unencrypted",
            hint="add --starttls or --tls",
        )


def send_message(
    mail: OutgoingMail,
    *,
    sender: str,
    to: str,
    settings: SmtpSettings,
    password: SecretBytes | None,
) -> None:
    """Hand ``mail`` to an SMTP server, with STARTTLS or TLS and login as set."""
    _refuse_cleartext_login(settings.security, settings.user, "SMTP")
    if settings.user is not None and password is None:
        raise UsageError(
            "no SMTP password", hint="set SAMIZDAT_SMTP_PASSWORD in the environment"
        )
    where = f"{settings.host}:{settings.port}"
    try:
        client: smtplib.SMTP
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout,
                context=_tls_context(settings.cafile),
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            client.ehlo()
            if settings.security == "starttls":
                client.starttls(context=_tls_context(settings.cafile))
                client.ehlo()
            if settings.user is not None and password is not None:
                client.login(settings.user, password.reveal().decode("utf-8"))
            client.sendmail(_addr(sender), [_addr(to)], mail.raw)
    except smtplib.SMTPAuthenticationError as exc:
        raise NetworkError(
            f"the SMTP server at {where} refused the login",
            hint="check --user and SAMIZDAT_SMTP_PASSWORD",
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise NetworkError(f"the SMTP server at {where} does not offer {exc}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise NetworkError(f"the SMTP server at {where} refused the recipient") from exc
    except smtplib.SMTPResponseException as exc:
        raise NetworkError(
            f"the SMTP server at {where} answered {exc.smtp_code}: {_reply(exc.smtp_error)}"
        ) from exc
    except ssl.SSLError as exc:
        raise NetworkError(
            f"TLS with the SMTP server at {where} failed ({exc.reason or 'handshake'})",
            hint="pass --cafile with the server's certificate if it is self-signed",
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise NetworkError(f"cannot send through the SMTP server at {where}") from exc


def _addr(address: str) -> str:
    return email.utils.parseaddr(address)[1]


def _reply(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:200]


class _BoundedRead:
    """imaplib reads a literal of whatever size the server announces (``{n}``) in
    one allocation; refuse more than we would ever accept. Our partial fetches ask
    for at most the message cap, so an honest server never hits this."""

    max_literal = 64 * MiB

    def read(self, size: int) -> bytes:
        if size > self.max_literal:
            raise imaplib.IMAP4.error("the server sent a literal larger than allowed")
        return super().read(size)  # type: ignore[misc,no-any-return]


class _BoundedIMAP4(_BoundedRead, imaplib.IMAP4):
    pass


class _BoundedIMAP4_SSL(_BoundedRead, imaplib.IMAP4_SSL):
    pass


def fetch_imap(
    settings: ImapSettings,
    password: SecretBytes | None,
    limits: Limits,
    known: Callable[[str], bool] | None = None,
) -> Iterator[MailItem]:
    """Every message of one IMAP mailbox, opened read-only (nothing is marked
    seen or deleted). Sizes are asked first; a message over the cap is never
    downloaded, and each download is a partial fetch of at most the cap. A
    message whose :attr:`MailItem.key` ``known`` accepts is not downloaded
    (reason ``already_seen``)."""
    _refuse_cleartext_login(settings.security, settings.user, "IMAP")
    if settings.user is None or password is None:
        raise UsageError(
            "IMAP needs a user and a password",
            hint="pass --user and set SAMIZDAT_IMAP_PASSWORD",
        )
    where = f"{settings.host}:{settings.port}"
    try:
        client: imaplib.IMAP4
        if settings.security == "tls":
            client = _BoundedIMAP4_SSL(
                settings.host, settings.port, ssl_context=_tls_context(settings.cafile),
                timeout=settings.timeout,
            )
        else:
            client = _BoundedIMAP4(settings.host, settings.port, timeout=settings.timeout)
            if settings.security == "starttls":
                client.starttls(ssl_context=_tls_context(settings.cafile))
        client.max_literal = limits.max_message + 65536
        try:
            yield from _imap_session(client, settings, password, limits, where, known)
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()
    except imaplib.IMAP4.error as exc:
        text = _reply(str(exc))
        if "auth" in text.lower() or "login" in text.lower():
            raise NetworkError(
                f"the IMAP server at {where} refused the login",
                hint="check --user and SAMIZDAT_IMAP_PASSWORD",
            ) from exc
        raise NetworkError(f"the IMAP server at {where} said: {text}") from exc
    except ssl.SSLError as exc:
        raise NetworkError(
            f"TLS with the IMAP server at {where} failed ({exc.reason or 'handshake'})",
            hint="pass --cafile with the server's certificate if it is self-signed",
        ) from exc
    except OSError as exc:
        raise NetworkError(f"cannot reach the IMAP server at {where}") from exc


def _imap_session(
    client: imaplib.IMAP4,
    settings: ImapSettings,
    password: SecretBytes,
    limits: Limits,
    where: str,
    known: Callable[[str], bool] | None,
) -> Iterator[MailItem]:
    assert settings.user is not None
    client.login(settings.user, password.reveal().decode("utf-8"))
    status, _ = client.select(_quote(settings.mailbox), readonly=True)
    if status != "OK":
        raise NetworkError(f"the IMAP server at {where} has no mailbox {settings.mailbox!r}")
    _, validity = client.response("UIDVALIDITY")
    uidvalidity = validity[0] if validity and isinstance(validity[0], bytes) else None
    account = f"imap {settings.user}@{settings.host}:{settings.port} {settings.mailbox}"
    status, data = client.uid("SEARCH", "ALL")
    if status != "OK" or not data or not isinstance(data[0], bytes):
        raise NetworkError(f"the IMAP server at {where} did not list the mailbox")
    uids = data[0].split()
    sizes: dict[bytes, int] = {}
    if uids:
        # every size in one round trip, so that a big mailbox costs one command
        # per message actually downloaded, not two
        status, meta = client.uid("FETCH", "1:*", "(RFC822.SIZE)")
        if status == "OK":
            sizes = _imap_sizes(meta)
    for raw_uid in uids:
        uid = raw_uid.decode("ascii", "replace")
        label = f"IMAP uid {uid}"
        if not uid.isdigit():
            yield MailItem(label, reason="unreadable")
            continue
        key = None
        if uidvalidity is not None and uidvalidity.isdigit():
            key = f"{account} {uidvalidity.decode('ascii')} {uid}"
            if known is not None and known(key):
                yield MailItem(label, reason="already_seen", key=key)
                continue
        size = sizes.get(raw_uid)
        if size is None:
            yield MailItem(label, reason="unreadable")
            continue
        if size > limits.max_message:
            yield MailItem(label, reason="too_large", key=key)
            continue
        status, got = client.uid("FETCH", uid, f"(BODY.PEEK[]<0.{limits.max_message + 1}>)")
        raw = _imap_literal(got)
        if status != "OK" or raw is None:
            yield MailItem(label, reason="unreadable")
        elif len(raw) > limits.max_message:
            yield MailItem(label, reason="too_large", key=key)
        else:
            yield MailItem(label, raw, key=key)


def _quote(name: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9._/-]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap_sizes(meta: list[object]) -> dict[bytes, int]:
    """UID -> size from the untagged answers of ``UID FETCH 1:* (RFC822.SIZE)``."""
    sizes: dict[bytes, int] = {}
    for item in meta:
        line = item[0] if isinstance(item, tuple) and item else item
        if not isinstance(line, bytes):
            continue
        uid = re.search(rb"\bUID (\d+)", line)
        size = re.search(rb"\bRFC822\.SIZE (\d+)", line)
        if uid and size:
            sizes[uid.group(1)] = int(size.group(1))
    return sizes


def _imap_literal(got: list[object]) -> bytes | None:
    for item in got:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None
