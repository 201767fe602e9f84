"""Circles of co-authors: who may read the drafts and comments of a document.

A circle is a key agreed in person (``circle new`` makes it, ``circle join`` takes
it). A document put in a circle (``circle add``, ``draft new --circle``) keeps its
drafts and comments inside it on every transport:

* a version *goes to readers* when a committee made it final or someone gave it to
  readers explicitly (``share --public``); for a document in no circle, a version
  its author signed goes to readers too (signing is standing by it), and an
  unsigned one stays home;
* every other version of a circle's document, and every comment, travels only as
  a circle item (``core/circle.py``), which opens with the circle key alone.

This module holds those rules once; ``app/carry.py`` (bundles, dead drops, mail,
paper) and the network (:func:`offerable`) ask it. Spec: ``docs/spec/circle.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from samizdat.core import circle as core
from samizdat.core.caps import ReadCap
from samizdat.core.comments import Comment, decode_comment
from samizdat.core.crypto import Rng
from samizdat.core.envelope import (
    DROP_WRAP_BYTES,
    PACKAGE_EXPANSION,
    Sealer,
    ShardSource,
    drop_unwrap,
    drop_wrap,
    open_stream,
)
from samizdat.core.package import (
    MAX_PACKAGE_BYTES,
    Package,
    check_package,
    decode_package,
)
from samizdat.errors import (
    BadSignature,
    CryptoError,
    DecodeError,
    InputError,
    NotFound,
    SamizdatError,
    UsageError,
    VerificationFailed,
)
from samizdat.store import Store
from samizdat.store import circles as tables
from samizdat.store import comments as comment_tables

__all__ = [
    "MAX_SEALED_ITEM_BYTES",
    "CheckedItem",
    "ItemResult",
    "add_document",
    "check_item",
    "circle_named",
    "circle_of",
    "export_item",
    "goes_to_readers",
    "held_back",
    "import_item",
    "item_payload",
    "join_circle",
    "list_circles",
    "make_public",
    "new_circle",
    "note_released",
    "offerable",
    "open_item",
    "open_with",
    "refuse_to_readers",
    "seal_item",
    "store_item",
    "to_leave",
]

_MAX_ITEM_BYTES = MAX_PACKAGE_BYTES + core.MAX_ITEM_COMMENTS * 70_200 + 1024
MAX_SEALED_ITEM_BYTES = (DROP_WRAP_BYTES + _MAX_ITEM_BYTES + (_MAX_ITEM_BYTES >> 3)
                         + (1 << 20))
"""Largest circle item taken from a network contact: the largest payload sealed,
with its padding (as ``app.couriers.MAX_SHARD_BYTES`` for a shard)."""
_MAX_NAME = 64


@dataclass(frozen=True)
class CircleInfo:
    """A circle as ``circle list`` shows it (never its key)."""

    name: str
    circle_id: bytes
    documents: int

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "circle": self.circle_id.hex(),
                "documents": self.documents}


@dataclass(frozen=True)
class ItemResult:
    """What a circle item brought: its circle, document and version, whether
    anything was new, how many comments were new, and its weight (signatures and
    comments it carried)."""

    circle: str
    document: bytes
    version: bytes
    new: bool
    comments: int
    weight: int

    def to_json(self) -> dict[str, object]:
        return {"circle": self.circle, "document": self.document.hex(),
                "version": self.version.hex(), "new": self.new, "comments": self.comments}


# ------------------------------------------------------------------- circles


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > _MAX_NAME or any(c in name for c in "\n\r\t"):
        raise UsageError(f"a circle name has 1 to {_MAX_NAME} characters on one line",
                         hint="for example 'editors'")
    return name


def _add(store: Store, name: str, key: core.CircleKey, now: int) -> None:
    name = _check_name(name)
    for rec in tables.circles(store.db):
        if rec.name == name:
            raise UsageError(f"there is already a circle {name!r} here",
                             hint="pick another name ('samizdat circle list')")
        if rec.circle_id == key.circle_id:
            raise UsageError(f"this store is already in that circle, as {rec.name!r}",
                             hint="'samizdat circle list' shows it")
    from samizdat.store import envelopes

    with store.transaction():
        tables.add_circle(store.db, tables.CircleRecord(name, key.circle_id, key.key, now))
        # dead-drop files skipped before may be this circle's items: look again
        envelopes.forget_unusable(store.db)


def new_circle(store: Store, name: str, rng: Rng, now: int) -> core.CircleKey:
    """Make a circle, remember it, and return its key (to give in person)."""
    key = core.CircleKey(rng(32))
    _add(store, name, key, now)
    return key


def join_circle(store: Store, name: str, key: core.CircleKey, now: int) -> None:
    """Remember a circle whose key a co-author gave us."""
    _add(store, name, key, now)


def list_circles(store: Store) -> list[CircleInfo]:
    counts = Counter(tables.document_circles(store.db).values())
    return [CircleInfo(r.name, r.circle_id, counts.get(r.circle_id, 0))
            for r in tables.circles(store.db)]


def circle_named(store: Store, name: str) -> tables.CircleRecord:
    for rec in tables.circles(store.db):
        if rec.name == name:
            return rec
    raise NotFound(f"no circle {name!r} in this store",
                   hint="'samizdat circle list' shows them; 'circle new' or 'circle join'")


def _by_id(store: Store) -> dict[bytes, tables.CircleRecord]:
    return {r.circle_id: r for r in tables.circles(store.db)}


def circle_of(store: Store, doc_id: bytes) -> tables.CircleRecord | None:
    """The circle a document is in here (None: in none, or in one we left)."""
    cid = tables.circle_of(store.db, doc_id)
    return None if cid is None else _by_id(store).get(cid)


def add_document(store: Store, name: str, doc_ref: str) -> tuple[bytes, str]:
    """Put a document in a circle; returns (document id, circle name)."""
    rec = circle_named(store, name)
    from samizdat.app.documents import document_for

    doc_id, _ = document_for(store, doc_ref)
    was = circle_of(store, doc_id)
    if was is not None and was.circle_id != rec.circle_id:
        raise UsageError(f"that document is in circle {was.name!r} already",
                         hint="a document is in one circle; its drafts went there")
    with store.transaction():
        tables.add_document(store.db, doc_id, rec.circle_id)
    return doc_id, rec.name


# --------------------------------------------------------------- the rules


def _signature_kinds(store: Store, version_id: bytes) -> set[str]:
    return {s.kind for s in store.signatures(version_id)}


def goes_to_readers(store: Store, version_id: bytes) -> bool:
    """Whether a version may travel in readable form (see the module's rules)."""
    kinds = _signature_kinds(store, version_id)
    if "committee" in kinds or tables.is_public(store.db, version_id):
        return True
    doc_id = store.version(version_id).doc_id
    if tables.circle_of(store.db, doc_id) is not None:
        return False
    return "author" in kinds


def held_back(store: Store, version_id: bytes) -> tables.CircleRecord | None:
    """The circle a version must be sealed to, when it is one of its drafts."""
    if goes_to_readers(store, version_id):
        return None
    return circle_of(store, store.version(version_id).doc_id)


def refuse_to_readers(store: Store, version_id: bytes) -> None:
    """Raise for a circle's draft about to be sealed in a form readers open (a
    bundle with a read capability, shards, paper, mail)."""
    rec = held_back(store, version_id)
    if rec is not None:
        raise UsageError(
            f"version {version_id.hex()[:16]} is a draft of circle {rec.name!r}: it "
            "travels only sealed to the circle",
            hint="'samizdat export' seals it to the circle; 'samizdat share VER "
            "--public' gives it to readers")


def make_public(store: Store, version_id: bytes, now: int) -> bool:
    """Give a version to readers although no committee made it final."""
    with store.transaction():
        return tables.make_public(store.db, version_id, now)


def note_released(store: Store, version_id: bytes, now: int) -> None:
    """A version arrived in a form readers open (a bundle, a dead-drop copy, mail,
    paper): whoever sent it gave it to readers, so this store may pass it on too."""
    if not goes_to_readers(store, version_id):
        tables.make_public(store.db, version_id, now)


def offerable(store: Store, version_ids: Iterable[bytes]) -> list[bytes]:
    """The versions of ``version_ids`` that may be offered to network contacts
    (for ``app/network.StoreLibrary.offered``): a circle's drafts are left out."""
    docs = tables.document_circles(store.db)
    public = tables.public_versions(store.db)
    out = []
    for vid in version_ids:
        if vid in public or not store.has_version(vid):
            out.append(vid)
            continue
        if store.version(vid).doc_id not in docs or "committee" in _signature_kinds(store, vid):
            out.append(vid)
    return out


# ------------------------------------------------------------------ items


def _comments_by_version(store: Store, doc_id: bytes) -> dict[bytes, list[core.ItemComment]]:
    out: dict[bytes, list[core.ItemComment]] = {}
    for rec in comment_tables.for_document(store.db, doc_id):
        c = decode_comment(rec.encoded)
        out.setdefault(c.version, []).append(
            core.ItemComment(rec.encoded, rec.author, rec.signature))
    return out


def item_payload(store: Store, version_id: bytes) -> tuple[tables.CircleRecord, bytes]:
    """The circle item payload of a version of a circle's document: its package
    and the comments written on it."""
    from samizdat.app.carry import package_version

    doc_id = store.version(version_id).doc_id
    rec = circle_of(store, doc_id)
    if rec is None:
        raise UsageError("that document is in no circle of this store",
                         hint="put it in one with 'samizdat circle add NAME DOC'")
    comments = _comments_by_version(store, doc_id).get(version_id, [])
    payload = core.encode_item(core.CircleItem(
        rec.circle_id, package_version(store, version_id), tuple(comments)))
    return rec, payload


def item_head(rec: tables.CircleRecord, root: bytes, rng: Rng) -> bytes:
    """The first bytes of an item: its bundle's root key wrapped for the circle."""
    return drop_wrap(core.CircleKey(rec.key).wrap_cap(), root, rng)


def wrap_cap(rec: tables.CircleRecord) -> ReadCap:
    return core.CircleKey(rec.key).wrap_cap()


def to_leave(store: Store) -> list[tuple[bytes, int, tables.CircleRecord]]:
    """What a dead-drop sync leaves as circle items: every version of a circle's
    document that is a draft or carries comments, with its weight (signatures
    plus comments: a heavier copy replaces a lighter one)."""
    from samizdat.app.carry import signature_count

    mine = _by_id(store)
    out = []
    for doc_id, cid in tables.document_circles(store.db).items():
        rec = mine.get(cid)
        if rec is None:
            continue
        comments = _comments_by_version(store, doc_id)
        for v in store.versions_of(doc_id):
            n = len(comments.get(v.version_id, ()))
            if n or held_back(store, v.version_id) is not None:
                out.append((v.version_id, signature_count(store, v.version_id) + n, rec))
    return out


def open_item(store: Store, head: bytes, body: ShardSource
              ) -> tuple[tables.CircleRecord, bytes] | None:
    """(circle, payload) of an item, or None when no circle of this store opens it."""
    return open_with(tables.circles(store.db), head, body)


def open_with(circles: Iterable[tables.CircleRecord], head: bytes, body: ShardSource
              ) -> tuple[tables.CircleRecord, bytes] | None:
    """:func:`open_item` with the circles given (no I/O: for a worker thread)."""
    for rec in circles:
        try:
            cap = drop_unwrap(wrap_cap(rec), head)
        except DecodeError:
            continue
        out: list[bytes | memoryview] = []
        open_stream(cap, [body], out.append, max_output=_MAX_ITEM_BYTES,
                    expansion=PACKAGE_EXPANSION)
        return rec, b"".join(out)
    return None


@dataclass(frozen=True)
class CheckedItem:
    """A circle item's payload, checked whole (:func:`check_item`), not yet stored."""

    rec: tables.CircleRecord = field(repr=False)
    package: Package = field(repr=False)
    comments: tuple[tuple[Comment, core.ItemComment], ...] = field(repr=False)


def accept_item(store: Store, rec: tables.CircleRecord, payload: bytes,
                now: int) -> ItemResult:
    """Check a circle item's payload whole and store it in one transaction."""
    return store_item(store, check_item(rec, payload), now)


def check_item(rec: tables.CircleRecord, payload: bytes) -> CheckedItem:
    """Decode and verify a circle item's payload whole (no I/O)."""
    item = core.decode_item(payload, MAX_PACKAGE_BYTES)
    if item.circle_id != rec.circle_id:
        raise VerificationFailed("this circle item names another circle than the key "
                                 "that opened it", hint="someone made it on purpose")
    package = check_package(decode_package(item.package))
    doc_id = package.document.document_id
    checked = []
    for c in item.comments:
        comment = decode_comment(c.encoded)
        try:
            comment.verify(c.author, c.signature)
        except BadSignature:
            raise VerificationFailed("a comment in this circle item has a bad signature",
                                     hint="the item was altered; it was not stored") from None
        if comment.document != doc_id:
            raise VerificationFailed("a comment in this circle item is about another "
                                     "document", hint="the item was not stored")
        checked.append((comment, c))
    return CheckedItem(rec, package, tuple(checked))


def store_item(store: Store, item: CheckedItem, now: int) -> ItemResult:
    """Store a checked circle item in one transaction."""
    from samizdat.app.carry import store_checked_package

    rec, package, checked = item.rec, item.package, item.comments
    doc_id = package.document.document_id
    with store.transaction():
        was = tables.circle_of(store.db, doc_id)
        if was is not None and was != rec.circle_id:
            other = _by_id(store).get(was)
            raise InputError(
                f"this item is circle {rec.name!r}'s, but its document is in circle "
                f"{other.name if other else 'of another key'!r} here",
                hint="a document is in one circle; ask who sealed it")
        result = store_checked_package(store, package, now=now)
        tables.add_document(store.db, doc_id, rec.circle_id)
        added = 0
        for comment, c in checked:
            if comment_tables.add(store.db, comment.document, comment_tables.CommentRecord(
                    comment.comment_id, c.encoded, c.author, c.signature)):
                added += 1
    weight = len(package.entry.authors) + len(package.entry.committee) + len(checked)
    return ItemResult(rec.name, doc_id, bytes.fromhex(result.version),
                      result.new or added > 0, added, weight)


def export_item(store: Store, version_id: bytes, path: Path, rng: Rng) -> tuple[str, int]:
    """Write a version (and the comments on it) as a circle item file, for
    ``export`` of a circle's draft; returns (circle name, bytes written)."""
    from samizdat.transports.bundle import seal_to_files

    rec, payload = item_payload(store, version_id)
    root = rng(32)
    written: list[int] = []
    seal_to_files(payload, [path], k=1, rng=rng, head=item_head(rec, root, rng),
                  root_key=root, written=written)
    return rec.name, written[0]


def seal_item(store: Store, version_id: bytes, rng: Rng) -> tuple[str, bytes]:
    """A version (and the comments on it) as circle item bytes in memory, for
    ``mail send`` of a circle's draft; returns (circle name, item)."""
    rec, payload = item_payload(store, version_id)
    root = rng(32)
    out: list[bytes | memoryview] = [item_head(rec, root, rng)]
    sealer = Sealer(k=1, n=1, rng=rng, sinks=[out.append], root_key=root)
    sealer.write(payload)
    sealer.close()
    return rec.name, b"".join(out)


def import_item(store: Store, path: Path, now: int) -> ItemResult:
    """``import FILE`` without a capability: a circle item of one of our circles."""
    from samizdat.transports.bundle import FileSource

    with FileSource(path) as f:
        head = f.read_at(0, DROP_WRAP_BYTES)
    try:
        opened = open_item(store, head, FileSource(path, offset=DROP_WRAP_BYTES))
    except (DecodeError, CryptoError, SamizdatError) as exc:
        raise InputError(f"{path.name} is a damaged circle item: {exc.message}",
                         hint="ask the co-author for a new copy") from None
    if opened is None:
        raise InputError(
            f"no circle of this store opens {path.name}",
            hint="it may be another circle's item (join it with 'samizdat circle join'), "
            "or a bundle that needs --cap")
    return accept_item(store, opened[0], opened[1], now)


def document_circle_names(store: Store, doc_ids: Sequence[bytes]) -> dict[bytes, str]:
    """The circle name of each document that is in one (for ``list``/``log``)."""
    mine = _by_id(store)
    docs = tables.document_circles(store.db)
    return {d: mine[docs[d]].name for d in doc_ids if d in docs and docs[d] in mine}
