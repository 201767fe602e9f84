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
* ``journal_mode = WAL`` and ``synchronous = FULL``: WAL keeps readers and one
  writer apart (the node and a command can share the store) and never overwrites
  committed pages in place, which is what makes ``kill -9`` harmless. NORMAL would
  already survive a killed process, but may lose the last commits on power loss;
  FULL syncs the WAL on every commit so a version we said was saved stays saved.
  The cost is one fsync per transaction, so bulk writes are batched in one.
* SQLCipher 4's default page format (4096-byte pages, AES-256-CBC, HMAC-SHA512), so
  that whoever holds the key can also open the file with the stock ``sqlcipher``
  shell; a 32 MiB page cache (see :data:`CACHE_KIB`).
* ``foreign_keys = ON``, ``temp_store = MEMORY`` (no temporary files at all),
  ``busy_timeout`` of 10 s so a second process waits rather than fails.

Every SQLite error is turned into :class:`~samizdat.errors.NotAStore` (a file that
is not ours, truncated or corrupted), never a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from samizdat.core.crypto import SecretBytes
from samizdat.errors import NotAStore, StoreError

__all__ = ["PAGE_SIZE", "Database", "Row"]

PAGE_SIZE = 4096
CACHE_KIB = 32 * 1024
"""Page cache per connection. Every page read from disk is decrypted and checked
(AES-256-CBC + HMAC-SHA512); a larger cache than SQLite's 2 MiB default keeps hot
pages decrypted and more than doubles random-read rates here."""
Row = tuple[Any, ...]


def _damaged(path: Path, exc: BaseException) -> NotAStore:
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return NotAStore(
        f"the store database {path.name} is damaged or not ours ({name})",
        hint="restore it from a backup, or 'samizdat init' a new store elsewhere",
    )


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

    @classmethod
    def open(cls, path: Path, key: SecretBytes, *, create: bool = False) -> Database:
        """Open (or, with ``create``, make) the database at ``path`` under ``key``.

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
        elif path.exists():
            raise StoreError(f"{path.name} already exists")
        try:
            conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        except sqlcipher3.Error as exc:
            raise _damaged(path, exc) from None
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute("PRAGMA cipher_memory_security = OFF")
            conn.execute(f"PRAGMA key = \"x'{key.reveal().hex()}'\"")
            # the first read decrypts page 1: a wrong key or a foreign file fails here
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute("PRAGMA busy_timeout = 10000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = FULL")
            if not mode or str(mode[0]).lower() != "wal":
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
        """Close the connection (checkpointing the WAL); safe to call twice."""
        if self._conn is not None:
            with contextlib.suppress(sqlcipher3.Error):
                self._conn.close()
            self._conn = None
