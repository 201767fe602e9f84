"""Circles of co-authors kept in the store (``core/circle.py`` defines them).

* ``circles_keys``: each circle this person is in, by the name they gave it here,
  with its key (the store is encrypted; the key never leaves it but as a code);
* ``circles_documents``: which document belongs to which circle (a document is in
  at most one);
* ``circles_public``: versions explicitly given to readers (``share --public``)
  although no committee made them final.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samizdat.store.db import Database
from samizdat.store.schema import Area

__all__ = ["SCHEMA", "CircleRecord", "add_circle", "add_document", "circle_of", "circles",
           "document_circles", "is_public", "make_public", "public_versions"]

SCHEMA = Area("circles", (
    "CREATE TABLE circles_keys (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
    "circle_id BLOB NOT NULL UNIQUE, key BLOB NOT NULL, created INTEGER NOT NULL)",
    "CREATE TABLE circles_documents (doc_id BLOB NOT NULL UNIQUE, circle_id BLOB NOT NULL)",
    "CREATE TABLE circles_public (version_id BLOB NOT NULL UNIQUE, since INTEGER NOT NULL)",
))


@dataclass(frozen=True)
class CircleRecord:
    """One circle: its local name, public id and (secret) key."""

    name: str
    circle_id: bytes
    key: bytes = field(repr=False)
    created: int = 0


def add_circle(db: Database, rec: CircleRecord) -> None:
    db.execute("INSERT INTO circles_keys (name, circle_id, key, created) VALUES (?, ?, ?, ?)",
               (rec.name, rec.circle_id, rec.key, rec.created))


def circles(db: Database) -> list[CircleRecord]:
    """Every circle, oldest first."""
    return [CircleRecord(str(r[0]), bytes(r[1]), bytes(r[2]), int(r[3])) for r in db.query(
        "SELECT name, circle_id, key, created FROM circles_keys ORDER BY id")]


def add_document(db: Database, doc_id: bytes, circle_id: bytes) -> None:
    db.execute("INSERT INTO circles_documents (doc_id, circle_id) VALUES (?, ?) "
               "ON CONFLICT(doc_id) DO UPDATE SET circle_id = excluded.circle_id",
               (doc_id, circle_id))


def circle_of(db: Database, doc_id: bytes) -> bytes | None:
    """The id of the circle a document is in, if any."""
    row = db.one("SELECT circle_id FROM circles_documents WHERE doc_id = ?", (doc_id,))
    return None if row is None else bytes(row[0])


def document_circles(db: Database) -> dict[bytes, bytes]:
    """Every document in a circle: doc id -> circle id."""
    return {bytes(r[0]): bytes(r[1])
            for r in db.query("SELECT doc_id, circle_id FROM circles_documents")}


def make_public(db: Database, version_id: bytes, now: int) -> bool:
    if is_public(db, version_id):
        return False
    db.execute("INSERT INTO circles_public (version_id, since) VALUES (?, ?)",
               (version_id, now))
    return True


def is_public(db: Database, version_id: bytes) -> bool:
    return db.one("SELECT 1 FROM circles_public WHERE version_id = ?",
                  (version_id,)) is not None


def public_versions(db: Database) -> set[bytes]:
    return {bytes(r[0]) for r in db.query("SELECT version_id FROM circles_public")}
