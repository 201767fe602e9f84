"""The mail area of the store: imported attachments are remembered across opens."""

from __future__ import annotations

import os
from pathlib import Path

from samizdat.core.crypto import SecretBytes
from samizdat.store import Store
from samizdat.store.mail import MailTables, attachment_digest


def test_imported_attachments_are_remembered_inside_the_store(tmp_path: Path) -> None:
    pw = SecretBytes(b"pass phrase", "passphrase")
    data = os.urandom(1000)
    digest = attachment_digest(data)
    with Store.create(tmp_path / "h", pw, os.urandom) as store:
        tables = MailTables(store.db)
        assert not tables.already_imported(digest)
        tables.record(digest, version=b"v" * 32, now=1)
        tables.record(digest, version=None, now=2)  # a second record is harmless
        assert tables.already_imported(digest) and tables.count() == 1
    with Store.open(tmp_path / "h", pw, os.urandom) as store:
        tables = MailTables(store.db)
        assert tables.already_imported(digest)
        assert not tables.already_imported(attachment_digest(data + b"\x00"))


def test_digest_is_domain_separated_from_plain_hashes() -> None:
    from samizdat.core.crypto import blake3_hash, sha256

    data = b"same bytes"
    assert attachment_digest(data) not in (blake3_hash(data), sha256(data))
    assert len(attachment_digest(data)) == 32


def test_server_messages_dealt_with_are_remembered_by_a_hash_of_their_name(
    tmp_path: Path,
) -> None:
    pw = SecretBytes(b"pass phrase", "passphrase")
    key = "imap reader@127.0.0.1:143 INBOX 1700000000 42"
    with Store.create(tmp_path / "h", pw, os.urandom) as store:
        tables = MailTables(store.db)
        assert not tables.message_done(key)
        tables.record_message_done(key, now=1)
        tables.record_message_done(key, now=2)
        assert tables.message_done(key)
        assert not tables.message_done(key.replace(" 42", " 43"))
        rows = store.db.query("SELECT digest FROM mail_seen_messages")
        assert len(rows) == 1 and b"reader" not in bytes(rows[0][0])
