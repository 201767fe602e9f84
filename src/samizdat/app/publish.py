"""``samizdat publish``: a final version as a static site for exile mirrors.

Anyone who holds a final version and trusts its committee (a member, or a reader
abroad who imported it) can publish it. The site is checked by the browser alone
(``web/site.py``), so the people reading a mirror need no samizdat. What a mirror
proves, and what it does not, is in ``docs/publish.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from samizdat.app import committee as committee_app
from samizdat.app import documents
from samizdat.core import statement as stm
from samizdat.core.text import normalized_bytes
from samizdat.core.versions import decode_version
from samizdat.errors import InputError, NotFound
from samizdat.files import atomic_writer
from samizdat.store import Store
from samizdat.web.car import car_of_folder
from samizdat.web.site import SiteInput, build_site

__all__ = ["Published", "publish", "site_files"]



@dataclass(frozen=True)
class Published:
    """What ``publish`` wrote: the site's files (relative paths) and, with a CAR, its
    root CID."""

    out: Path
    files: list[str]
    cid: str | None


def site_files(store: Store, prefix: str, *, draft: bool = False,
               lang: str | None = None) -> dict[str, bytes]:
    """The mirror of a version, as files by relative path.

    A final version must carry a committee signature that counts here (a committee
    this person trusts or belongs to); a version with none is refused unless
    ``draft`` is set, when the site says plainly that nobody signed it.
    """
    version = store.find_version(prefix)
    record = store.version(version)
    statement = committee_app.statement_for(store, version)
    body = statement.encode()
    trusted = {s.key for s in documents.signers(store, record)
               if s.kind == "committee" and s.trusted}
    sig = next((s for s in store.signatures(version)
                if s.kind == "committee" and s.key in trusted), None)
    signature, group_key = (b"", b"") if sig is None else (sig.signature, sig.key)
    if not signature:
        if any(s.kind == "committee" for s in store.signatures(version)):
            raise InputError(
                f"version {version.hex()[:16]} is final by an untrusted committee",
                hint="trust the committee first ('samizdat trust add committee.pub')",
            )
        if not draft:
            raise InputError(
                f"version {version.hex()[:16]} is not final: no committee has signed it",
                hint="publish a final version, or add --draft to publish it unsigned",
            )
        from samizdat.app import circle

        circle.refuse_to_readers(store, version)  # a circle's draft is not published
    files = {
        "statement.txt": body,
        "text.txt": normalized_bytes([p.decode("utf-8") for p in store.paragraphs(version)]),
    }
    if group_key:
        files["committee.pub"] = stm.minisign_public_key(group_key).encode("ascii")
        try:
            member_files = committee_app.statement_files(store, version)
        except (NotFound, InputError):
            member_files = {}
        for name, data in member_files.items():
            if name.startswith(("statement.txt.", "committee.")):
                files[name] = data
    model = decode_version(record.encoded).text_model
    return build_site(SiteInput(files, signature, group_key, model, lang))


def _check_target(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder", hint="give a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(f"{out} already holds files",
                         hint="give an empty or new folder, or --force to write over it")


def publish(store: Store, prefix: str, out: Path, *, car: Path | None = None,
            draft: bool = False, force: bool = False, lang: str | None = None) -> Published:
    """Write the mirror of a version into ``out`` (and a CARv1 of it to ``car``)."""
    files = site_files(store, prefix, draft=draft, lang=lang)
    _check_target(out, force)
    packed = car_of_folder(files) if car is not None else None
    try:
        for name, data in sorted(files.items()):
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_writer(path) as f:
                f.write(data)
        if car is not None and packed is not None:
            with atomic_writer(car) as f:
                f.write(packed.data)
    except OSError as exc:
        raise InputError(f"cannot write the site: {exc.strerror}") from None
    return Published(out, sorted(files), None if packed is None else packed.root_cid)
