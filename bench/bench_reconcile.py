"""Range-based set reconciliation: bytes and round trips between two in-process
machines sharing N items and differing in d, against the full id list.

The reference of each byte figure is the naive exchange measured on the same sets
(one side sends all its 16-byte ids, the other answers with the ids the first lacks
and a bitmap): the protocol must never cost more than 1.05x that, and at N = 10^6,
d = 100 it must stay under 64 KiB in at most 4 round trips. Every conversation is
checked for the exact answer before its figures count.
"""

from __future__ import annotations

import os
import time

from bench.harness import Row
from samizdat.protocol.reconcile import ID_BYTES, ItemSet, Reconciler, full_list_bytes

NAME = "reconcile"


def _ids(count: int) -> list[bytes]:
    raw = os.urandom(ID_BYTES * count)
    return [raw[i : i + ID_BYTES] for i in range(0, len(raw), ID_BYTES)]


def _converse(a: Reconciler, b: Reconciler) -> int:
    msg: bytes | None = a.initiate()
    messages = 1
    side = b
    while msg is not None:
        msg = side.receive(msg)
        side = a if side is b else b
        messages += msg is not None
    return messages


def run(smoke: bool) -> list[Row]:
    rows: list[Row] = []
    sizes = [1_000] if smoke else [100_000, 1_000_000]
    for n in sizes:
        common = _ids(n)
        t0 = time.perf_counter()
        sorted(common)
        sort_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ItemSet(common)
        build_s = time.perf_counter() - t0
        rows.append(Row(NAME, f"build ItemSet, N={n:,}", build_s, "s", reference=sort_s,
                        goal="reference: sorting the ids"))
        for d in (0, 1, 100, 10_000):
            a_only, b_only = _ids(d - d // 2), _ids(d // 2)
            a = Reconciler(ItemSet(common + a_only))
            b = Reconciler(ItemSet(common + b_only))
            t0 = time.perf_counter()
            messages = _converse(a, b)
            took = time.perf_counter() - t0
            if set(a.need) != set(b_only) or set(b.need) != set(a_only):
                raise AssertionError(f"wrong answer at N={n}, d={d}")
            total = a.bytes_sent + b.bytes_sent
            full = full_list_bytes(n + len(a_only), len(b_only))
            trips = (messages + 1) // 2
            label = f"N={n:,} d={d:,}"
            big = n >= 1_000_000 and d == 100
            rows.append(Row(
                NAME, f"bytes, {label}", total, "B", reference=full,
                goal="< 64 KiB and <= 1.05x full list" if big else "<= 1.05x full list",
                met=total <= 1.05 * full and (total < 65536 if big else True),
            ))
            rows.append(Row(
                NAME, f"round trips, {label} ({messages} messages)", trips, "RT",
                goal="<= 4" if big else "",
                met=(trips <= 4) if big else None,
            ))
            rows.append(Row(NAME, f"time, {label}", took, "s"))
    return rows
