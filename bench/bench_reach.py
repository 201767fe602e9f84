"""Reach sketches (``docs/spec/reach.md``): the committee's estimate against the true
number of readers in the simulator, without and with 5% hostile nodes, and the
bytes the sketches add to a session and to a bundle.

No raw primitive to compare the estimate with: the figures are relative errors,
measured after the document reached every node and as many rounds again passed (the
sketches travel back as slowly as the text went out). Goals: within ±10% honest,
±25% under inflation; sketch size ≤ 1 KiB. Bytes are counted on the real codecs: two
``protocol.session`` machines with and without one SKETCH frame each way, and a
package sealed by ``core.envelope`` with and without the optional part (compressed
and padded, so a bundle grows by less or more than the part itself).
"""

from __future__ import annotations

import os
import statistics

from bench.harness import Row
from samizdat.core import reach
from samizdat.sim.reach import simulate_reach


def _session_bytes(sketches: int) -> int:
    """Bytes both sides write in one session where each sends one SKETCH frame of
    ``sketches`` documents after its WANT (none: no frame)."""
    from samizdat.protocol.frames import FrameType
    from samizdat.protocol.reconcile import ItemSet
    from samizdat.protocol.session import Session
    from samizdat.testing.sessions import drive

    full = reach.ReachSketch.empty()
    for _ in range(2000):
        full = full.merge(reach.contribution(os.urandom(32), "reader"))
    payload = (reach.encode_sketch_frame([(os.urandom(16), full) for _ in range(sketches)])
               if sketches else None)

    class Fixed:  # the session extension, without a store
        frame_type = FrameType.SKETCH

        def opening(self) -> bytes | None:
            return payload

        def receive(self, data: bytes) -> None:
            reach.decode_sketch_frame(data)

    ids = [os.urandom(16) for _ in range(8)]
    a = Session(ItemSet(ids), initiator=True, extensions=[Fixed()])
    b = Session(ItemSet(ids), initiator=False, extensions=[Fixed()])
    drive(a, b, then="end")
    return a.bytes_out + b.bytes_out


def _bundle_growth(paragraphs: int) -> tuple[int, int]:
    """(package bytes added, sealed bundle bytes added) by a realistic sketch (10,000
    holders: high-entropy registers), for a package of ``paragraphs`` paragraphs."""
    from samizdat.core import package as pkg
    from samizdat.core.envelope import seal
    from samizdat.runtime import system_rng
    from samizdat.testing.hostile import tiny_paragraph_package

    full = reach.ReachSketch.empty()
    for _ in range(10_000):
        full = full.merge(reach.contribution(os.urandom(32), "reader"))
    base = pkg.decode_package(tiny_paragraph_package(paragraphs, system_rng))
    plain = pkg.encode_package(base)
    part = pkg.encode_package(pkg.Package(base.document, base.entry, (), full.encode()))
    sealed = [len(seal(p, k=1, n=1, rng=system_rng)[1][0]) for p in (plain, part)]
    return len(part) - len(plain), sealed[1] - sealed[0]


def run(smoke: bool = False) -> list[Row]:
    n = 500 if smoke else 10_000
    rows = [Row("reach", "sketch size per document", reach.SKETCH_BYTES, "bytes",
                goal="<= 1024", met=reach.SKETCH_BYTES <= 1024)]
    base = _session_bytes(0)
    rows.append(Row("reach", "session bytes without sketches (8 ids each, in step)",
                    base, "bytes"))
    rows.append(Row("reach", "session bytes added per shared document, both ways",
                    _session_bytes(1) - base, "bytes"))
    rows.append(Row("reach", "session bytes added, 10 shared documents, both ways",
                    _session_bytes(10) - base, "bytes"))
    growth = [_bundle_growth(p) for p in (1, 100, 2000)]
    rows.append(Row("reach", "package bytes added by the sketch part",
                    statistics.mean(g[0] for g in growth), "bytes"))
    rows.append(Row("reach", "sealed bundle bytes added (1, 100, 2000 paragraphs, mean)",
                    statistics.mean(g[1] for g in growth), "bytes"))
    from samizdat.sim.reach import STUDY_CASES

    for case in STUDY_CASES:
        opts = {k: v for k, v in case.items() if k not in ("label", "hostile")}
        hostile = 0.05 if case.get("hostile", True) else 0.0
        r = simulate_reach(n, hostile=hostile, **opts)
        err = r.origin_estimate[-1] / r.readers[-1] - 1
        goal = 0.25 if hostile else 0.10
        what = case["label"] if not hostile else f"5% hostile, {case['label']}"
        rows.append(Row("reach", f"estimate error, {n} nodes, {what}", err * 100, "%",
                        goal=f"within ±{goal:.0%}", met=None if smoke else abs(err) <= goal))
    return rows
