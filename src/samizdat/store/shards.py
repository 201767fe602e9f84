"""The shard area of the store: sealed shards this node carries, and the tickets that
let it rebuild a copy from them.

* ``shards_items``: one row per shard, its id (a hash of its bytes, never a document
  or version id) and its bytes. A courier's store holds only these: nothing in a
  row says which document, version or envelope a shard belongs to. ``ticket`` and
  ``position`` are set only for shards this node sealed itself (so it can place
  them over its couriers); both are NULL for shards it carries for others.
* ``shards_circle``: circle items (``docs/spec/circle.md``), the sealed bytes of a
  circle's draft and its comments, under a hash of those bytes. A node outside the
  circle keeps them only to pass along (counted with the carried shards); a node
  that sealed one records its version and weight, so it seals each once.
* ``shards_tickets``: tickets (capability, version, shard ids) this node sealed
  (``own``) or was given by a reader. A courier never receives one.

All of it is inside the encrypted database (``docs/spec/store.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from samizdat.core.tickets import Ticket, decode_ticket, encode_ticket, ticket_id
from samizdat.store.db import Database
from samizdat.store.schema import Area

__all__ = [
    "MAX_CARRIED_BYTES",
    "MAX_CARRIED_ITEMS",
    "MAX_TICKETS",
    "SCHEMA",
    "ShardBook",
    "TicketRecord",
]

MAX_CARRIED_BYTES: Final = 1 << 30
"""Most bytes of shards carried for others (a flood of shards must not fill the disk)."""
MAX_CARRIED_ITEMS: Final = 65536
"""Most shards carried for others."""
MAX_TICKETS: Final = 4096
"""Most tickets received from readers."""

SCHEMA = Area(
    "shards",
    (
        "CREATE TABLE shards_tickets (id INTEGER PRIMARY KEY, ticket_id BLOB NOT NULL UNIQUE, "
        "version_id BLOB NOT NULL, encoded BLOB NOT NULL, own INTEGER NOT NULL, "
        "since INTEGER NOT NULL)",
        "CREATE INDEX shards_tickets_version ON shards_tickets (version_id)",
        "CREATE TABLE shards_items (id INTEGER PRIMARY KEY, shard_id BLOB NOT NULL UNIQUE, "
        "data BLOB NOT NULL, since INTEGER NOT NULL, ticket INTEGER, position INTEGER)",
        # circle items (docs/spec/circle.md): version_id and weight are set only for
        # items this node sealed itself; both NULL for items it carries for others
        "CREATE TABLE shards_circle (id INTEGER PRIMARY KEY, item_id BLOB NOT NULL UNIQUE, "
        "data BLOB NOT NULL, since INTEGER NOT NULL, version_id BLOB, weight INTEGER)",
    ),
)


@dataclass(frozen=True)
class TicketRecord:
    """A stored ticket: its row, id, whether this node sealed it, and the ticket."""

    row: int
    ticket_id: bytes = field(repr=False)
    own: bool
    ticket: Ticket


class ShardBook:
    """The shard tables of one open store (``ShardBook(store.db)``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------- tickets

    def add_ticket(self, ticket: Ticket, now: int, *, own: bool) -> TicketRecord | None:
        """Keep a ticket (idempotent). None if the store holds :data:`MAX_TICKETS`
        received tickets already (own ones are always kept)."""
        encoded = encode_ticket(ticket)
        tid = ticket_id(encoded)
        known = self.ticket(tid)
        if known is not None:
            return known
        if not own:
            row = self.db.one("SELECT count(*) FROM shards_tickets WHERE own = 0")
            if row is not None and int(row[0]) >= MAX_TICKETS:
                return None
        self.db.execute(
            "INSERT INTO shards_tickets (ticket_id, version_id, encoded, own, since) "
            "VALUES (?, ?, ?, ?, ?)",
            (tid, ticket.version_id, encoded, int(own), now),
        )
        return self.ticket(tid)

    @staticmethod
    def _record(r: Sequence[Any]) -> TicketRecord:
        return TicketRecord(int(r[0]), bytes(r[1]), bool(r[2]), decode_ticket(bytes(r[3])))

    def ticket(self, tid: bytes) -> TicketRecord | None:
        row = self.db.one(
            "SELECT id, ticket_id, own, encoded FROM shards_tickets WHERE ticket_id = ?", (tid,)
        )
        return None if row is None else self._record(row)

    def tickets(self) -> list[TicketRecord]:
        """Every ticket, oldest first."""
        return [self._record(r) for r in self.db.query(
            "SELECT id, ticket_id, own, encoded FROM shards_tickets ORDER BY id"
        )]

    def own_ticket(self, version_id: bytes) -> TicketRecord | None:
        """The ticket of this node's own seal of ``version_id``, if it made one."""
        row = self.db.one(
            "SELECT id, ticket_id, own, encoded FROM shards_tickets "
            "WHERE version_id = ? AND own = 1 ORDER BY id LIMIT 1", (version_id,)
        )
        return None if row is None else self._record(row)

    def drop_ticket(self, tid: bytes) -> None:
        self.db.execute("DELETE FROM shards_tickets WHERE ticket_id = ?", (tid,))

    # -------------------------------------------------------------------- shards

    def add_own(self, ticket_row: int, shards: list[bytes], ids: list[bytes], now: int) -> None:
        """Keep the shards of this node's own seal, in shard order."""
        for position, (sid, data) in enumerate(zip(ids, shards, strict=True)):
            self.db.execute(
                "INSERT INTO shards_items (shard_id, data, since, ticket, position) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(shard_id) DO UPDATE SET "
                "ticket = excluded.ticket, position = excluded.position",
                (sid, data, now, ticket_row, position),
            )

    def carry(self, sid: bytes, data: bytes, now: int) -> bool:
        """Keep a shard carried for others, unless the carried shards and circle
        items would pass :data:`MAX_CARRIED_BYTES` or :data:`MAX_CARRIED_ITEMS`. True if kept (or
        already held)."""
        if self.has(sid):
            return True
        count, size = self._carried_load()
        if count >= MAX_CARRIED_ITEMS or size + len(data) > MAX_CARRIED_BYTES:
            return False
        self.db.execute(
            "INSERT INTO shards_items (shard_id, data, since) VALUES (?, ?, ?)",
            (sid, data, now),
        )
        return True

    def has(self, sid: bytes) -> bool:
        return self.db.one("SELECT 1 FROM shards_items WHERE shard_id = ?", (sid,)) is not None

    def data(self, sid: bytes) -> bytes | None:
        row = self.db.one("SELECT data FROM shards_items WHERE shard_id = ?", (sid,))
        return None if row is None else bytes(row[0])

    def ids(self) -> list[bytes]:
        """Every shard held, oldest first."""
        return [bytes(r[0]) for r in self.db.query(
            "SELECT shard_id FROM shards_items ORDER BY id"
        )]

    def carried(self) -> list[bytes]:
        """Shards held that this node did not seal itself."""
        return [bytes(r[0]) for r in self.db.query(
            "SELECT shard_id FROM shards_items WHERE ticket IS NULL ORDER BY id"
        )]

    def own_placed(self) -> list[tuple[bytes, int, int]]:
        """``(shard id, ticket row, position)`` of every shard this node sealed."""
        return [(bytes(r[0]), int(r[1]), int(r[2])) for r in self.db.query(
            "SELECT shard_id, ticket, position FROM shards_items "
            "WHERE ticket IS NOT NULL ORDER BY ticket, position"
        )]

    # -------------------------------------------------------------- circle items

    def _carried_load(self) -> tuple[int, int]:
        row = self.db.one(
            "SELECT (SELECT count(*) FROM shards_items WHERE ticket IS NULL) + "
            "(SELECT count(*) FROM shards_circle WHERE version_id IS NULL), "
            "(SELECT coalesce(sum(length(data)), 0) FROM shards_items WHERE ticket IS NULL) + "
            "(SELECT coalesce(sum(length(data)), 0) FROM shards_circle "
            "WHERE version_id IS NULL)"
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def carry_circle(self, iid: bytes, data: bytes, now: int) -> bool:
        """Keep a circle item carried for others, within the same caps as carried
        shards (both together: :data:`MAX_CARRIED_ITEMS`, :data:`MAX_CARRIED_BYTES`).
        True if kept (or already held)."""
        if self.has_circle(iid):
            return True
        count, size = self._carried_load()
        if count >= MAX_CARRIED_ITEMS or size + len(data) > MAX_CARRIED_BYTES:
            return False
        self.db.execute(
            "INSERT INTO shards_circle (item_id, data, since) VALUES (?, ?, ?)",
            (iid, data, now),
        )
        return True

    def add_own_circle(self, iid: bytes, data: bytes, version_id: bytes, weight: int,
                       now: int) -> None:
        """Keep a circle item this node sealed of ``version_id`` at ``weight``."""
        self.db.execute(
            "INSERT INTO shards_circle (item_id, data, since, version_id, weight) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(item_id) DO NOTHING",
            (iid, data, now, version_id, weight),
        )

    def own_circle_weight(self, version_id: bytes) -> int | None:
        """The heaviest weight this node sealed ``version_id`` at (None: never)."""
        row = self.db.one(
            "SELECT max(weight) FROM shards_circle WHERE version_id = ?", (version_id,)
        )
        return None if row is None or row[0] is None else int(row[0])

    def has_circle(self, iid: bytes) -> bool:
        return self.db.one(
            "SELECT 1 FROM shards_circle WHERE item_id = ?", (iid,)) is not None

    def circle_data(self, iid: bytes) -> bytes | None:
        row = self.db.one("SELECT data FROM shards_circle WHERE item_id = ?", (iid,))
        return None if row is None else bytes(row[0])

    def own_circle(self) -> list[tuple[bytes, bytes]]:
        """``(item id, version id)`` of every circle item this node sealed."""
        return [(bytes(r[0]), bytes(r[1])) for r in self.db.query(
            "SELECT item_id, version_id FROM shards_circle "
            "WHERE version_id IS NOT NULL ORDER BY id"
        )]

    def circle_ids(self, *, own: bool | None = None) -> list[bytes]:
        """Every circle item held (``own``: only those sealed here, or only those
        carried for others), oldest first."""
        where = "" if own is None else (
            " WHERE version_id IS NOT NULL" if own else " WHERE version_id IS NULL")
        return [bytes(r[0]) for r in self.db.query(
            f"SELECT item_id FROM shards_circle{where} ORDER BY id"  # noqa: S608
        )]
