"""The package: the plaintext inside an envelope, i.e. everything needed to store and
verify one version somewhere else.

A package holds a document's genesis object, one version, that version's normalized
paragraphs, its author signatures and zero or more committee finals (statement bytes,
the FROST signature and the group key), and optionally earlier versions of the same
document (each with its text and signatures) so that a recipient can show the
history. Its encoding is one version byte then canonical CBOR
(:mod:`samizdat.core.cbor`); ``docs/spec/package.md`` specifies it::

    0x01 || {"doc": bstr, ?"reach": bstr, "authors": [bstr], "history": [entry],
             "version": bstr, "committee": [final], "paragraphs": [tstr]}
    entry = {"authors": [bstr], "version": bstr, "committee": [final],
             "paragraphs": [tstr]}
    final = {"key": bstr32, "comment": tstr, "signature": bstr64,
             "statement": bstr, "comment_signature": bstr (empty or 64)}

``paragraphs`` is the last key in canonical order (keys sort by length first), so a
streaming writer can put the large part last.

:func:`decode_package` checks structure only; :func:`check_package` then checks
everything a recipient must know before storing it: the document id, that the text
gives the version's text id, paragraph count and text SHA-256, that each paragraph is
in normal form, that every author signature verifies on this version and every
committee statement names exactly this version and verifies under its key. A package
that fails any check is rejected whole: no part of it is trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from samizdat.core import cbor
from samizdat.core.crypto import ED25519_PUBLIC_BYTES, ED25519_SIGNATURE_BYTES, ed25519_verify
from samizdat.core.reach import SKETCH_BYTES, decode_sketch
from samizdat.core.statement import MAX_STATEMENT_BYTES, Statement, trusted_comment
from samizdat.core.text import digest_paragraphs, normalize, paragraph_hash
from samizdat.core.versions import (
    AuthorSignature,
    Document,
    Version,
    decode_author_signature,
    decode_document,
    decode_version,
    encode_author_signature,
    encode_document,
    encode_version,
    verify_author_signature,
)
from samizdat.errors import (
    BadSignature,
    DecodeError,
    SamizdatError,
    TextError,
    VerificationFailed,
)

__all__ = [
    "MAX_PACKAGE_BYTES",
    "PACKAGE_VERSION",
    "CommitteeFinal",
    "Entry",
    "Package",
    "check_package",
    "decode_package",
    "encode_package",
    "statement_for",
]

PACKAGE_VERSION: Final = 1
MAX_PACKAGE_BYTES: Final = 1 << 30
"""Largest package accepted (1 GiB): also the output limit when opening one."""
MAX_HISTORY: Final = 4096
MAX_SIGNATURES: Final = 64
MAX_FINALS: Final = 16


@dataclass(frozen=True)
class CommitteeFinal:
    """A committee's "version V is final": the exact statement bytes, one Ed25519
    (FROST) signature over them, and the group key. Nothing about the members.

    ``comment`` and ``comment_signature`` are minisign's trusted comment and its
    global signature (over ``signature || comment``), so that a recipient can write
    a ``.minisig`` file stock ``minisign -V`` accepts; ``comment_signature`` is
    empty when the committee has not made one.
    """

    group_key: bytes
    signature: bytes = field(repr=False)
    statement: bytes = field(repr=False)
    comment: str = ""
    comment_signature: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class Entry:
    """One version with its text and its signatures."""

    version: Version
    paragraphs: tuple[str, ...] = field(repr=False)
    authors: tuple[AuthorSignature, ...] = ()
    committee: tuple[CommitteeFinal, ...] = ()

    @property
    def version_id(self) -> bytes:
        return self.version.version_id


@dataclass(frozen=True)
class Package:
    """A document's genesis, one version (``entry``) and, optionally, some of its
    earlier versions (``history``, parents before children)."""

    document: Document
    entry: Entry
    history: tuple[Entry, ...] = ()
    reach: bytes | None = field(default=None, repr=False)
    """Optional: the sender's reach sketch for the document (``docs/spec/reach.md``),
    in bundles and dead-drop files; exactly a sketch ``decode_sketch`` accepts."""


def statement_for(document: Document, version: Version, paragraphs: Sequence[str]) -> bytes:
    """The canonical statement a committee signs for this version (see
    :mod:`samizdat.core.statement`)."""
    return Statement(
        document=document.document_id,
        title=document.title,
        version=version.version_id,
        text_id=version.text_id,
        text_sha256=version.text_sha256,
        paragraph_hashes=tuple(paragraph_hash(p) for p in paragraphs),
    ).encode()


# ------------------------------------------------------------------ encoding


def _final_value(f: CommitteeFinal) -> dict[str | int, cbor.Value]:
    return {
        "key": f.group_key,
        "signature": f.signature,
        "statement": f.statement,
        "comment": f.comment,
        "comment_signature": f.comment_signature,
    }


def _entry_value(e: Entry) -> dict[str | int, cbor.Value]:
    return {
        "version": encode_version(e.version),
        "authors": [encode_author_signature(s) for s in e.authors],
        "committee": [_final_value(f) for f in e.committee],
        "paragraphs": list(e.paragraphs),
    }


def encode_package(package: Package) -> bytes:
    """The one canonical encoding of ``package``."""
    body = _entry_value(package.entry)
    body["doc"] = encode_document(package.document)
    body["history"] = [_entry_value(e) for e in package.history]
    if package.reach is not None:
        decode_sketch(package.reach)  # never write what a reader would refuse
        body["reach"] = package.reach
    return bytes([PACKAGE_VERSION]) + cbor.encode(body)


_TOP_PAIRS: Final = 6
_ENTRY_PAIRS: Final = 4
# every small part of a package has a size limit, so one item never costs more
# than its limit whatever the input says
_MAX_OBJECT_BYTES: Final = 64 * 1024
_MAX_COMMENT_BYTES: Final = 1024


def _decode_final(r: cbor.Reader) -> CommitteeFinal:
    # canonical key order: key, comment, signature, statement, comment_signature
    what = "package: a committee final"
    r.map_head(5, what)
    r.key("key", what)
    group_key = r.bytes_("package: a group key", ED25519_PUBLIC_BYTES)
    r.key("comment", what)
    comment = r.text("package: a trusted comment", _MAX_COMMENT_BYTES)
    r.key("signature", what)
    signature = r.bytes_("package: a committee signature", ED25519_SIGNATURE_BYTES)
    r.key("statement", what)
    statement = r.bytes_("package: a statement", MAX_STATEMENT_BYTES)
    r.key("comment_signature", what)
    comment_sig = r.bytes_("package: a comment signature", ED25519_SIGNATURE_BYTES)
    if len(group_key) != ED25519_PUBLIC_BYTES:
        raise DecodeError("package: a group key has the wrong type or size")
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise DecodeError("package: a committee signature has the wrong type or size")
    if len(comment_sig) not in (0, ED25519_SIGNATURE_BYTES):
        raise DecodeError("package: a comment signature has the wrong size")
    return CommitteeFinal(group_key, signature, statement, comment, comment_sig)


def _decode_entry_fields(r: cbor.Reader, what: str) -> Entry:
    """The four entry fields, in canonical order (authors, version, committee,
    paragraphs); a top-level body has ``history`` between authors and version,
    which the caller reads."""
    version = decode_version(r.bytes_("package: the version", _MAX_OBJECT_BYTES))
    r.key("committee", what)
    finals = tuple(
        _decode_final(r) for _ in range(r.array_head(MAX_FINALS, "package: 'committee'"))
    )
    r.key("paragraphs", what)
    count = r.array_head(version.paragraphs, "package: 'paragraphs'")
    if count != version.paragraphs:
        raise DecodeError("package: paragraph count does not match the version")
    paragraphs = []
    for _ in range(count):
        p = r.text("package: a paragraph")
        if not p:  # a normalized paragraph is never empty
            raise DecodeError("package: a paragraph is empty")
        paragraphs.append(p)
    return Entry(version, tuple(paragraphs), (), finals)


def _decode_authors(r: cbor.Reader) -> tuple[AuthorSignature, ...]:
    return tuple(
        decode_author_signature(r.bytes_("package: an author signature", _MAX_OBJECT_BYTES))
        for _ in range(r.array_head(MAX_SIGNATURES, "package: 'authors'"))
    )


def _with_authors(entry: Entry, authors: tuple[AuthorSignature, ...]) -> Entry:
    return Entry(entry.version, entry.paragraphs, authors, entry.committee)


def decode_package(data: bytes, *, max_bytes: int = MAX_PACKAGE_BYTES) -> Package:
    """Strictly decode a package (structure only: see :func:`check_package`).

    The bytes are read by the package's schema, item by item, so anything shaped
    otherwise is refused at the first item out of place, before it costs memory
    (a generic decode of an array of millions of empty arrays would first build
    them all). Raises :class:`DecodeError` for anything :func:`encode_package`
    would not write.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError("package: expected bytes")
    data = bytes(data)
    if not data:
        raise DecodeError("package: empty")
    if len(data) > max_bytes:
        raise DecodeError("package: too large")
    if data[0] != PACKAGE_VERSION:
        raise DecodeError(
            f"package format {data[0]} is not supported", hint="upgrade samizdat"
        )
    r = cbor.Reader(data[1:])
    what = "package"
    # canonical key order: doc, (reach), authors, history, version, committee, paragraphs
    pairs = r.map_head_of((_TOP_PAIRS, _TOP_PAIRS + 1), what)
    r.key("doc", what)
    document = decode_document(r.bytes_("package: the document", _MAX_OBJECT_BYTES))
    sketch: bytes | None = None
    if pairs > _TOP_PAIRS:
        r.key("reach", what)
        sketch = r.bytes_("package: the reach sketch", SKETCH_BYTES)
        decode_sketch(sketch)  # wrong version or length: DecodeError, nothing kept
    r.key("authors", what)
    authors = _decode_authors(r)
    r.key("history", what)
    history = []
    for _ in range(r.array_head(MAX_HISTORY, "package: 'history'")):
        item = "package: a history entry"
        r.map_head(_ENTRY_PAIRS, item)
        r.key("authors", item)
        entry_authors = _decode_authors(r)
        r.key("version", item)
        history.append(_with_authors(_decode_entry_fields(r, item), entry_authors))
    r.key("version", what)
    entry = _with_authors(_decode_entry_fields(r, what), authors)
    r.finish()
    return Package(document, entry, tuple(history), sketch)


# ---------------------------------------------------------------- verification


def _check_entry(document: Document, entry: Entry) -> None:
    version = entry.version
    if version.document != document.document_id:
        raise VerificationFailed("package: a version belongs to another document")
    for p in entry.paragraphs:
        try:
            normal = normalize(p, version.text_model).paragraphs
        except TextError as exc:
            raise DecodeError(
                f"package: a paragraph is not acceptable text ({exc.message})"
            ) from exc
        if normal != (p,):
            raise DecodeError("package: a paragraph is not in normal form")
    digest = digest_paragraphs(entry.paragraphs)
    if (digest.text_id, digest.paragraphs, digest.text_sha256) != (
        version.text_id,
        version.paragraphs,
        version.text_sha256,
    ):
        raise VerificationFailed(
            "the text in this copy does not match the version it claims to be",
            hint="the copy was altered before it was sealed",
        )
    vid = version.version_id
    seen: set[bytes] = set()
    for sig in entry.authors:
        if sig.public_key in seen:
            raise DecodeError("package: the same author signature twice")
        seen.add(sig.public_key)
        try:
            verify_author_signature(sig, version)
        except BadSignature as exc:
            raise VerificationFailed(
                "an author signature in this copy is forged or for another version"
            ) from exc
    expected = None
    for final in entry.committee:
        if expected is None:
            expected = statement_for(document, version, entry.paragraphs)
        if final.statement != expected:
            try:
                named = Statement.parse(final.statement).version
            except SamizdatError:
                named = b""
            raise VerificationFailed(
                "a committee statement in this copy is malformed"
                if not named
                else "a committee statement in this copy is for another version"
                if named != vid
                else "a committee statement in this copy does not match its text"
            )
        try:
            ed25519_verify(final.group_key, final.statement, final.signature)
            if final.comment_signature:
                ed25519_verify(
                    final.group_key,
                    final.signature + final.comment.encode("utf-8"),
                    final.comment_signature,
                )
        except BadSignature as exc:
            raise VerificationFailed("a committee signature in this copy is forged") from exc
        if final.comment and final.comment != trusted_comment(Statement.parse(final.statement)):
            raise VerificationFailed("a committee's trusted comment does not match its statement")


def check_package(package: Package) -> Package:
    """Verify everything in ``package`` (see the module docstring) and return it.

    Raises :class:`VerificationFailed` (exit 1) when a signature or a text does not
    check, :class:`DecodeError` when something is malformed. History entries must be
    distinct versions of the same document, none equal to the main one.
    """
    ids = {package.entry.version_id}
    for e in package.history:
        if e.version_id in ids:
            raise DecodeError("package: a version appears twice")
        ids.add(e.version_id)
        _check_entry(package.document, e)
    _check_entry(package.document, package.entry)
    return package
