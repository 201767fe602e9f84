"""Items on their way in: the spill file against the raw cipher, and what a session
holds in memory while a large item arrives (``store/spill.py``, ``node/session.py``).

* spill rate: append an item in 64 KiB chunks (the DATA size) to a
  :class:`~samizdat.store.spill.SpillFile` and read it back once, against the raw
  ChaCha20-Poly1305 (``core.crypto.Aead``) sealing and opening the same chunks in
  memory, in the same run;
* held while receiving: the traced peak (``tracemalloc``, both sides of one
  in-process session over real TLS on loopback) while a contact has sent all of an
  item but its last frame, against the item's size, which is what a session held
  before items were spilled. Goal: a small constant, under 1/8 of the item.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import tracemalloc
from pathlib import Path

from bench.harness import Row, best_of, throughput
from samizdat.core.crypto import Aead
from samizdat.errors import NetworkError
from samizdat.store.spill import SpillFile

NAME = "spill"
CHUNK = 64 * 1024


def _rates(size: int, tmp: Path) -> list[Row]:
    chunks = [os.urandom(CHUNK) for _ in range(size // CHUNK)]

    def spilled() -> None:
        with SpillFile(tmp, os.urandom) as spill:
            for c in chunks:
                spill.append(c)
            spill.read()

    def raw() -> None:
        aead = Aead(os.urandom(32))
        sealed = [aead.encrypt(i.to_bytes(12, "big"), c) for i, c in enumerate(chunks)]
        b"".join(aead.decrypt(i.to_bytes(12, "big"), s) for i, s in enumerate(sealed))

    t_spill = best_of(spilled, 3)
    t_raw = best_of(raw, 3)
    return [Row(NAME, f"spill append + read back, {size >> 20} MiB", throughput(size, t_spill),
                "MB/s", throughput(size, t_raw), "reported (raw: the AEAD in memory)")]


def _held(size: int, tmp: Path, smoke: bool) -> Row:
    import pytest
    from tests.integration import test_network_spill as t

    rig = t.Rig(tmp)
    payload = os.urandom(size)
    peak: list[int] = []

    async def peer(conn: t.tcp.Connection, machine: t.Session, item: bytes) -> None:
        frames = machine.send_item(item, payload, 0)
        tracemalloc.start()
        try:
            for wire in frames[:-1]:
                conn.write(wire)
                await conn.drain()
            await t.ping(conn)
            peak.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        conn.abort()

    try:
        with pytest.raises(NetworkError):
            asyncio.run(rig.session(peer))
    finally:
        rig.store.close()
    return Row(NAME, f"traced peak while a {size >> 20} MiB item arrives", peak[0] / 1e6, "MB",
               size / 1e6, "ratio < 0.125", None if smoke else peak[0] < size // 8)


def run(smoke: bool = False) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="samizdat-bench-spill-") as tmp:
        rows += _rates((4 if smoke else 64) << 20, Path(tmp))
        for i, size in enumerate((1,) if smoke else (8, 32)):
            rows.append(_held(size << 20, Path(tmp) / f"held{i}", smoke))
    return rows
