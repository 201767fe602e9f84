"""Reach sketches kept in the store (``core/reach.py`` defines them).

Two tables:

* ``reach_tokens``: this node's own token per document, drawn once and never sent
  (it leaves only as register values of :func:`samizdat.core.reach.contribution`);
* ``reach_sketches``: what arrived, one row per document and *source* (a contact
  pair, a dead drop, imported bundles), each the register-wise maximum of every
  sketch that source sent. Sources are kept apart so that a robust rule can combine
  them (``app/reach.py``); a source is a label derived from pair or drop keys, never
  a name or an address.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samizdat.core.reach import ReachSketch, Role, decode_sketch
from samizdat.store.db import Database
from samizdat.store.schema import Area

__all__ = ["SCHEMA", "SourceSketch", "Token", "find_token", "put_sketch", "sketches", "token",
           "tokens"]

SCHEMA = Area("reach", (
    "CREATE TABLE reach_tokens (id INTEGER PRIMARY KEY, doc_id BLOB NOT NULL UNIQUE, "
    "token BLOB NOT NULL, role TEXT NOT NULL, created INTEGER NOT NULL)",
    "CREATE TABLE reach_sketches (id INTEGER PRIMARY KEY, doc_id BLOB NOT NULL, "
    "source TEXT NOT NULL, sketch BLOB NOT NULL, received INTEGER NOT NULL, "
    "UNIQUE(doc_id, source))",
))


@dataclass(frozen=True)
class Token:
    """This node's token for one document (secret: never printed or sent)."""

    doc_id: bytes
    token: bytes = field(repr=False)
    role: Role
    created: int


@dataclass(frozen=True)
class SourceSketch:
    """The merged sketch one source sent for a document, and when it last did."""

    source: str
    sketch: ReachSketch
    received: int


def token(db: Database, doc_id: bytes, fresh: bytes, role: Role, now: int) -> Token:
    """This node's token for ``doc_id``; ``fresh`` (32 random bytes) becomes it the
    first time, and is ignored afterwards: a token is drawn once and never changes."""
    row = db.one("SELECT token, role, created FROM reach_tokens WHERE doc_id = ?", (doc_id,))
    if row is not None:
        return Token(doc_id, bytes(row[0]), _role(str(row[1])), int(row[2]))
    if len(fresh) != 32:
        raise ValueError("a reach token is 32 random bytes")
    db.execute("INSERT INTO reach_tokens (doc_id, token, role, created) VALUES (?, ?, ?, ?)",
               (doc_id, fresh, role, now))
    return Token(doc_id, fresh, role, now)


def find_token(db: Database, doc_id: bytes) -> Token | None:
    """This node's token for ``doc_id`` if it drew one (reads only)."""
    row = db.one("SELECT token, role, created FROM reach_tokens WHERE doc_id = ?", (doc_id,))
    return None if row is None else Token(doc_id, bytes(row[0]), _role(str(row[1])),
                                          int(row[2]))


def tokens(db: Database) -> list[Token]:
    return [Token(bytes(r[0]), bytes(r[1]), _role(str(r[2])), int(r[3])) for r in
            db.query("SELECT doc_id, token, role, created FROM reach_tokens ORDER BY id")]


def _role(value: str) -> Role:
    return "courier" if value == "courier" else "reader"


def put_sketch(db: Database, doc_id: bytes, source: str, sketch: ReachSketch, now: int) -> bool:
    """Merge ``sketch`` into what ``source`` sent for ``doc_id``; True if it raised a
    register (``received`` is updated whenever the source sent one)."""
    row = db.one("SELECT sketch FROM reach_sketches WHERE doc_id = ? AND source = ?",
                 (doc_id, source))
    if row is None:
        db.execute("INSERT INTO reach_sketches (doc_id, source, sketch, received) "
                   "VALUES (?, ?, ?, ?)", (doc_id, source, sketch.encode(), now))
        return True
    before = decode_sketch(bytes(row[0]))
    merged = before.merge(sketch)
    db.execute("UPDATE reach_sketches SET sketch = ?, received = ? "
               "WHERE doc_id = ? AND source = ?", (merged.encode(), now, doc_id, source))
    return merged != before


def sketches(db: Database, doc_id: bytes) -> list[SourceSketch]:
    """Every source's sketch for ``doc_id``, in the order they first arrived."""
    return [SourceSketch(str(r[0]), decode_sketch(bytes(r[1])), int(r[2])) for r in
            db.query("SELECT source, sketch, received FROM reach_sketches "
                     "WHERE doc_id = ? ORDER BY id", (doc_id,))]
