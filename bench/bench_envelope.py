"""Envelope sealing and opening against the raw pipeline of the same primitives.

For each size, the same payload goes through

* ``seal`` / ``open_shards`` (3 of 10 shards), and
* the *raw pipeline*: zstd (level 3, 1 MiB chunks) → ChaCha20-Poly1305 per 1 MiB
  stripe → zfec 3-of-10 → keyed BLAKE3 over every block, and back (decode from
  shares 1, 5 and 9 so that zfec has to reconstruct, as the real open does),

measured in the same run, single-threaded. The ratio is what the envelope's own
bookkeeping costs (padding, framing, tags, buffers): goal >= 70%.

Peak RSS is measured in a fresh subprocess that seals 1 GiB of generated text into
ten shard files while generating it, then opens it from three of the files into a
sink that only hashes: goal < 256 MiB.
"""

from __future__ import annotations

import os
import random
import sys
import textwrap

import blake3
import zfec
import zstandard
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from bench.harness import Row, best_of, throughput
from samizdat.core.envelope import BytesSource, Sealer, open_stream, seal
from samizdat.testing.hostile import run_measured

K, N = 3, 10
MIB = 1 << 20
_WORDS = [
    "the", "committee", "text", "version", "party", "members", "appeal", "read", "copy",
    "pass", "it", "on", "leadership", "country", "village", "collectivisation", "methods",
    "adventurer", "dead", "end", "manifesto", "typed", "police", "archive", "survive",
    "hand", "mail", "group", "august", "march", "moscow",
]


def _text(size: int, seed: int = 1) -> bytes:
    r = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += (" ".join(r.choices(_WORDS, k=2000)) + ".\n\n").encode()
    return bytes(out[:size])


def _raw_seal(payload: bytes) -> list[list[bytes]]:
    key = os.urandom(32)
    aead = ChaCha20Poly1305(key)
    mac = os.urandom(32)
    cctx = zstandard.ZstdCompressor(level=3, write_content_size=True)
    compressed = b"".join(cctx.compress(payload[i : i + MIB]) for i in range(0, len(payload), MIB))
    enc = zfec.Encoder(K, N)
    stripes = []
    for s, i in enumerate(range(0, max(len(compressed), 1), MIB - 16)):
        ct = aead.encrypt(s.to_bytes(12, "big"), compressed[i : i + MIB - 16], b"")
        ct += bytes(-len(ct) % K)
        size = len(ct) // K
        blocks = enc.encode([ct[j * size : (j + 1) * size] for j in range(K)])
        for b in blocks:
            blake3.blake3(b, key=mac).digest(16)
        stripes.append(blocks)
    return stripes


def _raw_open(payload: bytes) -> tuple[object, ...]:
    """Prepare a raw sealed form once; return a closure that opens it."""
    key = os.urandom(32)
    aead = ChaCha20Poly1305(key)
    mac = os.urandom(32)
    cctx = zstandard.ZstdCompressor(level=3, write_content_size=True)
    frames = [cctx.compress(payload[i : i + MIB]) for i in range(0, len(payload), MIB)]
    compressed = b"".join(frames)
    enc = zfec.Encoder(K, N)
    stripes = []
    for s, i in enumerate(range(0, max(len(compressed), 1), MIB - 16)):
        ct = aead.encrypt(s.to_bytes(12, "big"), compressed[i : i + MIB - 16], b"")
        pad = -len(ct) % K
        ct += bytes(pad)
        size = len(ct) // K
        blocks = enc.encode([ct[j * size : (j + 1) * size] for j in range(K)])
        stripes.append(([blocks[1], blocks[5], blocks[9]], pad))
    sizes = [len(f) for f in frames]
    return stripes, sizes, aead, mac


def _raw_open_run(prepared: tuple[object, ...]) -> None:
    stripes, sizes, aead, mac = prepared
    dec = zfec.Decoder(K, N)
    dctx = zstandard.ZstdDecompressor()
    out = bytearray()
    for s, (blocks, pad) in enumerate(stripes):  # type: ignore[attr-defined]
        for b in blocks:
            blake3.blake3(b, key=mac).digest(16)  # type: ignore[arg-type]
        ct = b"".join(dec.decode(tuple(blocks), (1, 5, 9)))  # type: ignore[arg-type]
        out += aead.decrypt(s.to_bytes(12, "big"), ct[: len(ct) - pad], b"")  # type: ignore[attr-defined]
    pos = 0
    for size in sizes:  # type: ignore[attr-defined]
        dctx.decompress(bytes(out[pos : pos + size]), max_output_size=MIB)
        pos += size


_RSS_SCRIPT = textwrap.dedent(
    """
    import os, random, sys, tempfile, blake3
    from pathlib import Path
    from samizdat.core.envelope import Sealer, open_stream
    from samizdat.transports.bundle import FileSource
    total = int(sys.argv[1])
    words = b"the committee text version party appeal read copy pass it on".split()
    r = random.Random(1)
    chunk = b" ".join(r.choice(words) for _ in range(200_000))[: 1 << 20]
    with tempfile.TemporaryDirectory() as d:
        files = [open(Path(d) / str(i), "wb") for i in range(10)]
        sealer = Sealer(k=3, n=10, rng=os.urandom, sinks=[f.write for f in files])
        for i in range(total // len(chunk)):
            sealer.write(chunk[i % 7 :] + chunk[: i % 7])
        cap = sealer.close()
        for f in files:
            f.close()
        h = blake3.blake3()
        got = open_stream(cap, [FileSource(Path(d) / str(i)) for i in (2, 6, 9)], h.update)
        assert got == (total // len(chunk)) * len(chunk), got
    """
)


def _peak_rss(total: int) -> float:
    # measured from outside by /usr/bin/time (ru_maxrss inside a child, or wait4
    # on our own child, would include this process's size: Linux carries it
    # across fork and exec)
    got = run_measured([sys.executable, "-c", _RSS_SCRIPT, str(total)],
                       env=os.environ, timeout=1800)
    if got.code != 0:
        raise RuntimeError(f"seal/open child failed: {got.stderr.strip()}")
    return got.peak_rss / MIB


def _seal_stream(payload: bytes) -> list[list[bytes | memoryview]]:
    """The streaming sealer, keeping the blocks as the raw pipeline does (no copy
    into one buffer per shard, which is what the one-shot ``seal`` adds)."""
    outs: list[list[bytes | memoryview]] = [[] for _ in range(N)]
    sealer = Sealer(k=K, n=N, rng=os.urandom, sinks=[o.append for o in outs])
    view = memoryview(payload)
    for i in range(0, len(view), MIB):
        sealer.write(view[i : i + MIB])
    sealer.close()
    return outs


def _open_stream(cap: object, chosen: list[bytes]) -> None:
    out: list[bytes | memoryview] = []
    open_stream(cap, [BytesSource(c) for c in chosen], out.append)  # type: ignore[arg-type]


def run(smoke: bool) -> list[Row]:
    rows: list[Row] = []
    # peak RSS first, in a fresh process, while this one is still small
    total = 16 * MIB if smoke else 1 << 30
    rss = _peak_rss(total)
    rows.append(Row("envelope", f"peak RSS seal+open {total // MIB} MiB", rss, "MiB", None,
                    "< 256 MiB", None if smoke else rss < 256))
    sizes = [1024, 64 * 1024] if smoke else [1024, 64 * 1024, MIB, 256 * MIB]
    for size in sizes:
        payload = _text(size)
        repeat = 1 if smoke else (3 if size >= 256 * MIB else 7)
        label = f"{size // 1024} KiB" if size < MIB else f"{size // MIB} MiB"
        t_seal = best_of(lambda p=payload: _seal_stream(p), repeat)  # type: ignore[misc]
        t_raw = best_of(lambda p=payload: _raw_seal(p), repeat)  # type: ignore[misc]
        seal_rate, raw_rate = throughput(size, t_seal), throughput(size, t_raw)
        rows.append(Row("envelope", f"seal {label} (3 of 10)", seal_rate, "MB/s", raw_rate,
                        ">= 70% of raw", None if smoke else seal_rate >= 0.7 * raw_rate))
        cap, shards = seal(payload, k=K, n=N, rng=os.urandom)
        chosen = [shards[1], shards[5], shards[9]]
        prepared = _raw_open(payload)
        t_open = best_of(
            lambda c=cap, ch=chosen: _open_stream(c, ch), repeat  # type: ignore[misc]
        )
        t_raw_open = best_of(lambda pr=prepared: _raw_open_run(pr), repeat)  # type: ignore[misc]
        open_rate, raw_open_rate = throughput(size, t_open), throughput(size, t_raw_open)
        rows.append(Row("envelope", f"open {label} (3 of 10, from parity)", open_rate, "MB/s",
                        raw_open_rate, ">= 70% of raw",
                        None if smoke else open_rate >= 0.7 * raw_open_rate))
        del payload, shards, chosen, prepared
    return rows
