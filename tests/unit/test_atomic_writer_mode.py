"""A file that will hold a secret is never readable by others, not even while it is
being written: the mode is set when the file is created, not changed afterwards."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from samizdat.files import TEMP_SUFFIX, atomic_writer


def test_the_temporary_file_is_private_before_a_byte_is_written(tmp_path: Path) -> None:
    target = tmp_path / "cap.txt"
    old = os.umask(0o022)  # the usual umask, under which a plain open() gives 0644
    try:
        with atomic_writer(target, mode=0o600) as f:
            tmp = target.with_name(target.name + TEMP_SUFFIX)
            assert stat.S_IMODE(os.stat(tmp).st_mode) == 0o600
            assert os.stat(tmp).st_size == 0
            f.write(b"secret\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == b"secret\n"


def test_without_a_mode_the_umask_decides(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_writer(tmp_path / "pages.pdf") as f:
            f.write(b"%PDF")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "pages.pdf").stat().st_mode) == 0o644
