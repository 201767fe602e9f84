"""The documents area of the store: blobs, documents, versions, paragraphs,
signatures, the identity key and trusted keys.

Paragraphs are content-addressed blobs (keyed by their BLAKE3 hash, inside the
encrypted database only), written one at a time inside the version's transaction,
so a very long text streams into the store without ever being held whole, and two
versions that share a paragraph store it once.

Ids (document, version, key) are bytes here; the CLI prints them as lowercase hex
and :meth:`DocumentTables.find_version` / :meth:`~DocumentTables.find_document`
resolve a hex prefix of at least 8 characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from samizdat.core import crypto
from samizdat.core.crypto import SecretBytes
from samizdat.core.text import LEAF_PREFIX
from samizdat.errors import NotFound, StoreError
from samizdat.store.db import Database, Row
from samizdat.store.schema import Area

__all__ = [
    "MIN_PREFIX",
    "SCHEMA",
    "DocumentRecord",
    "DocumentTables",
    "SignatureRecord",
    "TrustedKey",
    "VersionRecord",
]

MIN_PREFIX = 8
_BATCH = 512  # paragraphs written per executemany: amortises the per-statement cost


class _AlreadyStored(Exception):
    """Internal: rolls back a streamed version whose id turned out to be known."""

SCHEMA = Area(
    "documents",
    (
        "CREATE TABLE meta (name TEXT NOT NULL UNIQUE, value BLOB NOT NULL)",
        "CREATE TABLE blobs (id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, "
        "data BLOB NOT NULL)",
        "CREATE TABLE documents (id INTEGER PRIMARY KEY, doc_id BLOB NOT NULL UNIQUE, "
        "title TEXT NOT NULL, encoded BLOB, author_seed BLOB, created INTEGER NOT NULL)",
        "CREATE TABLE versions (id INTEGER PRIMARY KEY, version_id BLOB NOT NULL UNIQUE, "
        "document INTEGER NOT NULL REFERENCES documents(id), text_id BLOB NOT NULL, "
        "encoded BLOB NOT NULL, paragraphs INTEGER NOT NULL, created INTEGER NOT NULL)",
        "CREATE INDEX versions_document ON versions(document)",
        "CREATE TABLE version_parents (version INTEGER NOT NULL REFERENCES versions(id), "
        "position INTEGER NOT NULL, parent BLOB NOT NULL, UNIQUE(version, position))",
        "CREATE TABLE version_paragraphs (version INTEGER NOT NULL REFERENCES versions(id), "
        "idx INTEGER NOT NULL, blob INTEGER NOT NULL REFERENCES blobs(id), "
        "leaf BLOB NOT NULL, UNIQUE(version, idx))",
        "CREATE TABLE signatures (id INTEGER PRIMARY KEY, "
        "version INTEGER NOT NULL REFERENCES versions(id), kind TEXT NOT NULL, "
        "key BLOB NOT NULL, signature BLOB NOT NULL, UNIQUE(version, kind, key))",
        "CREATE TABLE trusted_keys (id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, "
        "kind TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL, "
        "added INTEGER NOT NULL)",
    ),
)


@dataclass(frozen=True)
class DocumentRecord:
    """A document as the store knows it. ``author_seed`` is set only for documents
    written here (it is this store's pseudonym for that document)."""

    doc_id: bytes
    title: str
    created: int
    author_seed: SecretBytes | None = field(repr=False, default=None)

    @property
    def author_key(self) -> bytes | None:
        """The pseudonym's public key, if this store wrote the document."""
        if self.author_seed is None:
            return None
        return crypto.ed25519_public_key(self.author_seed.reveal())


@dataclass(frozen=True)
class VersionRecord:
    """A stored version: its id, document, text id, canonical encoding and parents."""

    version_id: bytes
    doc_id: bytes
    text_id: bytes
    encoded: bytes
    parents: tuple[bytes, ...]
    paragraph_count: int
    created: int


@dataclass(frozen=True)
class SignatureRecord:
    """One signature on a version: ``kind`` is ``author`` or ``committee``."""

    kind: str
    key: bytes
    signature: bytes


@dataclass(frozen=True)
class TrustedKey:
    """A public key this person chose to trust: a committee's group key (``kind``
    ``committee``, ``data`` its public key file), or an author pseudonym for one
    document (``kind`` ``author``, ``data`` that document's 32-byte id)."""

    key: bytes
    kind: str
    name: str
    data: bytes
    added: int


def _prefix_range(prefix: str, width: int = 64) -> tuple[bytes, bytes]:
    """The byte range holding every id (up to ``width`` bytes) that starts with the
    hex ``prefix``: ``lo`` is the prefix itself, ``hi`` the prefix followed by 0xff."""
    text = prefix.strip().lower()
    if len(text) < MIN_PREFIX:
        raise NotFound(
            f"an id needs at least {MIN_PREFIX} hex characters, got {text[:80]!r}",
            hint="copy more of the id from 'samizdat log'",
        )
    if len(text) > 2 * width or any(c not in "0123456789abcdef" for c in text):
        raise NotFound(f"{text[:80]!r} is not an id (ids are lowercase hex)")
    lo = bytes.fromhex(text + "0" * (len(text) % 2))
    hi = bytes.fromhex(text + "f" * (2 * width - len(text)))
    return lo, hi


class DocumentTables:
    """Domain methods over the documents area; :class:`~samizdat.store.Store`
    inherits them. Every write runs in one transaction."""

    db: Database

    # ------------------------------------------------------------------- meta

    def set_meta(self, name: str, value: bytes) -> None:
        self.db.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def get_meta(self, name: str) -> bytes | None:
        row = self.db.one("SELECT value FROM meta WHERE name = ?", (name,))
        return None if row is None else bytes(row[0])

    def identity_seed(self) -> SecretBytes:
        """This store's identity key (Ed25519 seed), for contacts. Never used to sign
        a document: documents get their own pseudonym."""
        raw = self.get_meta("identity_seed")
        if raw is None or len(raw) != crypto.ED25519_SEED_BYTES:
            raise StoreError("this store has no identity key")
        return SecretBytes(raw, "identity key")

    def identity_key(self) -> bytes:
        """The identity's public key."""
        return crypto.ed25519_public_key(self.identity_seed().reveal())

    # ------------------------------------------------------------------ blobs

    def put_blob(self, data: bytes) -> bytes:
        """Store ``data`` once, keyed by its BLAKE3 hash, and return the hash."""
        digest = crypto.blake3_hash(data)
        self.db.execute("INSERT OR IGNORE INTO blobs (hash, data) VALUES (?, ?)", (digest, data))
        return digest

    def put_blobs(self, items: Iterable[bytes]) -> list[bytes]:
        """Store many blobs in one transaction; their hashes in order."""
        hashes: list[bytes] = []
        with self.db.transaction():
            rows = []
            for data in items:
                digest = crypto.blake3_hash(data)
                hashes.append(digest)
                rows.append((digest, data))
            self.db.executemany("INSERT OR IGNORE INTO blobs (hash, data) VALUES (?, ?)", rows)
        return hashes

    def get_blob(self, digest: bytes) -> bytes:
        """The blob with this hash; :class:`NotFound` if there is none."""
        row = self.db.one("SELECT data FROM blobs WHERE hash = ?", (digest,))
        if row is None:
            raise NotFound("no such blob in this store")
        return bytes(row[0])

    def has_blobs(self, digests: Sequence[bytes]) -> set[bytes]:
        """Which of ``digests`` the store holds (batched, for reconciliation)."""
        found: set[bytes] = set()
        for start in range(0, len(digests), 500):
            chunk = list(digests[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(f"SELECT hash FROM blobs WHERE hash IN ({marks})", chunk)  # noqa: S608
            found.update(bytes(r[0]) for r in rows)
        return found

    # -------------------------------------------------------------- documents

    def add_document(
        self,
        doc_id: bytes,
        title: str,
        created: int,
        author_seed: SecretBytes | None = None,
        encoded: bytes | None = None,
    ) -> DocumentRecord:
        """Record a document (idempotent for an id already known). ``encoded`` is
        its canonical genesis object (``core.versions.encode_document``) when known."""
        seed = None if author_seed is None else author_seed.reveal()
        self.db.execute(
            "INSERT OR IGNORE INTO documents (doc_id, title, encoded, author_seed, created) "
            "VALUES (?, ?, ?, ?, ?)",
            (doc_id, title, encoded, seed, created),
        )
        return self.document(doc_id)

    def document(self, doc_id: bytes) -> DocumentRecord:
        row = self.db.one(
            "SELECT doc_id, title, created, author_seed FROM documents WHERE doc_id = ?",
            (doc_id,),
        )
        if row is None:
            raise NotFound(f"no document {doc_id.hex()[:16]} in this store")
        return self._doc(row)

    @staticmethod
    def _doc(row: Row) -> DocumentRecord:
        seed = row[3]
        return DocumentRecord(
            bytes(row[0]),
            str(row[1]),
            int(row[2]),
            None if seed is None else SecretBytes(bytes(seed), "author key"),
        )

    def documents(self) -> list[DocumentRecord]:
        """Every document, oldest first."""
        rows = self.db.query(
            "SELECT doc_id, title, created, author_seed FROM documents ORDER BY id"
        )
        return [self._doc(r) for r in rows]

    def set_author_seed(self, doc_id: bytes, seed: SecretBytes) -> None:
        """Give a document this store's pseudonym (only if it has none yet)."""
        self.db.execute(
            "UPDATE documents SET author_seed = ? WHERE doc_id = ? AND author_seed IS NULL",
            (seed.reveal(), doc_id),
        )

    # --------------------------------------------------------------- versions

    def add_version(
        self,
        record: VersionRecord,
        paragraphs: Iterable[bytes],
    ) -> bool:
        """Store a version and its paragraphs (UTF-8 bytes of normalized paragraphs,
        in order) in one transaction. ``paragraphs`` may be a generator: each is
        written as it comes, with its leaf hash (``core.text.paragraph_hash``). If
        the generator raises, nothing of the version is kept.

        Returns False if the version was already stored (nothing is written).
        """
        if self.has_version(record.version_id):
            return False
        return self.add_version_stream(record.doc_id, paragraphs, lambda: record)

    def add_version_stream(
        self,
        doc_id: bytes,
        paragraphs: Iterable[bytes],
        finish: Callable[[], VersionRecord],
    ) -> bool:
        """Store paragraphs as they stream by, and only then the version they make.

        ``finish`` is called once every paragraph was consumed and returns the
        version record (the caller hashed the paragraphs on the way, so the id is
        known only now). One pass over the text, in one transaction; returns False
        (and keeps nothing) if that version was already stored.
        """
        try:
            self._stream(doc_id, paragraphs, finish)
        except _AlreadyStored:
            return False
        return True

    def _stream(
        self, doc_id: bytes, paragraphs: Iterable[bytes], finish: Callable[[], VersionRecord]
    ) -> None:
        with self.db.transaction():
            doc = self.db.one("SELECT id FROM documents WHERE doc_id = ?", (doc_id,))
            if doc is None:
                raise NotFound(f"no document {doc_id.hex()[:16]} in this store")
            # a placeholder row that the version's real id replaces at the end
            vrow = self.db.execute(
                "INSERT INTO versions (version_id, document, text_id, encoded, paragraphs, "
                "created) VALUES (randomblob(33), ?, x'', x'', 0, 0)",
                (doc[0],),
            )
            count = 0
            batch: list[bytes] = []
            for para in paragraphs:
                batch.append(para)
                if len(batch) == _BATCH:
                    self._paragraph_batch(vrow, count, batch)
                    count += len(batch)
                    batch = []
            self._paragraph_batch(vrow, count, batch)
            count += len(batch)
            record = finish()
            if record.doc_id != doc_id:
                raise StoreError("a version was filed under another document")
            if record.paragraph_count and count != record.paragraph_count:
                raise StoreError("a version's paragraphs do not match its count")
            if self.has_version(record.version_id):
                raise _AlreadyStored
            self.db.execute(
                "UPDATE versions SET version_id = ?, text_id = ?, encoded = ?, paragraphs = ?, "
                "created = ? WHERE id = ?",
                (record.version_id, record.text_id, record.encoded, count, record.created, vrow),
            )
            self.db.executemany(
                "INSERT INTO version_parents (version, position, parent) VALUES (?, ?, ?)",
                [(vrow, i, p) for i, p in enumerate(record.parents)],
            )

    def _paragraph_batch(self, vrow: int, start: int, batch: list[bytes]) -> None:
        if not batch:
            return
        digests = [crypto.blake3_hash(p) for p in batch]
        self.db.executemany(
            "INSERT OR IGNORE INTO blobs (hash, data) VALUES (?, ?)",
            zip(digests, batch, strict=True),
        )
        self.db.executemany(
            "INSERT INTO version_paragraphs (version, idx, blob, leaf) "
            "SELECT ?, ?, id, ? FROM blobs WHERE hash = ?",
            [
                (vrow, start + i, crypto.sha256(LEAF_PREFIX + p), d)
                for i, (p, d) in enumerate(zip(batch, digests, strict=True))
            ],
        )

    _VERSION_SELECT = (
        "SELECT v.id, v.version_id, d.doc_id, v.text_id, v.encoded, v.paragraphs, v.created "
        "FROM versions v JOIN documents d ON d.id = v.document "
    )

    def _version(self, row: Row) -> VersionRecord:
        parents = self.db.query(
            "SELECT parent FROM version_parents WHERE version = ? ORDER BY position", (row[0],)
        )
        return VersionRecord(
            version_id=bytes(row[1]),
            doc_id=bytes(row[2]),
            text_id=bytes(row[3]),
            encoded=bytes(row[4]),
            parents=tuple(bytes(p[0]) for p in parents),
            paragraph_count=int(row[5]),
            created=int(row[6]),
        )

    def version(self, version_id: bytes) -> VersionRecord:
        row = self.db.one(self._VERSION_SELECT + "WHERE v.version_id = ?", (version_id,))
        if row is None:
            raise NotFound(f"no version {version_id.hex()[:16]} in this store")
        return self._version(row)

    def has_version(self, version_id: bytes) -> bool:
        return self.db.one("SELECT 1 FROM versions WHERE version_id = ?", (version_id,)) is not None

    def versions_of(self, doc_id: bytes) -> list[VersionRecord]:
        """A document's versions in the order they were stored."""
        rows = self.db.query(
            self._VERSION_SELECT + "WHERE d.doc_id = ? ORDER BY v.id", (doc_id,)
        )
        return [self._version(r) for r in rows]

    def all_versions(self) -> Iterator[VersionRecord]:
        """Every version in the store, oldest first."""
        for row in self.db.query(self._VERSION_SELECT + "ORDER BY v.id"):
            yield self._version(row)

    def latest_version(self, doc_id: bytes) -> VersionRecord:
        rows = self.db.query(
            self._VERSION_SELECT + "WHERE d.doc_id = ? ORDER BY v.id DESC LIMIT 1", (doc_id,)
        )
        if not rows:
            raise NotFound(f"document {doc_id.hex()[:16]} has no versions")
        return self._version(rows[0])

    def paragraphs(self, version_id: bytes) -> Iterator[bytes]:
        """A version's paragraphs, in order, one at a time (UTF-8 bytes)."""
        yield from (
            bytes(r[0])
            for r in self.db.iterate(
                "SELECT b.data FROM version_paragraphs p "
                "JOIN versions v ON v.id = p.version JOIN blobs b ON b.id = p.blob "
                "WHERE v.version_id = ? ORDER BY p.idx",
                (version_id,),
            )
        )

    def leaf_hashes(self, version_id: bytes) -> list[bytes]:
        """A version's paragraph (Merkle leaf) hashes, in order, without reading its
        text: what verification compares a copy against first."""
        return [
            bytes(r[0])
            for r in self.db.query(
                "SELECT p.leaf FROM version_paragraphs p JOIN versions v ON v.id = p.version "
                "WHERE v.version_id = ? ORDER BY p.idx",
                (version_id,),
            )
        ]

    def document_encoding(self, doc_id: bytes) -> bytes | None:
        """The document's canonical genesis object, if the store has it."""
        row = self.db.one("SELECT encoded FROM documents WHERE doc_id = ?", (doc_id,))
        if row is None:
            raise NotFound(f"no document {doc_id.hex()[:16]} in this store")
        return None if row[0] is None else bytes(row[0])

    # ------------------------------------------------------------- signatures

    def add_signature(self, version_id: bytes, kind: str, key: bytes, signature: bytes) -> bool:
        """Record a signature the caller has already verified. False if known."""
        if kind not in ("author", "committee"):
            raise ValueError("signature kind is 'author' or 'committee'")
        with self.db.transaction():
            row = self.db.one("SELECT id FROM versions WHERE version_id = ?", (version_id,))
            if row is None:
                raise NotFound(f"no version {version_id.hex()[:16]} in this store")
            if self.db.one(
                "SELECT 1 FROM signatures WHERE version = ? AND kind = ? AND key = ?",
                (row[0], kind, key),
            ):
                return False
            self.db.execute(
                "INSERT INTO signatures (version, kind, key, signature) VALUES (?, ?, ?, ?)",
                (row[0], kind, key, signature),
            )
        return True

    def signatures(self, version_id: bytes) -> list[SignatureRecord]:
        rows = self.db.query(
            "SELECT s.kind, s.key, s.signature FROM signatures s "
            "JOIN versions v ON v.id = s.version WHERE v.version_id = ? ORDER BY s.id",
            (version_id,),
        )
        return [SignatureRecord(str(r[0]), bytes(r[1]), bytes(r[2])) for r in rows]

    # ----------------------------------------------------------- trusted keys

    def add_trusted(self, key: bytes, kind: str, name: str, data: bytes, added: int) -> bool:
        """Trust a public key. False if it was already trusted."""
        if self.db.one("SELECT 1 FROM trusted_keys WHERE key = ?", (key,)):
            return False
        self.db.execute(
            "INSERT INTO trusted_keys (key, kind, name, data, added) VALUES (?, ?, ?, ?, ?)",
            (key, kind, name, data, added),
        )
        return True

    def remove_trusted(self, key: bytes) -> bool:
        """Stop trusting a public key. False if it was not trusted."""
        with self.db.transaction():
            if not self.db.one("SELECT 1 FROM trusted_keys WHERE key = ?", (key,)):
                return False
            self.db.execute("DELETE FROM trusted_keys WHERE key = ?", (key,))
        return True

    def trusted_keys(self) -> list[TrustedKey]:
        rows = self.db.query("SELECT key, kind, name, data, added FROM trusted_keys ORDER BY id")
        return [
            TrustedKey(bytes(r[0]), str(r[1]), str(r[2]), bytes(r[3]), int(r[4])) for r in rows
        ]

    # ---------------------------------------------------------------- prefixes

    def find_version(self, prefix: str) -> bytes:
        """The one version whose hex id starts with ``prefix`` (>= 8 characters)."""
        return self._find("versions", "version_id", prefix, "version")

    def find_document(self, prefix: str) -> bytes:
        """The one document whose hex id starts with ``prefix`` (>= 8 characters)."""
        return self._find("documents", "doc_id", prefix, "document")

    def _find(self, table: str, column: str, prefix: str, what: str) -> bytes:
        lo, hi = _prefix_range(prefix)
        rows = self.db.query(
            f"SELECT {column} FROM {table} WHERE {column} BETWEEN ? AND ? LIMIT 2",  # noqa: S608
            (lo, hi),
        )
        if not rows:
            raise NotFound(f"no {what} {prefix.strip().lower()} in this store")
        if len(rows) > 1:
            raise NotFound(
                f"{prefix.strip().lower()} names more than one {what}",
                hint="give more characters of the id",
            )
        return bytes(rows[0][0])
