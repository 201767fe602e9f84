"""Reach sketches in the simulator (``docs/spec/reach.md``): the committee's
estimate against the true number of readers, without and with 5% inflating nodes.

No raw primitive to compare with: the figures are relative errors, measured after
the document reached every node and as many rounds again passed (the sketches travel
back as slowly as the text went out). Goals: within ±10% honest, ±25% under
inflation; sketch size ≤ 1 KiB.
"""

from __future__ import annotations

from bench.harness import Row
from samizdat.core import reach
from samizdat.sim.reach import simulate_reach


def run(smoke: bool = False) -> list[Row]:
    n = 500 if smoke else 10_000
    rows = [Row("reach", "sketch size per document", reach.SKETCH_BYTES, "bytes",
                goal="<= 1024", met=reach.SKETCH_BYTES <= 1024)]
    for hostile, attack, goal in ((0.0, "max", 0.10), (0.05, "max", 0.25),
                                  (0.05, "subtle", 0.25)):
        r = simulate_reach(n, hostile=hostile, attack=attack)  # type: ignore[arg-type]
        err = r.origin_estimate[-1] / r.readers[-1] - 1
        what = "honest" if not hostile else f"{hostile:.0%} hostile, {attack} inflation"
        rows.append(Row("reach", f"estimate error, {n} nodes, {what}", abs(err) * 100, "%",
                        goal=f"<= {goal:.0%}", met=None if smoke else abs(err) <= goal))
    return rows
