"""Documents, versions and author signatures: the signed objects of the text model.

* A :class:`Document` is the genesis object of a text's history: a title and a
  16-byte random nonce (so two documents with the same title differ). Its
  ``document_id`` names the document for ever.
* A :class:`Version` is one state of the text: the document it belongs to, the text
  id (Merkle root of the paragraph hashes), the paragraph count, the SHA-256 of the
  normalized text, its parents, and the text model its text was normalized under
  (``docs/spec/text.md``). Drafts and revisions form a DAG, like commits.
* An :class:`AuthorSignature` is an Ed25519 signature by a pseudonymous author key
  over a domain-separated message built from a version id.

Each object has one canonical byte encoding: a version byte followed by canonical
CBOR (a version made under text model 1 keeps its byte ``0x01`` encoding, one made
under a later model starts with :data:`VERSION_FORMAT` and names its model;
:mod:`samizdat.core.cbor`). Decoders accept only what the encoders write
(``encode(decode(b)) == b``); anything else raises :class:`DecodeError`. Ids are
SHA-256 over a domain tag and the encoding, 32 bytes, printed as lowercase hex.
The formats are specified in ``docs/spec/versions.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from samizdat.core import cbor, crypto
from samizdat.core.text import TEXT_MODEL, check_model, normalize_inline
from samizdat.errors import DecodeError, InputError, TextError

__all__ = [
    "AUTHOR_SIGNATURE_CONTEXT",
    "DOCUMENT_NONCE_BYTES",
    "FORMAT_VERSION",
    "ID_BYTES",
    "MAX_PARENTS",
    "MAX_TITLE_BYTES",
    "VERSION_FORMAT",
    "AuthorSignature",
    "Document",
    "Version",
    "author_signature_message",
    "decode_author_signature",
    "decode_document",
    "decode_version",
    "encode_author_signature",
    "encode_document",
    "encode_version",
    "heads",
    "latest",
    "make_document",
    "normalize_title",
    "sign_version",
    "topological_order",
    "verify_author_signature",
]

FORMAT_VERSION: Final = 1
"""The version byte of documents, author signatures and versions made under text
model 1."""

VERSION_FORMAT: Final = 2
"""The version byte of a version made under text model 2 or later; its map adds
``"text_model"``."""

ID_BYTES: Final = 32
DOCUMENT_NONCE_BYTES: Final = 16
MAX_TITLE_BYTES: Final = 512
MAX_PARENTS: Final = 64
"""More parents than this is not a merge a person made: refuse it."""
MAX_PARAGRAPHS: Final = 1 << 32

_DOCUMENT_TAG: Final = b"samizdat/v1/document-id\x00"
_VERSION_TAG: Final = b"samizdat/v1/version-id\x00"
AUTHOR_SIGNATURE_CONTEXT: Final = b"samizdat/v1/author-signature\x00"
"""Prefix of the message an author signs; no other samizdat signature starts so."""

_MAX_ENCODING: Final = 8192  # far above any valid object; checked before decoding


def _check_len(name: str, value: bytes, n: int) -> None:
    if not isinstance(value, bytes) or len(value) != n:
        raise ValueError(f"{name} must be {n} bytes")


def normalize_title(title: str) -> str:
    """A title in its canonical form: the paragraph rules of ``docs/spec/text.md``
    under the current text model (NFC, invisible characters dropped, joiners kept
    inside words, whitespace and line breaks folded to single spaces; every title
    canonical under model 1 is canonical under model 2 too). Raises
    :class:`TextError` if it is empty, has control characters, or is longer than
    :data:`MAX_TITLE_BYTES` in UTF-8.
    """
    folded = normalize_inline(title)
    if not folded:
        raise TextError("a title cannot be empty", hint="pass --title 'Some title'")
    if len(folded.encode("utf-8")) > MAX_TITLE_BYTES:
        raise TextError(f"a title is at most {MAX_TITLE_BYTES} bytes")
    return folded


@dataclass(frozen=True)
class Document:
    """The genesis object of a document. Build it with :func:`make_document`."""

    title: str
    nonce: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_len("nonce", self.nonce, DOCUMENT_NONCE_BYTES)
        if normalize_title(self.title) != self.title:
            raise ValueError("title is not in canonical form; use make_document()")

    @property
    def document_id(self) -> bytes:
        """SHA-256(tag || encoding): the document's permanent id."""
        return crypto.sha256(_DOCUMENT_TAG + encode_document(self))


def make_document(title: str, rng: crypto.Rng) -> Document:
    """A new document: the title normalized, a fresh nonce from ``rng``."""
    return Document(normalize_title(title), rng(DOCUMENT_NONCE_BYTES))


@dataclass(frozen=True)
class Version:
    """One state of a document's text. ``parents`` are sorted, distinct version ids
    (empty for the first draft); ``text_model`` is the text model its paragraphs were
    normalized under, which a copy must be normalized under to be compared."""

    document: bytes
    text_id: bytes
    paragraphs: int
    text_sha256: bytes
    parents: tuple[bytes, ...] = ()
    text_model: int = TEXT_MODEL

    def __post_init__(self) -> None:
        _check_len("document", self.document, ID_BYTES)
        _check_len("text_id", self.text_id, ID_BYTES)
        _check_len("text_sha256", self.text_sha256, ID_BYTES)
        if not isinstance(self.paragraphs, int) or not 1 <= self.paragraphs < MAX_PARAGRAPHS:
            raise ValueError("a version has at least one paragraph")
        for p in self.parents:
            _check_len("parent", p, ID_BYTES)
        if len(self.parents) > MAX_PARENTS:
            raise ValueError(f"at most {MAX_PARENTS} parents")
        if list(self.parents) != sorted(set(self.parents)):
            raise ValueError("parents must be sorted and distinct; use Version.create()")
        check_model(self.text_model)

    @classmethod
    def create(
        cls,
        document: bytes,
        text_id: bytes,
        paragraphs: int,
        text_sha256: bytes,
        parents: Iterable[bytes] = (),
        text_model: int = TEXT_MODEL,
    ) -> Version:
        """A version with ``parents`` sorted and deduplicated for you."""
        return cls(document, text_id, paragraphs, text_sha256, tuple(sorted(set(parents))),
                   text_model)

    @property
    def version_id(self) -> bytes:
        """SHA-256(tag || encoding): the id an author or committee signs."""
        return crypto.sha256(_VERSION_TAG + encode_version(self))


@dataclass(frozen=True)
class AuthorSignature:
    """An author's Ed25519 signature on a version id.

    Holding one proves nothing until :func:`verify_author_signature` accepts it.
    """

    version: bytes
    public_key: bytes
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_len("version", self.version, ID_BYTES)
        _check_len("public_key", self.public_key, crypto.ED25519_PUBLIC_BYTES)
        _check_len("signature", self.signature, crypto.ED25519_SIGNATURE_BYTES)


# ------------------------------------------------------------------ encodings


def _frame(body: dict[str | int, cbor.Value], version: int = FORMAT_VERSION) -> bytes:
    return bytes([version]) + cbor.encode(body)


def _unframe(data: bytes, what: str, keys: frozenset[str],
             versions: Mapping[int, frozenset[str]] | None = None) -> dict[str, cbor.Value]:
    """The CBOR map of an encoding whose version byte is FORMAT_VERSION (fields
    ``keys``) or one of ``versions`` (byte -> fields); a ``"_v"`` entry is added
    holding the byte."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError(f"{what}: expected bytes")
    data = bytes(data)
    if not data:
        raise DecodeError(f"{what}: empty")
    if len(data) > _MAX_ENCODING:
        raise DecodeError(f"{what}: too large")
    allowed = {FORMAT_VERSION: keys, **(versions or {})}
    if data[0] not in allowed:
        raise DecodeError(f"{what}: unknown format version {data[0]}")
    body = cbor.decode(data[1:], max_depth=2)
    if not isinstance(body, dict) or set(body) != allowed[data[0]]:
        raise DecodeError(f"{what}: wrong fields")
    body["_v"] = data[0]
    return body


def _bytes_field(body: Mapping[str, cbor.Value], key: str, n: int, what: str) -> bytes:
    value = body[key]
    if not isinstance(value, bytes) or len(value) != n:
        raise DecodeError(f"{what}: '{key}' must be {n} bytes")
    return value


def encode_document(doc: Document) -> bytes:
    """``0x01 || CBOR {"nonce": bstr16, "title": tstr}``."""
    return _frame({"title": doc.title, "nonce": doc.nonce})


def decode_document(data: bytes) -> Document:
    """Strict inverse of :func:`encode_document`."""
    body = _unframe(data, "document", frozenset({"title", "nonce"}))
    title = body["title"]
    if not isinstance(title, str):
        raise DecodeError("document: 'title' must be text")
    nonce = _bytes_field(body, "nonce", DOCUMENT_NONCE_BYTES, "document")
    try:
        if normalize_title(title) != title:
            raise DecodeError("document: title not in canonical form")
    except TextError as exc:
        raise DecodeError(f"document: bad title ({exc.message})") from None
    return Document(title, nonce)


_VERSION_KEYS: Final = frozenset({"document", "text_id", "paragraphs", "text_sha256",
                                   "parents"})


def encode_version(v: Version) -> bytes:
    """Text model 1: ``0x01 || CBOR {"document", "paragraphs", "parents", "text_id",
    "text_sha256"}``; later models: ``0x02 ||`` the same map plus ``"text_model"``."""
    body: dict[str | int, cbor.Value] = {
        "document": v.document,
        "text_id": v.text_id,
        "paragraphs": v.paragraphs,
        "text_sha256": v.text_sha256,
        "parents": list(v.parents),
    }
    if v.text_model == 1:
        return _frame(body)
    body["text_model"] = v.text_model
    return _frame(body, VERSION_FORMAT)


def decode_version(data: bytes) -> Version:
    """Strict inverse of :func:`encode_version`."""
    body = _unframe(data, "version", _VERSION_KEYS,
                    {VERSION_FORMAT: _VERSION_KEYS | {"text_model"}})
    model = body.get("text_model", 1)
    if body["_v"] == VERSION_FORMAT and (
        isinstance(model, bool) or not isinstance(model, int) or model < 2
    ):
        raise DecodeError("version: 'text_model' must be 2 or more in this format")
    try:
        check_model(model)  # type: ignore[arg-type]
    except ValueError:
        raise DecodeError(f"version: text model {model!r} is not known to this samizdat",
                          hint="a newer samizdat made it; update to read it") from None
    count = body["paragraphs"]
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count < MAX_PARAGRAPHS:
        raise DecodeError("version: 'paragraphs' must be a positive count")
    parents = body["parents"]
    if not isinstance(parents, list) or len(parents) > MAX_PARENTS:
        raise DecodeError(f"version: 'parents' must be a list of at most {MAX_PARENTS}")
    if any(not isinstance(p, bytes) or len(p) != ID_BYTES for p in parents):
        raise DecodeError("version: every parent is a 32-byte id")
    if parents != sorted(set(parents)):
        raise DecodeError("version: parents must be sorted and distinct")
    return Version(
        _bytes_field(body, "document", ID_BYTES, "version"),
        _bytes_field(body, "text_id", ID_BYTES, "version"),
        count,
        _bytes_field(body, "text_sha256", ID_BYTES, "version"),
        tuple(p for p in parents if isinstance(p, bytes)),
        model,  # type: ignore[arg-type]
    )


def encode_author_signature(s: AuthorSignature) -> bytes:
    """``0x01 || CBOR {"key": bstr32, "signature": bstr64, "version": bstr32}``."""
    return _frame({"version": s.version, "key": s.public_key, "signature": s.signature})


def decode_author_signature(data: bytes) -> AuthorSignature:
    """Strict inverse of :func:`encode_author_signature` (does not verify it)."""
    body = _unframe(data, "author signature", frozenset({"version", "key", "signature"}))
    return AuthorSignature(
        _bytes_field(body, "version", ID_BYTES, "author signature"),
        _bytes_field(body, "key", crypto.ED25519_PUBLIC_BYTES, "author signature"),
        _bytes_field(body, "signature", crypto.ED25519_SIGNATURE_BYTES, "author signature"),
    )


# ---------------------------------------------------------------- signatures


def author_signature_message(version_id: bytes) -> bytes:
    """The exact bytes an author signs: the context tag then the version id."""
    _check_len("version id", version_id, ID_BYTES)
    return AUTHOR_SIGNATURE_CONTEXT + version_id


def sign_version(seed: bytes | crypto.SecretBytes, version: Version) -> AuthorSignature:
    """Sign ``version`` with the author key whose Ed25519 seed is ``seed``."""
    raw = seed.reveal() if isinstance(seed, crypto.SecretBytes) else seed
    vid = version.version_id
    return AuthorSignature(
        vid,
        crypto.ed25519_public_key(raw),
        crypto.ed25519_sign(raw, author_signature_message(vid)),
    )


def verify_author_signature(signature: AuthorSignature, version: Version) -> AuthorSignature:
    """Check that ``signature`` is a valid author signature on ``version``.

    Returns the signature (now known good: its ``public_key`` signed this version).
    Raises :class:`~samizdat.errors.BadSignature` otherwise.
    """
    from samizdat.errors import BadSignature

    vid = version.version_id
    if not crypto.constant_time_equal(signature.version, vid):
        raise BadSignature("the author signature is for another version")
    crypto.ed25519_verify(signature.public_key, author_signature_message(vid),
                          signature.signature)
    return signature


# ----------------------------------------------------------------------- DAG


def _index(versions: Iterable[Version]) -> dict[bytes, Version]:
    return {v.version_id: v for v in versions}


def topological_order(versions: Iterable[Version]) -> list[Version]:
    """Parents before children; among versions that could come next, the one with
    the smallest version id first, so the order is the same on every machine.

    Parents not among ``versions`` are ignored (a store may know only part of a
    history). Raises :class:`InputError` on a cycle, which valid ids cannot form.
    """
    import heapq

    by_id = _index(versions)
    children: dict[bytes, list[bytes]] = {vid: [] for vid in by_id}
    waiting: dict[bytes, int] = {}
    for vid, v in by_id.items():
        known = [p for p in v.parents if p in by_id]
        waiting[vid] = len(known)
        for p in known:
            children[p].append(vid)
    ready = [vid for vid, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[Version] = []
    while ready:
        vid = heapq.heappop(ready)
        order.append(by_id[vid])
        for child in children[vid]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(by_id):
        raise InputError("the version history has a cycle")
    return order


def heads(versions: Iterable[Version]) -> list[Version]:
    """Versions that no other given version names as a parent (the tips of forks),
    in :func:`topological_order`."""
    order = topological_order(versions)
    named = {p for v in order for p in v.parents}
    return [v for v in order if v.version_id not in named]


def latest(versions: Sequence[Version]) -> Version:
    """The version "DOC's latest" means: among the heads, the one with the longest
    ancestry chain (most revisions); ties go to the last in topological order (the
    largest version id among equals). Raises :class:`InputError` if empty."""
    if not versions:
        raise InputError("no versions")
    order = topological_order(versions)
    by_id = {v.version_id: v for v in order}
    depth: dict[bytes, int] = {}
    for v in order:
        depth[v.version_id] = 1 + max(
            (depth[p] for p in v.parents if p in by_id), default=0
        )
    named = {p for v in order for p in v.parents}
    tips = [v for v in order if v.version_id not in named]
    return max(tips, key=lambda v: (depth[v.version_id], v.version_id))
