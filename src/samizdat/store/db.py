"""One SQLCipher database file, opened with a raw key, and nothing else.

Settings, and why:

* ``PRAGMA key = "x'<64 hex>'"``: a raw 256-bit key taken from a key slot. The
  passphrase is stretched once by Argon2id in the key slot; SQLCipher's own PBKDF2
  would only add delay. The key string lives in one local variable and never
  reaches an exception: SQLCipher's errors are replaced by ours, which carry no
  SQL text.
* ``cipher_log_level = NONE``: SQLCipher otherwise prints HMAC failures to stderr.
* ``cipher_memory_security = OFF``, on purpose: ON makes SQLCipher lock and wipe
  every allocation, which measured 5x slower here (53 s against 10 s to store a
  12 MB text), and buys little: the passphrase and keys also pass through Python
  objects that cannot be wiped. Reading a running, unlocked process's memory is a
  compromised endpoint, outside the threat model (``docs/threat-model.md``).
* ``journal_mode = TRUNCATE`` and ``synchronous = FULL``: a rollback journal that is
  truncated to zero bytes after every commit and never deleted. WAL would leave a
  ``-wal`` and a ``-shm`` file beside the database in use for as long as any process
  has it open, and after ``kill -9`` (their headers are plain SQLite): a pointer to
  which of the two databases is the real one. With TRUNCATE, both databases carry
  one empty ``-journal`` file at rest (the store writes both on every open, see
  ``store.py``), and a non-empty journal exists only while a write transaction is
  in flight. A killed process leaves that journal behind only if it died mid-write;
  the next open rolls it back and empties it. FULL syncs the journal and the
  database at each commit, so a version we said was saved stays saved and
  ``kill -9`` at any moment leaves a sound file. The cost is about three fsyncs per
  transaction (WAL: one), so bulk writes are batched in one. Readers and a writer
  in two processes (node and command) still share the store: a writer waits for
  readers to finish (``busy_timeout``).
* SQLCipher 4's default page format (4096-byte pages, AES-256-CBC, HMAC-SHA512), so
  that whoever holds the key can also open the file with the stock ``sqlcipher``
  shell; a 32 MiB page cache (see :data:`CACHE_KIB`).
* ``foreign_keys = ON``, ``temp_store = MEMORY`` (no temporary files at all),
  ``busy_timeout`` of 10 s so a second process waits rather than fails.

Every SQLite error is turned into :class:`~samizdat.errors.NotAStore` (a file that
is not ours, truncated or corrupted), never a traceback; a lock held by another
process past the timeout is a plain :class:`~samizdat.errors.StoreError` ("busy"),
so that nobody mistakes a busy file for a damaged one (the store rebuilds a partner
database that is damaged, never one that is busy).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from samizdat.core.crypto import SecretBytes
from samizdat.errors import NotAStore, StoreError

__all__ = ["JOURNAL_MODE", "PAGE_SIZE", "Database", "Row"]

PAGE_SIZE = 4096
JOURNAL_MODE = "TRUNCATE"
"""SQLite's rollback journal, emptied in place after each commit (see above)."""
CACHE_KIB = 32 * 1024
"""Page cache per connection. Every page read from disk is decrypted and checked
(AES-256-CBC + HMAC-SHA512); a larger cache than SQLite's 2 MiB default keeps hot
pages decrypted and more than doubles random-read rates here."""
Row = tuple[Any, ...]


_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED_SHAREDCACHE")


def _damaged(path: Path, exc: BaseException) -> StoreError:
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    if name in _BUSY:
        # another process held the lock past busy_timeout: the file is fine
        return StoreError(
            f"the store database {path.name} is busy (another samizdat process is "
            "writing it)", hint="try again in a moment",
        )
    return NotAStore(
        f"the store database {path.name} is damaged or not ours ({name})",
        hint="restore it from a backup, or 'samizdat init' a new store elsewhere",
    )


def _reserve(path: Path) -> None:
    """Make ``path`` an empty file of mode 0600 from its first moment (SQLite would
    create it with the umask's mode, 0644 by default), or accept an empty one that
    is already there (a database being rebuilt in place keeps its inode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != 0:
            raise StoreError(f"{path.name} already exists") from None
        return
    except OSError as exc:
        raise StoreError(f"cannot create {path.name}: {exc.strerror}") from None
    os.close(fd)


def _refused(exc: BaseException) -> StoreError:
    name = getattr(exc, "sqlite_errorname", None) or "constraint"
    return StoreError(f"the store refused an inconsistent write ({name})")


class Database:
    """A keyed SQLCipher connection with explicit transactions.

    Use :meth:`transaction` for every write; :meth:`execute` and :meth:`query`
    outside one run in autocommit mode. Other areas' ``store/<area>.py`` modules
    reach their tables through these three methods.
    """

    def __init__(self, path: Path, conn: Any) -> None:
        self.path = path
        self._conn = conn
        self._depth = 0

    def __repr__(self) -> str:
        return f"<Database {self.path.name}>"

    @staticmethod
    def reserve(path: Path) -> None:
        """Make ``path`` an empty file of mode 0600 now, to be filled later by
        ``open(..., create=True)`` (the store makes both database files at once)."""
        _reserve(path)

    @classmethod
    def open(cls, path: Path, key: SecretBytes, *, create: bool = False) -> Database:
        """Open (or, with ``create``, make) the database at ``path`` under ``key``.

        ``create`` makes ``path`` with mode 0600, or fills an empty file that is
        already there.

        Before anything is written, the key is checked by reading the schema, so a
        file that is not ours is left exactly as it was.
        """
        if not create:
            try:
                size = path.stat().st_size
            except FileNotFoundError as exc:
                raise NotAStore(f"the store database {path.name} is missing") from exc
            if size < PAGE_SIZE or size % PAGE_SIZE:
                raise NotAStore(
                    f"the store database {path.name} is truncated or not ours",
                    hint="restore it from a backup",
                )
        else:
            _reserve(path)
        try:
            conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        except sqlcipher3.Error as exc:
            raise _damaged(path, exc) from None
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute("PRAGMA cipher_memory_security = OFF")
            conn.execute(f"PRAGMA key = \"x'{key.reveal().hex()}'\"")
            # before the first read (sqlite3's connect() already waits 5 s by default;
            # this makes the wait the same 10 s everywhere)
            conn.execute("PRAGMA busy_timeout = 10000")
            # the first read decrypts page 1: a wrong key or a foreign file fails here
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            mode = conn.execute(f"PRAGMA journal_mode = {JOURNAL_MODE}").fetchone()
            conn.execute("PRAGMA synchronous = FULL")
            if not mode or str(mode[0]).lower() != JOURNAL_MODE.lower():
                raise _damaged(path, RuntimeError("journal mode"))
        except sqlcipher3.Error as exc:
            conn.close()
            raise _damaged(path, exc) from None
        return cls(path, conn)

    # ----------------------------------------------------------------- queries

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the rowid it inserted (0 if none)."""
        try:
            cur = self._conn.execute(sql, params)
        except sqlcipher3.IntegrityError as exc:
            raise _refused(exc) from None
        except sqlcipher3.Error as exc:
            raise _damaged(self.path, exc) from None
        return int(cur.lastrowid or 0)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each of ``rows``."""
        try:
            self._conn.executemany(sql, rows)
        except sqlcipher3.IntegrityError as exc:
            raise _refused(exc) from None
        except sqlcipher3.Error as exc:
            raise _damaged(self.path, exc) from None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query."""
        try:
            return list(self._conn.execute(sql, params).fetchall())
        except sqlcipher3.Error as exc:
            raise _damaged(self.path, exc) from None

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        """Rows of a query one at a time, for results too large to hold."""
        try:
            cur = self._conn.execute(sql, params)
            while True:
                batch = cur.fetchmany(256)
                if not batch:
                    return
                yield from batch
        except sqlcipher3.Error as exc:
            raise _damaged(self.path, exc) from None

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or ``None`` when it has none."""
        try:
            row = self._conn.execute(sql, params).fetchone()
        except sqlcipher3.Error as exc:
            raise _damaged(self.path, exc) from None
        return None if row is None else tuple(row)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """All-or-nothing: commit on success, roll back on any exception.

        Nested uses become savepoints, so a use case can wrap several domain
        methods that each open their own transaction.
        """
        self._depth += 1
        name = f"sp{self._depth}"
        try:
            if self._depth == 1:
                self._conn.execute("BEGIN IMMEDIATE")
            else:
                self._conn.execute(f"SAVEPOINT {name}")
        except sqlcipher3.Error as exc:
            self._depth -= 1
            raise _damaged(self.path, exc) from None
        try:
            yield self
        except BaseException:
            with contextlib.suppress(sqlcipher3.Error):
                if self._depth == 1:
                    self._conn.execute("ROLLBACK")
                else:
                    self._conn.execute(f"ROLLBACK TO {name}")
                    self._conn.execute(f"RELEASE {name}")
            self._depth -= 1
            raise
        try:
            if self._depth == 1:
                self._conn.execute("COMMIT")
            else:
                self._conn.execute(f"RELEASE {name}")
        except sqlcipher3.Error as exc:
            raise _damaged(self.path, exc) from None
        finally:
            self._depth -= 1

    def integrity_check(self) -> list[str]:
        """SQLite's full ``integrity_check``: ``["ok"]`` when the file is sound."""
        return [str(r[0]) for r in self.query("PRAGMA integrity_check")]

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        if self._conn is not None:
            with contextlib.suppress(sqlcipher3.Error):
                self._conn.close()
            self._conn = None
