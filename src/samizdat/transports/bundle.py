"""Bundle and shard files: the file-system side of carrying envelopes.

Everything here is plain I/O around :mod:`samizdat.core.envelope`:

* :class:`FileSource` gives random access to a shard file (``os.pread``), so opening
  a 1 GiB bundle never reads it whole;
* :func:`atomic_writer` writes a file under a temporary name, fsyncs it, renames it
  into place and fsyncs the folder: a reader (or a stick pulled mid-write) sees
  either the whole file or no file of that name, never a half file that looks
  complete;
* :func:`seal_to_files` streams a payload into n shard files at once;
* :func:`shard_paths` expands the paths a person gives (files and folders).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from samizdat.core.caps import ReadCap
from samizdat.core.crypto import Rng
from samizdat.core.envelope import Sealer
from samizdat.errors import InputError

__all__ = [
    "TEMP_SUFFIX",
    "FileSource",
    "atomic_writer",
    "fsync_dir",
    "seal_to_files",
    "shard_paths",
]

TEMP_SUFFIX = ".part"
"""Suffix of files being written; never read as shards, removed when found stale."""

MAX_FOLDER_FILES = 100_000


class FileSource:
    """A shard in a file, read on demand from ``offset`` on (a :class:`ShardSource`).

    No file descriptor is held between reads, so a folder of thousands of candidate
    files never runs into the open-files limit; a read costs one open and close
    more, which is nothing next to a block of up to 1 MiB.
    """

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self._offset = offset
        try:
            self._size = max(os.stat(path).st_size - offset, 0)
        except OSError as exc:
            raise InputError(
                f"cannot read {path.name}: {exc.strerror or 'error'}",
                hint="check the path",
            ) from None

    def __repr__(self) -> str:
        return f"FileSource({self.path.name!r})"

    def size(self) -> int:
        return self._size

    def read_at(self, offset: int, length: int) -> bytes:
        try:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                return os.pread(fd, max(0, min(length, self._size - offset)), self._offset + offset)
            finally:
                os.close(fd)
        except OSError as exc:
            raise InputError(f"cannot read {self.path.name}: {exc.strerror}") from None

    def close(self) -> None:
        """Nothing to release (kept so callers can treat every source alike)."""

    def __enter__(self) -> FileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort where directories cannot be
    opened, e.g. some FAT mounts)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, *, mode: int = 0o666) -> Iterator[BinaryIO]:
    """Write ``path`` atomically: yields a file open on ``path + TEMP_SUFFIX``; on a
    clean exit it is flushed, fsynced and renamed to ``path``; on an error it is
    removed.

    ``mode`` is the file's mode from the moment it is created (less the umask):
    pass ``0o600`` for anything that holds a secret (a capability, a key sheet), so
    that it is never readable by others, not even for an instant."""
    tmp = path.with_name(path.name + TEMP_SUFFIX)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        f = os.fdopen(fd, "wb")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        yield f
        f.flush()
        os.fsync(f.fileno())
        f.close()
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        f.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def seal_to_files(
    payload: bytes,
    paths: Sequence[Path],
    *,
    k: int,
    rng: Rng,
    head: bytes = b"",
    root_key: bytes | None = None,
) -> ReadCap:
    """Seal ``payload`` into one shard file per path (n = len(paths)), each written
    atomically; ``head`` (if any) is written first in every file."""
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(atomic_writer(p)) for p in paths]
        for f in files:
            if head:
                f.write(head)
        sealer = Sealer(
            k=k, n=len(paths), rng=rng, sinks=[f.write for f in files], root_key=root_key
        )
        view = memoryview(payload)
        for start in range(0, len(view), 1 << 20):
            sealer.write(view[start : start + (1 << 20)])
        return sealer.close()


def shard_paths(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the regular files directly inside the folders named
    (not recursive; files still being written are left out)."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            children = sorted(
                c for c in p.iterdir() if c.is_file() and not c.name.endswith(TEMP_SUFFIX)
            )
            if len(children) > MAX_FOLDER_FILES:
                raise InputError(f"{p} holds too many files to be a set of shards")
            found.extend(children)
        elif p.exists():
            found.append(p)
        else:
            raise InputError(f"{p} does not exist", hint="check the path")
    return found
