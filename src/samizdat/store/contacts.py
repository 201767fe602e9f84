"""The network area of the store: this node's transport key, contacts, pending
invites, and the versions marked to be passed along (``share``).

All of it lives inside the encrypted database, so a seized disk without the
passphrase does not reveal who someone's contacts are. Invites are stored only as a
hash of their one-time secret: a copy of the database read later cannot be used to
answer an invite that is still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samizdat.core.crypto import SecretBytes, blake3_hash, constant_time_equal
from samizdat.errors import NotFound
from samizdat.store.db import Database
from samizdat.store.schema import Area

__all__ = [
    "COURIER",
    "MAX_PARTIAL_BYTES",
    "READER",
    "ROLES",
    "SCHEMA",
    "Contact",
    "ContactBook",
    "invite_secret_hash",
]

READER = "reader"
"""A contact that receives whole copies and the tickets that open them."""
COURIER = "courier"
"""A contact that receives sealed shards only: no copy, no ticket, no capability."""
ROLES = (READER, COURIER)

MAX_PARTIAL_BYTES = 1 << 30
"""Most bytes of half-received items kept for resuming, over all contacts."""

SCHEMA = Area(
    "network",
    (
        "CREATE TABLE network_identity (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "seed BLOB NOT NULL, onion_key BLOB, address TEXT NOT NULL DEFAULT '')",
        "CREATE TABLE network_contacts (id INTEGER PRIMARY KEY, "
        "public_key BLOB NOT NULL UNIQUE, certificate BLOB NOT NULL, "
        "address TEXT NOT NULL, added INTEGER NOT NULL, last_seen INTEGER)",
        "CREATE TABLE network_invites (secret_hash BLOB NOT NULL UNIQUE, "
        "expires INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE network_shared (version_id BLOB NOT NULL UNIQUE, since INTEGER NOT NULL)",
        "CREATE TABLE network_partial (item BLOB NOT NULL UNIQUE, total INTEGER NOT NULL, "
        "data BLOB NOT NULL)",
        # what a contact receives: 'reader' (copies and tickets) or 'courier' (shards)
        "ALTER TABLE network_contacts ADD COLUMN role TEXT NOT NULL DEFAULT 'reader'",
        # the role an invite's acceptor gets when it is redeemed
        "ALTER TABLE network_invites ADD COLUMN role TEXT NOT NULL DEFAULT 'reader'",
    ),
)


@dataclass(frozen=True)
class Contact:
    """One contact: their transport key, pinned certificate and last known address."""

    id: int
    public_key: bytes
    certificate: bytes = field(repr=False)
    address: str = field(repr=False)
    added: int = 0
    role: str = READER
    """:data:`READER` or :data:`COURIER` (``docs/spec/shards.md``)."""

    @property
    def fingerprint(self) -> str:
        """A short, stable label to compare out loud: 16 hex digits of the key's hash."""
        return blake3_hash(self.public_key, length=8).hex()


def invite_secret_hash(secret: bytes) -> bytes:
    """What the store keeps of an invite's one-time secret (never the secret)."""
    return blake3_hash(b"samizdat invite secret v1" + secret)


_secret_hash = invite_secret_hash


class ContactBook:
    """The network tables of one open store (``ContactBook(store.db)``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._redeemed_role: str | None = None

    # ------------------------------------------------------------------ identity

    def transport_seed(self, rng_bytes: bytes) -> SecretBytes:
        """This node's transport key seed, made from ``rng_bytes`` (32) the first time.

        One transport key per store, not per contact: see ``docs/network.md``.
        """
        row = self.db.one("SELECT seed FROM network_identity WHERE id = 1")
        if row is None:
            self.db.execute(
                "INSERT INTO network_identity (id, seed) VALUES (1, ?)", (rng_bytes,)
            )
            return SecretBytes(rng_bytes, "transport key")
        return SecretBytes(bytes(row[0]), "transport key")

    def onion_key(self) -> SecretBytes | None:
        row = self.db.one("SELECT onion_key FROM network_identity WHERE id = 1")
        return None if row is None or row[0] is None else SecretBytes(bytes(row[0]), "onion key")

    def set_onion_key(self, key: SecretBytes) -> None:
        self.db.execute("UPDATE network_identity SET onion_key = ? WHERE id = 1", (key.reveal(),))

    def own_address(self) -> str:
        """Where this node was last listening (``host:port`` or ``xxx.onion:port``)."""
        row = self.db.one("SELECT address FROM network_identity WHERE id = 1")
        return "" if row is None else str(row[0])

    def set_own_address(self, address: str) -> None:
        self.db.execute("UPDATE network_identity SET address = ? WHERE id = 1", (address,))

    # ------------------------------------------------------------------ contacts

    def add(
        self, public_key: bytes, certificate: bytes, address: str, now: int,
        role: str | None = None,
    ) -> Contact:
        """Add a contact, or refresh the certificate and address of a known one.

        A new contact gets ``role``; without one, the role of the invite redeemed
        just before in this transaction (:meth:`redeem_invite`), else reader. A
        known contact keeps its role unless ``role`` is given."""
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        invited, self._redeemed_role = self._redeemed_role, None
        self.db.execute(
            "INSERT INTO network_contacts (public_key, certificate, address, added, role) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(public_key) DO UPDATE SET "
            "certificate = excluded.certificate, "
            "address = CASE WHEN excluded.address = '' THEN address ELSE excluded.address END",
            (public_key, certificate, address, now, role or invited or READER),
        )
        contact = self.by_key(public_key)
        if role is not None and contact.role != role:
            self.set_role(contact.id, role)
            contact = self.by_key(public_key)
        return contact

    def set_role(self, contact_id: int, role: str) -> None:
        """Make a contact a reader or a courier (``docs/spec/shards.md``)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self.db.execute("UPDATE network_contacts SET role = ? WHERE id = ?", (role, contact_id))
        if self._changed() == 0:
            raise NotFound("no such contact")

    def all(self) -> list[Contact]:
        return [
            Contact(int(r[0]), bytes(r[1]), bytes(r[2]), str(r[3]), int(r[4]), str(r[5]))
            for r in self.db.query(
                "SELECT id, public_key, certificate, address, added, role "
                "FROM network_contacts ORDER BY id"
            )
        ]

    def by_id(self, contact_id: int) -> Contact:
        for c in self.all():
            if c.id == contact_id:
                return c
        raise NotFound("no such contact")

    def by_key(self, public_key: bytes) -> Contact:
        for c in self.all():
            if constant_time_equal(c.public_key, public_key):
                return c
        raise NotFound("no such contact")

    def find(self, ref: str) -> Contact:
        """A contact by its number or a fingerprint prefix (at least 4 hex digits)."""
        ref = ref.strip().lower()
        found = [
            c for c in self.all()
            if (ref.isdigit() and str(c.id) == ref)
            or (len(ref) >= 4 and c.fingerprint.startswith(ref))
        ]
        if len(found) != 1:
            raise NotFound(
                "no such contact" if not found else "that names more than one contact",
                hint="see 'samizdat contact list'",
            )
        return found[0]

    def set_address(self, contact_id: int, address: str) -> None:
        self.db.execute(
            "UPDATE network_contacts SET address = ? WHERE id = ?", (address, contact_id)
        )

    def _changed(self) -> int:
        row = self.db.one("SELECT changes()")
        return int(row[0]) if row else 0

    def remove(self, contact_id: int) -> None:
        self.db.execute("DELETE FROM network_contacts WHERE id = ?", (contact_id,))
        if self._changed() == 0:
            raise NotFound("no such contact")

    # ------------------------------------------------------------------- invites

    def add_invite(self, secret: bytes, expires: int, role: str = READER) -> None:
        """Keep an open invite; its acceptor becomes a contact with ``role``."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self.db.execute(
            "INSERT INTO network_invites (secret_hash, expires, role) VALUES (?, ?, ?)",
            (_secret_hash(secret), expires, role),
        )

    def open_invites(self, now: int) -> int:
        row = self.db.one(
            "SELECT count(*) FROM network_invites WHERE used = 0 AND expires > ?", (now,)
        )
        return int(row[0]) if row else 0

    def open_invite_hashes(self, now: int) -> list[bytes]:
        """The secret hashes of the invites still open at ``now`` (the node derives
        the SNI names that admit their acceptors from these)."""
        rows = self.db.query(
            "SELECT secret_hash FROM network_invites WHERE used = 0 AND expires > ?", (now,)
        )
        return [bytes(r[0]) for r in rows]

    def change_mark(self) -> tuple[int, int]:
        """Changes when anything was committed: by another connection (SQLite's
        ``PRAGMA data_version``: a ``contact remove`` run beside the node) or by
        this one (``total_changes()``). Cheap, and opens no transaction."""
        dv = self.db.one("PRAGMA data_version")
        tc = self.db.one("SELECT total_changes()")
        return (int(dv[0]) if dv else 0, int(tc[0]) if tc else 0)

    def redeem_invite(self, secret: bytes, now: int) -> bool:
        """Use up an open invite with this secret. True once; then never again.

        (A boolean on purpose: the caller answers "refused" either way and must not
        tell an expired invite from a used or unknown one.)
        """
        self.db.execute(
            "UPDATE network_invites SET used = 1 "
            "WHERE secret_hash = ? AND used = 0 AND expires > ?",
            (_secret_hash(secret), now),
        )
        if self._changed() != 1:
            return False
        row = self.db.one(
            "SELECT role FROM network_invites WHERE secret_hash = ?", (_secret_hash(secret),)
        )
        # the node adds the acceptor next, in the same transaction (node/node.py)
        self._redeemed_role = str(row[0]) if row else None
        return True

    # -------------------------------------------------------------------- shares

    def share(self, version_id: bytes, now: int) -> None:
        """Mark a version to be passed along (to readers as a copy and a ticket, to
        couriers as shards)."""
        self.db.execute(
            "INSERT INTO network_shared (version_id, since) VALUES (?, ?) "
            "ON CONFLICT(version_id) DO NOTHING",
            (version_id, now),
        )

    def unshare(self, version_id: bytes) -> bool:
        self.db.execute("DELETE FROM network_shared WHERE version_id = ?", (version_id,))
        return self._changed() == 1

    def shared(self) -> list[bytes]:
        return [bytes(r[0]) for r in self.db.query(
            "SELECT version_id FROM network_shared ORDER BY since, version_id"
        )]

    # ------------------------------------------------------ half-received items

    def partial(self, item: bytes) -> tuple[int, bytes]:
        """``(total, bytes so far)`` of an item an interrupted session left, or
        ``(0, b"")``. ``item`` is the pair-keyed wire id, so a prefix is only ever
        resumed with the contact it came from."""
        row = self.db.one("SELECT total, data FROM network_partial WHERE item = ?", (item,))
        return (0, b"") if row is None else (int(row[0]), bytes(row[1]))

    def save_partial(self, item: bytes, total: int, data: bytes) -> bool:
        """Keep a prefix, unless the kept prefixes would pass :data:`MAX_PARTIAL_BYTES`
        (a contact that starts many items and never finishes them must not fill the
        disk). True if kept."""
        row = self.db.one(
            "SELECT coalesce(sum(length(data)), 0) FROM network_partial WHERE item != ?",
            (item,),
        )
        if (int(row[0]) if row else 0) + len(data) > MAX_PARTIAL_BYTES:
            return False
        self.db.execute(
            "INSERT INTO network_partial (item, total, data) VALUES (?, ?, ?) "
            "ON CONFLICT(item) DO UPDATE SET total = excluded.total, data = excluded.data",
            (item, total, data),
        )
        return True

    def drop_partial(self, item: bytes) -> None:
        self.db.execute("DELETE FROM network_partial WHERE item = ?", (item,))
