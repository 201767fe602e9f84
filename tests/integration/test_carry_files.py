"""Bundle files and dead-drop folders on a real file system: streaming through
files, atomic writes, and what a folder shows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samizdat.core.caps import ReadCap
from samizdat.core.envelope import CHUNK_BYTES, open_stream
from samizdat.errors import DecodeError, InputError
from samizdat.transports.bundle import (
    TEMP_SUFFIX,
    FileSource,
    atomic_writer,
    seal_to_files,
    shard_paths,
)
from samizdat.transports.deaddrop import DeadDrop


def test_seal_to_files_and_open_from_files(tmp_path: Path) -> None:
    payload = os.urandom(CHUNK_BYTES) + b"text " * 300_000  # several stripes
    paths = [tmp_path / f"s{i}" for i in range(5)]
    cap = seal_to_files(payload, paths, k=3, rng=os.urandom)
    assert not list(tmp_path.glob("*" + TEMP_SUFFIX))
    out = bytearray()
    sources = [FileSource(p) for p in shard_paths([tmp_path])]
    assert open_stream(cap, sources[2:], out.extend) == len(payload)
    assert bytes(out) == payload
    for s in sources:
        s.close()


def test_atomic_writer_leaves_nothing_on_error(tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    with pytest.raises(RuntimeError), atomic_writer(target) as f:
        f.write(b"half of it")
        raise RuntimeError("stick pulled")
    assert list(tmp_path.iterdir()) == []
    with atomic_writer(target) as f:
        f.write(b"all of it")
    assert target.read_bytes() == b"all of it"


def test_missing_paths_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        shard_paths([tmp_path / "nope"])
    with pytest.raises(InputError):
        FileSource(tmp_path / "nope")
    with pytest.raises(InputError):
        DeadDrop(tmp_path / "nope")


def test_dead_drop_files_are_anonymous(tmp_path: Path) -> None:
    drop = DeadDrop(tmp_path)
    key = ReadCap(k=1, n=1, root_key=os.urandom(32))
    a = drop.leave(key, b"same payload", os.urandom)
    b = drop.leave(key, b"same payload", os.urandom)
    # same Padmé bucket (16 bytes wide here), random length within it
    assert a.name != b.name and abs(a.size - b.size) < 16
    first, second = (tmp_path / a.name).read_bytes(), (tmp_path / b.name).read_bytes()
    assert not any(first[i : i + 16] in second for i in range(len(first) - 15))
    assert {e.name for e in drop.entries()} == {a.name, b.name}
    out = bytearray()
    with drop.source(a) as src:
        open_stream(drop.bundle_cap(key, a), [src], out.extend)
    assert bytes(out) == b"same payload"
    with pytest.raises(DecodeError):
        drop.bundle_cap(ReadCap(k=1, n=1, root_key=os.urandom(32)), a)
