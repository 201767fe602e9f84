"""Carrying copies: package a version, seal it, and take sealed copies back in.

These are the use cases every transport shares. The paper and mail code put
:func:`export_bundle` bytes on paper or in an attachment and call
:func:`import_bundle` on what comes back; the network code calls
:func:`package_version` / :func:`accept_package` over its encrypted sessions; the
CLI's ``export``/``import``/``disperse``/``recover`` and ``deaddrop sync`` call them
too.

What ``status`` means in an :class:`ImportResult` (the same words ``verify`` uses):

* ``authentic``: the text is exactly the one at least one signature covers (an
  author pseudonym's, or a committee's final statement), and every signature in the
  copy verified. Whether a signer is *trusted* is a separate question, answered by
  ``verify`` against this store's trusted keys; ``signers`` lists who signed.
* ``unsigned``: an intact copy of a draft nobody signed yet. Its text matches its
  version id, but nothing vouches for it. It is stored (drafts travel too) and the
  command succeeds, reporting this status so that a person is not misled.

Anything else (altered text, a forged or misplaced signature, malformed bytes, too
few shards) raises and stores nothing: an import is one transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samizdat.app.trust import Signer
from samizdat.core.caps import DropKey, ReadCap
from samizdat.core.crypto import Rng
from samizdat.core.envelope import (
    PACKAGE_EXPANSION,
    BytesSource,
    ShardSource,
    open_stream,
    seal,
)
from samizdat.core.package import (
    MAX_PACKAGE_BYTES,
    CommitteeFinal,
    Entry,
    Package,
    check_package,
    decode_package,
    encode_package,
)
from samizdat.core.versions import (
    AuthorSignature,
    Document,
    decode_document,
    decode_version,
    encode_document,
    encode_version,
    topological_order,
)
from samizdat.errors import (
    CryptoError,
    DecodeError,
    InputError,
    NotFound,
    SamizdatError,
    StoreError,
    UsageError,
    VerificationFailed,
)
from samizdat.store import Store, VersionRecord

if TYPE_CHECKING:
    from samizdat.app.documents import VerifyReport
    from samizdat.app.trust import Anchors
from samizdat.transports.deaddrop import DeadDrop

__all__ = [
    "DropReport",
    "ImportResult",
    "Signer",
    "accept_package",
    "choose_drop_key",
    "deaddrop_sync",
    "deaddrop_sync_folder",
    "disperse",
    "disperse_to_folder",
    "export_bundle",
    "export_to_file",
    "import_bundle",
    "import_file",
    "new_drop_key",
    "open_package",
    "package_version",
    "recover",
    "recover_files",
    "recover_sources",
    "remember_drop_key",
    "resolve_version",
    "signature_count",
    "store_checked_package",
    "verify_bundle",
    "verify_bundle_files",
]


@dataclass(frozen=True)
class ImportResult:
    """What an import found and stored. ``new`` is False when the store already had
    the version and every signature the copy carried."""

    document: str
    version: str
    status: str
    signers: tuple[Signer, ...] = ()
    new: bool = True
    title: str = field(default="", repr=False)

    def as_json(self) -> dict[str, Any]:
        """The keys ``import``/``recover``/``scan`` print with ``--json``."""
        return {
            "document": self.document,
            "version": self.version,
            "status": self.status,
            "signers": [s.to_json() for s in self.signers],
            "new": self.new,
        }


# ------------------------------------------------------------------ resolving


def _committee_finals(store: Store, version_id: bytes) -> list[CommitteeFinal]:
    """Final statements the committee area recorded for this version (none if that
    area is not part of this build)."""
    try:
        from samizdat.store import committee
    except ModuleNotFoundError:  # pragma: no cover - the committee area is optional
        return []
    return [
        CommitteeFinal(
            r.group_key, r.signature, r.statement, r.comment, r.comment_signature or b""
        )
        for r in committee.final(store.db, version_id)
    ]


def resolve_version(store: Store, ref: str) -> bytes:
    """The version ``ref`` names: a version id (prefix of 8+ hex characters), or a
    document id meaning its final version if it has one, else its latest (the rule
    of ``samizdat read``, shared with :mod:`samizdat.app.documents`)."""
    from samizdat.app.documents import version_for

    return version_for(store, ref)


# ------------------------------------------------------------------ packaging


def _document(store: Store, doc_id: bytes) -> Document:
    row = store.db.one("SELECT encoded FROM documents WHERE doc_id = ?", (doc_id,))
    if row is None:
        raise NotFound(f"no document {doc_id.hex()[:16]} in this store")
    if row[0] is None:
        raise StoreError(
            "this store does not keep the genesis of that document, so it cannot be "
            "packaged",
        )
    return decode_document(bytes(row[0]))


def _entry(store: Store, version_id: bytes) -> Entry:
    record = store.version(version_id)
    version = decode_version(record.encoded)
    paragraphs = tuple(p.decode("utf-8") for p in store.paragraphs(version_id))
    authors = tuple(
        AuthorSignature(version_id, s.key, s.signature)
        for s in store.signatures(version_id)
        if s.kind == "author"
    )
    return Entry(version, paragraphs, authors, tuple(_committee_finals(store, version_id)))


def package_version(
    store: Store, version_id: bytes, *, history: bool = False,
    sketch: tuple[Rng, int] | None = None,
) -> bytes:
    """The canonical package (see ``docs/spec/package.md``) of one stored version:
    its document's genesis, text, author signatures and committee finals; with
    ``history``, every earlier version of the document this store holds; with
    ``sketch`` = ``(rng, now)``, this node's reach sketch for the document (bundles
    and dead drops: ``app/reach.py``; ``rng`` draws this node's token the first
    time)."""
    entry = _entry(store, version_id)
    document = _document(store, entry.version.document)
    earlier: tuple[Entry, ...] = ()
    if history:
        ancestors = _ancestors(store, entry)
        earlier = tuple(_entry(store, vid) for vid in ancestors)
    part = None
    if sketch is not None:
        from samizdat.app import reach

        part = reach.package_part(store, document.document_id, *sketch)
    return encode_package(Package(document, entry, earlier, part))


def _ancestors(store: Store, entry: Entry) -> list[bytes]:
    seen: dict[bytes, Any] = {}
    todo = list(entry.version.parents)
    while todo:
        vid = todo.pop()
        if vid in seen or not store.has_version(vid):
            continue
        version = decode_version(store.version(vid).encoded)
        seen[vid] = version
        todo.extend(version.parents)
    return [v.version_id for v in topological_order(seen.values())]


# ------------------------------------------------------------------- accepting


def _store_entry(store: Store, document: Document, entry: Entry, now: int) -> bool:
    version = entry.version
    vid = version.version_id
    changed = store.add_version(
        VersionRecord(
            version_id=vid,
            doc_id=document.document_id,
            text_id=version.text_id,
            encoded=encode_version(version),
            parents=version.parents,
            paragraph_count=version.paragraphs,
            created=now,
        ),
        (p.encode("utf-8") for p in entry.paragraphs),
    )
    for sig in entry.authors:
        changed |= store.add_signature(vid, "author", sig.public_key, sig.signature)
    if entry.committee:
        from samizdat.store import committee

        for final in entry.committee:
            changed |= store.add_signature(vid, "committee", final.group_key, final.signature)
            committee.put_final(
                store.db,
                committee.FinalRecord(
                    vid,
                    final.group_key,
                    final.statement,
                    final.signature,
                    final.comment,
                    final.comment_signature or None,
                ),
            )
    return changed


def accept_package(
    store: Store, data: bytes, *, now: int, reach_source: str | None = "bundle"
) -> ImportResult:
    """Decode a package strictly, verify all of it, and store it in one transaction.

    Raises :class:`~samizdat.errors.VerificationFailed` (altered text, forged
    signature) or :class:`~samizdat.errors.DecodeError` (malformed, a malformed
    reach sketch included), and then nothing was stored.
    """
    package = check_package(decode_package(data))
    from samizdat.app import circle

    with store.transaction():
        result = store_checked_package(store, package, now=now,
                                       reach_source=reach_source)
        # it came readable, so someone gave it to readers: it may be passed on
        circle.note_released(store, package.entry.version_id, now)
    return result


def store_checked_package(
    store: Store, package: Package, *, now: int, reach_source: str | None = "bundle",
) -> ImportResult:
    """Store a package that :func:`samizdat.core.package.check_package` verified, in
    one transaction. The check is pure and may run in another thread (the node does
    so, to keep its event loop serving other contacts); this part uses the store.

    A reach sketch in the package is kept under ``reach_source`` (``app/reach.py``;
    ``None``: ignored), after the version, in its own transaction; one that
    :func:`samizdat.core.reach.admit` refuses is dropped."""
    document = package.document
    when = now
    with store.transaction():
        known = store.db.one(
            "SELECT encoded FROM documents WHERE doc_id = ?", (document.document_id,)
        )
        changed = known is None
        store.add_document(
            document.document_id, document.title, when, encoded=encode_document(document)
        )
        if known is not None and known[0] is None:
            store.db.execute(
                "UPDATE documents SET encoded = ? WHERE doc_id = ?",
                (encode_document(document), document.document_id),
            )
        for e in topological_order_entries(package.history):
            changed |= _store_entry(store, document, e, when)
        changed |= _store_entry(store, document, package.entry, when)
    if package.reach is not None and reach_source is not None:
        from samizdat.app import reach

        reach.take_part(store, document.document_id, package.reach, reach_source, when)
    from samizdat.app import trust

    entry = package.entry
    policy = trust.anchors(store)
    doc_id = document.document_id
    signers = tuple(
        Signer(kind, key, policy.trusts(kind, key, doc_id))
        for kind, key in [("author", s.public_key) for s in entry.authors]
        + [("committee", f.group_key) for f in entry.committee]
    )
    return ImportResult(
        document=document.document_id.hex(),
        version=entry.version_id.hex(),
        status="authentic" if signers else "unsigned",
        signers=signers,
        new=changed,
        title=document.title,
    )


def topological_order_entries(entries: Sequence[Entry]) -> list[Entry]:
    """History entries with parents before children."""
    by_id = {e.version_id: e for e in entries}
    return [by_id[v.version_id] for v in topological_order(e.version for e in entries)]


# --------------------------------------------------------------------- sealing


def _ref_package(store: Store, ref: str, history: bool,
                 sketch: tuple[Rng, int] | None = None) -> bytes:
    """The package of ``ref`` for a form readers open (a capability opens it): a
    circle's draft is refused (``app/circle.py``)."""
    from samizdat.app import circle

    version_id = resolve_version(store, ref)
    circle.refuse_to_readers(store, version_id)
    return package_version(store, version_id, history=history, sketch=sketch)


def export_bundle(
    store: Store, ref: str, rng: Rng, *, history: bool = False
) -> tuple[ReadCap, bytes]:
    """A sealed bundle (one self-contained envelope, k = n = 1) of the version
    ``ref`` names, and the capability that opens it."""
    cap, (bundle,) = seal(_ref_package(store, ref, history), k=1, n=1, rng=rng)
    return cap, bundle


def disperse(
    store: Store, ref: str, k: int, n: int, rng: Rng, *, history: bool = False
) -> tuple[ReadCap, list[bytes]]:
    """``n`` shards of the version ``ref`` names, any ``k`` of which rebuild it."""
    if not 1 <= k <= n <= 255:
        raise UsageError("need 1 <= k <= n <= 255", hint="for example --k 3 --n 10")
    return seal(_ref_package(store, ref, history), k=k, n=n, rng=rng)


def open_package(cap: ReadCap, sources: Iterable[ShardSource]) -> bytes:
    """Rebuild the package inside an envelope, bounded by the package size limit and
    in proportion to the envelope's size (:data:`PACKAGE_EXPANSION`)."""
    out: list[bytes | memoryview] = []
    open_stream(
        cap, sources, out.append, max_output=MAX_PACKAGE_BYTES, expansion=PACKAGE_EXPANSION
    )
    return b"".join(out)


def import_bundle(store: Store, data: bytes, cap: ReadCap, now: int) -> ImportResult:
    """Open a bundle with ``cap``, verify it and store it (all or nothing)."""
    return accept_package(store, open_package(cap, [BytesSource(data)]), now=now)


def recover(store: Store, shards: Iterable[bytes], cap: ReadCap, now: int) -> ImportResult:
    """Rebuild from shards in memory (any order, duplicates, damaged and foreign
    ones mixed in), verify and store."""
    return recover_sources(store, [BytesSource(s) for s in shards], cap, now)


def recover_sources(
    store: Store, sources: Iterable[ShardSource], cap: ReadCap, now: int
) -> ImportResult:
    """:func:`recover` from shard sources (files read on demand)."""
    sources = list(sources)
    try:
        return accept_package(store, open_package(cap, sources), now=now)
    finally:
        for s in sources:
            close = getattr(s, "close", None)
            if close is not None:
                with contextlib.suppress(OSError):
                    close()


# ------------------------------------------------------------------ dead drops


@dataclass
class DropReport:
    """What a dead-drop sync did: copies left in the folder (``sent``), copies taken
    into the store (``received``), files that could not be used (``skipped``: another
    drop's, damaged, hostile or failing verification, each with its reason in
    ``skips``) and stale partial files removed. A skipped file is remembered, so
    the next sync neither opens it again nor stops on it."""

    sent: int = 0
    received: int = 0
    skipped: int = 0
    removed_partial: int = 0
    skips: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, name: str, reason: str) -> None:
        """Count one unusable file, with why."""
        self.skipped += 1
        self.skips.append((name, reason))

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "received": self.received,
            "skipped": self.skipped,
            "removed_partial": self.removed_partial,
            "skips": [{"file": name, "reason": reason} for name, reason in self.skips],
        }


def signature_count(store: Store, version_id: bytes) -> int:
    """How many signatures a package of this version carries (as counted in its
    ImportResult.signers): author signatures plus committee finals."""
    authors = sum(1 for s in store.signatures(version_id) if s.kind == "author")
    return authors + len(_committee_finals(store, version_id))


def new_drop_key(store: Store, rng: Rng, now: int) -> DropKey:
    """Make a dead-drop key, remember it in this store and return it (to be given
    to the other people who use the same drop)."""
    from samizdat.store import envelopes

    key = DropKey(rng(32))
    envelopes.add_drop_key(store.db, key.root_key, now)
    return key


def remember_drop_key(store: Store, key: DropKey, now: int) -> None:
    """Remember a dead-drop key someone gave us."""
    from samizdat.store import envelopes

    envelopes.add_drop_key(store.db, key.root_key, now)


def choose_drop_key(store: Store, drop: DeadDrop) -> DropKey:
    """The remembered key this folder was used with: the one that opens a file
    there, else the only key this store has."""
    from samizdat.store import envelopes

    keys = [DropKey(k) for k in envelopes.drop_keys(store.db)]
    if not keys:
        raise UsageError(
            "this store has no dead-drop key",
            hint="make one with 'samizdat deaddrop key' or pass --cap",
        )
    for entry in drop.entries():
        for key in keys:
            with contextlib.suppress(SamizdatError):
                drop.bundle_cap(key.as_cap(), entry)
                return key
    if len(keys) == 1:
        return keys[0]
    raise UsageError(
        "this store knows several dead-drop keys and none opens a file here",
        hint="pass the drop's key with --cap",
    )


def deaddrop_sync(
    store: Store,
    drop: DeadDrop,
    key: DropKey,
    rng: Rng,
    *,
    now: int,
) -> DropReport:
    """Two-way exchange with a dead-drop folder under one drop key.

    First every file not seen before is opened; what the store lacks is verified and
    imported (each file in its own transaction: one bad file costs only itself).
    Then every version this store holds that no file in the folder carries (or
    carries with fewer signatures than this store knows, e.g. before it became
    final) is sealed and left there, each file written atomically. Interrupted at any point, running
    it again carries on: nothing half-written is ever read, and what was done is
    not redone.
    """
    from samizdat.app.reach import drop_source as reach_drop_source
    from samizdat.store import envelopes

    when = now
    report = DropReport(removed_partial=drop.remove_stale(when))
    key_cap = key.as_cap()
    drop_id = key_cap.subkey("dead drop id")
    seen = envelopes.drop_files(store.db, drop_id)
    present: dict[bytes, int] = {}  # version -> most signatures a file of it carries

    def note(version: bytes, signatures: int) -> None:
        present[version] = max(present.get(version, 0), signatures)

    in_circle: dict[bytes, int] = {}  # the same, for circle items

    def note_item(version: bytes, weight: int) -> None:
        in_circle[version] = max(in_circle.get(version, 0), weight)

    entries = drop.entries()
    for entry in entries:
        ident = (entry.name, entry.size)
        known = seen.get(ident)
        if known is not None:
            if known.version is None:
                report.skip(entry.name, "unusable on an earlier sync")
                continue
            if _is_item_mark(known.version):
                note_item(known.version[1:], known.signatures)
                continue
            if store.has_version(known.version):
                note(known.version, known.signatures)
                continue
        version, count = None, 0
        try:
            try:
                cap = drop.bundle_cap(key_cap, entry)
            except DecodeError:
                got = _circle_item(store, drop, entry, when)
                if got is None:
                    raise
                mark, count, fresh = got
                version = _ITEM_MARK + mark
                note_item(mark, count)
                report.received += fresh
            else:
                with drop.source(entry) as source:
                    data = open_package(cap, [source])
                result = accept_package(store, data, now=when,
                                        reach_source=reach_drop_source(drop_id))
                version, count = bytes.fromhex(result.version), len(result.signers)
                note(version, count)
                if result.new:
                    report.received += 1
        except (VerificationFailed, InputError, CryptoError) as exc:
            # recorded below like a good file, so it never stops a sync again
            report.skip(entry.name, exc.message)
        envelopes.note_drop_file(
            store.db, drop_id, envelopes.DropFile(*ident, version, count)
        )
    names = {(e.name, e.size) for e in entries}
    for name, size in seen:
        if (name, size) not in names:
            envelopes.forget_drop_file(store.db, drop_id, name, size)
    from samizdat.app import circle

    for record in list(store.all_versions()):
        vid = record.version_id
        if not circle.goes_to_readers(store, vid):
            continue  # a draft: it stays home, or goes as a circle item below
        count = signature_count(store, vid)
        if vid in present and present[vid] >= count:
            continue
        try:
            package = package_version(store, vid, sketch=(rng, when))
        except StoreError as exc:  # e.g. a document whose genesis this store never kept
            report.skip(vid.hex()[:16], exc.message)
            continue
        entry = drop.leave(key_cap, package, rng)
        envelopes.note_drop_file(
            store.db, drop_id, envelopes.DropFile(entry.name, entry.size, vid, count)
        )
        note(vid, count)
        report.sent += 1
    for vid, weight, rec in circle.to_leave(store):
        if in_circle.get(vid, -1) >= weight:
            continue
        _rec, payload = circle.item_payload(store, vid)
        entry = drop.leave(circle.wrap_cap(rec), payload, rng)
        envelopes.note_drop_file(
            store.db, drop_id, envelopes.DropFile(entry.name, entry.size,
                                                  _ITEM_MARK + vid, weight))
        note_item(vid, weight)
        report.sent += 1
    return report


_ITEM_MARK = b"\xc1"
"""How ``carry_drop_files`` tells a circle item (mark + version id, weight in the
signatures column) from a dead-drop copy (the bare version id)."""


def _is_item_mark(value: bytes) -> bool:
    return len(value) == 33 and value[:1] == _ITEM_MARK


def _circle_item(store: Store, drop: DeadDrop, entry: Any, when: int
                 ) -> tuple[bytes, int, int] | None:
    """Open a drop file that the drop key does not open as one of our circles'
    items and store it: (version id, weight, 1 if new else 0), or
    None when no circle of ours opens it either."""
    from samizdat.app import circle
    from samizdat.core.envelope import DROP_WRAP_BYTES
    from samizdat.transports.bundle import FileSource

    with FileSource(drop.path / entry.name) as f:
        head = f.read_at(0, DROP_WRAP_BYTES)
    with drop.source(entry) as source:
        opened = circle.open_item(store, head, source)
    if opened is None:
        return None
    result = circle.accept_item(store, opened[0], opened[1], when)
    return result.version, result.weight, int(result.new)


# ----------------------------------------------------------------- verify hook


def verify_bundle(
    store: Store, sources: Iterable[ShardSource], cap: ReadCap,
    policy: Anchors | None = None,
) -> VerifyReport:
    """``samizdat verify`` for a sealed bundle (or shards): the same report as for a
    text file, without storing anything.

    The copy carries its own signatures, so it is judged on them under the trust
    policy (``docs/spec/trust.md``): ``authentic`` when its text is intact and a
    signature by a trust anchor (``policy``, this store's by default) covers it;
    ``untrusted`` when only keys nobody here trusts signed it; an intact copy nobody
    signed is ``unknown``. An altered text or a forged signature raises
    :class:`VerificationFailed` (exit 1) like an unopenable bundle does
    (:class:`~samizdat.errors.NotEnoughShards`).
    """
    from samizdat.app import trust
    from samizdat.app.documents import VerifyReport
    from samizdat.core.align import ParagraphResult

    policy = trust.anchors(store) if policy is None else policy
    sources = list(sources)
    try:
        package = check_package(decode_package(open_package(cap, sources)))
    finally:
        for s in sources:
            close = getattr(s, "close", None)
            if close is not None:
                close()
    entry = package.entry
    doc_id = package.document.document_id
    signed = [("author", s.public_key) for s in entry.authors] + [
        ("committee", f.group_key) for f in entry.committee
    ]
    signers = [Signer(kind, key, policy.trusts(kind, key, doc_id))
               for kind, key in signed]
    if not signers:
        return VerifyReport("unknown", entry.version_id, [], [])
    paragraphs = [ParagraphResult(i, "same", i) for i in range(1, len(entry.paragraphs) + 1)]
    status = "authentic" if any(s.trusted for s in signers) else "untrusted"
    return VerifyReport(status, entry.version_id, signers, paragraphs)


# ------------------------------------------------------------ files and folders
# What the carrying commands do with paths. The CLI names the files; these open,
# write and close them, so that ``cli/`` never touches ``transports/`` itself.


def export_to_file(
    store: Store, ref: str, out: Path, rng: Rng, *, history: bool = False,
    now: int | None = None,
) -> tuple[ReadCap, int]:
    """Seal the version ``ref`` names into one bundle file ``out`` (``-``: standard
    output); return the capability and the bytes written. With ``now``, the bundle
    carries this node's reach sketch (``app/reach.py``)."""
    from samizdat.transports.bundle import seal_to_files

    written: list[int] = []
    sketch = None if now is None else (rng, now)
    cap = seal_to_files(_ref_package(store, ref, history, sketch), [out], k=1, rng=rng,
                        written=written)
    return cap, written[0]


def disperse_to_folder(
    store: Store, ref: str, k: int, n: int, folder: Path, rng: Rng, *, history: bool = False
) -> tuple[ReadCap, list[Path]]:
    """Seal the version ``ref`` names into ``n`` shard files with random names in
    ``folder`` (made if needed), any ``k`` of which rebuild it."""
    from samizdat.transports.bundle import seal_to_files

    if not 1 <= k <= n <= 255:
        raise UsageError("need 1 <= k <= n <= 255", hint="for example --k 3 --n 10")
    package = _ref_package(store, ref, history)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / rng(8).hex() for _ in range(n)]
    return seal_to_files(package, paths, k=k, rng=rng), paths


def _file_sources(paths: Iterable[Path]) -> list[ShardSource]:
    from samizdat.transports.bundle import FileSource, shard_paths

    return [FileSource(p) for p in shard_paths(paths)]


def import_file(store: Store, path: Path, cap: ReadCap, now: int) -> ImportResult:
    """Open the bundle file ``path`` with ``cap``, verify it and store it."""
    from samizdat.transports.bundle import FileSource

    return recover_sources(store, [FileSource(path)], cap, now)


def recover_files(
    store: Store, paths: Iterable[Path], cap: ReadCap, now: int
) -> ImportResult:
    """:func:`recover` from shard files, or folders holding them."""
    return recover_sources(store, _file_sources(paths), cap, now)


def verify_bundle_files(
    store: Store, path: Path, cap: ReadCap, policy: Anchors | None = None
) -> VerifyReport:
    """:func:`verify_bundle` for a bundle file or a folder of shards."""
    return verify_bundle(store, _file_sources([path]), cap, policy)


def deaddrop_sync_folder(
    store: Store, folder: Path, key: DropKey | None, rng: Rng, now: int
) -> DropReport:
    """``deaddrop sync``: remember ``key`` if one is given, else choose the one this
    folder was used with, then :func:`deaddrop_sync`."""
    drop = DeadDrop(folder)
    if key is not None:
        remember_drop_key(store, key, now)
    else:
        key = choose_drop_key(store, drop)
    return deaddrop_sync(store, drop, key, rng, now=now)
