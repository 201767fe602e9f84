"""The committee area of the store: a member's key-generation state, its key share,
its single-use signing nonces, and the final statements it knows.

Everything here sits inside the SQLCipher database, so nonces and shares are
encrypted at rest with the rest of the store. The one promise this module keeps is
in :func:`take_nonce`: a nonce is deleted in the same transaction that uses it, so
no crash, kill or second run can ever use it twice.

A non-member's store (a reader who ran ``trust add``) holds only rows of
``committee_finals`` (statement, signatures) and the documents area's trusted key:
nothing about members, indices or their number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from samizdat.errors import NotFound, UsageError
from samizdat.store.db import Database, Row
from samizdat.store.schema import Area

__all__ = [
    "SCHEMA",
    "FinalRecord",
    "MemberRecord",
    "add_nonces",
    "count_nonces",
    "final",
    "finals_for_key",
    "member",
    "members",
    "purge_nonces",
    "put_final",
    "put_member",
    "set_comment_signature",
    "take_nonce",
]

SCHEMA = Area(
    "committee",
    (
        "CREATE TABLE committee_members (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
        "state TEXT NOT NULL, data BLOB NOT NULL, group_key BLOB, updated INTEGER NOT NULL)",
        "CREATE TABLE committee_nonces (id INTEGER PRIMARY KEY, "
        "member INTEGER NOT NULL REFERENCES committee_members(id), commit_id BLOB NOT NULL, "
        "slot INTEGER NOT NULL, data BLOB NOT NULL, created INTEGER NOT NULL, "
        "UNIQUE(commit_id, slot))",
        "CREATE TABLE committee_finals (id INTEGER PRIMARY KEY, version BLOB NOT NULL, "
        "group_key BLOB NOT NULL, statement BLOB NOT NULL, signature BLOB NOT NULL, "
        "comment TEXT NOT NULL, comment_signature BLOB, UNIQUE(version, group_key))",
        # the key that seals this committee's message files (derived from the
        # committee secret; NULL when the committee sends plaintext files)
        "ALTER TABLE committee_members ADD COLUMN seal_key BLOB",
    ),
)

T = TypeVar("T")


@dataclass(frozen=True)
class MemberRecord:
    """This store's membership of one committee: its local name, state and data
    (the encoded DKG state or key share, see ``core/dkg.py``), and the key that
    seals its message files, if the committee shares a secret (``None`` when
    advancing keeps the stored one)."""

    name: str
    state: str
    data: bytes
    group_key: bytes | None
    seal_key: bytes | None = None

    def __repr__(self) -> str:
        return f"MemberRecord(name={self.name!r}, state={self.state!r}, data=<hidden>)"


@dataclass(frozen=True)
class FinalRecord:
    """A version a committee declared final: the signed statement and signatures."""

    version: bytes
    group_key: bytes
    statement: bytes
    signature: bytes
    comment: str
    comment_signature: bytes | None


def member(db: Database, name: str) -> MemberRecord:
    row = db.one(
        "SELECT name, state, data, group_key, seal_key FROM committee_members WHERE name = ?",
        (name,),
    )
    if row is None:
        raise NotFound(f"no committee named {name!r} in this store",
                       hint="start one with 'samizdat committee dkg1'")
    return MemberRecord(str(row[0]), str(row[1]), bytes(row[2]),
                        None if row[3] is None else bytes(row[3]),
                        None if row[4] is None else bytes(row[4]))


def members(db: Database) -> list[MemberRecord]:
    rows = db.query("SELECT name FROM committee_members ORDER BY id")
    return [member(db, str(r[0])) for r in rows]


def put_member(db: Database, record: MemberRecord, now: int, *, replace: bool = False,
               expect_state: str | None = None) -> None:
    """Insert or advance a member record. ``expect_state`` guards the transition so
    that two concurrent commands cannot both advance the same state."""
    with db.transaction():
        row = db.one("SELECT state FROM committee_members WHERE name = ?", (record.name,))
        if row is None:
            db.execute(
                "INSERT INTO committee_members (name, state, data, group_key, seal_key, "
                "updated) VALUES (?, ?, ?, ?, ?, ?)",
                (record.name, record.state, record.data, record.group_key, record.seal_key,
                 now),
            )
            return
        if expect_state is not None and str(row[0]) != expect_state:
            raise UsageError(f"committee {record.name!r} is in state {row[0]}, not {expect_state}")
        if expect_state is None and not replace:
            raise UsageError(f"a committee named {record.name!r} already exists here",
                             hint="pick another name, or pass --restart to start it again")
        db.execute(
            "UPDATE committee_members SET state = ?, data = ?, group_key = ?, "
            "seal_key = coalesce(?, seal_key), updated = ? WHERE name = ?",
            (record.state, record.data, record.group_key, record.seal_key, now,
             record.name),
        )
        if replace:
            db.execute(
                "DELETE FROM committee_nonces WHERE member = "
                "(SELECT id FROM committee_members WHERE name = ?)", (record.name,)
            )


def add_nonces(db: Database, name: str, commit_id: bytes, slots: list[bytes], now: int) -> None:
    """Keep the secret nonces of one commitment (one row per signature slot)."""
    with db.transaction():
        row = db.one("SELECT id FROM committee_members WHERE name = ?", (name,))
        if row is None:
            raise NotFound(f"no committee named {name!r} in this store")
        db.executemany(
            "INSERT INTO committee_nonces (member, commit_id, slot, data, created) "
            "VALUES (?, ?, ?, ?, ?)",
            [(row[0], commit_id, i, data, now) for i, data in enumerate(slots)],
        )


@contextmanager
def _tx(db: Database) -> Iterator[Database]:
    with db.transaction():
        yield db


def take_nonce(db: Database, commit_id: bytes, slot: int, use: Callable[[bytes], T]) -> T:
    """Delete one nonce and call ``use(nonce_data)`` in the same transaction.

    If ``use`` raises, the deletion is rolled back and the nonce stays usable. If it
    returns, the deletion is committed before the result is handed back, so the
    caller can only ever publish a share made from a nonce that is already gone.
    """
    with _tx(db):
        row = db.one(
            "SELECT id, data FROM committee_nonces WHERE commit_id = ? AND slot = ?",
            (commit_id, slot),
        )
        if row is None:
            raise NotFound(
                "this member's nonce for that commitment is gone: it was already used, "
                "abandoned, or made by another store",
                hint="run 'samizdat committee commit' again and start a new signing round",
            )
        db.execute("DELETE FROM committee_nonces WHERE id = ?", (row[0],))
        return use(bytes(row[1]))


def count_nonces(db: Database, name: str) -> int:
    """How many unused nonces (one per signature slot) this member holds."""
    row = db.one(
        "SELECT count(*) FROM committee_nonces n JOIN committee_members m ON m.id = n.member "
        "WHERE m.name = ?", (name,))
    return int(row[0]) if row else 0


def purge_nonces(db: Database, older_than: int) -> int:
    """Destroy nonces that were never used (abandoned rounds); how many went."""
    with db.transaction():
        n = db.one("SELECT count(*) FROM committee_nonces WHERE created < ?", (older_than,))
        db.execute("DELETE FROM committee_nonces WHERE created < ?", (older_than,))
    return int(n[0]) if n else 0


def put_final(db: Database, rec: FinalRecord) -> None:
    """Record (or complete) a final version."""
    db.execute(
        "INSERT INTO committee_finals (version, group_key, statement, signature, comment, "
        "comment_signature) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(version, group_key) DO "
        "UPDATE SET comment_signature = coalesce(excluded.comment_signature, "
        "committee_finals.comment_signature)",
        (rec.version, rec.group_key, rec.statement, rec.signature, rec.comment,
         rec.comment_signature),
    )


def set_comment_signature(db: Database, version: bytes, group_key: bytes, sig: bytes) -> None:
    db.execute(
        "UPDATE committee_finals SET comment_signature = ? WHERE version = ? AND group_key = ?",
        (sig, version, group_key),
    )


def _final(row: Row) -> FinalRecord:
    return FinalRecord(
        bytes(row[0]), bytes(row[1]), bytes(row[2]), bytes(row[3]),
        str(row[4]), None if row[5] is None else bytes(row[5]),
    )


_FINAL_SELECT = (
    "SELECT version, group_key, statement, signature, comment, comment_signature "
    "FROM committee_finals "
)


def final(db: Database, version: bytes) -> list[FinalRecord]:
    """Every committee statement known for ``version``."""
    return [_final(r) for r in db.query(_FINAL_SELECT + "WHERE version = ? ORDER BY id",
                                        (version,))]


def finals_for_key(db: Database, group_key: bytes) -> list[FinalRecord]:
    return [_final(r) for r in db.query(_FINAL_SELECT + "WHERE group_key = ? ORDER BY id",
                                        (group_key,))]
