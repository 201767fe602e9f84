"""Paper copies: print a version on A4 pages, scan the pages back into a store.

``print_copy`` seals the version exactly as ``export`` does
(:func:`samizdat.app.carry.export_bundle`), spreads the sealed bundle over QR codes
(:mod:`samizdat.transports.paper`), and writes two PDF files: the pages (readable
text, the statement's essentials, the codes) and the key sheet (the read
capability), so the pages can travel without the key. With ``cap_on_pages`` the key
sheet is the last page instead.

``scan_copy`` reads every code in the given images and PDFs, rebuilds every print it
has enough codes of, opens each with the capability (given, or found on a scanned key
sheet) and imports the first one that opens, through the same all-or-nothing
:func:`samizdat.app.carry.accept_package` every transport uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from samizdat.app import carry
from samizdat.app.documents import paragraphs_of
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import Rng
from samizdat.core.envelope import BytesSource
from samizdat.core.statement import minisign_key_id
from samizdat.core.versions import decode_version
from samizdat.errors import (
    CryptoError,
    DecodeError,
    InputError,
    NotEnoughShards,
    UsageError,
)
from samizdat.files import atomic_writer
from samizdat.store import Store
from samizdat.transports import paper

__all__ = ["PrintResult", "key_sheet_path", "print_copy", "printed_text", "scan_copy"]


@dataclass(frozen=True)
class PrintResult:
    """A written print: its page count, the key sheet's path (``None`` when the key
    is on the pages), how many codes and how many of them rebuild it, and the
    capability (kept out of ``repr``)."""

    pages: int
    key_sheet: Path | None
    codes: int
    k: int
    version: str
    cap: ReadCap = field(repr=False)


def key_sheet_path(out: Path) -> Path:
    """``copy.pdf`` → ``copy.key.pdf`` (the key sheet is written beside the pages)."""
    stem = out.name[:-4] if out.name.lower().endswith(".pdf") else out.name
    return out.with_name(stem + ".key.pdf")


def printed_text(store: Store, version_id: bytes) -> paper.PrintedText:
    """What the text pages of ``version_id`` show: title, normalized text, version id,
    text SHA-256 and, for a final version, the committee key's short fingerprint (its
    first 16 hex digits and the key id minisign prints for it)."""
    record = store.version(version_id)
    version = decode_version(record.encoded)
    title = store.document(record.doc_id).title
    committee = [s.key for s in store.signatures(version_id) if s.kind == "committee"]
    fingerprint = None
    if committee:
        key = committee[0]
        key_id = f"{int.from_bytes(minisign_key_id(key), 'little'):016X}"
        fingerprint = f"{key.hex()[:16]} (minisign key id {key_id})"
    return paper.PrintedText(
        title=title,
        text="\n\n".join(paragraphs_of(store, version_id)),
        version_id=version_id.hex(),
        text_sha256=version.text_sha256.hex(),
        committee_key=fingerprint,
    )


def print_copy(
    store: Store,
    ref: str,
    out: Path,
    rng: Rng,
    *,
    cap_on_pages: bool = False,
    with_text: bool = True,
    key_out: Path | None = None,
    density: str = paper.DEFAULT_DENSITY,
) -> PrintResult:
    """Print the version ``ref`` names (VER or DOC) to ``out`` and, unless
    ``cap_on_pages``, its key sheet to ``key_out`` (default :func:`key_sheet_path`).
    ``density`` is one of :data:`paper.DENSITIES` (``low``, ``normal``, ``high``).
    Both files are written atomically; the key sheet first, so a failure never
    leaves pages whose key is lost."""
    layout = paper.DENSITIES.get(density)
    if layout is None:
        raise UsageError(f"unknown density {density!r}",
                         hint="use --density " + "|".join(paper.DENSITIES))
    version_id = carry.resolve_version(store, ref)
    cap, bundle = carry.export_bundle(store, version_id.hex(), rng)
    doc = printed_text(store, version_id) if with_text else None
    made = paper.make_print(bundle, doc, rng, cap=cap, cap_on_pages=cap_on_pages,
                            layout=layout)
    key_path: Path | None = None
    if made.key_sheet is not None:
        key_path = key_out if key_out is not None else key_sheet_path(out)
        if key_path.resolve() == out.resolve():
            raise UsageError("the key sheet and the pages must be different files")
        with atomic_writer(key_path, mode=0o600) as f:  # the capability: owner only
            f.write(made.key_sheet)
    with atomic_writer(out) as f:
        f.write(made.pdf)
    return PrintResult(
        pages=made.pages, key_sheet=key_path, codes=made.codes, k=made.k,
        version=version_id.hex(), cap=cap,
    )


def scan_copy(
    store: Store, paths: Sequence[Path], cap: ReadCap | None, now: int
) -> carry.ImportResult:
    """Rebuild, open, verify and store a printed copy from scans of its pages.

    Raises :class:`NotEnoughShards` (exit 1) when no print has enough readable codes,
    :class:`UsageError` when no capability was given or scanned,
    :class:`CryptoError` when no capability opens any rebuilt print, and
    :class:`InputError` for files that are not images or PDFs. Nothing is stored
    unless the whole copy verifies.
    """
    if not paths:
        raise UsageError("no files to scan", hint="give the scanned pages (PNG, JPEG, PDF)")
    report = paper.scan(paths)
    report.require_payload()
    caps = [cap] if cap is not None else report.caps
    if not caps:
        raise UsageError(
            "no read capability: none was given and no key sheet was among the scans",
            hint="pass --cap, --cap-file or SAMIZDAT_CAP, or scan the key sheet too",
        )
    for payload in report.payloads:
        for candidate in caps:
            try:
                package = carry.open_package(candidate, [BytesSource(payload)])
            except (NotEnoughShards, CryptoError, DecodeError, InputError):
                continue  # this key is for another print: try the next pair
            return carry.accept_package(store, package, now=now)
    raise CryptoError(
        "the read capability does not open the scanned copy",
        hint="use the key sheet printed with these pages",
    )
