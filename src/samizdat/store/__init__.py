"""The encrypted store: SQLCipher databases unlocked through key slots, with a
duress passphrase and instant wipe.

Use :class:`Store` (``Store.create``, ``Store.open``, ``close``, ``transaction``,
the domain methods of :class:`~samizdat.store.documents.DocumentTables`,
``set_duress``, ``Store.wipe``). Other areas add their tables in
``store/<area>.py`` and register them in :mod:`samizdat.store.schema`; they reach
them through ``store.db`` (:class:`~samizdat.store.db.Database`). The format is
specified in ``docs/spec/store.md``.
"""

from samizdat.store.db import Database
from samizdat.store.documents import (
    DocumentRecord,
    SignatureRecord,
    TrustedKey,
    VersionRecord,
)
from samizdat.store.schema import Area
from samizdat.store.store import Store

__all__ = [
    "Area",
    "Database",
    "DocumentRecord",
    "SignatureRecord",
    "Store",
    "TrustedKey",
    "VersionRecord",
]
