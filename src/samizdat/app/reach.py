"""How far did it spread: this node's reach sketches, carried and combined.

The sketch itself (tokens, registers, merge, estimate, admission) is pure and lives
in :mod:`samizdat.core.reach`; this module keeps it in the store and moves it:

* :func:`own` draws this node's token for a document once (``store/reach.py``) and
  gives its contribution;
* :func:`view` is what this node passes on and reports: its contribution merged with
  what the sources sent, by the robust rule of :func:`samizdat.core.reach.combine`;
* :class:`SketchExchange` (:func:`outgoing` / :func:`incoming`): the SKETCH frame of
  one network session, documents named by pair-keyed ids
  (``core.reach.pair_document_id``), for documents this node shares (a sketch for
  a document it does not pass on would tell a contact that holds it that this node
  holds it too);
* :func:`package_part` / :func:`take_part`: the optional sketch inside a bundle or a
  dead-drop file (``docs/spec/package.md``);
* :func:`report`: ``samizdat reach DOC``.

A sketch that decodes but that no honest union of tokens can produce
(:func:`samizdat.core.reach.admit`) is dropped and nothing is stored; sketches that
do not decode never get here (the session, or the package decoder, refuses them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from samizdat.core import reach
from samizdat.core.crypto import Rng, blake3_hash
from samizdat.core.reach import ReachSketch
from samizdat.errors import DecodeError, NotFound, RemoteProtocolError
from samizdat.protocol.frames import FrameType
from samizdat.store import Store
from samizdat.store import reach as tables
from samizdat.store.contacts import ContactBook

__all__ = [
    "BUNDLE_SOURCE",
    "ReachReport",
    "SketchExchange",
    "contact_source",
    "draw_token",
    "drop_source",
    "incoming",
    "outgoing",
    "own",
    "package_part",
    "report",
    "take_part",
    "view",
]

BUNDLE_SOURCE = "bundle"
"""The source of sketches that came inside imported bundles (no sender is known)."""


def contact_source(pair_key: bytes) -> str:
    """The label under which one contact pair's sketches are kept (in the store only)."""
    return "pair:" + blake3_hash(b"samizdat reach v1 source" + pair_key)[:8].hex()


def drop_source(drop_id: bytes) -> str:
    """The label under which one dead drop's sketches are kept."""
    return "drop:" + blake3_hash(b"samizdat reach v1 source" + drop_id)[:8].hex()


def own(store: Store, doc_id: bytes, rng: Rng, now: int) -> ReachSketch:
    """This node's contribution for ``doc_id`` (its token drawn on first use)."""
    with store.transaction():
        tok = tables.token(store.db, doc_id, rng(32), "reader", now)
    return reach.contribution(tok.token, tok.role)


def draw_token(store: Store, version_id: bytes, rng: Rng, now: int) -> None:
    """Draw this node's token for the document of ``version_id`` if it has none
    (when it starts sharing it; the caller holds the transaction)."""
    if store.has_version(version_id):
        tables.token(store.db, store.version(version_id).doc_id, rng(32), "reader", now)


def _known_view(store: Store, doc_id: bytes) -> ReachSketch:
    """:func:`view` without drawing a token (a session never writes to the store
    before the peer has sent something that verifies)."""
    tok = tables.find_token(store.db, doc_id)
    mine = ReachSketch.empty() if tok is None else reach.contribution(tok.token, tok.role)
    return reach.combine(mine, [s.sketch for s in tables.sketches(store.db, doc_id)])


def view(store: Store, doc_id: bytes, rng: Rng, now: int) -> ReachSketch:
    """What this node knows and passes on: its own contribution and the sources'
    sketches, combined by :func:`samizdat.core.reach.combine` (a source claiming far
    more than the others is left out while it does)."""
    return reach.combine(own(store, doc_id, rng, now),
                         [s.sketch for s in tables.sketches(store.db, doc_id)])


def _shared_documents(store: Store) -> list[bytes]:
    docs: dict[bytes, None] = {}
    for vid in ContactBook(store.db).shared():
        if store.has_version(vid):
            docs.setdefault(store.version(vid).doc_id)
    return list(docs)


def outgoing(store: Store, pair_key: bytes, rng: Rng, now: int) -> bytes | None:
    """The SKETCH frame payload for one session: the view of each shared document
    (at most :data:`~samizdat.core.reach.MAX_FRAME_SKETCHES`, oldest shares first);
    None when this node shares nothing."""
    docs = _shared_documents(store)[: reach.MAX_FRAME_SKETCHES]
    if not docs:
        return None
    return reach.encode_sketch_frame([(reach.pair_document_id(pair_key, d),
                                       _known_view(store, d)) for d in docs])


def _admitted(sketch: ReachSketch) -> bool:
    try:
        reach.admit(ReachSketch.empty(), sketch)
    except DecodeError:
        return False
    return True


def incoming(store: Store, pair_key: bytes, entries: Sequence[tuple[bytes, ReachSketch]],
             now: int) -> int:
    """Keep the sketches a contact sent (per contact); returns how many raised a
    register of what that contact had sent before (the node then passes the news
    on). Ids that name no document held here, and sketches :func:`admit` refuses,
    are dropped."""
    if not entries:
        return 0
    ids = {reach.pair_document_id(pair_key, d.doc_id): d.doc_id for d in store.documents()}
    source = contact_source(pair_key)
    changed = 0
    with store.transaction():
        for pid, sketch in entries:
            doc = ids.get(pid)
            if doc is not None and _admitted(sketch):
                changed += tables.put_sketch(store.db, doc, source, sketch, now)
    return changed


class SketchExchange:
    """The reach sketches of one network session: a
    :class:`samizdat.protocol.session.Extension` of frame type SKETCH. The session
    sends :meth:`opening` after our WANT; the peer's one SKETCH frame is decoded on
    arrival (a malformed one ends the session, nothing stored) and kept by
    :meth:`finish` once the session closed, so a document that arrived in the same
    session is matched too."""

    frame_type = FrameType.SKETCH

    def __init__(self, store: Store, pair_key: bytes, rng: Rng,
                 clock: Callable[[], int]) -> None:
        self._store = store
        self._key = pair_key
        self._rng = rng
        self._clock = clock
        self._got: list[tuple[bytes, ReachSketch]] | None = None
        self.bytes_out = 0

    def __repr__(self) -> str:
        return "SketchExchange(<pair>)"

    def opening(self) -> bytes | None:
        payload = outgoing(self._store, self._key, self._rng, self._clock())
        self.bytes_out = 0 if payload is None else len(payload)
        return payload

    def receive(self, payload: bytes) -> None:
        if self._got is not None:
            raise RemoteProtocolError("the peer sent two SKETCH frames")
        self._got = reach.decode_sketch_frame(payload)

    def finish(self) -> bool:
        """Keep what arrived; whether it told us something new."""
        got, self._got = self._got or [], []
        return incoming(self._store, self._key, got, self._clock()) > 0


def package_part(store: Store, doc_id: bytes, rng: Rng, now: int) -> bytes:
    """The sketch to put inside a bundle or dead-drop file of ``doc_id``."""
    return view(store, doc_id, rng, now).encode()


def take_part(store: Store, doc_id: bytes, part: bytes, source: str, now: int) -> bool:
    """Keep the sketch that came inside a package of ``doc_id`` (already decoded
    once by the package decoder); False if :func:`admit` refused it."""
    sketch = reach.decode_sketch(part)
    if not _admitted(sketch):
        return False
    with store.transaction():
        tables.put_sketch(store.db, doc_id, source, sketch, now)
    return True


@dataclass(frozen=True)
class ReachReport:
    document: bytes
    estimate: int
    low: int
    high: int
    as_of: int
    sources: int
    holders: int

    def as_json(self) -> dict[str, Any]:
        return {"document": self.document.hex(), "estimate": self.estimate, "low": self.low,
                "high": self.high, "as_of": self.as_of, "sources": self.sources,
                "holders": self.holders}


def report(store: Store, ref: str, rng: Rng, now: int) -> ReachReport:
    """``samizdat reach DOC``: the estimate from every sketch that arrived, with its
    interval (±3 standard errors); ``as_of`` is when the latest one arrived.
    :class:`NotFound` for an unknown document or one no sketch has arrived for yet."""
    from samizdat.app.documents import document_for

    doc_id, _ = document_for(store, ref)
    arrived = tables.sketches(store.db, doc_id)
    if not arrived:
        raise NotFound(
            f"no reach sketch has arrived for document {doc_id.hex()[:16]} yet",
            hint="sync with contacts, import a bundle or sync a dead drop, then ask again",
        )
    est = reach.estimate_readers(view(store, doc_id, rng, now))
    return ReachReport(
        document=doc_id,
        estimate=round(est.readers),
        low=math.floor(est.low),
        high=math.ceil(est.high),
        as_of=max(s.received for s in arrived),
        sources=len(arrived),
        holders=round(est.holders),
    )
