"""``samizdat list`` on a large store, against the raw queries it needs.

A store with ``D`` documents and ``10 D`` versions (a chain of revisions per
document, every tenth version signed by its author, every hundredth document final
by a trusted committee, one in fifty sharing a title with another, one in ten
written in this store, two comments a document) is filled directly through the
store's database. The figure
is the wall time of :func:`samizdat.app.listing.list_documents` (median of 3);
the reference is the time of reading every document row and every version row
(id, version id, document) with nothing else, measured in the same run. Goal:
under 1 s at 10,000 documents and 100,000 versions. Smaller sizes are reported too,
to show how it grows.
"""

from __future__ import annotations

import os
import tempfile
import time
from functools import partial
from pathlib import Path

from bench.harness import Row, best_of
from samizdat.app import listing
from samizdat.core.crypto import SecretBytes
from samizdat.store import Store

NAME = "list"
_RAW = (
    "SELECT id, doc_id, title FROM documents ORDER BY id",
    "SELECT id, version_id, document FROM versions ORDER BY id",
)


def fill(store: Store, documents: int, per_doc: int = 10) -> None:
    """Documents, versions, parents and signatures written straight to the tables
    (the list only reads them; signatures are random bytes: ``list`` does not
    re-verify, see ``app/listing.py``)."""
    committee = os.urandom(32)
    db = store.db
    with db.transaction():
        store.add_trusted(committee, "committee", "bench", b"", 0)
        db.executemany(
            "INSERT INTO documents (doc_id, title, encoded, author_seed, created) "
            "VALUES (?, ?, NULL, ?, 0)",
            [(os.urandom(32), f"Appeal {d // 2 if d % 50 == 0 else d}",
              os.urandom(32) if d % 10 == 0 else None) for d in range(documents)])
        versions = []
        for d in range(1, documents + 1):
            for v in range(per_doc):
                versions.append((os.urandom(32), d, v))
        db.executemany(
            "INSERT INTO versions (version_id, document, text_id, encoded, paragraphs, "
            "created) VALUES (?, ?, x'', x'', 0, ?)", versions)
        db.executemany(
            "INSERT INTO version_parents (version, position, parent) VALUES (?, 0, ?)",
            [(i + 2, versions[i][0]) for i in range(len(versions) - 1)
             if versions[i][1] == versions[i + 1][1]])
        sigs = [(i + 1, "author", os.urandom(32), os.urandom(64))
                for i in range(0, len(versions), 10)]
        sigs += [(i + 1, "committee", committee, os.urandom(64))
                 for i in range(per_doc - 1, len(versions), per_doc * 100)]
        db.executemany(
            "INSERT INTO signatures (version, kind, key, signature) VALUES (?, ?, ?, ?)", sigs)
        # two comments a document (counted, not decoded, by list)
        doc_ids = [bytes(r[0]) for r in db.query("SELECT doc_id FROM documents ORDER BY id")]
        db.executemany(
            "INSERT INTO comments_items (comment_id, doc_id, encoded, author, signature) "
            "VALUES (?, ?, x'', x'', x'')",
            [(os.urandom(32), d) for d in doc_ids for _ in range(2)])


def _raw(store: Store) -> None:
    for q in _RAW:
        store.db.query(q)


def run(smoke: bool = False) -> list[Row]:
    os.environ.setdefault("SAMIZDAT_INSECURE_FAST_KDF", "1")  # unlock cost is not measured
    sizes = [100, 300] if smoke else [1000, 3000, 10000]
    rows = []
    for documents in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.create(Path(tmp) / "h", SecretBytes(b"bench", "passphrase"))
            try:
                t0 = time.perf_counter()
                fill(store, documents)
                filled = time.perf_counter() - t0
                got = listing.list_documents(store)
                assert len(got) == documents
                assert sum(d.versions for d in got) == 10 * documents
                assert all(len(d.heads) == 1 for d in got)
                assert sum(d.duplicate_title for d in got) >= documents // 50
                assert sum(d.comments for d in got) == 2 * documents
                took = best_of(partial(listing.list_documents, store), repeat=3)
                raw = best_of(partial(_raw, store), repeat=3)
            finally:
                store.close()
        last = documents == sizes[-1]
        rows.append(Row(
            NAME, f"list, {documents:,} documents / {10 * documents:,} versions "
                  f"(filled in {filled:.1f} s)",
            took, "s", raw, goal="< 1 s" if last else "",
            met=(took < 1.0) if last and not smoke else None))
    return rows
