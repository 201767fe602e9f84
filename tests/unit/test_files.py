"""The one atomic writer: a device node, a FIFO, a socket, a symlink and ``-`` are
each handled as ``cp`` would (written in place, refused, followed), never replaced
by a regular file. The device node is made with ``mknod`` in a temporary folder
(the tests run as root here); the real ``/dev/null`` is never touched."""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from samizdat.errors import InputError
from samizdat.files import TEMP_SUFFIX, atomic_writer

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")


@needs_root
def test_device_node_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a second /dev/null
    before = os.stat(null)
    with atomic_writer(null) as f:
        f.write(b"a bundle nobody should find in /dev/null")
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert null.read_bytes() == b""  # still discards what is written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    with atomic_writer(fifo) as f:
        f.write(b"through the pipe")
    reader.join(10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_socket_and_folder_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        with pytest.raises(InputError, match="not a regular file"), atomic_writer(path) as f:
            f.write(b"x")
        assert stat.S_ISSOCK(os.stat(path).st_mode)
    with pytest.raises(InputError, match="a folder"), atomic_writer(tmp_path) as f:
        f.write(b"x")


def test_symlink_is_followed_deliberately_or_refused_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "real.bin"
    target.write_bytes(b"old")
    link = tmp_path / "link.bin"
    link.symlink_to(target)
    with atomic_writer(link) as f:
        f.write(b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    with pytest.raises(InputError, match="symbolic link"), atomic_writer(
        link, symlinks="refuse"
    ) as f:
        f.write(b"trap")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_regular_file_is_replaced_atomically_with_its_mode_from_creation(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cap.txt"
    seen: list[int] = []
    with atomic_writer(path, mode=0o600) as f:
        seen.append(os.fstat(f.fileno()).st_mode & 0o777)  # before any byte
        f.write(b"secret")
    assert seen == [0o600] and path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(RuntimeError), atomic_writer(path) as f:
        f.write(b"half")
        raise RuntimeError("interrupted")
    assert path.read_bytes() == b"secret"
    assert not (tmp_path / ("cap.txt" + TEMP_SUFFIX)).exists()


def test_dash_means_standard_output(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    with atomic_writer("-") as f:
        f.write(b"to stdout")
    assert capfdbinary.readouterr().out == b"to stdout"
    assert not Path("-").exists()


def test_dev_stdout_style_link_to_a_pipe_is_written_through(tmp_path: Path) -> None:
    # /dev/stdout is a link to /proc/self/fd/1, whose "target" is no real path
    read_fd, write_fd = os.pipe()
    link = tmp_path / "stdout"
    link.symlink_to(f"/proc/self/fd/{write_fd}")
    try:
        with atomic_writer(link) as f:
            f.write(b"via the link")
        os.close(write_fd)
        assert os.read(read_fd, 100) == b"via the link"
    finally:
        os.close(read_fd)
    assert link.is_symlink()
