"""The network simulator at 10,000 nodes (smoke: 300): reach and payload copies of the
pass-along protocol against the push-pull baseline run in the same simulator.

Goals (issue 7): 99% of nodes reached within 1.1x the baseline's rounds, with at most
2 payload copies sent per node on average. The baseline's own figures are the
reference column.
"""

from __future__ import annotations

from bench.harness import Row
from samizdat.sim import SimConfig, simulate

NAME = "sim"


def run(smoke: bool) -> list[Row]:
    nodes = 300 if smoke else 10_000
    result = simulate(SimConfig(nodes=nodes, degree=8, seed=1,
                                survival_trials=20 if smoke else 200))
    s = result.summary
    label = f"{nodes:,} nodes"
    rounds, base = s["rounds_to_99"], s["baseline_rounds_to_99"]
    return [
        Row(NAME, f"rounds to 99% reach, {label}", float(rounds or 0), "rounds",
            reference=float(base) if base else None, goal="<= 1.1x push-pull",
            met=bool(rounds and base and rounds <= 1.1 * base)),
        Row(NAME, f"payload copies per node, {label}", s["payload_copies_per_node"], "copies",
            reference=s["baseline_copies_per_node"], goal="<= 2",
            met=s["payload_copies_per_node"] <= 2.0),
        Row(NAME, f"bytes per node (mean), {label}", s["bytes_per_node_mean"], "B"),
        Row(NAME, f"wall time, {label}", s["seconds"], "s"),
    ]
