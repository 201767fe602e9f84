"""The encrypted store: create, open (with duress), close, wipe.

A home directory holds three files and they are always the same three::

    keyslots     4096 bytes, random-looking: two key slots (see keyslots.py)
    store0.db    a SQLCipher database
    store1.db    a SQLCipher database

One database is the person's store; the other is either keyed with a random key
nobody kept (no duress passphrase set) or is a decoy store opened by the duress
passphrase. Which file is which, and which slot is which, is drawn at random at
``init``, so the layout says nothing.

Opening derives a key for *both* slots whatever the passphrase (the time taken does
not tell which slot opened), then:

* a primary slot opens its database;
* a duress slot first overwrites every other slot with random bytes (fsynced: from
  that moment the real passphrase opens nothing), rewrites itself as a primary
  slot, replaces the other database with a fresh throwaway one (so the home looks
  like a store where no duress passphrase was ever set), and opens the decoy.

``wipe`` overwrites the whole key file with random bytes and fsyncs it, then removes
the databases: the cost does not depend on the store's size, and the databases'
keys existed nowhere but in the key file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from samizdat.core import crypto
from samizdat.core.crypto import Rng, SecretBytes
from samizdat.errors import (
    NotAStore,
    StoreError,
    StoreExists,
    StoreWiped,
    UsageError,
    WrongPassphrase,
)
from samizdat.runtime import system_rng, wall_clock
from samizdat.store import keyslots, schema
from samizdat.store.db import Database
from samizdat.store.documents import DocumentTables
from samizdat.store.keyslots import Role, SlotPayload

__all__ = ["DB_NAMES", "KEYSLOTS", "Store"]

KEYSLOTS = "keyslots"
DB_NAMES = ("store0.db", "store1.db")
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def _remove_db(path: Path) -> None:
    for suffix in _SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.with_name(path.name + suffix))


def _new_database(path: Path, key: SecretBytes, rng: Rng, now: int) -> Database:
    """A new database with every area's tables and a fresh identity key."""
    db = Database.open(path, key, create=True)
    try:
        os.chmod(path, 0o600)
        schema.apply_all(db)
        with db.transaction():
            for name, value in (
                ("identity_seed", rng(crypto.ED25519_SEED_BYTES)),
                ("created", str(now).encode()),
            ):
                db.execute("INSERT INTO meta (name, value) VALUES (?, ?)", (name, value))
    except BaseException:
        db.close()
        _remove_db(path)
        raise
    return db


def _throwaway(path: Path, rng: Rng, now: int) -> None:
    """An empty store under a random key that is forgotten at once: it fills the
    other database file so that both files always exist."""
    _remove_db(path)
    _new_database(path, SecretBytes(rng(32)), rng, now).close()


class Store(DocumentTables):
    """An unlocked store. Open it with :meth:`open`, make one with :meth:`create`;
    use :meth:`transaction` to group writes; :meth:`close` when done."""

    def __init__(
        self, home: Path, db: Database, slot: int, database: int, cost: keyslots.KdfCost
    ) -> None:
        self.home = home
        self.db = db
        self._slot = slot
        self._database = database
        self.kdf_cost = cost
        """The Argon2id cost this store's slot was sealed with; ``kdf_cost.insecure``
        means it was made under SAMIZDAT_INSECURE_FAST_KDF=1 and must not hold
        anything real."""

    def __repr__(self) -> str:
        return f"<Store {self.home}>"

    # ------------------------------------------------------------- lifecycle

    @staticmethod
    def _paths(home: Path) -> tuple[Path, tuple[Path, Path]]:
        return home / KEYSLOTS, (home / DB_NAMES[0], home / DB_NAMES[1])

    @classmethod
    def exists(cls, home: Path) -> bool:
        """Whether ``home`` holds a usable store: its key file and a database. A
        wiped store keeps only its random-looking key file; databases without a key
        file (an ``init`` killed half-way) can never be opened by anyone."""
        slots, dbs = cls._paths(home)
        return slots.exists() and any(p.exists() for p in dbs)

    @classmethod
    def create(
        cls, home: Path, passphrase: SecretBytes, rng: Rng = system_rng, *, now: int | None = None
    ) -> Store:
        """Make a new store in ``home`` (created if needed, mode 0700).

        :class:`StoreExists` if a store is already there; a wiped one may be
        replaced.
        """
        if len(passphrase) == 0:
            raise UsageError("the passphrase is empty")
        slots_path, dbs = cls._paths(home)
        if cls.exists(home):
            raise StoreExists(
                f"there is already a store at {home}",
                hint="use it, or pass another --home",
            )
        try:
            home.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(f"cannot make a store at {home}: {exc.strerror}",
                             hint="pass another --home") from None
        when = int(wall_clock()) if now is None else now
        for p in dbs:  # leftovers without keys (see exists()) are replaced
            _remove_db(p)
        coin = rng(2)
        database, slot = coin[0] & 1, coin[1] & 1
        key = SecretBytes(rng(32), "database key")
        db: Database | None = None
        try:
            db = _new_database(dbs[database], key, rng, when)
            _throwaway(dbs[1 - database], rng, when)
            sealed = keyslots.seal_slot(
                slot, passphrase, SlotPayload(Role.PRIMARY, database, key),
                keyslots.kdf_cost(), rng,
            )
            keyslots.write_new_file(slots_path, {slot: sealed}, rng)
            os.chmod(slots_path, 0o600)
        except BaseException:
            if db is not None:
                db.close()
            for p in dbs:
                _remove_db(p)
            raise
        store = cls(home, db, slot, database, keyslots.kdf_cost())
        store._even_out_times()
        return store

    @classmethod
    def open(cls, home: Path, passphrase: SecretBytes, rng: Rng = system_rng) -> Store:
        """Unlock the store in ``home`` with ``passphrase``.

        :class:`NotAStore` if there is none (or it is damaged), :class:`StoreWiped`
        if it was wiped, :class:`WrongPassphrase` if no slot opens. A duress
        passphrase opens the decoy and destroys the real key first (see the module
        docstring). Nothing is written unless a slot opens.
        """
        slots_path, dbs = cls._paths(home)
        if not home.is_dir():
            raise NotAStore(f"no samizdat store at {home}")
        raw = keyslots.read_file(slots_path)
        if not any(p.exists() for p in dbs):
            raise StoreWiped(
                f"the store at {home} was wiped; nothing in it can be read again",
                hint="'samizdat init' makes a new, empty store there",
            )
        found: list[tuple[int, SlotPayload]] = []
        for cost in keyslots.costs_to_try():
            # derive for every slot, always: the time taken must not say which opened
            opened = [keyslots.open_slot(i, r, passphrase, cost) for i, r in enumerate(raw)]
            found = [(i, p) for i, p in enumerate(opened) if p is not None]
            if found:
                break
        if not found:
            raise WrongPassphrase(f"the passphrase does not open the store at {home}")
        slot, payload = found[0]
        if payload.role is Role.DURESS:
            for other in range(keyslots.SLOT_COUNT):
                if other != slot:
                    keyslots.destroy_slot(slots_path, other, rng)
            keyslots.write_slot(
                slots_path,
                slot,
                keyslots.seal_slot(
                    slot, passphrase,
                    SlotPayload(Role.PRIMARY, payload.database, payload.key), cost, rng,
                ),
            )
            _throwaway(dbs[1 - payload.database], rng, int(wall_clock()))
        db = Database.open(dbs[payload.database], payload.key)
        try:
            schema.apply_all(db)
        except BaseException:
            db.close()
            raise
        return cls(home, db, slot, payload.database, cost)

    def close(self) -> None:
        """Close the database. Safe to call twice."""
        self.db.close()
        self._even_out_times()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _even_out_times(self) -> None:
        """Give both database files the same modification time, so the one in use
        does not stand out from the one that is not (best effort)."""
        _slots, dbs = self._paths(self.home)
        now = wall_clock()
        for p in dbs:
            with contextlib.suppress(OSError):
                os.utime(p, (now, now))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group writes: all of them are committed, or none."""
        with self.db.transaction():
            yield self

    # ----------------------------------------------------------------- duress

    def set_duress(
        self,
        duress: SecretBytes,
        rng: Rng = system_rng,
        populate: Callable[[Store], None] | None = None,
    ) -> None:
        """Set (or replace) the duress passphrase.

        The other database file becomes a new decoy store with its own identity key;
        ``populate`` fills it (a harmless document, so it looks used) before its slot
        is written. Entering ``duress`` later opens that decoy and destroys this
        store's key.
        """
        slots_path, dbs = self._paths(self.home)
        cost = self.kdf_cost  # the duress slot costs as much to guess as the real one
        raw = keyslots.read_file(slots_path)
        if len(duress) == 0:
            raise UsageError("the duress passphrase is empty")
        if keyslots.open_slot(self._slot, raw[self._slot], duress, cost) is not None:
            raise UsageError("the duress passphrase must differ from the store passphrase")
        other_db = dbs[1 - self._database]
        key = SecretBytes(rng(32), "database key")
        _remove_db(other_db)
        decoy = Store(self.home, _new_database(other_db, key, rng, int(wall_clock())),
                      1 - self._slot, 1 - self._database, cost)
        try:
            if populate is not None:
                populate(decoy)
        finally:
            decoy.db.close()
        sealed = keyslots.seal_slot(
            1 - self._slot, duress, SlotPayload(Role.DURESS, 1 - self._database, key), cost, rng
        )
        keyslots.write_slot(slots_path, 1 - self._slot, sealed)
        self._even_out_times()

    # ------------------------------------------------------------------- wipe

    @classmethod
    def wipe(cls, home: Path, rng: Rng = system_rng) -> None:
        """Destroy the store's keys at once, then remove its databases.

        No passphrase is needed: whoever may use this store may destroy it. The
        key file is overwritten in place with random bytes and fsynced before the
        databases are unlinked (best effort: they are unreadable already).
        """
        slots_path, dbs = cls._paths(home)
        if not slots_path.exists():
            raise NotAStore(f"no samizdat store at {home}")
        keyslots.destroy_all(slots_path, rng)
        for p in dbs:
            with contextlib.suppress(OSError):
                _remove_db(p)
