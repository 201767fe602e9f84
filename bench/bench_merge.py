"""``draft merge`` of two long branches (issue 14's figure).

A base text of ``N`` paragraphs (Russian, Persian and Chinese words mixed) and two
branches of it, each editing 1% of the paragraphs in place (A the even ones, B the
odd ones among those picked, so the merge is clean and holds both). Two figures per
size, each the median of 3:

* the pure three-way merge (``core.merge.merge``), against the time of hashing the
  three texts' paragraphs (the least work any paragraph merge does);
* ``app.documents.draft_merge`` on a real store (find the common ancestor, read the
  three versions, merge, store the merged version), against storing one version of
  the same size with ``draft revise``.

Goal: under 1 s at 10,000 paragraphs. Smaller sizes show how it grows.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from functools import partial
from pathlib import Path

from bench.harness import Row, best_of
from samizdat.app import documents
from samizdat.core import merge
from samizdat.core.crypto import SecretBytes
from samizdat.core.text import paragraph_hash
from samizdat.store import Store

NAME = "merge"
_WORDS = ("товарищи", "урожай", "съезд", "کنگره", "بیانیه", "اقدام", "平台", "收成", "草稿",
          "comrades", "harvest", "congress")


def texts(n: int, seed: int = 1932) -> tuple[list[str], list[str], list[str]]:
    """Base, A and B: each branch edits 1% of the paragraphs, never the same one."""
    rnd = random.Random(seed)
    base = [f"{i}. " + " ".join(rnd.choice(_WORDS) for _ in range(12)) for i in range(n)]
    picked = rnd.sample(range(n), max(2, n // 50))
    a, b = list(base), list(base)
    for k, i in enumerate(picked):
        side = a if k % 2 == 0 else b
        side[i] = base[i] + " — " + rnd.choice(_WORDS)
    return base, a, b


def _hash_all(*sides: list[str]) -> None:
    for side in sides:
        for p in side:
            paragraph_hash(p)


def _write(path: Path, paragraphs: list[str]) -> Path:
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def _store_merge(n: int, tmp: Path) -> tuple[float, float]:
    base, a, b = texts(n)
    store = Store.create(tmp / f"h{n}", SecretBytes(b"bench", "passphrase"))
    try:
        _doc, v1 = documents.draft_new(store, base, "Платформа", os.urandom, 0)
        _d, vb, _p = documents.draft_revise(store, v1.hex(), _write(tmp / "b.txt", b), 2)
        times, refs = [], []
        for i in range(3):
            # a fresh branch A each run (tagged in a paragraph B leaves alone), so
            # every run merges anew; storing it is the reference
            tagged = [f"{a[0]} {i}", *a[1:]]
            t0 = time.perf_counter()
            _d, va, _p = documents.draft_revise(store, v1.hex(),
                                                _write(tmp / f"a{i}.txt", tagged), 10 + i)
            refs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            out = documents.draft_merge(store, va.hex(), vb.hex(), 20 + i)
            times.append(time.perf_counter() - t0)
            assert out.conflicts == [] and out.version is not None
    finally:
        store.close()
    return sorted(times)[1], sorted(refs)[1]


def run(smoke: bool = False) -> list[Row]:
    os.environ.setdefault("SAMIZDAT_INSECURE_FAST_KDF", "1")  # unlock cost is not measured
    sizes = [200, 400] if smoke else [1000, 3000, 10000]
    rows = []
    for n in sizes:
        base, a, b = texts(n)
        result = merge.merge(base, a, b)
        assert not result.conflicts
        assert set(a) - set(base) <= set(result.paragraphs) >= set(b) - set(base)
        took = best_of(partial(merge.merge, base, a, b), repeat=3)
        ref = best_of(partial(_hash_all, base, a, b), repeat=3)
        last = n == sizes[-1]
        rows.append(Row(NAME, f"core merge, {n:,} paragraphs, 1% edits per side", took, "s",
                        ref, goal="< 1 s" if last else "",
                        met=(took < 1.0) if last and not smoke else None))
        with tempfile.TemporaryDirectory() as tmp:
            took, ref = _store_merge(n, Path(tmp))
        rows.append(Row(NAME, f"draft merge in a store, {n:,} paragraphs "
                              "(reference: storing one revision of it)", took, "s", ref,
                        goal="< 1 s" if last else "",
                        met=(took < 1.0) if last and not smoke else None))
    return rows
