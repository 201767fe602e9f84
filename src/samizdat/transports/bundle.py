"""Bundle and shard files: the file-system side of carrying envelopes.

Everything here is plain I/O around :mod:`samizdat.core.envelope`:

* :class:`FileSource` gives random access to a shard file (``os.pread``), so opening
  a 1 GiB bundle never reads it whole;
* :func:`atomic_writer` (from :mod:`samizdat.files`, the one writer of the tree)
  writes a file under a temporary name, fsyncs it, renames it into place and fsyncs
  the folder: a reader (or a stick pulled mid-write) sees either the whole file or
  no file of that name; devices and FIFOs are written in place, never replaced;
* :func:`seal_to_files` streams a payload into n shard files at once;
* :func:`shard_paths` expands the paths a person gives (files and folders).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

from samizdat.core.caps import ReadCap
from samizdat.core.crypto import Rng
from samizdat.core.envelope import Sealer
from samizdat.errors import InputError
from samizdat.files import TEMP_SUFFIX, atomic_writer, fsync_dir

__all__ = [
    "TEMP_SUFFIX",
    "FileSource",
    "atomic_writer",
    "fsync_dir",
    "seal_to_files",
    "shard_paths",
]

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


def seal_to_files(
    payload: bytes,
    paths: Sequence[Path],
    *,
    k: int,
    rng: Rng,
    head: bytes = b"",
    root_key: bytes | None = None,
    symlinks: Literal["follow", "refuse"] = "follow",
    written: list[int] | None = None,
) -> ReadCap:
    """Seal ``payload`` into one shard file per path (n = len(paths)), each written
    by :func:`atomic_writer`; ``head`` (if any) is written first in every file. The
    bytes written to each are appended to ``written`` when given (a path may be a
    device or ``-``, whose size cannot be read back)."""
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(atomic_writer(p, symlinks=symlinks)) for p in paths]
        counts = [0] * len(files)

        def sink(i: int) -> Callable[[bytes | memoryview], None]:
            write = files[i].write

            def put(data: bytes | memoryview) -> None:
                counts[i] += len(data)
                write(data)

            return put

        sinks = [sink(i) for i in range(len(files))]
        for put in sinks:
            if head:
                put(head)
        sealer = Sealer(k=k, n=len(paths), rng=rng, sinks=sinks, root_key=root_key)
        view = memoryview(payload)
        for start in range(0, len(view), 1 << 20):
            sealer.write(view[start : start + (1 << 20)])
        cap = sealer.close()
    if written is not None:
        written.extend(counts)
    return cap


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
