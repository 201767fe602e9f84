"""The trust policy in one process against a real store: which version decides,
``also_matches``, the weak-match rule, and the bound on a copy's paragraphs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from samizdat.app import documents as app
from samizdat.app import trust
from samizdat.core import crypto, text, versions
from samizdat.core.crypto import SecretBytes
from samizdat.errors import TextError
from samizdat.store import Store, VersionRecord

TEXT = ["The first paragraph of the appeal, about the leadership.",
        "The second, about the village and the famine.",
        "Read this, copy it, pass it on."]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.create(tmp_path / "h", SecretBytes(b"pw"))
    yield s
    s.close()


def _foreign(store: Store, paragraphs: list[str], title: str) -> tuple[bytes, bytes, bytes]:
    """A document made and signed elsewhere (a pseudonym this store does not hold),
    as an import would leave it: (document, version, author key)."""
    doc = versions.make_document(title, os.urandom)
    store.add_document(doc.document_id, title, 1, encoded=versions.encode_document(doc))
    digest = text.digest_paragraphs(paragraphs)
    version = versions.Version.create(doc.document_id, digest.text_id, digest.paragraphs,
                                      digest.text_sha256, ())
    store.add_version(VersionRecord(version.version_id, doc.document_id, digest.text_id,
                                    versions.encode_version(version), (), digest.paragraphs,
                                    2), [p.encode() for p in paragraphs])
    seed = os.urandom(32)
    sig = versions.sign_version(SecretBytes(seed, "author key"), version)
    store.add_signature(version.version_id, "author", sig.public_key, sig.signature)
    return doc.document_id, version.version_id, crypto.ed25519_public_key(seed)


def test_identical_to_an_untrusted_version_only(store: Store) -> None:
    _d, v, key = _foreign(store, TEXT, "Appeal")
    report = app.verify_paragraphs(store, TEXT)
    assert report.status == "untrusted" and report.version == v
    assert report.signers == [app.Signer("author", key, trusted=False)]
    assert all(p.status == "same" for p in report.paragraphs)


def test_a_forgery_is_judged_against_the_trusted_version(store: Store) -> None:
    _d, real = app.draft_new(store, TEXT, "Appeal", os.urandom, 1)  # own pseudonym: trusted
    app.sign(store, real.hex(), os.urandom)
    forged = [TEXT[0], "The second, about the village and the harvest.", TEXT[2]]
    _fd, fake, key = _foreign(store, forged, "Appeal")
    report = app.verify_paragraphs(store, forged)
    assert report.status == "altered" and report.version == real
    assert [(p.index, p.status) for p in report.paragraphs if p.status != "same"] == [
        (2, "changed")]
    assert report.also_matches == [(fake, [app.Signer("author", key, trusted=False)])]
    assert report.to_json()["also_matches"] == [{
        "version": fake.hex(),
        "signers": [{"kind": "author", "key": key.hex(), "trusted": False}]}]


def test_a_shared_closing_line_does_not_make_an_unrelated_text_altered(store: Store) -> None:
    """Two documents share only "Read this, copy it, pass it on.": the copy of the
    untrusted one is untrusted, not an alteration of the trusted one."""
    _d, real = app.draft_new(store, TEXT, "Appeal", os.urandom, 1)
    app.sign(store, real.hex(), os.urandom)
    other = ["A leaflet about the bread queues.", "Another about the prices.",
             "A third about wages.", "A fourth about the factory.", TEXT[2]]
    _od, leaflet, _k = _foreign(store, other, "Leaflet")
    report = app.verify_paragraphs(store, other)
    assert report.status == "untrusted" and report.version == leaflet


def test_the_one_shot_key_replaces_every_anchor(store: Store) -> None:
    _d, real = app.draft_new(store, TEXT, "Appeal", os.urandom, 1)
    _, mine = app.sign(store, real.hex(), os.urandom)
    stranger = crypto.ed25519_public_key(os.urandom(32))
    assert app.verify_paragraphs(store, TEXT, trust.one_shot(stranger)).status == "untrusted"
    assert app.verify_paragraphs(store, TEXT, trust.one_shot(mine)).status == "authentic"


def test_a_copy_with_too_many_paragraphs_is_refused_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "many.txt"
    path.write_text("\n\n".join(str(i) for i in range(5000)))
    assert len(app.read_paragraphs(path, max_paragraphs=5000)) == 5000
    with pytest.raises(TextError, match="more than 4,999 paragraphs"):
        app.read_paragraphs(path, max_paragraphs=4999)
