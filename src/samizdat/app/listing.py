"""``samizdat list``: what is in the store, one line a document.

Built from a handful of queries over the whole store (documents, versions,
parents, signatures), never one query a version, so that a store of 10,000
documents and 100,000 versions lists in well under a second (``bench/bench_list.py``).
Signatures are not verified again here: the store keeps only signatures that were
verified when they were added, and ``verify`` re-checks them on every use. Trust is
the policy of :mod:`samizdat.app.trust`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from operator import itemgetter

from samizdat.app import trust
from samizdat.store import Store
from samizdat.store.documents import MIN_PREFIX

__all__ = ["DocumentSummary", "list_documents", "shortest_prefixes", "title_key"]


@dataclass(frozen=True)
class DocumentSummary:
    """One document as ``list`` shows it.

    ``final``: a trusted committee signed a version; ``untrusted_final``: only
    committees nobody here trusts did ("final by an untrusted committee");
    ``trusted``: some version is signed by a trust anchor; ``duplicate_title``:
    another document here has the same title (one of them may impersonate the
    other).
    """

    document: bytes
    short: str
    title: str
    heads: tuple[bytes, ...]
    versions: int
    final: bool
    untrusted_final: bool
    trusted: bool
    duplicate_title: bool
    comments: int = 0
    circle: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "document": self.document.hex(),
            "short": self.short,
            "title": self.title,
            "heads": [h.hex() for h in self.heads],
            "final": self.final,
            "untrusted_final": self.untrusted_final,
            "trusted": self.trusted,
            "versions": self.versions,
            "duplicate_title": self.duplicate_title,
            "comments": self.comments,
            "circle": self.circle,
        }


def title_key(title: str) -> str:
    """Titles that a reader would take for the same: NFKC, case and spacing folded."""
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def shortest_prefixes(targets: list[bytes], others: list[bytes],
                      minimum: int = MIN_PREFIX) -> dict[bytes, str]:
    """For each id in ``targets``, the shortest hex prefix (at least ``minimum``
    characters) that no other id in ``targets`` or ``others`` starts with.

    Only ids that share the first ``minimum`` hex digits can make a prefix longer,
    so ids are bucketed by those digits and only crowded buckets are searched.
    """
    cut = minimum // 2  # whole bytes within the first ``minimum`` digits
    every = set(targets).union(others)
    buckets = Counter(i[:cut] for i in every)
    out: dict[bytes, str] = {}
    crowded: dict[bytes, list[bytes]] = defaultdict(list)
    for ident in targets:
        if buckets[ident[:cut]] > 1:
            crowded[ident[:cut]] = []
        else:
            out[ident] = ident.hex()[:minimum]
    for ident in every:
        if ident[:cut] in crowded:
            crowded[ident[:cut]].append(ident)
    for ident in targets:
        if ident in out:
            continue
        h = ident.hex()
        need = minimum
        for other in crowded[ident[:cut]]:
            if other == ident:
                continue
            o = other.hex()
            common = next((k for k, (x, y) in enumerate(zip(h, o, strict=False)) if x != y),
                          min(len(h), len(o)))
            need = max(need, common + 1)
        out[ident] = h[:need]
    return out


def list_documents(store: Store) -> list[DocumentSummary]:
    """Every document in the store, oldest first (see :class:`DocumentSummary`)."""
    policy = trust.anchors(store)
    db = store.db
    docs = [(int(r[0]), bytes(r[1]), str(r[2]))
            for r in db.query("SELECT id, doc_id, title FROM documents ORDER BY id")]
    # whole-column work in C (set difference, zip, Counter over map), no per-row
    # Python: 100,000 versions cost about as much as fetching them
    rows = db.query("SELECT document, version_id FROM versions ORDER BY id")
    version_ids = list(map(itemgetter(1), rows))
    counts = Counter(map(itemgetter(0), rows))
    head_set = set(version_ids).difference(
        map(itemgetter(0), db.query("SELECT parent FROM version_parents")))
    doc_of = dict(zip(version_ids, map(itemgetter(0), rows), strict=True))
    heads: dict[int, list[bytes]] = defaultdict(list)
    for vid in [v for v in version_ids if v in head_set]:  # heads: nobody's parent
        heads[doc_of[vid]].append(bytes(vid))
    doc_ids = {d[0]: d[1] for d in docs}
    flags: dict[int, set[str]] = defaultdict(set)
    for r in db.query("SELECT DISTINCT v.document, s.kind, s.key FROM signatures s "
                      "JOIN versions v ON v.id = s.version"):
        owner, kind, key = int(r[0]), str(r[1]), bytes(r[2])
        ok = policy.trusts(kind, key, doc_ids[owner])
        if ok:
            flags[owner].add("trusted")
        if kind == "committee":
            flags[owner].add("final" if ok else "untrusted_final")
    comments = {bytes(r[0]): int(r[1]) for r in db.query(
        "SELECT doc_id, COUNT(*) FROM comments_items GROUP BY doc_id")}
    from samizdat.app.circle import document_circle_names

    circles = document_circle_names(store, [d for _i, d, _t in docs])
    keys = {i: title_key(t) for i, _d, t in docs}
    titles = Counter(keys.values())
    short = shortest_prefixes([d for _i, d, _t in docs], version_ids)
    out = []
    for i, doc_id, title in docs:
        f = flags.get(i, set())
        out.append(DocumentSummary(
            doc_id, short[doc_id], title, tuple(heads.get(i, ())), counts.get(i, 0),
            "final" in f, "untrusted_final" in f and "final" not in f, "trusted" in f,
            titles[keys[i]] > 1, comments.get(doc_id, 0), circles.get(doc_id)))
    return out
