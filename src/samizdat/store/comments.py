"""Paragraph comments kept in the store (``core/comments.py`` defines them)."""

from __future__ import annotations

from dataclasses import dataclass

from samizdat.store.db import Database
from samizdat.store.schema import Area

__all__ = ["SCHEMA", "CommentRecord", "add", "for_document"]

SCHEMA = Area("comments", (
    "CREATE TABLE comments_items (id INTEGER PRIMARY KEY, comment_id BLOB NOT NULL UNIQUE, "
    "doc_id BLOB NOT NULL, encoded BLOB NOT NULL, author BLOB NOT NULL, "
    "signature BLOB NOT NULL)",
    "CREATE INDEX comments_by_doc ON comments_items (doc_id)",
))


@dataclass(frozen=True)
class CommentRecord:
    """A stored comment: its encoding (``core.comments``), signer and signature."""

    comment_id: bytes
    encoded: bytes
    author: bytes
    signature: bytes


def add(db: Database, doc_id: bytes, rec: CommentRecord) -> bool:
    """Keep a comment; False if it was already here."""
    if db.one("SELECT 1 FROM comments_items WHERE comment_id = ?", (rec.comment_id,)):
        return False
    db.execute(
        "INSERT INTO comments_items (comment_id, doc_id, encoded, author, signature) "
        "VALUES (?, ?, ?, ?, ?)", (rec.comment_id, doc_id, rec.encoded, rec.author,
                                   rec.signature))
    return True


def for_document(db: Database, doc_id: bytes) -> list[CommentRecord]:
    """Every comment on any version of a document, oldest first."""
    return [CommentRecord(bytes(r[0]), bytes(r[1]), bytes(r[2]), bytes(r[3]))
            for r in db.query("SELECT comment_id, encoded, author, signature FROM "
                              "comments_items WHERE doc_id = ? ORDER BY id", (doc_id,))]
