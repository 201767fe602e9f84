"""The mail area of the store: which attachments were already imported.

``mail fetch`` reads the same mailbox again and again; this table makes sure one
copy is imported once. It is keyed by a hash of the attachment's exact bytes (BLAKE3
in derive-key mode under a context of its own, so it matches no other id samizdat
uses), and it lives inside the encrypted store like everything else: no content id
is written anywhere in the clear.

Only imported attachments are recorded. One that no capability we held could open
is tried again on the next fetch, when the right capability may have arrived.

IMAP messages never change under one UIDVALIDITY, so those dealt with for good
(nothing in them could be a bundle, or every bundle in them was imported) are
remembered by a hash of their name and not downloaded again.
"""

from __future__ import annotations

from samizdat.core import crypto
from samizdat.store.db import Database
from samizdat.store.schema import Area

__all__ = ["SCHEMA", "MailTables", "attachment_digest"]

SCHEMA = Area(
    "mail",
    (
        "CREATE TABLE mail_imported (id INTEGER PRIMARY KEY, digest BLOB NOT NULL UNIQUE, "
        "version BLOB, imported INTEGER NOT NULL)",
        "CREATE TABLE mail_seen_messages (id INTEGER PRIMARY KEY, "
        "digest BLOB NOT NULL UNIQUE, seen INTEGER NOT NULL)",
    ),
)

_CONTEXT = "samizdat 2026-11 mail imported attachment v1"
_MESSAGE_CONTEXT = "samizdat 2026-11 mail message done v1"


def attachment_digest(data: bytes) -> bytes:
    """The 32-byte key of one attachment in :class:`MailTables`."""
    return crypto.derive_key(_CONTEXT, data)


class MailTables:
    """Reads and writes the mail area through one open :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def __repr__(self) -> str:
        return "<MailTables>"

    def already_imported(self, digest: bytes) -> bool:
        """Was the attachment with this digest imported before?"""
        return self._db.one("SELECT 1 FROM mail_imported WHERE digest = ?", (digest,)) is not None

    def record(self, digest: bytes, *, version: bytes | None, now: int) -> None:
        """Remember that this attachment was imported (as ``version``, if known).

        Recording twice is harmless: the first record stays.
        """
        self._db.execute(
            "INSERT INTO mail_imported (digest, version, imported) VALUES (?, ?, ?) "
            "ON CONFLICT(digest) DO NOTHING",
            (digest, version, now),
        )

    def message_done(self, key: str) -> bool:
        """Was the server message named ``key`` (see ``transports.mail.MailItem.key``)
        dealt with for good before?"""
        digest = crypto.derive_key(_MESSAGE_CONTEXT, key.encode("utf-8"))
        row = self._db.one("SELECT 1 FROM mail_seen_messages WHERE digest = ?", (digest,))
        return row is not None

    def record_message_done(self, key: str, *, now: int) -> None:
        """Remember that the message named ``key`` needs no further look: it has no
        attachment that could be a bundle, is malformed or too large, or all of its
        bundles were imported. Only a hash of the name is kept."""
        digest = crypto.derive_key(_MESSAGE_CONTEXT, key.encode("utf-8"))
        self._db.execute(
            "INSERT INTO mail_seen_messages (digest, seen) VALUES (?, ?) "
            "ON CONFLICT(digest) DO NOTHING",
            (digest, now),
        )

    def count(self) -> int:
        """How many attachments were imported by mail so far."""
        row = self._db.one("SELECT count(*) FROM mail_imported")
        return int(row[0]) if row else 0
