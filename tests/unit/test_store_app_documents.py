"""The documents use cases against a real store, in one process: streaming,
idempotence, pseudonyms, verify's choice of candidates and who counts as a signer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samizdat.app import documents as app
from samizdat.app.committee import statement_for
from samizdat.core import crypto, versions
from samizdat.core.crypto import SecretBytes
from samizdat.errors import NotFound, TextError, UsageError
from samizdat.store import Store

TEXT = ["The first paragraph of the appeal.", "The second, about the village.",
        "Read this, copy it, pass it on."]


@pytest.fixture
def store(tmp_path: Path):
    s = Store.create(tmp_path / "h", SecretBytes(b"pw"))
    yield s
    s.close()


def test_parse_size() -> None:
    assert app.parse_size("64M") == 64 << 20
    assert app.parse_size("1g") == 1 << 30
    assert app.parse_size("300MiB") == 300 << 20
    assert app.parse_size("5000") == 5000
    for bad in ("", "M", "1.5G", "-3", "12X"):
        with pytest.raises(UsageError):
            app.parse_size(bad)


def test_draft_from_file_streams_and_matches_the_text_model(store: Store, tmp_path: Path
                                                            ) -> None:
    path = tmp_path / "t.txt"
    path.write_text("\n\n".join(TEXT) + "\n")
    doc, ver = app.draft_new(store, path, "Appeal", os.urandom, 1)
    record = store.version(ver)
    v = versions.decode_version(record.encoded)
    assert v.version_id == ver and v.document == doc
    from samizdat.core.text import digest_paragraphs, paragraph_hash

    assert v.text_id == digest_paragraphs(TEXT).text_id
    assert store.leaf_hashes(ver) == [paragraph_hash(p) for p in TEXT]
    assert list(app.paragraphs_of(store, ver)) == TEXT
    # the document's genesis object is kept and names the same id
    encoded = store.document_encoding(doc)
    assert encoded is not None and versions.decode_document(encoded).document_id == doc


def test_an_empty_text_leaves_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("   \n\n\t\n")
    with pytest.raises(TextError):
        app.draft_new(store, path, "T", os.urandom, 1)
    assert store.documents() == []


def test_revising_with_the_same_text_twice_gives_distinct_versions(store: Store) -> None:
    doc, v1 = app.draft_new(store, TEXT, "Appeal", os.urandom, 1)
    path_versions = [v1]
    for _ in range(2):
        _d, v, parents = app.draft_revise(store, doc.hex(), _write(store, TEXT), 2)
        assert parents == [path_versions[-1]]
        path_versions.append(v)
    assert len(set(path_versions)) == 3
    assert [e.version for e in app.document_log(store, doc)] == path_versions


def _write(store: Store, paragraphs: list[str]) -> Path:
    path = store.home / "revision.txt"
    path.write_text("\n\n".join(paragraphs))
    return path


def test_sign_uses_one_pseudonym_per_document_never_the_identity(store: Store) -> None:
    _d1, v1 = app.draft_new(store, TEXT, "A", os.urandom, 1)
    _d2, v2 = app.draft_new(store, TEXT[:1], "B", os.urandom, 1)
    _, k1 = app.sign(store, v1.hex(), os.urandom)
    _, k2 = app.sign(store, v2.hex(), os.urandom)
    assert k1 != k2 and store.identity_key() not in (k1, k2)
    # its own pseudonym is a trust anchor of this store, for that document
    assert app.signers(store, store.version(v1)) == [app.Signer("author", k1, trusted=True)]


def test_a_forged_author_signature_does_not_count(store: Store) -> None:
    _d, v = app.draft_new(store, TEXT, "A", os.urandom, 1)
    seed = os.urandom(32)
    store.add_signature(v, "author", crypto.ed25519_public_key(seed), bytes(64))
    assert app.signers(store, store.version(v)) == []
    assert app.verify_paragraphs(store, TEXT).status == "unknown"


def test_committee_signatures_count_only_when_trusted_and_valid(store: Store) -> None:
    _d, v = app.draft_new(store, TEXT, "A", os.urandom, 1)
    stranger = crypto.ed25519_public_key(os.urandom(32))
    store.add_signature(v, "committee", stranger, os.urandom(64))
    assert app.signers(store, store.version(v)) == []  # not trusted
    store.add_trusted(stranger, "committee", "x", b"", 1)
    assert app.signers(store, store.version(v)) == []  # trusted, but does not verify
    assert not any(s.kind == "committee" for s in app.verify_paragraphs(store, TEXT).signers)


def test_verify_prefers_the_closest_signed_version(store: Store) -> None:
    doc, v1 = app.draft_new(store, TEXT, "A", os.urandom, 1)
    revised = [*TEXT[:2], "A new closing line.", TEXT[2]]
    _d, v2, _p = app.draft_revise(store, doc.hex(), _write(store, revised), 2)
    for v in (v1, v2):
        app.sign(store, v.hex(), os.urandom)
    assert app.verify_paragraphs(store, revised).version == v2
    report = app.verify_paragraphs(store, TEXT)
    assert report.version == v1 and report.status == "authentic"
    altered = [TEXT[0], "The second, about the town.", TEXT[2]]
    report = app.verify_paragraphs(store, altered)
    assert report.status == "altered" and report.version == v1
    assert [(p.index, p.status) for p in report.paragraphs if p.status != "same"] == [
        (2, "changed")]


def test_read_of_a_document_prefers_final_then_latest(store: Store) -> None:
    doc, v1 = app.draft_new(store, TEXT, "A", os.urandom, 1)
    _d, v2, _p = app.draft_revise(store, doc.hex(), _write(store, TEXT[:2]), 2)
    assert app.version_for(store, doc.hex()) == v2
    store.add_signature(v1, "committee", os.urandom(32), os.urandom(64))
    assert app.version_for(store, doc.hex()) == v2  # a bogus "final" makes nothing final
    # a committee key (one Ed25519 key stands in for the group key: same signature)
    seed = os.urandom(32)
    key = crypto.ed25519_public_key(seed)
    body = statement_for(store, v1).encode()
    store.add_signature(v1, "committee", key, crypto.ed25519_sign(seed, body))
    assert app.version_for(store, doc.hex()) == v2  # valid, but nobody trusts that key
    assert app.document_log(store, doc)[0].final_words == "final by an untrusted committee"
    store.add_trusted(key, "committee", "c", b"", 1)
    assert app.version_for(store, doc.hex()[:8]) == v1
    assert app.document_log(store, doc)[0].final_words == "final"
    with pytest.raises(NotFound):
        app.version_for(store, "ffffffffff")
