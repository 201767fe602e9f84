"""Use cases of e-mail: send one sealed copy, and import every copy found in mail.

``send_copy`` seals a version into a bundle (``app.carry.export_bundle``), wraps it
in an ordinary message (``transports.mail.build_message``) and hands it to SMTP. The
read capability is returned to the caller and never put in the message: it reaches
the recipient by another channel (see ``docs/mail.md``). A circle's draft is sent
as a circle item instead (``app.circle.seal_item``): the same kind of attachment,
which only the circle key opens, and no capability at all.

``fetch_copies`` walks messages from any source (IMAP, mbox, Maildir, .eml), pulls
out every attachment that could be a bundle, and tries on it the key of each circle
this store is in and each capability it was given. An attachment imported once is
remembered in the store (``store.mail``) and never imported again. Everything else
is skipped and counted by reason; only a failure of the store itself (or of the
server, raised by the source) stops the run. An item of another circle is random
bytes to us, like a bundle for a capability we do not hold: it counts as
``wrong_cap``.

What cannot be told apart, by design: a bundle is random bytes without its
capability, so "an attachment that is not a bundle" and "a bundle for a capability
we do not hold" look the same. The only thing that gives a non-bundle away is a
length no envelope can have; such attachments count as ``not_a_bundle`` and every
other unopened one as ``wrong_cap``. One that opens but holds no samizdat package
is ``not_a_bundle`` too, and one that opens but does not verify is ``rejected``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from samizdat.app import circle
from samizdat.app.carry import (
    ImportResult,
    accept_package,
    export_bundle,
    open_package,
    resolve_version,
)
from samizdat.core.address import parse_hostport
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import (
    AEAD_NONCE_BYTES,
    Rng,
    SecretBytes,
    aead_decrypt,
    aead_encrypt,
    ed25519_pair_key,
)
from samizdat.core.envelope import DROP_WRAP_BYTES, BytesSource
from samizdat.errors import (
    CryptoError,
    DecodeError,
    InputError,
    NotEnoughShards,
    UsageError,
    VerificationFailed,
)
from samizdat.files import atomic_writer
from samizdat.store import Store
from samizdat.store import circles as circle_tables
from samizdat.store.contacts import ContactBook
from samizdat.store.mail import MailTables, attachment_digest
from samizdat.transports import mail as transport

__all__ = [
    "CAP_PREFIX_BYTES",
    "CAP_PREFIX_VERSION",
    "SECURITY",
    "FetchReport",
    "ImportedCopy",
    "MailSources",
    "SentCopy",
    "contact_pair_keys",
    "fetch_copies",
    "fetch_from",
    "imap_settings",
    "open_cap_prefix",
    "pair_key_for",
    "seal_cap_prefix",
    "send_copy",
    "smtp_settings",
    "write_copy",
]

# ------------------------------------------------------- capability for a contact
#
# Spec: docs/spec/mail-cap.md. An attachment for a contact is
#     nonce (12) ‖ ChaCha20-Poly1305(pair key, nonce, 0x01 ‖ cap string, AAD)  (96 bytes)
#     ‖ bundle
# The version byte is inside the ciphertext: in the clear, the prefix is as random
# as the bundle behind it, so the attachment still reveals nothing.

CAP_PREFIX_VERSION = 1
_CAP_TEXT_BYTES = 67  # "sz1-" and 63 base32 characters
CAP_PREFIX_BYTES = AEAD_NONCE_BYTES + 1 + _CAP_TEXT_BYTES + 16
_PAIR_CONTEXT = "samizdat 2026-11 mail capability pair key v1"
_AAD = b"samizdat mail capability prefix v1"


def pair_key_for(own_seed: SecretBytes, contact_public: bytes) -> SecretBytes:
    """The key this store and one contact share for capabilities sent by mail."""
    return SecretBytes(
        ed25519_pair_key(own_seed.reveal(), contact_public, _PAIR_CONTEXT), "mail pair key"
    )


def seal_cap_prefix(pair_key: SecretBytes, cap: ReadCap, rng: Rng) -> bytes:
    """The 96-byte prefix that carries ``cap`` to the other holder of ``pair_key``."""
    text = cap.danger_real_capability_string().encode("ascii")
    if len(text) != _CAP_TEXT_BYTES:
        raise CryptoError("unexpected capability length")
    nonce = rng(AEAD_NONCE_BYTES)
    return nonce + aead_encrypt(pair_key.reveal(), nonce, bytes([CAP_PREFIX_VERSION]) + text,
                                _AAD)


def open_cap_prefix(pair_key: SecretBytes, data: bytes) -> ReadCap:
    """The capability in the first :data:`CAP_PREFIX_BYTES` of ``data``.

    :class:`CryptoError` when the prefix was not sealed under ``pair_key`` (the
    usual case: another contact's, or no prefix at all); :class:`DecodeError` when
    it was, but holds something other than a version-1 capability.
    """
    if len(data) < CAP_PREFIX_BYTES:
        raise CryptoError("too short to carry a capability")
    nonce, sealed = data[:AEAD_NONCE_BYTES], data[AEAD_NONCE_BYTES:CAP_PREFIX_BYTES]
    plain = aead_decrypt(pair_key.reveal(), nonce, sealed, _AAD)
    if plain[0] != CAP_PREFIX_VERSION:
        raise DecodeError("a mailed capability of an unknown version")
    try:
        text = plain[1:].decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecodeError("a mailed capability that is not text") from exc
    return ReadCap.parse(text)


def contact_pair_keys(store: Store, rng: Rng) -> list[SecretBytes]:
    """The mail pair key with every contact of this store (none without contacts)."""
    book = ContactBook(store.db)
    contacts = book.all()
    if not contacts:
        return []
    with store.transaction():
        seed = book.transport_seed(rng(32))
    keys = []
    for contact in contacts:
        try:
            keys.append(pair_key_for(seed, contact.public_key))
        except CryptoError:
            continue  # a contact key no key agreement works with: nothing to open
    return keys


@dataclass(frozen=True)
class SentCopy:
    """What ``mail send`` did: the message's id and size, and the capability the
    recipient needs (to be given by another channel; ``repr`` hides it). A
    circle's draft goes as a circle item: no capability, and ``circle`` names it."""

    message_id: str
    bytes: int
    cap: ReadCap | None = field(repr=False)
    sealed_for: str | None = None  # the contact's fingerprint, when sealed for one
    circle: str | None = None  # the circle's name here, when sent as a circle item


@dataclass(frozen=True)
class ImportedCopy:
    """One attachment that was opened, verified and stored."""

    where: str
    document: str
    version: str
    status: str
    circle: str | None = None  # the circle's name here, for a circle item


@dataclass
class FetchReport:
    """What ``mail fetch`` found: the copies imported, and skips counted by reason
    (``transports.mail.REASONS`` plus ``rejected``), with where each one was."""

    imported: list[ImportedCopy] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    details: list[tuple[str, str]] = field(default_factory=list)
    messages: int = 0

    def skip(self, where: str, reason: str) -> None:
        self.skipped[reason] += 1
        self.details.append((where, reason))


@dataclass(frozen=True)
class _Outgoing:
    cap: ReadCap | None
    mail: transport.OutgoingMail
    sealed_for: str | None
    circle: str | None

    def sent(self) -> SentCopy:
        return SentCopy(self.mail.message_id, len(self.mail.raw), self.cap,
                        self.sealed_for, self.circle)


def _outgoing(
    store: Store, ref: str, *, sender: str, to: str, rng: Rng, now: int,
    subject: str | None, contact: str | None,
) -> _Outgoing:
    """The message for ``ref``: a circle's draft as a circle item (sealed to the
    circle key, no capability), anything else as a bundle."""
    version_id = resolve_version(store, ref)
    if circle.held_back(store, version_id) is not None:
        if contact is not None:
            raise UsageError(
                "--contact seals a read capability, and a circle's draft has none",
                hint="leave out --contact: the circle item opens with the circle key")
        name, item = circle.seal_item(store, version_id, rng)
        out = transport.build_message(item, sender=sender, to=to, rng=rng, now=now,
                                      subject=subject)
        return _Outgoing(None, out, None, name)
    cap, bundle = export_bundle(store, version_id.hex(), rng)
    sealed_for = None
    if contact is not None:
        book = ContactBook(store.db)
        found = book.find(contact)
        with store.transaction():
            seed = book.transport_seed(rng(32))
        bundle = seal_cap_prefix(pair_key_for(seed, found.public_key), cap, rng) + bundle
        sealed_for = found.fingerprint
    out = transport.build_message(bundle, sender=sender, to=to, rng=rng, now=now,
                                  subject=subject)
    return _Outgoing(cap, out, sealed_for, None)


def send_copy(
    store: Store,
    ref: str,
    *,
    sender: str,
    to: str,
    smtp: transport.SmtpSettings,
    password: SecretBytes | None,
    rng: Rng,
    now: int,
    subject: str | None = None,
    save_to: Path | None = None,
    contact: str | None = None,
) -> SentCopy:
    """Seal ``ref`` (a version or document id) and mail it to ``to``.

    With ``contact`` (a contact number or fingerprint prefix) the capability is
    sealed for that contact inside the attachment; otherwise it is only returned.
    A circle's draft is sent as a circle item, which only the circle opens.
    """
    out = _outgoing(store, ref, sender=sender, to=to, rng=rng, now=now,
                    subject=subject, contact=contact)
    if save_to is not None:
        _save(save_to, out.mail.raw)
    transport.send_message(out.mail, sender=sender, to=to, settings=smtp, password=password)
    return out.sent()


def write_copy(
    store: Store, ref: str, *, sender: str, to: str, path: Path, rng: Rng, now: int,
    subject: str | None = None, contact: str | None = None,
) -> SentCopy:
    """Like :func:`send_copy` but only write the message as an ``.eml`` file, for a
    person who sends it with their own mail program."""
    out = _outgoing(store, ref, sender=sender, to=to, rng=rng, now=now,
                    subject=subject, contact=contact)
    _save(path, out.mail.raw)
    return out.sent()


def _save(path: Path, raw: bytes) -> None:
    try:
        with atomic_writer(path) as f:
            f.write(raw)
    except OSError as exc:
        raise InputError(f"cannot write {path.name}: {exc.strerror or 'error'}") from exc


# Why an attachment was not imported, strongest first: an envelope that opened
# says more about the attachment than a capability that did not fit it.
_RANK = {"rejected": 4, "not_a_package": 3, "wrong_cap": 2, "not_a_bundle": 1}


def _candidates(
    data: bytes, caps: Sequence[ReadCap], pair_keys: Sequence[SecretBytes], reasons: list[str]
) -> list[tuple[ReadCap, bytes]]:
    """(capability, bundle) pairs to try: a capability sealed in front of the bundle
    by a contact first, then every capability given, on the whole attachment."""
    found: list[tuple[ReadCap, bytes]] = []
    for key in pair_keys:
        try:
            found.append((open_cap_prefix(key, data), data[CAP_PREFIX_BYTES:]))
            break
        except CryptoError:
            continue
        except DecodeError:
            reasons.append("not_a_package")
            break
    found += [(cap, data) for cap in caps]
    return found


def _import_first(
    store: Store, tables: MailTables, digest: bytes,
    candidates: Sequence[tuple[ReadCap, bytes]], reasons: list[str], now: int,
) -> tuple[ImportResult | None, str]:
    """Open with the first candidate that fits, verify, store and remember the
    attachment, in one transaction per try (a failed try leaves nothing behind):
    (result, "") or (None, the strongest reason nothing fitted)."""
    for cap, bundle in candidates:
        try:
            package = open_package(cap, [BytesSource(bundle)])
        except NotEnoughShards:
            reasons.append("wrong_cap")
            continue
        except (DecodeError, CryptoError):
            reasons.append("not_a_bundle")
            continue
        try:
            with store.transaction():
                result = accept_package(store, package, now=now)
                tables.record(digest, version=bytes.fromhex(result.version), now=now)
            return result, ""
        except DecodeError:
            reasons.append("not_a_package")
        except (VerificationFailed, CryptoError):
            reasons.append("rejected")
    if not reasons:
        return None, "wrong_cap"
    best = max(reasons, key=lambda r: _RANK[r])
    return None, "not_a_bundle" if best == "not_a_package" else best


def _import_item(
    store: Store, tables: MailTables, digest: bytes, data: bytes, now: int
) -> tuple[circle.ItemResult | None, str]:
    """Open ``data`` as a circle item of one of this store's circles, check it and
    store it with its record in one transaction: (result, ""), (None, why) when a
    circle key opened it but it is bad, or (None, "") when no circle opens it."""
    if len(data) <= DROP_WRAP_BYTES:
        return None, ""
    try:
        opened = circle.open_item(store, data[:DROP_WRAP_BYTES],
                                  BytesSource(data[DROP_WRAP_BYTES:]))
    except (DecodeError, CryptoError, NotEnoughShards):
        return None, "not_a_bundle"
    if opened is None:
        return None, ""
    try:
        with store.transaction():
            result = circle.accept_item(store, opened[0], opened[1], now)
            tables.record(digest, version=result.version, now=now)
    except DecodeError:
        return None, "not_a_bundle"
    except (VerificationFailed, CryptoError, InputError):
        return None, "rejected"
    return result, ""


def _one_message(
    store: Store, tables: MailTables, label: str, raw: bytes, caps: Sequence[ReadCap],
    pair_keys: Sequence[SecretBytes], limits: transport.Limits, now: int,
    report: FetchReport, progress: Callable[[str], None] | None,
) -> bool:
    """Import what one message holds; True when it needs no further look ever
    (nothing in it could be a bundle, or every bundle in it is now imported)."""
    try:
        attachments, oversized = transport.extract_attachments(raw, limits)
    except DecodeError:
        too_large = len(raw) > limits.max_message
        report.skip(label, "too_large" if too_large else "malformed")
        return not too_large
    for _ in range(oversized):
        report.skip(label, "attachment_too_large")
    if not attachments and not oversized:
        report.skip(label, "no_attachment")
        return True
    done = oversized == 0
    circles = bool(circle_tables.circles(store.db))
    for number, data in enumerate(attachments, start=1):
        where = f"{label} attachment {number}"
        digest = attachment_digest(data)
        if tables.already_imported(digest):
            report.skip(where, "already_imported")
            continue
        item, why = _import_item(store, tables, digest, data, now) if circles else (None, "")
        if item is not None:
            copy = ImportedCopy(where=where, document=item.document.hex(),
                                version=item.version.hex(), status="circle",
                                circle=item.circle)
            report.imported.append(copy)
            if progress is not None:
                progress(f"imported {copy.version[:16]} of circle {item.circle} from {where}")
            continue
        if why:
            report.skip(where, why)  # a circle key opened it: no capability will
            continue
        reasons: list[str] = []
        candidates = _candidates(data, caps, pair_keys, reasons)
        result, reason = _import_first(store, tables, digest, candidates, reasons, now)
        if result is None:
            report.skip(where, reason)
            done = False  # another capability, contact or circle may open it later
            continue
        copy = ImportedCopy(where=where, document=result.document,
                            version=result.version, status=result.status)
        report.imported.append(copy)
        if progress is not None:
            progress(f"imported {copy.version[:16]} from {where}")
    return done


def fetch_copies(
    store: Store,
    items: Iterable[transport.MailItem],
    caps: Sequence[ReadCap],
    *,
    limits: transport.Limits,
    now: int,
    pair_keys: Sequence[SecretBytes] = (),
    progress: Callable[[str], None] | None = None,
) -> FetchReport:
    """Import every bundle found in ``items`` that one of ``caps`` opens, or whose
    capability a contact sealed in front of it (``pair_keys``, from
    :func:`contact_pair_keys`), and every circle item of a circle this store is in
    (no capability needed). An item of another circle looks like any attachment
    no capability opens, and is counted as ``wrong_cap``.

    Each import and its record in the mail table are one transaction: a copy is
    either imported and remembered, or neither. Server messages (``MailItem.key``)
    that need no further look are remembered too; pass ``MailTables.message_done``
    of the same store as the source's ``known`` to skip them next time.
    """
    report = FetchReport()
    tables = MailTables(store.db)
    for item in items:
        report.messages += 1
        if item.raw is None:
            report.skip(item.where, item.reason or "unreadable")
            continue
        done = _one_message(store, tables, item.where, item.raw, caps, pair_keys, limits,
                            now, report, progress)
        if done and item.key is not None:
            tables.record_message_done(item.key, now=now)
    return report


# ------------------------------------------------------ servers and sources
# What ``mail send`` and ``mail fetch`` are given (flags or mail.toml), turned into
# settings and message sources here, so that ``cli/`` never touches the transport.

SECURITY: tuple[str, ...] = ("none", "starttls", "tls")
_DEFAULT_PORTS = {"smtp": {"tls": 465}, "imap": {"tls": 993}}


def _security(value: object) -> transport.Security:
    if value not in SECURITY:
        raise UsageError(f"security must be one of {', '.join(SECURITY)}, not {value!r}")
    return cast("transport.Security", value)


def smtp_settings(
    server: str, security: str, user: str | None, cafile: Path | None
) -> transport.SmtpSettings:
    """An SMTP server as given (``HOST[:PORT]``; 465 for implicit TLS, else 587)."""
    sec = _security(security)
    host, port = parse_hostport(server, 465 if sec == "tls" else 587)
    return transport.SmtpSettings(host, port, sec, user, cafile)


def imap_settings(
    server: str, security: str, user: str | None, mailbox: str, cafile: Path | None
) -> transport.ImapSettings:
    """An IMAP mailbox as given (``HOST[:PORT]``; 993 for implicit TLS, else 143)."""
    sec = _security(security)
    host, port = parse_hostport(server, 993 if sec == "tls" else 143)
    return transport.ImapSettings(host, port, sec, user, mailbox, cafile)


@dataclass(frozen=True)
class MailSources:
    """Where ``mail fetch`` looks: mbox files, Maildirs, ``.eml`` files (or folders
    of them) and at most one IMAP mailbox, whose password is asked for only when
    the mailbox is opened."""

    mboxes: Sequence[Path] = ()
    maildirs: Sequence[Path] = ()
    emls: Sequence[Path] = ()
    imap: transport.ImapSettings | None = None
    imap_password: Callable[[], SecretBytes | None] = field(
        default=lambda: None, repr=False
    )


def fetch_from(
    store: Store,
    sources: MailSources,
    caps: Sequence[ReadCap],
    rng: Rng,
    now: int,
    *,
    max_attachment: int,
    progress: Callable[[str], None] | None = None,
) -> FetchReport:
    """``mail fetch``: :func:`fetch_copies` over every source, with the capabilities
    given and those contacts sealed in front of their attachments. IMAP messages
    already dealt with are not downloaded again."""
    limits = transport.Limits.for_attachment(max_attachment)
    pair_keys = contact_pair_keys(store, rng)
    if not caps and not pair_keys and not circle_tables.circles(store.db):
        raise UsageError(
            "no read capability to open copies with, no contacts and no circle",
            hint="pass --cap CAP or set SAMIZDAT_CAP (the sender gives it separately); "
            "a co-author's drafts open once you 'samizdat circle join' their circle",
        )
    tables = MailTables(store.db)

    def items() -> Iterator[transport.MailItem]:
        for path in sources.mboxes:
            yield from transport.read_mbox(path, limits)
        for path in sources.maildirs:
            yield from transport.read_maildir(path, limits)
        if sources.emls:
            yield from transport.read_eml(sources.emls, limits)
        if sources.imap is not None:
            yield from transport.fetch_imap(sources.imap, sources.imap_password(), limits,
                                            known=tables.message_done)

    return fetch_copies(store, items(), caps, limits=limits, now=now, pair_keys=pair_keys,
                        progress=progress)
