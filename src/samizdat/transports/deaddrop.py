"""A dead drop: a folder (a USB stick, a shared directory) where sealed copies are
left and picked up.

The folder reveals nothing to whoever finds it: every file has a random name (32
lowercase hex characters, no extension) and random-looking content of a padded size
(a dead-drop key wrap followed by a sealed bundle; see ``docs/spec/envelope.md``).
Which file holds what is known only to the stores that synced with it, inside their
encrypted databases.

Writes are atomic (:func:`samizdat.files.atomic_writer`): a stick
pulled mid-write leaves at most a ``*.part`` file, which is never read as a copy and
is removed by a later sync once it is old enough not to be someone's write in
progress.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from samizdat.core.caps import ReadCap
from samizdat.core.crypto import Rng
from samizdat.core.envelope import DROP_WRAP_BYTES, drop_unwrap, drop_wrap
from samizdat.errors import InputError
from samizdat.transports.bundle import TEMP_SUFFIX, FileSource, seal_to_files

__all__ = ["STALE_SECONDS", "DeadDrop", "DropEntry"]

STALE_SECONDS = 3600
"""A ``*.part`` file untouched this long is a write that will never finish."""

_NAME = re.compile(r"^[0-9a-f]{32}$")
MAX_FILES = 100_000


@dataclass(frozen=True)
class DropEntry:
    """One complete file in the drop."""

    name: str
    size: int


class DeadDrop:
    """The folder side of a dead drop."""

    def __init__(self, path: Path) -> None:
        if not path.is_dir():
            raise InputError(f"{path} is not a folder", hint="give the dead drop's folder")
        self.path = path

    def __repr__(self) -> str:
        return f"DeadDrop({str(self.path)!r})"

    def entries(self) -> list[DropEntry]:
        """Complete files whose name looks like ours (anything else is left alone)."""
        found: list[DropEntry] = []
        with os.scandir(self.path) as it:
            for e in it:
                if len(found) > MAX_FILES:
                    raise InputError(f"{self.path} holds too many files")
                if _NAME.match(e.name) and e.is_file(follow_symlinks=False):
                    found.append(DropEntry(e.name, e.stat(follow_symlinks=False).st_size))
        return sorted(found, key=lambda d: d.name)

    def remove_stale(self, now: float) -> int:
        """Remove ``*.part`` files left by interrupted writes; returns how many."""
        removed = 0
        with os.scandir(self.path) as it:
            for e in it:
                if not e.name.endswith(TEMP_SUFFIX) or not _NAME.match(
                    e.name[: -len(TEMP_SUFFIX)]
                ):
                    continue
                with contextlib.suppress(OSError):
                    if now - e.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                        os.unlink(e.path)
                        removed += 1
        return removed

    def bundle_cap(self, drop: ReadCap, entry: DropEntry) -> ReadCap:
        """The capability of the bundle in ``entry``; :class:`DecodeError` if that
        file was not left with this drop's key."""
        with FileSource(self.path / entry.name) as f:
            return drop_unwrap(drop, f.read_at(0, DROP_WRAP_BYTES))

    def source(self, entry: DropEntry) -> FileSource:
        """The bundle inside ``entry`` (after the key wrap), read on demand."""
        return FileSource(self.path / entry.name, offset=DROP_WRAP_BYTES)

    def leave(self, drop: ReadCap, payload: bytes, rng: Rng) -> DropEntry:
        """Seal ``payload`` and leave it in the folder under a fresh random name."""
        for _ in range(8):
            name = rng(16).hex()
            if not (self.path / name).exists():
                break
        else:  # pragma: no cover - 128-bit names do not collide
            raise InputError("cannot find a free file name in the dead drop")
        root = rng(32)
        head = drop_wrap(drop, root, rng)
        # a link planted in a shared folder is a trap: never written through
        seal_to_files(payload, [self.path / name], k=1, rng=rng, head=head, root_key=root,
                      symlinks="refuse")
        return DropEntry(name, (self.path / name).stat().st_size)
