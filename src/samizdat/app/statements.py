"""``samizdat verify DIR``: check a statement folder as ``samizdat statement`` wrote it.

The folder is untrusted input, every file of it. What is checked, in order:

1. ``statement.txt`` is there and is a samizdat statement (strict parse: the
   ``p`` lines hash to its text id).
2. Its signatures (``statement.txt.sig``, signify; ``statement.txt.minisig``,
   minisign) verify under a trusted committee key (or ``--key``). The folder's own
   key files (``committee.pub``, ``.sig.pub``, ``.pem``) only name a signer nobody
   here trusts: a forger ships his own key beside his own statement.
3. ``text.txt`` matches the statement paragraph by paragraph.
4. Nothing else is in the folder.

Every failure is a verdict with a ``reason`` (``altered`` when something signed or
expected was changed, missing or added; ``unknown`` when there is nothing to check
against), never an exception.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from samizdat.app import trust
from samizdat.app.documents import (
    DEFAULT_MAX_TEXT_BYTES,
    MAX_COPY_PARAGRAPHS,
    Signer,
    VerifyReport,
    read_paragraphs,
)
from samizdat.core import align
from samizdat.core import statement as stm
from samizdat.core.crypto import ed25519_verify
from samizdat.errors import BadSignature, DecodeError, InputError, TextError

__all__ = ["STATEMENT_FILES", "verify_statement_dir"]

STATEMENT_FILES: Final = frozenset({
    "statement.txt", "text.txt", "statement.txt.sig", "statement.txt.minisig",
    "committee.pub", "committee.sig.pub", "committee.pem",
})
"""The files ``samizdat statement`` writes; anything else in the folder is extra."""
_KEY_FILES: Final = ("committee.pub", "committee.sig.pub", "committee.pem")
_MAX_ENTRIES: Final = 64
_SIG_LIMIT: Final = 16384


@dataclass(frozen=True)
class _Sig:
    source: str
    signature: bytes
    comment: tuple[str, bytes] | None = None  # minisign: trusted comment, its signature


def _unknown(reason: str, version: bytes | None = None) -> VerifyReport:
    return VerifyReport("unknown", version, [], [], reason=reason)


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_small(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None if it is absent, not a regular file or too large."""
    if not _regular(path):
        return None
    with path.open("rb") as f:
        data = f.read(limit + 1)
    return None if len(data) > limit else data


def _signatures(folder: Path) -> tuple[list[_Sig], list[str]]:
    sigs: list[_Sig] = []
    bad: list[str] = []
    raw = _read_small(folder / "statement.txt.sig", _SIG_LIMIT)
    if raw is not None:
        try:
            sigs.append(_Sig("statement.txt.sig", stm.parse_signify_signature(raw)[1]))
        except DecodeError:
            bad.append("statement.txt.sig")
    raw = _read_small(folder / "statement.txt.minisig", _SIG_LIMIT)
    if raw is not None:
        try:
            m = stm.MinisignSignature.parse(raw)
            sigs.append(_Sig("statement.txt.minisig", m.signature,
                             (m.comment, m.global_signature)))
        except DecodeError:
            bad.append("statement.txt.minisig")
    return sigs, bad


def _folder_keys(folder: Path) -> set[bytes]:
    keys = set()
    for name in _KEY_FILES:
        raw = _read_small(folder / name, 4096)
        if raw is None:
            continue
        try:
            keys.add(stm.parse_public_key_file(raw))
        except DecodeError:
            continue
    return keys


def _holds(key: bytes, body: bytes, sig: _Sig) -> bool:
    try:
        ed25519_verify(key, body, sig.signature)
        if sig.comment is not None:
            comment, glob = sig.comment
            ed25519_verify(key, stm.MinisignSignature.global_message(sig.signature, comment),
                           glob)
    except BadSignature:
        return False
    return True


def verify_statement_dir(
    folder: Path, policy: trust.Anchors, *, max_bytes: int = DEFAULT_MAX_TEXT_BYTES
) -> VerifyReport:
    """The verdict on a statement folder (see the module docstring)."""
    try:
        entries = []
        with os.scandir(folder) as it:
            for entry in it:
                entries.append(entry.name)
                if len(entries) > _MAX_ENTRIES:
                    break
    except OSError as exc:
        raise InputError(f"cannot read the folder {folder}: {exc.strerror}") from None
    body = _read_small(folder / "statement.txt", stm.MAX_STATEMENT_BYTES)
    if body is None:
        return _unknown("statement.txt is missing (or not a regular file)")
    try:
        statement = stm.Statement.parse(body)
    except DecodeError as exc:
        return _unknown(f"statement.txt is not a samizdat statement: {exc.message}")
    version = statement.version
    sigs, bad = _signatures(folder)
    if bad:
        return VerifyReport("altered", version, [], [],
                            reason=f"{bad[0]} is not a signature file")
    if not sigs:
        return _unknown("no signature: statement.txt.sig and statement.txt.minisig are "
                        "both missing", version)

    anchors = policy.committees | policy.any_document
    own = _folder_keys(folder) - anchors
    signer: Signer | None = None
    for sig in sigs:
        key = next((k for k in anchors if _holds(k, body, sig)), None)
        trusted = key is not None
        if key is None:
            key = next((k for k in own if _holds(k, body, sig)), None)
        if key is None:
            if anchors or own:
                return VerifyReport(
                    "altered", version, [], [],
                    reason=f"{sig.source} does not verify: statement.txt or its signature "
                           "was changed after signing, or another committee signed it")
            return _unknown("no committee key to check the signature with",
                            version)
        if signer is not None and signer.key != key:
            return VerifyReport("altered", version, [signer], [],
                                reason="the two signature files are by different keys")
        signer = Signer("committee", key, trusted)
    assert signer is not None

    extra = sorted(set(entries) - STATEMENT_FILES)
    text_path = folder / "text.txt"
    if not _regular(text_path):
        return VerifyReport("altered", version, [signer], [],
                            reason="text.txt is missing: the statement verifies, the text "
                                   "was not checked")
    try:
        copy = read_paragraphs(text_path, max_bytes,
                               max(MAX_COPY_PARAGRAPHS, 2 * len(statement.paragraph_hashes)))
    except TextError as exc:
        return VerifyReport("altered", version, [signer], [],
                            reason=f"text.txt is not a text: {exc.message}")
    results = align.align(statement.paragraph_hashes, copy)
    reason: str | None = None
    if not align.is_exact(results):
        status = "altered"
        reason = "text.txt differs from the signed statement"
    elif extra:
        status = "altered"
        reason = "unexpected file in the statement folder: " + ", ".join(extra[:5])
    elif not signer.trusted:
        status = "untrusted"
        reason = (f"signed by committee {signer.key.hex()}, which is not trusted here "
                  "(its key came with the folder)")
    else:
        status = "authentic"
    return VerifyReport(status, version, [signer], results, reason=reason)
