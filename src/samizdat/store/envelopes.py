"""The carry area of the store: dead-drop keys, and what each dead-drop file holds.

A dead-drop folder reveals nothing (random names, padded random-looking files), so
what this store knows about it lives here, inside the encrypted database:

* ``carry_drop_keys``: the shared dead-drop keys this person was given or made;
* ``carry_drop_files``: for each file seen in a drop (by name and size), the version
  it carries, or NULL when it is not ours to open (another drop's key, garbage). This
  makes a second sync cheap: only new files are opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samizdat.store.db import Database
from samizdat.store.schema import Area

__all__ = ["SCHEMA", "DropFile", "add_drop_key", "drop_files", "drop_keys", "forget_drop_file",
           "forget_unusable", "note_drop_file"]

SCHEMA = Area(
    "carry",
    (
        "CREATE TABLE carry_drop_keys (id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, "
        "added INTEGER NOT NULL)",
        "CREATE TABLE carry_drop_files (id INTEGER PRIMARY KEY, drop_id BLOB NOT NULL, "
        "name TEXT NOT NULL, size INTEGER NOT NULL, version BLOB, "
        "UNIQUE(drop_id, name, size))",
        # how many signatures the file's copy carries: a store that has learned more
        # (e.g. the committee's final) leaves a newer copy
        "ALTER TABLE carry_drop_files ADD COLUMN signatures INTEGER NOT NULL DEFAULT 0",
    ),
)


@dataclass(frozen=True)
class DropFile:
    """A file seen in a dead drop: its name, size, the version it carries (None if
    it could not be opened with that drop's key) and how many signatures came with
    it."""

    name: str
    size: int
    version: bytes | None = field(default=None)
    signatures: int = 0


def add_drop_key(db: Database, key: bytes, now: int) -> bool:
    """Remember a dead-drop key; False if it was known."""
    if db.one("SELECT 1 FROM carry_drop_keys WHERE key = ?", (key,)):
        return False
    db.execute("INSERT INTO carry_drop_keys (key, added) VALUES (?, ?)", (key, now))
    return True


def drop_keys(db: Database) -> list[bytes]:
    """Every dead-drop key, oldest first."""
    return [bytes(r[0]) for r in db.query("SELECT key FROM carry_drop_keys ORDER BY id")]


def drop_files(db: Database, drop_id: bytes) -> dict[tuple[str, int], DropFile]:
    """What this store remembers of a drop, by (name, size)."""
    rows = db.query(
        "SELECT name, size, version, signatures FROM carry_drop_files WHERE drop_id = ?",
        (drop_id,),
    )
    return {
        (str(r[0]), int(r[1])): DropFile(
            str(r[0]), int(r[1]), None if r[2] is None else bytes(r[2]), int(r[3])
        )
        for r in rows
    }


def note_drop_file(db: Database, drop_id: bytes, f: DropFile) -> None:
    """Remember what one drop file holds."""
    db.execute(
        "INSERT INTO carry_drop_files (drop_id, name, size, version, signatures) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(drop_id, name, size) DO UPDATE SET "
        "version = excluded.version, signatures = excluded.signatures",
        (drop_id, f.name, f.size, f.version, f.signatures),
    )


def forget_drop_file(db: Database, drop_id: bytes, name: str, size: int) -> None:
    """Forget a file that is no longer in the drop."""
    db.execute(
        "DELETE FROM carry_drop_files WHERE drop_id = ? AND name = ? AND size = ?",
        (drop_id, name, size),
    )


def forget_unusable(db: Database) -> None:
    """Forget every file no key of ours opened, so the next sync tries them again
    (after a new key came: a circle joined, see ``app/circle.py``)."""
    db.execute("DELETE FROM carry_drop_files WHERE version IS NULL")
