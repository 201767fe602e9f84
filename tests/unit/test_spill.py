"""The spill file an item waits in while it arrives (``store/spill.py``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from samizdat.errors import CryptoError, StoreError
from samizdat.store import spill as spill_module
from samizdat.store.spill import SpillFile


def test_what_is_appended_reads_back_in_order(tmp_path: Path) -> None:
    parts = [os.urandom(n) for n in (1, 65536, 0, 7, 300000)]
    with SpillFile(tmp_path, os.urandom) as spill:
        for p in parts:
            spill.append(p)
        assert spill.size == sum(map(len, parts))
        assert spill.read() == b"".join(parts)
        assert spill.read() == b"".join(parts)  # as often as asked
    assert spill.closed
    with pytest.raises(StoreError):
        spill.read()
    spill.close()  # again: nothing happens


def test_the_spill_has_no_name_is_owner_only_and_holds_no_clear_text(tmp_path: Path) -> None:
    clear = b"read it, copy it, pass it on " * 4000
    with SpillFile(tmp_path, os.urandom) as spill:
        spill.append(clear)
        assert list(tmp_path.iterdir()) == []  # never named in the folder
        fd = spill._fd
        assert fd is not None
        assert stat.S_IMODE(os.fstat(fd).st_mode) == 0o600
        on_disk = os.pread(fd, 1 << 20, 0)
        assert len(on_disk) >= len(clear)
        assert b"read it, copy it" not in on_disk
    assert "key" in repr(spill) and "hidden" in repr(spill)


def test_without_o_tmpfile_a_named_file_is_unlinked_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []
    real_open = os.open

    def no_tmpfile(path: object, flags: int, mode: int = 0o777) -> int:
        if getattr(os, "O_TMPFILE", 0) and flags & os.O_TMPFILE == os.O_TMPFILE:
            raise OSError(95, "Operation not supported")
        made.append(str(path))
        assert flags & os.O_EXCL and mode == 0o600
        return real_open(path, flags, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(spill_module.os, "open", no_tmpfile)
    with SpillFile(tmp_path, os.urandom) as spill:
        spill.append(b"abc")
        assert list(tmp_path.iterdir()) == []
        assert spill.read() == b"abc"
    assert len(made) == 1 and Path(made[0]).parent == tmp_path


@pytest.mark.parametrize("where", [0, 3, 4, 30, -1])
def test_a_spill_changed_on_disk_fails_its_read(tmp_path: Path, where: int) -> None:
    with SpillFile(tmp_path, os.urandom) as spill:
        spill.append(b"x" * 40)
        spill.append(b"y" * 40)
        fd = spill._fd
        assert fd is not None
        size = os.fstat(fd).st_size
        at = where % size
        byte = os.pread(fd, 1, at)
        os.pwrite(fd, bytes([byte[0] ^ 1]), at)
        with pytest.raises(CryptoError):
            spill.read()


def test_a_spill_cut_short_fails_its_read(tmp_path: Path) -> None:
    with SpillFile(tmp_path, os.urandom) as spill:
        spill.append(b"x" * 40)
        assert spill._fd is not None
        os.ftruncate(spill._fd, 30)
        with pytest.raises(CryptoError):
            spill.read()


def test_two_spills_use_two_keys(tmp_path: Path) -> None:
    with SpillFile(tmp_path, os.urandom) as a, SpillFile(tmp_path, os.urandom) as b:
        a.append(b"same bytes" * 10)
        b.append(b"same bytes" * 10)
        assert a._fd is not None and b._fd is not None
        assert os.pread(a._fd, 200, 0) != os.pread(b._fd, 200, 0)


def test_a_folder_that_cannot_hold_a_spill_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="spill"):
        SpillFile(tmp_path / "missing", os.urandom)
