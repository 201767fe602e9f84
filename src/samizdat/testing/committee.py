"""A committee-final version made in one process, for tests and benchmarks.

Two stores run a real 2-of-2 key generation and FROST signing round through the
committee use cases (nothing is faked); the first store keeps the final version and
the committee's public key file is written beside it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from samizdat.app import committee as committee_app
from samizdat.app import documents as docs
from samizdat.core.crypto import SecretBytes
from samizdat.core.text import normalize
from samizdat.store.store import Store

__all__ = ["InProcessFinal", "final_version"]

_NOW = 1_700_000_000


@dataclass(frozen=True)
class InProcessFinal:
    """Where the final version is: the member store's home (opened with the
    passphrase given), the version id, the group key and its public key file."""

    home: Path
    version: bytes
    group_key: bytes
    pub: Path


def final_version(where: Path, text: str, title: str,
                  passphrase: SecretBytes) -> InProcessFinal:
    """Draft ``text`` in a new member store under ``where`` and finalize it there."""
    stores = [Store.create(where / f"m{i}", passphrase) for i in (1, 2)]
    try:
        r1 = [committee_app.dkg1(s, "c", 2, 2, i, os.urandom, _NOW)
              for i, s in enumerate(stores, start=1)]
        r2 = [committee_app.dkg2(s, "c", r1, _NOW, os.urandom) for s in stores]
        group_key = b""
        for s in stores:
            group_key = committee_app.dkg3(s, "c", r2, _NOW).group_key
        _, vid = docs.draft_new(stores[0], normalize(text).paragraphs, title, os.urandom, _NOW)
        rec = stores[0].version(vid)
        doc = stores[0].document(rec.doc_id)
        stores[1].add_document(rec.doc_id, doc.title, doc.created)
        stores[1].add_version(rec, list(stores[0].paragraphs(vid)))
        commits = [committee_app.commit(s, "c", os.urandom, _NOW) for s in stores]
        shares = [committee_app.sign(s, "c", vid, commits, os.urandom) for s in stores]
        committee_app.finalize(stores[0], "c", vid, [*commits, *shares], os.urandom)
        pub = where / "committee.pub"
        pub.write_text(committee_app.export(stores[0], "c"))
    finally:
        for s in stores:
            s.close()
    return InProcessFinal(where / "m1", vid, group_key, pub)
