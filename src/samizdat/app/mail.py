"""Use cases of e-mail: send one sealed copy, and import every copy found in mail.

``send_copy`` seals a version into a bundle (``app.carry.export_bundle``), wraps it
in an ordinary message (``transports.mail.build_message``) and hands it to SMTP. The
read capability is returned to the caller and never put in the message: it reaches
the recipient by another channel (see ``docs/mail.md``).

``fetch_copies`` walks messages from any source (IMAP, mbox, Maildir, .eml), pulls
out every attachment that could be a bundle, and tries each capability it was given
on it. An attachment imported once is remembered in the store (``store.mail``) and
never imported again. Everything else is skipped and counted by reason; only a
failure of the store itself (or of the server, raised by the source) stops the run.

What cannot be told apart, by design: a bundle is random bytes without its
capability, so "an attachment that is not a bundle" and "a bundle for a capability
we do not hold" look the same. The only thing that gives a non-bundle away is a
length no envelope can have; such attachments count as ``not_a_bundle`` and every
other unopened one as ``wrong_cap``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from samizdat.app.carry import ImportResult, export_bundle, import_bundle
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import Rng, SecretBytes
from samizdat.errors import (
    CryptoError,
    DecodeError,
    NotEnoughShards,
    VerificationFailed,
)
from samizdat.store import Store
from samizdat.store.mail import MailTables, attachment_digest
from samizdat.transports import mail as transport

__all__ = ["FetchReport", "ImportedCopy", "SentCopy", "fetch_copies", "send_copy", "write_copy"]


@dataclass(frozen=True)
class SentCopy:
    """What ``mail send`` did: the message's id and size, and the capability the
    recipient needs (to be given by another channel; ``repr`` hides it)."""

    message_id: str
    bytes: int
    cap: ReadCap = field(repr=False)


@dataclass(frozen=True)
class ImportedCopy:
    """One attachment that was opened, verified and stored."""

    where: str
    document: str
    version: str
    status: str


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


def _outgoing(
    store: Store, ref: str, *, sender: str, to: str, rng: Rng, now: float,
    subject: str | None,
) -> tuple[ReadCap, transport.OutgoingMail]:
    cap, bundle = export_bundle(store, ref, rng)
    out = transport.build_message(bundle, sender=sender, to=to, rng=rng, now=now,
                                  subject=subject)
    return cap, out


def send_copy(
    store: Store,
    ref: str,
    *,
    sender: str,
    to: str,
    smtp: transport.SmtpSettings,
    password: SecretBytes | None,
    rng: Rng,
    now: float,
    subject: str | None = None,
    save_to: Path | None = None,
) -> SentCopy:
    """Seal ``ref`` (a version or document id) and mail it to ``to``."""
    cap, out = _outgoing(store, ref, sender=sender, to=to, rng=rng, now=now, subject=subject)
    if save_to is not None:
        _save(save_to, out.raw)
    transport.send_message(out, sender=sender, to=to, settings=smtp, password=password)
    return SentCopy(out.message_id, len(out.raw), cap)


def write_copy(
    store: Store, ref: str, *, sender: str, to: str, path: Path, rng: Rng, now: float,
    subject: str | None = None,
) -> SentCopy:
    """Like :func:`send_copy` but only write the message as an ``.eml`` file, for a
    person who sends it with their own mail program."""
    cap, out = _outgoing(store, ref, sender=sender, to=to, rng=rng, now=now, subject=subject)
    _save(path, out.raw)
    return SentCopy(out.message_id, len(out.raw), cap)


def _save(path: Path, raw: bytes) -> None:
    from samizdat.errors import InputError

    try:
        path.write_bytes(raw)
    except OSError as exc:
        raise InputError(f"cannot write {path.name}") from exc


def _import_first(
    store: Store, tables: MailTables, data: bytes, digest: bytes, caps: Sequence[ReadCap],
    now: int,
) -> tuple[ImportResult | None, str]:
    """Open ``data`` with the first capability that fits and remember it, in one
    transaction per try (a failed try leaves nothing behind): (result, "") or
    (None, the reason no capability fitted)."""
    reasons: list[str] = []
    for cap in caps:
        try:
            with store.transaction():
                result = import_bundle(store, data, cap)
                tables.record(digest, version=bytes.fromhex(result.version), now=now)
            return result, ""
        except NotEnoughShards:
            reasons.append("wrong_cap")
        except DecodeError:
            reasons.append("not_a_bundle")
        except (VerificationFailed, CryptoError):
            reasons.append("rejected")
    for reason in ("rejected", "wrong_cap", "not_a_bundle"):
        if reason in reasons:
            return None, reason
    return None, "wrong_cap"


def fetch_copies(
    store: Store,
    items: Iterable[transport.MailItem],
    caps: Sequence[ReadCap],
    *,
    limits: transport.Limits,
    now: int,
    progress: Callable[[str], None] | None = None,
) -> FetchReport:
    """Import every bundle found in ``items`` that one of ``caps`` opens.

    Each import and its record in the mail table are one transaction: a copy is
    either imported and remembered, or neither.
    """
    report = FetchReport()
    tables = MailTables(store.db)
    for item in items:
        report.messages += 1
        if item.raw is None:
            report.skip(item.where, item.reason or "unreadable")
            continue
        try:
            attachments, oversized = transport.extract_attachments(item.raw, limits)
        except DecodeError:
            report.skip(item.where, "too_large" if len(item.raw) > limits.max_message
                        else "malformed")
            continue
        for _ in range(oversized):
            report.skip(item.where, "attachment_too_large")
        if not attachments and not oversized:
            report.skip(item.where, "no_attachment")
        for number, data in enumerate(attachments, start=1):
            where = f"{item.where} attachment {number}"
            digest = attachment_digest(data)
            if tables.already_imported(digest):
                report.skip(where, "already_imported")
                continue
            result, reason = _import_first(store, tables, data, digest, caps, now)
            if result is None:
                report.skip(where, reason)
                continue
            copy = ImportedCopy(where=where, document=result.document,
                                version=result.version, status=result.status)
            report.imported.append(copy)
            if progress is not None:
                progress(f"imported {copy.version[:16]} from {where}")
    return report
