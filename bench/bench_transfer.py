"""Transfer between two processes over loopback, against raw asyncio TCP in the same run.

* **raw**: asyncio loopback TCP, the same 1 MiB blocks and the same total, a receiver
  process reading until it has every byte and answering one byte; the reference.
* **session transport**: the node's framed, pinned TLS 1.3 stream
  (:mod:`samizdat.transports.tcp` + :mod:`~samizdat.transports.tls`, 1 MiB frames,
  ``drain()`` after each frame) between the same two kinds of process. Goal: >= 50% of
  raw. This is the path every item of a sync travels.

Raw and TLS runs alternate (raw, TLS, raw, TLS, ...) and each figure is the median of
its runs, so a neighbour's load on this shared machine hits both alike.
* **sync end to end** (no goal, shown for honesty): a real ``samizdat node run``
  process holding one large shared document, and a ``sync`` from another store in
  this process: packaging, TLS, the session, verification of every paragraph and the
  SQLCipher writes. Reported as MB/s of package bytes.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import Row, throughput

NAME = "transfer"
FRAME = 1024 * 1024
CHUNK = FRAME  # raw writes: the same block as one TLS frame's payload


# ----------------------------------------------------------------- receivers


def _raw_receiver(port_q: mp.Queue, total: int) -> None:  # type: ignore[type-arg]
    async def main() -> None:
        done = asyncio.Event()

        async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            got = 0
            while got < total:
                data = await r.read(1 << 20)
                if not data:
                    break
                got += len(data)
            w.write(b"k")
            await w.drain()
            w.close()
            done.set()

        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_q.put(srv.sockets[0].getsockname()[1])
        await done.wait()
        srv.close()

    asyncio.run(main())


def _tls_receiver(port_q: mp.Queue, total: int, seed: bytes, peer_cert: bytes) -> None:  # type: ignore[type-arg]
    from samizdat.protocol.frames import FrameType
    from samizdat.transports import tcp
    from samizdat.transports.tls import TransportIdentity, fixed_server_context

    me = TransportIdentity.from_seed(seed)

    async def main() -> None:
        done = asyncio.Event()

        async def handle(conn: tcp.Connection) -> None:
            got = 0
            while got < total:
                got += len((await conn.read_frame(timeout=60)).payload)
            await conn.write_frame(FrameType.END, b"")
            done.set()

        ctx = fixed_server_context(me, [peer_cert], int(time.time()))
        srv = await tcp.listen(
            "127.0.0.1", 0, lambda: ctx, handle,
        )
        port_q.put(srv.sockets[0].getsockname()[1])
        await done.wait()
        await asyncio.sleep(0.05)
        srv.close()

    asyncio.run(main())


# -------------------------------------------------------------------- senders


async def _send_raw(port: int, total: int) -> float:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    block = os.urandom(CHUNK)
    t0 = time.perf_counter()
    sent = 0
    while sent < total:
        w.write(block)
        sent += CHUNK
        await w.drain()
    await r.readexactly(1)
    elapsed = time.perf_counter() - t0
    w.close()
    return elapsed


async def _send_tls(port: int, total: int, me_seed: bytes, server_cert: bytes) -> float:
    from samizdat.core.crypto import certificate_ed25519_key
    from samizdat.protocol.frames import FrameType
    from samizdat.transports import tcp
    from samizdat.transports.tls import TransportIdentity, client_context, contact_sni

    me = TransportIdentity.from_seed(me_seed)
    sni = contact_sni(me, certificate_ed25519_key(server_cert), int(time.time()))
    conn = await tcp.dial("127.0.0.1", port, client_context(me, server_cert), sni)
    block = os.urandom(FRAME)
    t0 = time.perf_counter()
    sent = 0
    while sent < total:
        await conn.write_frame(FrameType.DATA, block)
        sent += FRAME
    await conn.read_frame(timeout=60)
    elapsed = time.perf_counter() - t0
    await conn.close()
    return elapsed


def _pair(
    target: Callable[..., object], args: tuple[object, ...]
) -> tuple[mp.process.BaseProcess, int]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(q, *args))
    p.start()
    return p, int(q.get(timeout=60))


def _raw_once(total: int) -> float:
    p, port = _pair(_raw_receiver, (total,))
    try:
        return asyncio.run(_send_raw(port, total))
    finally:
        p.join(30)


def _tls_once(total: int) -> float:
    from samizdat.transports.tls import TransportIdentity

    a, b = os.urandom(32), os.urandom(32)
    ia, ib = TransportIdentity.from_seed(a), TransportIdentity.from_seed(b)
    p, port = _pair(_tls_receiver, (total, b, ia.certificate))
    try:
        return asyncio.run(_send_tls(port, total, a, ib.certificate))
    finally:
        p.join(30)


# ------------------------------------------------------------------- end to end


def _sync_once(paragraphs: int) -> tuple[float, int]:
    import json

    from samizdat.app import documents, network
    from samizdat.core.crypto import SecretBytes
    from samizdat.store import Store
    from samizdat.store.contacts import ContactBook

    os.environ.setdefault("SAMIZDAT_INSECURE_FAST_KDF", "1")
    pw = "bench passphrase"
    tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-"))
    node = None
    try:
        alice, bob = tmp / "alice", tmp / "bob"
        for h in (alice, bob):
            documents.init(h, SecretBytes(pw.encode()), os.urandom)
        line = " ".join(["the committee asks every member to read this, copy it, pass it on"] * 8)
        with Store.open(alice, SecretBytes(pw.encode())) as store:
            _d, ver = documents.draft_new(
                store, (f"{i} {line}" for i in range(paragraphs)), "Bench", os.urandom,
                int(time.time()),
            )
            network.share(store, ver, int(time.time()))
            size = len(network.StoreLibrary(store, lambda: 0).package(ver))
            a_id = network.identity(store, os.urandom)
        env = dict(os.environ, SAMIZDAT_PASSPHRASE=pw)
        node = subprocess.Popen(
            [sys.executable, "-m", "samizdat", "--home", str(alice), "--json", "node", "run",
             "--interval", "3600"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
        assert node.stdout is not None
        address = json.loads(node.stdout.readline())["address"]
        with Store.open(bob, SecretBytes(pw.encode())) as store:
            b_id = network.identity(store, os.urandom)
            book = ContactBook(store.db)
            with store.transaction():
                contact = book.add(a_id.public_key, a_id.certificate, address, 0)
        with Store.open(alice, SecretBytes(pw.encode())) as store, store.transaction():
            ContactBook(store.db).add(b_id.public_key, b_id.certificate, "", 0)
        with Store.open(bob, SecretBytes(pw.encode())) as store:
            t0 = time.perf_counter()
            result = network.sync(store, os.urandom, lambda: int(time.time()), [contact])
            elapsed = time.perf_counter() - t0
            assert result.received == 1
        return elapsed, size
    finally:
        if node is not None:
            node.terminate()
            node.wait(20)
        shutil.rmtree(tmp, ignore_errors=True)


def run(smoke: bool) -> list[Row]:
    total = (8 if smoke else 512) * 1024 * 1024
    repeat = 1 if smoke else 5
    raws, tlss = [], []
    for _ in range(repeat):  # interleaved: load from others hits both alike
        raws.append(_raw_once(total))
        tlss.append(_tls_once(total))
    raw, tls = statistics.median(raws), statistics.median(tlss)
    raw_mb, tls_mb = throughput(total, raw), throughput(total, tls)
    rows = [
        Row(NAME, f"raw asyncio loopback TCP, {total >> 20} MiB (median of {repeat})",
            raw_mb, "MB/s"),
        Row(NAME, "pinned TLS 1.3 framed session stream", tls_mb, "MB/s", reference=raw_mb,
            goal=">= 50% of raw", met=None if smoke else tls_mb >= 0.5 * raw_mb),
    ]
    elapsed, size = _sync_once(200 if smoke else 20_000)
    rows.append(Row(NAME, f"sync end to end, one {size / 1e6:.1f} MB document",
                    throughput(size, elapsed), "MB/s", reference=raw_mb,
                    goal="(shown; includes verify + store)"))
    return rows
