"""Use cases for documents: init, draft new / revise, log, diff, sign, read, verify,
trust, duress and wipe. The CLI only parses arguments and prints what these return.

Texts are read from files in chunks and streamed once: each normalized paragraph
is stored and hashed as it goes by (text id, paragraph count, SHA-256 in O(log n)
memory), and the version is made at the end. Memory stays bounded by the largest
paragraph, not by the file. New versions are made under the current text model
(``text.TEXT_MODEL``); ``verify`` normalizes a copy under the model of each version it
compares it with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from samizdat.app import trust
from samizdat.core import align, crypto, pagemarks, text, versions
from samizdat.core.crypto import Rng, SecretBytes
from samizdat.errors import (
    BadSignature,
    DecodeError,
    InputError,
    NotFound,
    TextError,
    UsageError,
    VerificationFailed,
)
from samizdat.store import SignatureRecord, Store, VersionRecord

__all__ = [
    "DEFAULT_MAX_TEXT_BYTES",
    "FINAL_WORDS",
    "MAX_COPY_PARAGRAPHS",
    "DiffReport",
    "LogEntry",
    "MergeOutcome",
    "Signer",
    "VerifyReport",
    "author_seed",
    "diff",
    "document_for",
    "document_log",
    "draft_merge",
    "draft_new",
    "draft_revise",
    "final_state",
    "init",
    "is_final",
    "parse_size",
    "read",
    "read_paragraphs",
    "read_text_chunks",
    "resolve",
    "set_duress",
    "sign",
    "signed_versions",
    "signers",
    "verify_paragraphs",
    "verify_text_file",
    "wipe",
]

DEFAULT_MAX_TEXT_BYTES: Final = 64 * 1024 * 1024
"""Largest text file taken without ``--max-size``: far above any manifesto, small
enough that a mistaken path to a disk image fails at once."""
_CHUNK: Final = 1 << 20


def parse_size(value: str) -> int:
    """``"64M"``, ``"300MiB"``, ``"1G"``, ``"5000"`` → bytes (powers of 1024)."""
    m = re.fullmatch(r"\s*(\d+)\s*([kmgt]?)(i?b)?\s*", value.lower())
    if not m:
        raise UsageError(f"not a size: {value!r} (try 64M or 1G)")
    return int(m.group(1)) << (10 * " kmgt".index(m.group(2) or " "))


# --------------------------------------------------------------------- reading


def read_text_chunks(path: Path, max_bytes: int = DEFAULT_MAX_TEXT_BYTES) -> Iterator[bytes]:
    """The file's bytes in 1 MiB chunks, after checking it is a regular file no
    larger than ``max_bytes`` (checked before reading, and again while reading, in
    case it grows)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise TextError(f"{path} is not a regular file")
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if size > max_bytes:
        raise TextError(
            f"{path.name} is {size / 2**20:.0f} MiB, over the {max_bytes / 2**20:.0f} MiB "
            "limit for a text",
            hint="pass --max-size with a larger value if this really is one text",
        )
    if size == 0:
        raise TextError(f"{path.name} is empty", hint="give a text file with some text in it")
    return _chunks(path, max_bytes)


def _chunks(path: Path, max_bytes: int) -> Iterator[bytes]:
    seen = 0
    try:
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                seen += len(chunk)
                if seen > max_bytes:
                    raise TextError(f"{path.name} grew past the size limit while being read")
                yield chunk
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def _paragraphs(chunks: Iterable[bytes], encoding: str | None = None) -> Iterator[str]:
    n = text.Normalizer(text.TEXT_MODEL)
    for piece in text.decode_text_stream(chunks, encoding):
        yield from n.feed(piece)
    yield from n.finish()


# ------------------------------------------------------------------------ init


def init(
    home: Path, passphrase: SecretBytes, rng: Rng, *, fast_kdf: bool | None = None
) -> tuple[Path, int | None]:
    """Create the encrypted store and its identity key in ``home``. Returns the home
    and, when it already existed with a looser mode, that mode (it is now 0700).
    ``fast_kdf``: see :meth:`Store.create`."""
    store = Store.create(home, passphrase, rng, fast_kdf=fast_kdf)
    store.close()
    return home, store.home_tightened_from


def wipe(home: Path, rng: Rng, *, also: Iterable[str] = ()) -> None:
    """Destroy the store's keys at once (no passphrase needed), then every file of
    it and the files named in ``also`` (samizdat's other files in the home)."""
    Store.wipe(home, rng, also=also)


# ---------------------------------------------------------------------- drafts


def _store_version(
    store: Store,
    doc_id: bytes,
    source: Path | Iterable[str],
    parents: Iterable[bytes],
    now: int,
    max_bytes: int,
    encoding: str | None = None,
) -> versions.Version:
    """Stream a text into the store in one pass: each paragraph is stored and
    hashed as it comes; the version (whose id depends on every paragraph) is made
    when the last one has gone by."""
    if encoding is not None:
        text.check_encoding(encoding)  # a wrong name is a usage error, before any work
    paras: Iterable[str] = (
        _paragraphs(read_text_chunks(source, max_bytes), encoding)
        if isinstance(source, Path) else source
    )
    digester = text.TextDigester()
    parent_ids = tuple(parents)
    made: list[versions.Version] = []

    def encoded() -> Iterator[bytes]:
        for p in paras:
            digester.add(p)
            yield p.encode("utf-8")

    def finish() -> VersionRecord:
        digest = digester.digest()  # TextError if there was no paragraph at all
        version = versions.Version.create(
            doc_id, digest.text_id, digest.paragraphs, digest.text_sha256, parent_ids,
            text.TEXT_MODEL,
        )
        made.append(version)
        return VersionRecord(
            version.version_id, doc_id, digest.text_id, versions.encode_version(version),
            version.parents, digest.paragraphs, now,
        )

    store.add_version_stream(doc_id, encoded(), finish)
    return made[0]


def draft_new(
    store: Store,
    source: Path | Iterable[str],
    title: str,
    rng: Rng,
    now: int,
    *,
    max_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    encoding: str | None = None,
) -> tuple[bytes, bytes]:
    """A new document with its own pseudonymous author key, and its first version.
    Returns (document id, version id). Not signed: ``sign`` is explicit. A file is
    read as UTF-8 unless ``encoding`` names another encoding."""
    doc = versions.make_document(title, rng)
    with store.transaction():
        store.add_document(
            doc.document_id, doc.title, now,
            SecretBytes(rng(crypto.ED25519_SEED_BYTES), "author key"),
            versions.encode_document(doc),
        )
        version = _store_version(store, doc.document_id, source, (), now, max_bytes,
                                 encoding)
    return doc.document_id, version.version_id


def _decoded(record: VersionRecord) -> versions.Version:
    try:
        return versions.decode_version(record.encoded)
    except DecodeError as exc:
        raise InputError(f"stored version {record.version_id.hex()[:16]} is damaged") from exc


def draft_revise(
    store: Store, prefix: str, path: Path, now: int, *,
    max_bytes: int = DEFAULT_MAX_TEXT_BYTES, encoding: str | None = None,
) -> tuple[bytes, bytes, list[bytes]]:
    """A new version whose parent is the version ``prefix`` names, or, for a
    document, its latest version (a co-author says which draft they started from by
    giving its version). Returns (document id, version id, parents)."""
    kind, ident = resolve(store, prefix)
    if kind == "version":
        doc_id, parents = store.version(ident).doc_id, [ident]
    else:
        doc_id = ident
        known = [_decoded(r) for r in store.versions_of(doc_id)]
        parents = [versions.latest(known).version_id] if known else []
    with store.transaction():
        version = _store_version(store, doc_id, path, parents, now, max_bytes, encoding)
    return doc_id, version.version_id, list(version.parents)


@dataclass(frozen=True)
class MergeOutcome:
    """What ``draft merge`` did: the new version (or, for a fast-forward, the
    descendant that already holds both), its parents, and the conflicts left (then
    ``version`` is ``None`` and ``conflict_text`` holds both sides, marked)."""

    version: bytes | None
    parents: tuple[bytes, ...]
    conflicts: list[int]
    fast_forward: bool = False
    conflict_text: str | None = None


def _graph(store: Store, doc_id: bytes) -> dict[bytes, tuple[bytes, ...]]:
    return {v.version_id: v.parents for v in map(_decoded, store.versions_of(doc_id))}


def draft_merge(
    store: Store, a_prefix: str, b_prefix: str, now: int, *, resolved: Path | None = None,
    max_bytes: int = DEFAULT_MAX_TEXT_BYTES,
) -> MergeOutcome:
    """Three-way paragraph merge of versions A and B against their lowest common
    ancestor (``core/merge.py``). A clean merge, or a resolution given in
    ``resolved``, becomes a new version with parents A and B; conflicts are returned
    and nothing is stored. A failed merge leaves the store unchanged."""
    from samizdat.core import merge as m

    a, b = store.find_version(a_prefix), store.find_version(b_prefix)
    if a == b:
        raise InputError("cannot merge a version with itself",
                         hint="give two different versions of one document")
    doc_a, doc_b = store.version(a).doc_id, store.version(b).doc_id
    if doc_a != doc_b:
        raise InputError("the two versions belong to different documents",
                         hint="'samizdat list' shows which versions are whose")
    graph = _graph(store, doc_a)
    for old, new in ((a, b), (b, a)):
        if m.is_ancestor(graph, old, new):
            return MergeOutcome(new, graph[new], [], fast_forward=True)
    bases = m.lowest_common_ancestors(graph, a, b)
    base: list[str] = []
    if bases:  # criss-cross histories: the latest of the best common ancestors
        records = [_decoded(store.version(v)) for v in bases]
        base = list(paragraphs_of(store, versions.latest(records).version_id))
    result = m.merge(base, list(paragraphs_of(store, a)), list(paragraphs_of(store, b)))
    if resolved is not None:
        merged = m.check_resolution(result, list(_paragraphs(read_text_chunks(resolved,
                                                                            max_bytes))))
    elif result.conflicts:
        return MergeOutcome(None, (a, b), [c.index for c in result.conflicts],
                            conflict_text=m.conflict_text(result, a.hex()[:16], b.hex()[:16]))
    else:
        merged = result.paragraphs
    if not merged:
        raise InputError("the merge leaves no text", hint="a document has at least one paragraph")
    with store.transaction():
        version = _store_version(store, doc_a, merged, [a, b], now, max_bytes)
    return MergeOutcome(version.version_id, version.parents, [])


# ----------------------------------------------------------------------- ids


def resolve(store: Store, prefix: str) -> tuple[str, bytes]:
    """``("version", id)`` or ``("document", id)`` for an id prefix that names
    exactly one of them; :class:`NotFound` otherwise."""
    found: list[tuple[str, bytes]] = []
    ambiguous: NotFound | None = None
    last: NotFound | None = None
    for kind, finder in (("version", store.find_version), ("document", store.find_document)):
        try:
            found.append((kind, finder(prefix)))
        except NotFound as exc:
            last = exc
            if "more than one" in exc.message:
                ambiguous = exc
    if ambiguous is not None:
        raise ambiguous
    if len(found) == 1:
        return found[0]
    if found:
        raise NotFound(f"{prefix} names both a document and a version",
                       hint="give more characters of the id")
    assert last is not None
    if last.message.startswith("no "):
        raise NotFound(f"no document or version {prefix.strip().lower()} in this store",
                       hint="see 'samizdat log' for the ids")
    raise last



def document_for(store: Store, prefix: str) -> tuple[bytes, bytes | None]:
    """(document id, version id) for a DOC|VER argument: a version id names its
    document and is given back; a document id comes back with ``None``."""
    kind, ident = resolve(store, prefix)
    if kind == "version":
        return store.version(ident).doc_id, ident
    return ident, None


# ------------------------------------------------------------------- signing


Signer = trust.Signer
"""Re-exported: the one signer type lives in :mod:`samizdat.app.trust`."""


def final_state(signers_: Iterable[Signer]) -> str:
    """``"final"`` when a trusted committee signed, ``"untrusted-final"`` when only
    committees nobody here trusts did, ``""`` for a draft."""
    committees = [s for s in signers_ if s.kind == "committee"]
    if any(s.trusted for s in committees):
        return "final"
    return "untrusted-final" if committees else ""


FINAL_WORDS: Final = {"final": "final", "untrusted-final": "final by an untrusted committee",
                      "": ""}
"""How :func:`final_state` is shown to a person: never a bare "final" for a committee
the reader did not choose to trust."""


def is_final(store: Store, version_id: bytes, policy: trust.Anchors | None = None) -> bool:
    """A version is final when a trusted committee's valid signature on it is here."""
    policy = trust.anchors(store) if policy is None else policy
    return final_state(signers(store, store.version(version_id), policy)) == "final"


def signers(store: Store, record: VersionRecord,
            policy: trust.Anchors | None = None) -> list[Signer]:
    """Every signature on a version that verifies, checked again now, each marked
    ``trusted`` or not under ``policy`` (this store's anchors by default).

    Author signatures are verified against the version; committee signatures
    against the committee statement rebuilt from the stored version. A signature
    that does not verify is left out, whoever made it.
    """
    out: list[Signer] = []
    version = _decoded(record)
    policy = trust.anchors(store) if policy is None else policy
    for s in store.signatures(record.version_id):
        if s.kind == "author":
            try:
                versions.verify_author_signature(
                    versions.AuthorSignature(record.version_id, s.key, s.signature), version
                )
            except (BadSignature, ValueError):
                continue
        elif s.kind != "committee" or not _committee_signature_holds(store, record, s):
            continue
        out.append(Signer(s.kind, s.key, policy.trusts(s.kind, s.key, record.doc_id)))
    return out


def _committee_signature_holds(store: Store, record: VersionRecord,
                               sig: SignatureRecord) -> bool:
    from samizdat.app.committee import statement_for

    try:
        body = statement_for(store, record.version_id).encode()
        crypto.ed25519_verify(sig.key, body, sig.signature)
    except (BadSignature, InputError, DecodeError, NotFound):
        return False
    return True


def author_seed(store: Store, doc_id: bytes, rng: Rng) -> SecretBytes:
    """This store's pseudonym for a document (its Ed25519 seed), made now if the
    document came from elsewhere. Call inside a transaction."""
    seed = store.document(doc_id).author_seed
    if seed is None:
        store.set_author_seed(doc_id, SecretBytes(rng(32), "author key"))
        seed = store.document(doc_id).author_seed
        assert seed is not None
    return seed


def sign(store: Store, prefix: str, rng: Rng) -> tuple[bytes, bytes]:
    """Author-sign a version with this store's pseudonym for its document (made now
    if the document came from elsewhere). Returns (version id, public key)."""
    version_id = store.find_version(prefix)
    record = store.version(version_id)
    with store.transaction():
        seed = author_seed(store, record.doc_id, rng)
        sig = versions.sign_version(seed, _decoded(record))
        versions.verify_author_signature(sig, _decoded(record))
        store.add_signature(version_id, "author", sig.public_key, sig.signature)
    return version_id, sig.public_key


# ---------------------------------------------------------------------- log


@dataclass(frozen=True)
class LogEntry:
    """One version in ``log``: ``final`` only for a trusted committee's signature;
    :attr:`final_words` says "final by an untrusted committee" otherwise."""

    version: bytes
    parents: tuple[bytes, ...]
    final: bool
    signers: list[Signer] = field(default_factory=list)

    @property
    def final_words(self) -> str:
        """What a person is shown in the "final" column."""
        return FINAL_WORDS[final_state(self.signers)]


def document_log(store: Store, doc_id: bytes) -> list[LogEntry]:
    """A document's versions, parents before children."""
    policy = trust.anchors(store)
    records = {r.version_id: r for r in store.versions_of(doc_id)}
    order = versions.topological_order(_decoded(r) for r in records.values())
    out = []
    for v in order:
        who = signers(store, records[v.version_id], policy)
        out.append(LogEntry(v.version_id, v.parents, final_state(who) == "final", who))
    return out


# ------------------------------------------------------------------ read, diff


def version_for(store: Store, prefix: str) -> bytes:
    """The version a VER|DOC argument means: a version id, or a document's final
    version (the latest final one), else its latest version."""
    kind, ident = resolve(store, prefix)
    if kind == "version":
        return ident
    records = store.versions_of(ident)
    if not records:
        raise NotFound(f"document {ident.hex()[:16]} has no versions")
    policy = trust.anchors(store)
    finals = [_decoded(r) for r in records
              if final_state(signers(store, r, policy)) == "final"]
    pool = finals or [_decoded(r) for r in records]
    return versions.latest(pool).version_id


def paragraphs_of(store: Store, version_id: bytes) -> Iterator[str]:
    """A stored version's normalized paragraphs, one at a time."""
    for raw in store.paragraphs(version_id):
        yield raw.decode("utf-8")


def read(store: Store, prefix: str) -> tuple[bytes, Iterator[str]]:
    """(version id, its paragraphs as a stream) for ``samizdat read``."""
    version_id = version_for(store, prefix)
    return version_id, paragraphs_of(store, version_id)


@dataclass(frozen=True)
class DiffReport:
    """What ``diff`` found: every paragraph's verdict (word by word), and whether
    the two versions look related at all (``warning`` says why not)."""

    paragraphs: list[align.ParagraphResult]
    warning: str | None = None


def diff(store: Store, a_prefix: str, b_prefix: str) -> DiffReport:
    """Word-level differences from version A to version B (the engine ``verify``
    uses, with typography counted as an edit)."""
    a = store.find_version(a_prefix)
    b = store.find_version(b_prefix)
    results = align.diff(list(paragraphs_of(store, a)), list(paragraphs_of(store, b)))
    warning = None
    if store.version(a).doc_id != store.version(b).doc_id:
        warning = "these versions belong to different documents"
    if not align.related(results):
        warning = (warning + " and" if warning else "these versions") + (
            " share almost no paragraphs: they look like unrelated texts")
    return DiffReport(results, warning)


# -------------------------------------------------------------------- verify


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found.

    ``status``: ``authentic`` (the copy is a version a trust anchor signed),
    ``altered`` (closest to such a version, but differing), ``untrusted`` (closest
    to a version only keys nobody here trusts signed) or ``unknown``. ``version``:
    the version the copy was matched to; ``signers``: who signed it;
    ``also_matches``: other versions the copy is identical to, with their signers
    (a forgery's own version, when the copy was judged against the trusted one);
    ``reason``: why, when the answer is not about paragraphs (a statement folder).
    """

    status: str
    version: bytes | None
    signers: list[Signer]
    paragraphs: list[align.ParagraphResult]
    also_matches: list[tuple[bytes, list[Signer]]] = field(default_factory=list)
    reason: str | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "status": self.status,
            "version": None if self.version is None else self.version.hex(),
            "signers": [s.to_json() for s in self.signers],
            "paragraphs": [p.to_json() for p in self.paragraphs],
        }
        if self.also_matches:
            out["also_matches"] = [
                {"version": v.hex(), "signers": [s.to_json() for s in who]}
                for v, who in self.also_matches
            ]
        if self.reason is not None:
            out["reason"] = self.reason
        return out


_TEXT_BUDGET: Final = 256 * 1024 * 1024


def signed_versions(
    store: Store, policy: trust.Anchors
) -> list[tuple[VersionRecord, list[Signer]]]:
    """Every version with at least one valid signature, with its signers: trusted
    finals first, then other trusted versions, then the rest, newest first within
    each (the order :func:`verify_paragraphs` prefers on a tie)."""
    signed: list[tuple[VersionRecord, list[Signer]]] = []
    for record in store.all_versions():
        who = signers(store, record, policy)
        if who:
            signed.append((record, who))

    def rank(item: tuple[VersionRecord, list[Signer]]) -> tuple[int, int]:
        record, who = item
        state = final_state(who)
        trusted = any(s.trusted for s in who)
        return (0 if state == "final" else 1 if trusted else 2, -record.created)

    signed.sort(key=rank)
    return signed


def _best_match(
    copies: Mapping[int, Sequence[str]],
    hashes: Mapping[int, Sequence[bytes]],
    candidates: Sequence[align.Candidate[bytes]],
    models: Mapping[bytes, int],
) -> align.Match[bytes] | None:
    """``align.best_match`` where each candidate is compared with the copy as
    normalized under that candidate's text model. Across models the same preference
    holds: most paragraphs in common, then fewest differing, then (no paragraph in
    common) the closest text, then the earliest. None when nothing matches."""
    groups: dict[int, list[align.Candidate[bytes]]] = {}
    for cand in candidates:
        groups.setdefault(models[cand.key], []).append(cand)
    position = {c.key: i for i, c in enumerate(candidates)}
    best: tuple[tuple[int, int, float, int], align.Match[bytes]] | None = None
    for model, group in groups.items():
        copy = copies[model]
        try:
            m = align.best_match(copy, group, copy_hashes=hashes[model])
        except VerificationFailed:
            continue
        differ = len(m.candidate.leaf_hashes) + len(copy) - 2 * m.common
        score = (m.common, -differ, m.similarity if m.common == 0 else 0.0,
                 -position[m.candidate.key])
        if best is None or score > best[0]:
            best = (score, m)
    return None if best is None else best[1]


def _closest(store: Store, copies: Mapping[int, Sequence[str]],
             hashes: Mapping[int, Sequence[bytes]], pool: Sequence[VersionRecord],
             models: Mapping[bytes, int]) -> align.Match[bytes] | None:
    """The version of ``pool`` the copy is closest to, or None. Compared by
    paragraph hashes (the copy's, under each version's text model) first; texts are
    read (within :data:`_TEXT_BUDGET`) only when no paragraph matches anywhere, to
    find a copy changed everywhere."""
    candidates = [align.Candidate(r.version_id, store.leaf_hashes(r.version_id)) for r in pool]
    if not candidates:
        return None
    match = _best_match(copies, hashes, candidates, models)
    if match is not None:
        return match
    with_text: list[align.Candidate[bytes]] = []
    budget = _TEXT_BUDGET
    for cand in candidates:
        texts = list(paragraphs_of(store, cand.key))
        budget -= sum(len(t) for t in texts)
        if budget < 0:
            break
        with_text.append(align.Candidate(cand.key, cand.leaf_hashes, texts))
    return _best_match(copies, hashes, with_text, models)


def verify_paragraphs(store: Store, copy: Sequence[str] | Mapping[int, Sequence[str]],
                      policy: trust.Anchors | None = None) -> VerifyReport:
    """Check a copy's normalized paragraphs against the signed versions here,
    under the trust policy (``docs/spec/trust.md``).

    ``copy`` is the copy normalized under every text model (model -> paragraphs,
    see ``text.paragraphs_by_model``), or one list used for every model; each
    version is compared with the copy as normalized under its own model.

    1. A trusted version with exactly the copy's paragraphs: ``authentic``.
    2. Else the closest trusted version decides (``altered``), unless the copy
       shares less than :data:`~samizdat.core.align.UNKNOWN_SIMILARITY` with it and
       is closer to a version only untrusted keys signed. Versions the copy is
       identical to are named in ``also_matches``.
    3. Else the closest untrusted version: ``untrusted``, its signers named.
    4. Else ``unknown``.
    """
    copies: Mapping[int, Sequence[str]] = (
        copy if isinstance(copy, Mapping) else dict.fromkeys(text.TEXT_MODELS, copy)
    )
    policy = trust.anchors(store) if policy is None else policy
    signed = signed_versions(store, policy)
    by_id = {r.version_id: (r, who) for r, who in signed}
    models = {r.version_id: _decoded(r).text_model for r, _who in signed}
    trusted = [r for r, who in signed if any(s.trusted for s in who)]
    untrusted = [r for r, who in signed if not any(s.trusted for s in who)]
    # the copy's hashes once per model, for every comparison
    hashes = {m: [text.paragraph_hash(p) for p in ps] for m, ps in copies.items()}
    identical = [r.version_id for r, _who in signed
                 if r.paragraph_count == len(copies[models[r.version_id]])
                 and store.leaf_hashes(r.version_id) == hashes[models[r.version_id]]]

    status = "altered"
    trusted_ids = {r.version_id for r in trusted}
    chosen: bytes | None = next((v for v in identical if v in trusted_ids), None)
    if chosen is None:
        match = _closest(store, copies, hashes, trusted, models)
        if match is None or match.similarity < align.UNKNOWN_SIMILARITY:
            other = _closest(store, copies, hashes, untrusted, models)
            if other is not None and (match is None or other.similarity > match.similarity):
                match, status = other, "untrusted"
        if match is None:
            return VerifyReport("unknown", None, [], [])
        chosen = match.candidate.key
    authentic = list(paragraphs_of(store, chosen))
    results = align.align(store.leaf_hashes(chosen), copies[models[chosen]], authentic)
    if status == "altered" and align.is_exact(results):
        status = "authentic"
    also = [(v, by_id[v][1]) for v in identical if v != chosen]
    return VerifyReport(status, chosen, by_id[chosen][1], results, also)


def verify_text_file(
    store: Store, path: Path, *, max_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    policy: trust.Anchors | None = None,
    encoding: str | None = None,
) -> VerifyReport:
    """``samizdat verify FILE`` for a plain text file (retyped, OCR'd, partial),
    read as UTF-8 unless ``encoding`` names another encoding, and normalized under
    every text model (each candidate version is compared under its own)."""
    if encoding is not None:
        text.check_encoding(encoding)
    row = store.db.one("SELECT MAX(paragraphs) FROM versions")
    longest = int(row[0]) if row is not None and row[0] is not None else 0
    limit = max(MAX_COPY_PARAGRAPHS, 2 * longest)
    try:
        copies = text.paragraphs_by_model(read_text_chunks(path, max_bytes), text.TEXT_MODELS,
                                          encoding=encoding, max_paragraphs=limit)
    except TextError as exc:
        if exc.message != "the text is empty":
            raise
        raise TextError(f"{path.name} has no visible text", hint="give a text file") from None
    # samizdat's own page marks (an OCR'd or retyped print) are not the copy's text
    stripped = {m: pagemarks.strip_marks(list(ps)).paragraphs for m, ps in copies.items()}
    if not all(stripped.values()):
        raise TextError(f"{path.name} has no visible text", hint="give a text file")
    return verify_paragraphs(store, stripped, policy)


MAX_COPY_PARAGRAPHS: Final = 1_000_000
"""Most paragraphs a copy to verify may have (or twice the longest version in the
store, if that is more). A 64 MiB file of one-word paragraphs holds 16 million of
them (gigabytes as Python objects); no manifesto has a million. Reading stops at
the limit, so memory stays bounded by it."""


def read_paragraphs(path: Path, max_bytes: int = DEFAULT_MAX_TEXT_BYTES,
                    max_paragraphs: int = MAX_COPY_PARAGRAPHS) -> list[str]:
    """A text file's normalized paragraphs; :class:`TextError` if it has none, or
    more than ``max_paragraphs``."""
    copy: list[str] = []
    for p in _paragraphs(read_text_chunks(path, max_bytes)):
        if len(copy) == max_paragraphs:
            raise TextError(
                f"{path.name} has more than {max_paragraphs:,} paragraphs",
                hint="that is twice as many as the longest text here, or more; if this "
                     "really is one text, split it and verify the parts")
        copy.append(p)
    if not copy:
        raise TextError(f"{path.name} has no visible text", hint="give a text file")
    return copy


# -------------------------------------------------------------------- duress

def set_duress(
    store: Store,
    duress: SecretBytes,
    rng: Rng,
    now: int,
    decoy: Iterable[tuple[str, Path]] = (),
    *,
    max_bytes: int = DEFAULT_MAX_TEXT_BYTES,
) -> None:
    """Set the duress passphrase: the other database becomes a decoy store with its
    own identity, holding the documents in ``decoy`` (title, text file), each signed
    by the decoy's own pseudonym.

    There is no built-in decoy text: anyone who has read this code would recognise
    it, and seeing it would tell them a duress passphrase was used. Without
    ``decoy`` the decoy store is empty, like a store just made.
    """
    chosen = [(title, Path(path)) for title, path in decoy]
    for title, path in chosen:
        if not title.strip():
            raise UsageError("a decoy document needs a title")
        if not path.is_file():
            raise InputError(f"cannot read the decoy text {path.name}",
                             hint="give a plain text file")

    def populate(decoy_store: Store) -> None:
        for title, path in chosen:
            _doc, version = draft_new(decoy_store, path, title, rng, now, max_bytes=max_bytes)
            sign(decoy_store, version.hex(), rng)

    store.set_duress(duress, rng, populate)
