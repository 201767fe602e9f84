"""The one way samizdat writes an output file: :func:`atomic_writer`.

What it does with the path it is given:

* ``-`` means standard output (nothing is created);
* a path that does not exist, or is a regular file, is written under a temporary
  name beside it (``NAME.part``, created with the caller's mode, never wider),
  flushed, fsynced, renamed over ``NAME`` and the folder fsynced: a reader (or a
  stick pulled mid-write) sees the whole old file or the whole new one;
* an existing path that is not a regular file is never replaced: a character or
  block device or a FIFO (``/dev/null``, ``/dev/stdout``, a named pipe) is written
  in place, as ``cp`` does; a socket or a folder is refused with a clear error;
* a symbolic link is followed deliberately (the file it points to is written by
  the rules above and the link stays a link), or refused with ``symlinks="refuse"``
  where a link can only be a trap (a shared dead-drop folder). It is never
  replaced by a regular file.

Before this module, the writer renamed its temporary file over whatever path it
was given: run as root, ``export --out /dev/null`` replaced the device node with a
regular file, and every program that later read ``/dev/null`` read a bundle.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final, Literal

from samizdat.errors import InputError

__all__ = ["STDOUT", "TEMP_SUFFIX", "atomic_writer", "fsync_dir", "is_stdout"]

TEMP_SUFFIX: Final = ".part"
"""Suffix of files being written; never read as shards, removed when found stale."""

STDOUT: Final = "-"
"""The path that means standard output."""


def is_stdout(path: Path | str) -> bool:
    """Whether ``path`` is ``-`` (standard output)."""
    return str(path) == STDOUT


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


def _cannot(path: Path, exc: OSError) -> InputError:
    return InputError(f"cannot write {path}: {exc.strerror or 'error'}", hint="check the path")


def _target(
    path: Path, symlinks: Literal["follow", "refuse"]
) -> tuple[Path, os.stat_result | None]:
    """The path to write (a followed link's target) and what is there now."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path, None
    except OSError as exc:
        raise _cannot(path, exc) from None
    if stat.S_ISLNK(st.st_mode):
        if symlinks == "refuse":
            raise InputError(
                f"{path} is a symbolic link; it is not written through",
                hint="give the real path of the file",
            )
        try:
            st = os.stat(path)  # what the link leads to (the kernel follows it)
        except FileNotFoundError:
            return Path(os.path.realpath(path)), None  # dangling: its target is created
        except OSError as exc:
            raise _cannot(path, exc) from None
        # a device or FIFO behind a link (/dev/stdout -> /proc/self/fd/1) is opened
        # through the link; a regular file is replaced at its real path
        return (Path(os.path.realpath(path)) if stat.S_ISREG(st.st_mode) else path), st
    return path, st


@contextlib.contextmanager
def _in_place(path: Path) -> Iterator[BinaryIO]:
    """Write into an existing device or FIFO, without creating or renaming."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _cannot(path, exc) from None
    with os.fdopen(fd, "wb") as f:
        yield f
        f.flush()


@contextlib.contextmanager
def _stdout() -> Iterator[BinaryIO]:
    out = sys.stdout.buffer
    yield out
    out.flush()


@contextlib.contextmanager
def atomic_writer(
    path: Path | str,
    *,
    mode: int = 0o644,
    symlinks: Literal["follow", "refuse"] = "follow",
) -> Iterator[BinaryIO]:
    """Write ``path`` as the module docstring says; yields a binary file. ``mode``
    is the new file's permission bits from its creation on (``0o600`` for anything
    holding a secret: never created wider and narrowed later). On an error the
    temporary file is removed and an existing file is left as it was."""
    if is_stdout(path):
        with _stdout() as out:
            yield out
        return
    target, st = _target(Path(path), symlinks)
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            with _in_place(target) as f:
                yield f
            return
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise InputError(f"cannot write {path}: it is {what}", hint="give a file name")
    tmp = target.with_name(target.name + TEMP_SUFFIX)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags | getattr(os, "O_NOFOLLOW", 0), mode)
    except OSError as exc:
        raise _cannot(target, exc) from None
    f = os.fdopen(fd, "wb")
    try:
        yield f
        f.flush()
        os.fsync(f.fileno())
        f.close()
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        f.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
