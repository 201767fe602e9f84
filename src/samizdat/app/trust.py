"""The trust policy: which signatures make a copy ``authentic`` here.

A signature is only a fact about a key; whether that key stands for anyone the
reader believes is a choice, the reader's own. A *trust anchor* is one of:

* a committee whose group key is in ``trust list`` (``trust add FILE``), or one
  this store is a member of;
* an author pseudonym trusted for ONE document (``trust author KEY --document DOC``);
* this store's own pseudonyms, each for the document it was made for (implicit).

Anyone can make a document with the same title, sign it under a fresh pseudonym
and hand it over; that signature verifies, but it anchors nothing. ``verify`` calls
a copy ``authentic`` only when a signature by an anchor covers the version it
matches, and it decides the match against anchored versions first
(``docs/spec/trust.md``). ``verify --key FILE`` replaces the anchors with that one
key for one check and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from samizdat.core import group
from samizdat.core.crypto import ED25519_SEED_BYTES, ed25519_public_key
from samizdat.core.statement import parse_public_key_file
from samizdat.errors import DecodeError, InputError, NotFound, UsageError
from samizdat.store import Store


@dataclass(frozen=True)
class Signer:
    """A verified signature's signer: ``kind`` is author or committee; ``trusted``
    says whether the key is a trust anchor for that document here. The one signer
    type of ``app/`` (verify, log, list, import, recover, scan)."""

    kind: str
    key: bytes
    trusted: bool = False

    def to_json(self) -> dict[str, object]:
        """``{"kind", "key", "trusted"}`` as ``verify``, ``log``, ``list`` and
        ``import`` print it (the key in hex)."""
        return {"kind": self.kind, "key": self.key.hex(), "trusted": self.trusted}

__all__ = [
    "Anchors",
    "Signer",
    "anchors",
    "one_shot",
    "read_key_file",
    "trust_add",
    "trust_author",
    "trust_list",
    "trust_remove",
]

_KEY_FILE_LIMIT = 4096


@dataclass(frozen=True)
class Anchors:
    """The keys whose signatures count. ``committees``: group keys trusted for any
    document. ``authors``: (document id, author key) pairs. ``any_document``: keys
    trusted as author or committee for every document (only ``verify --key``)."""

    committees: frozenset[bytes]
    authors: frozenset[tuple[bytes, bytes]]
    any_document: frozenset[bytes] = frozenset()

    def trusts(self, kind: str, key: bytes, doc_id: bytes) -> bool:
        """Whether a valid signature of this ``kind`` by ``key`` on a version of
        document ``doc_id`` makes it authentic here."""
        if key in self.any_document:
            return True
        if kind == "committee":
            return key in self.committees
        return kind == "author" and (doc_id, key) in self.authors


def anchors(store: Store) -> Anchors:
    """This store's trust anchors (see the module docstring)."""
    committees: set[bytes] = set()
    authors: set[tuple[bytes, bytes]] = set()
    for t in store.trusted_keys():
        if t.kind == "committee":
            committees.add(t.key)
        elif t.kind == "author" and len(t.data) == 32:
            authors.add((t.data, t.key))
    try:
        from samizdat.store import committee as committee_tables
    except ImportError:  # pragma: no cover - the committee area is part of the package
        pass
    else:
        committees.update(m.group_key for m in committee_tables.members(store.db) if m.group_key)
    for row in store.db.query(
        "SELECT doc_id, author_seed FROM documents WHERE author_seed IS NOT NULL"
    ):
        seed = bytes(row[1])
        if len(seed) == ED25519_SEED_BYTES:
            authors.add((bytes(row[0]), ed25519_public_key(seed)))
        del seed
    return Anchors(frozenset(committees), frozenset(authors))


def one_shot(key: bytes) -> Anchors:
    """Anchors for ``verify --key``: that key alone, for any document."""
    return Anchors(frozenset(), frozenset(), frozenset({key}))


def read_key_file(path: Path) -> tuple[bytes, bytes]:
    """(key, file bytes) of a committee public key file: ``committee.pub``
    (minisign), ``committee.sig.pub`` (signify) or ``committee.pem``, as samizdat
    writes them; or a file holding one key as 64 hex characters (an author
    pseudonym). :class:`InputError` with a hint for anything else."""
    try:
        with path.open("rb") as f:
            data = f.read(_KEY_FILE_LIMIT + 1)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a key file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    hint = "give committee.pub from 'samizdat committee export' or 'samizdat statement'"
    if len(data) > _KEY_FILE_LIMIT:
        raise InputError(f"{path.name} is too large to be a public key file", hint=hint)
    text = data.decode("ascii", "replace").strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        key = bytes.fromhex(text)
    else:
        try:
            key = parse_public_key_file(data)
        except DecodeError as exc:
            raise InputError(f"{path.name} is not a public key file ({exc.message})",
                             hint=hint) from None
    try:
        group.point(key)  # a real curve point, not any 32 bytes
    except (DecodeError, ValueError):
        raise InputError(f"{path.name} does not hold a valid Ed25519 public key",
                         hint=hint) from None
    return key, data


def trust_add(store: Store, path: Path, now: int) -> bytes:
    """Trust the committee key in ``path`` for every document; returns it."""
    key, data = read_key_file(path)
    for t in store.trusted_keys():
        if t.key == key:
            raise UsageError(f"{t.kind} key {key.hex()[:16]} is already trusted",
                             hint="see 'samizdat trust list'")
    store.add_trusted(key, "committee", path.stem or "committee", data, now)
    return key


def _signed_authors(store: Store, doc_id: bytes) -> set[bytes]:
    rows = store.db.query(
        "SELECT DISTINCT s.key FROM signatures s JOIN versions v ON v.id = s.version "
        "JOIN documents d ON d.id = v.document WHERE d.doc_id = ? AND s.kind = 'author'",
        (doc_id,),
    )
    return {bytes(r[0]) for r in rows}


def _key_arg(text: str, candidates: Iterable[bytes]) -> bytes:
    """A full key (64 hex) or a prefix of 8+ characters naming one candidate."""
    want = text.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{8,64}", want):
        raise UsageError(f"{text[:80]!r} is not a key (64 hex characters, or 8+ of them)",
                         hint="copy the key from 'samizdat log DOC'")
    if len(want) == 64:
        return bytes.fromhex(want)
    found = {c for c in candidates if c.hex().startswith(want)}
    if len(found) != 1:
        raise NotFound(
            f"{want} names {'no' if not found else 'more than one'} author key of this document",
            hint="give the whole key, as 'samizdat log DOC' shows it")
    return found.pop()


def trust_author(store: Store, key_text: str, doc_prefix: str, now: int) -> tuple[bytes, bytes]:
    """Trust one author pseudonym for one document; returns (key, document id)."""
    doc_id = store.find_document(doc_prefix)
    key = _key_arg(key_text, _signed_authors(store, doc_id))
    try:
        group.point(key)
    except (DecodeError, ValueError):
        raise UsageError(f"{key.hex()[:16]} is not a valid Ed25519 public key") from None
    for t in store.trusted_keys():
        if t.key == key:
            raise UsageError(f"{t.kind} key {key.hex()[:16]} is already trusted",
                             hint="see 'samizdat trust list'")
    title = store.document(doc_id).title
    store.add_trusted(key, "author", f"author of {title}"[:200], doc_id, now)
    return key, doc_id


def trust_remove(store: Store, key_text: str) -> bytes:
    """Stop trusting a key (the whole key or a unique prefix of 8+ characters)."""
    keys = [t.key for t in store.trusted_keys()]
    want = key_text.strip().lower()
    found = [k for k in keys if k.hex().startswith(want)] if len(want) >= 8 else []
    if len(found) != 1:
        raise NotFound(
            f"{want[:80]!r} names {'no' if not found else 'more than one'} trusted key",
            hint="see 'samizdat trust list' for the keys")
    store.remove_trusted(found[0])
    return found[0]


def trust_list(store: Store) -> list[dict[str, str]]:
    """Every trusted key, as ``trust list --json`` prints them: ``key``, ``kind``
    (committee or author), ``name``, and ``document`` for an author key."""
    out = []
    for t in store.trusted_keys():
        item = {"key": t.key.hex(), "kind": t.kind, "name": t.name}
        if t.kind == "author":
            item["document"] = t.data.hex()
        out.append(item)
    return out
