"""The encrypted store: create, open (with duress), close, wipe.

A home directory holds the same files whatever happened to it::

    keyslots            4096 bytes, random-looking: two key slots (see keyslots.py)
    store0.db           a SQLCipher database
    store1.db           a SQLCipher database
    store0.db-journal   empty at rest (SQLite's rollback journal, see db.py)
    store1.db-journal   empty at rest

One database is the person's store; the other is either a throwaway store under a
random key (no duress passphrase set) or a decoy store opened by the duress
passphrase. Which file is which, and which slot is which, is drawn at random at
``init``; both database files are made at the same moment, in name order, so
neither inode numbers nor birth times say which is which.

The database in use keeps the other one's key (``partner_key`` in its ``meta``
table), so that every open can write to **both** databases and rewrite the key
file in place: after any unlock, normal or forced, every file has just been
written, and all of them carry the same modification time. Files are never
replaced by new ones (a new file has a new inode and a birth time that cannot be
set back): a database that must be replaced is emptied and rebuilt in place.

Opening derives a key for *both* slots whatever the passphrase (the time taken does
not tell which slot opened), then:

* a primary slot opens its database and reseals itself in place with a fresh salt;
  when this store never set a duress passphrase, the unused slot is overwritten
  with fresh random bytes too;
* a duress slot first overwrites every other slot with random bytes (fsynced: from
  that moment the real passphrase opens nothing), reseals itself as a primary slot,
  empties the other database in place and rebuilds it as a fresh throwaway (so the
  home looks like a store where no duress passphrase was ever set), and opens the
  decoy.

``wipe`` overwrites the whole key file with random bytes and fsyncs it (the
databases' keys existed nowhere else), then removes every file of the store, and
the home folder itself when nothing else is in it: afterwards the home looks like
one where no store was ever made.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator
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
from samizdat.runtime import insecure_fast_kdf, system_rng, wall_clock
from samizdat.store import keyslots, schema
from samizdat.store.db import Database
from samizdat.store.documents import DocumentTables
from samizdat.store.keyslots import Role, SlotPayload

__all__ = ["DB_NAMES", "KEYSLOTS", "SIDE_SUFFIXES", "STORE_FILES", "Store", "tighten_home"]

KEYSLOTS = "keyslots"
DB_NAMES = ("store0.db", "store1.db")
SIDE_SUFFIXES = ("-journal", "-wal", "-shm")
"""SQLite's side files: the journal this build uses, and the WAL files of stores
made by earlier builds (removed when such a store is next opened)."""
STORE_FILES = (KEYSLOTS, *DB_NAMES, *(n + "-journal" for n in DB_NAMES))
"""Every file a home holds at rest, whatever happened to the store."""
_PARTNER = "partner_key"
_DURESS_SET = "duress_set"
_TOUCH = "touch"


def tighten_home(home: Path) -> int | None:
    """Make ``home`` mode 0700 if others may read or enter it; return the old mode
    (``None`` when it was already private). The caller says so to the person."""
    mode = stat.S_IMODE(os.stat(home).st_mode)
    if mode & 0o077 == 0:
        return None
    os.chmod(home, mode & 0o700 | 0o700)
    return mode


def _remove_db(path: Path) -> None:
    for suffix in ("", *SIDE_SUFFIXES):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.with_name(path.name + suffix))


def _empty_in_place(path: Path) -> None:
    """Truncate a database and its journal to nothing, keeping both files (and so
    their inode numbers and birth times). A non-empty journal is a hot one, which
    SQLite would otherwise play back into the new database."""
    for suffix in ("", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.truncate(path.with_name(path.name + suffix), 0)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.with_name(path.name + suffix))


def _fill_database(path: Path, key: SecretBytes, rng: Rng, created: bytes) -> Database:
    """Fill ``path`` (absent or empty) with a new database: every area's tables and
    a fresh identity key."""
    db = Database.open(path, key, create=True)
    try:
        schema.apply_all(db)
        with db.transaction():
            for name, value in (
                ("identity_seed", rng(crypto.ED25519_SEED_BYTES)),
                ("created", created),
            ):
                db.execute("INSERT INTO meta (name, value) VALUES (?, ?)", (name, value))
    except BaseException:
        db.close()
        _empty_in_place(path)
        raise
    return db


def _set_meta(db: Database, name: str, value: bytes) -> None:
    db.execute(
        "INSERT INTO meta (name, value) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def _get_meta(db: Database, name: str) -> bytes | None:
    row = db.one("SELECT value FROM meta WHERE name = ?", (name,))
    return None if row is None else bytes(row[0])


def _touch(db: Database, rng: Rng) -> None:
    """One small write, the same size in every database: page 1 and the meta page
    are re-encrypted under fresh IVs, and the journal is used and emptied."""
    with db.transaction():
        _set_meta(db, _TOUCH, rng(16))


def _fast(choice: bool | None) -> bool:
    """The fast-KDF switch as passed in, else the process's setting."""
    return insecure_fast_kdf() if choice is None else choice


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
        self.home_tightened_from: int | None = None
        """Set by :meth:`create` and :meth:`open` when the home had a looser mode
        than 0700 (the old mode; it is 0700 now): the command says so."""

    def __repr__(self) -> str:
        return f"<Store {self.home}>"

    # ------------------------------------------------------------- lifecycle

    @staticmethod
    def _paths(home: Path) -> tuple[Path, tuple[Path, Path]]:
        return home / KEYSLOTS, (home / DB_NAMES[0], home / DB_NAMES[1])

    @classmethod
    def exists(cls, home: Path) -> bool:
        """Whether ``home`` holds a store: its key file and a database. Databases
        without a key file (an ``init`` killed half-way) can never be opened by
        anyone."""
        slots, dbs = cls._paths(home)
        return slots.exists() and any(p.exists() for p in dbs)

    @classmethod
    def create(
        cls, home: Path, passphrase: SecretBytes, rng: Rng = system_rng, *,
        now: int | None = None, fast_kdf: bool | None = None,
    ) -> Store:
        """Make a new store in ``home`` (created if needed; mode 0700, tightened to
        0700 if it exists with a looser mode: see ``home_tightened_from``).

        ``fast_kdf`` seals the slot at libsodium's MIN Argon2id cost (tests, the
        demo); the command line passes it. Left out, it is the process's setting
        (:func:`samizdat.runtime.insecure_fast_kdf`), for library callers.

        :class:`StoreExists` if a store is already there.
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
            tightened = tighten_home(home)
        except OSError as exc:
            raise StoreError(f"cannot make a store at {home}: {exc.strerror}",
                             hint="pass another --home") from None
        when = str(int(wall_clock()) if now is None else now).encode()
        for p in dbs:  # leftovers without keys (see exists()) are replaced
            _remove_db(p)
        coin = rng(2)
        database, slot = coin[0] & 1, coin[1] & 1
        key = SecretBytes(rng(32), "database key")
        partner_key = SecretBytes(rng(32), "database key")
        # the slot first (Argon2id takes a while), so that every file is born
        # within the same few milliseconds
        sealed = keyslots.seal_slot(
            slot, passphrase, SlotPayload(Role.PRIMARY, database, key),
            keyslots.kdf_cost(_fast(fast_kdf)), rng,
        )
        # every file now, in name order, before either database is filled: their
        # inode numbers and birth times do not say which one is filled first
        for p in dbs:
            Database.reserve(p)
            Database.reserve(p.with_name(p.name + "-journal"))
        db: Database | None = None
        try:
            db = _fill_database(dbs[database], key, rng, when)
            _fill_database(dbs[1 - database], partner_key, rng, when).close()
            with db.transaction():
                _set_meta(db, _PARTNER, partner_key.reveal())
            keyslots.write_new_file(slots_path, {slot: sealed}, rng)
        except BaseException:
            if db is not None:
                db.close()
            for p in dbs:
                _remove_db(p)
            raise
        store = cls(home, db, slot, database, keyslots.kdf_cost(_fast(fast_kdf)))
        store.home_tightened_from = tightened
        return store

    @classmethod
    def open(
        cls, home: Path, passphrase: SecretBytes, rng: Rng = system_rng, *,
        fast_kdf: bool | None = None,
    ) -> Store:
        """Unlock the store in ``home`` with ``passphrase`` (trying the Argon2id cost
        ``fast_kdf`` chooses, as for :meth:`create`).

        :class:`NotAStore` if there is none (or it is damaged), :class:`StoreWiped`
        if a wipe did not finish, :class:`WrongPassphrase` if no slot opens. A duress
        passphrase opens the decoy and destroys the real key first (see the module
        docstring). Nothing is written unless a slot opens; once one does, every file
        of the store is written.
        """
        slots_path, dbs = cls._paths(home)
        if not home.is_dir():
            raise NotAStore(f"no samizdat store at {home}")
        raw = keyslots.read_file(slots_path)
        if not any(p.exists() for p in dbs):
            raise StoreWiped(
                f"the store at {home} was being wiped and the wipe did not finish",
                hint="run 'samizdat wipe --yes' again",
            )
        found: list[tuple[int, SlotPayload]] = []
        for cost in keyslots.costs_to_try(_fast(fast_kdf)):
            # derive for every slot, always: the time taken must not say which opened
            opened = [keyslots.open_slot(i, r, passphrase, cost) for i, r in enumerate(raw)]
            found = [(i, p) for i, p in enumerate(opened) if p is not None]
            if found:
                break
        if not found:
            raise WrongPassphrase(f"the passphrase does not open the store at {home}")
        slot, payload = found[0]
        duress = payload.role is Role.DURESS
        if duress:
            for other in range(keyslots.SLOT_COUNT):
                if other != slot:
                    keyslots.destroy_slot(slots_path, other, rng)
        db = Database.open(dbs[payload.database], payload.key)
        try:
            # a fresh salt for the slot that opened, whichever it was: a forced unlock
            # (which must turn the duress slot into a primary one) writes what any
            # unlock writes
            keyslots.write_slot(
                slots_path, slot,
                keyslots.seal_slot(slot, passphrase,
                                   SlotPayload(Role.PRIMARY, payload.database, payload.key),
                                   cost, rng),
            )
            schema.apply_all(db)
            store = cls(home, db, slot, payload.database, cost)
            store._open_partner(rng, destroy=duress)
            with contextlib.suppress(OSError):  # a home made by an earlier build
                store.home_tightened_from = tighten_home(home)
        except BaseException:
            db.close()
            raise
        return store

    def _open_partner(self, rng: Rng, *, destroy: bool) -> None:
        """Write both databases: this one, and the other one under ``partner_key``.

        With ``destroy`` (a forced unlock), or when the other file does not open
        under the key this store keeps for it (a forced unlock or ``set_duress``
        killed half-way), the other file is emptied in place and rebuilt as a fresh
        throwaway. A store made by an earlier build keeps no partner key: only its
        own database is written.
        """
        slots_path, dbs = self._paths(self.home)
        other = dbs[1 - self._database]
        raw_partner = _get_meta(self.db, _PARTNER)
        partner: Database | None = None
        if raw_partner is not None and not destroy:
            try:
                partner = Database.open(other, SecretBytes(raw_partner, "database key"))
            except NotAStore:
                destroy = True
        if destroy:
            created = _get_meta(self.db, "created") or b"0"
            new_key = SecretBytes(rng(32), "database key")
            with self.db.transaction():
                _set_meta(self.db, _PARTNER, new_key.reveal())
                self.db.execute("DELETE FROM meta WHERE name = ?", (_DURESS_SET,))
            _empty_in_place(other)
            partner = _fill_database(other, new_key, rng, created)
        if partner is not None and _get_meta(self.db, _DURESS_SET) is None:
            # no duress passphrase here: the unused slot is rewritten like the used one
            keyslots.destroy_slot(slots_path, 1 - self._slot, rng)
        _touch(self.db, rng)
        if partner is not None:
            try:
                _touch(partner, rng)
            finally:
                partner.close()

    def close(self) -> None:
        """Close the database. Safe to call twice."""
        self.db.close()
        self._even_out_times()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _even_out_times(self) -> None:
        """Give every file of the store the same access and modification time (their
        change time becomes that moment too), so the database in use does not stand
        out from the other one (best effort)."""
        slots_path, dbs = self._paths(self.home)
        now = wall_clock()
        for p in (slots_path, *dbs, *(d.with_name(d.name + "-journal") for d in dbs)):
            with contextlib.suppress(OSError):
                os.utime(p, (now, now), follow_symlinks=False)

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

        The other database file is emptied in place and rebuilt as a decoy store with
        its own identity key and this store's creation date; ``populate`` fills it
        (the documents the person chose, so it looks used) before its slot is
        written. Entering ``duress`` later opens that decoy and destroys this
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
        created = _get_meta(self.db, "created") or b"0"
        _empty_in_place(other_db)
        decoy = Store(self.home, _fill_database(other_db, key, rng, created),
                      1 - self._slot, 1 - self._database, cost)
        try:
            if populate is not None:
                populate(decoy)
            _touch(decoy.db, rng)
        finally:
            decoy.db.close()
        # the decoy keeps no key of this database: whoever opens it learns nothing
        with self.db.transaction():
            _set_meta(self.db, _PARTNER, key.reveal())
            _set_meta(self.db, _DURESS_SET, b"1")
        sealed = keyslots.seal_slot(
            1 - self._slot, duress, SlotPayload(Role.DURESS, 1 - self._database, key), cost, rng
        )
        keyslots.write_slot(slots_path, 1 - self._slot, sealed)
        _touch(self.db, rng)
        self._even_out_times()

    # ------------------------------------------------------------------- wipe

    @classmethod
    def wipe(cls, home: Path, rng: Rng = system_rng, *, also: Iterable[str] = ()) -> None:
        """Destroy the store's keys at once, then remove every file of the store.

        No passphrase is needed: whoever may use this store may destroy it. The key
        file is overwritten in place with random bytes and fsynced first (from then
        on nothing is readable, whatever the size of the store); then the databases,
        their side files and the key file are unlinked, and the home folder is
        removed if nothing else is in it. Afterwards the home looks like one where
        no store was ever made, and opening it says "no samizdat store". ``also``
        names other files of samizdat's in the home (a mail settings file) that go
        with it.
        """
        slots_path, dbs = cls._paths(home)
        if not slots_path.exists():
            raise NotAStore(f"no samizdat store at {home}")
        keyslots.destroy_all(slots_path, rng)
        for p in dbs:
            with contextlib.suppress(OSError):
                _remove_db(p)
        extra = [home / name for name in also if name and "/" not in name]
        for p in (slots_path, slots_path.with_name(slots_path.name + ".new"), *extra):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(p)
        with contextlib.suppress(OSError):
            keyslots.fsync_dir(home)
            home.rmdir()  # only if empty: anything else in it is not ours
