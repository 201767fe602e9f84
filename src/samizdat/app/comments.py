"""``draft comment`` and the comments ``read --comments`` and ``log`` show.

A comment is written on one paragraph of one version, under this store's pseudonym
for the document (``core/comments.py``). Shown on another version, it sits on the
paragraph with the same text (same hash) wherever that paragraph now is, and is
*outdated* when no paragraph there has that text any more.
"""

from __future__ import annotations

from dataclasses import dataclass

from samizdat.app.documents import author_seed, paragraphs_of
from samizdat.core.comments import Comment, decode_comment
from samizdat.core.crypto import Rng
from samizdat.core.text import normalize_inline, paragraph_hash
from samizdat.errors import BadSignature, InputError
from samizdat.store import Store
from samizdat.store import comments as tables

__all__ = ["CommentView", "add_comment", "comment_counts", "comments_on"]


@dataclass(frozen=True)
class CommentView:
    """A comment as seen from one version: on its paragraph ``paragraph`` there
    (``None`` when outdated), written on ``written_on`` at paragraph ``original``."""

    comment_id: bytes
    author: bytes
    text: str
    created: int
    written_on: bytes
    original: int
    paragraph: int | None

    @property
    def outdated(self) -> bool:
        return self.paragraph is None


def add_comment(store: Store, prefix: str, paragraph: int, text: str, now: int,
                rng: Rng) -> tuple[bytes, bytes, int]:
    """Comment on paragraph ``paragraph`` (1-based) of a version; returns
    (comment id, version id, paragraph)."""
    version = store.find_version(prefix)
    record = store.version(version)
    paragraphs = list(paragraphs_of(store, version))
    if not 1 <= paragraph <= len(paragraphs):
        raise InputError(f"version {version.hex()[:16]} has no paragraph {paragraph}",
                         hint=f"it has paragraphs 1 to {len(paragraphs)} ('samizdat read')")
    body = normalize_inline(text)
    if not body:
        raise InputError("the comment is empty", hint="give the comment's text")
    comment = Comment(record.doc_id, version, paragraph,
                      paragraph_hash(paragraphs[paragraph - 1]), body, now)
    with store.transaction():
        seed = author_seed(store, record.doc_id, rng)
        public, signature = comment.sign(seed.reveal())
        tables.add(store.db, record.doc_id,
                   tables.CommentRecord(comment.comment_id, comment.encode(), public, signature))
    return comment.comment_id, version, paragraph


def comments_on(store: Store, version: bytes) -> list[CommentView]:
    """Every comment on the document of ``version``, placed on that version's
    paragraphs; a comment whose signature does not hold is left out."""
    doc_id = store.version(version).doc_id
    where = {paragraph_hash(p): i for i, p in reversed(list(enumerate(
        paragraphs_of(store, version), start=1)))}
    out = []
    for rec in tables.for_document(store.db, doc_id):
        c = decode_comment(rec.encoded)
        try:
            c.verify(rec.author, rec.signature)
        except BadSignature:
            continue
        here = c.paragraph if c.version == version else where.get(c.paragraph_hash)
        out.append(CommentView(rec.comment_id, rec.author, c.text, c.created, c.version,
                               c.paragraph, here))
    return out


def comment_counts(store: Store, doc_id: bytes) -> dict[bytes, int]:
    """How many comments were written on each version of a document."""
    counts: dict[bytes, int] = {}
    for rec in tables.for_document(store.db, doc_id):
        v = decode_comment(rec.encoded).version
        counts[v] = counts.get(v, 0) + 1
    return counts
