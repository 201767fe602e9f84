"""How the simulator's time and memory grow with the number of nodes, on the engine
the node runs (smoke: 300 and 600 nodes).

Each size runs in its own child process, so its peak memory (``ru_maxrss``) is its
own. The growth is the slope of log(time) and log(memory) against log(N) between
the smallest and the largest size. The sizes are set by ``SAMIZDAT_SIM_SIZES``
(comma-separated; default 1000,3000,10000); the figures and a log-log plot go to
``bench-out/sim_scale.json`` and ``bench-out/sim_scale.png``.

Targets (issue 12): 10,000 nodes in <= 60 s, 100,000 in <= 10 min, 1,000,000 within
24 GiB, on a 2-core machine.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from bench.harness import Row

NAME = "sim_scale"
OUT = Path(__file__).resolve().parent.parent / "bench-out"

_CHILD = """
import json, resource, sys, time
from samizdat import accel
from samizdat.sim import SimConfig, simulate
n = int(sys.argv[1])
t = time.perf_counter()
s = simulate(SimConfig(nodes=n, seed=1, survival_trials=20)).summary
wall = time.perf_counter() - t
print(json.dumps({"nodes": n, "seconds": wall, "sim_seconds": s["seconds"],
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "rounds_to_99": s["rounds_to_99"],
                  "baseline_rounds_to_99": s["baseline_rounds_to_99"],
                  "payload_copies_per_node": s["payload_copies_per_node"],
                  "calls": s["calls"], "compiled": accel.installed()}))
"""


def measure(n: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(n)], check=True,
                         capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _slope(points: list[dict[str, float]], key: str) -> float:
    a, b = points[0], points[-1]
    return math.log(b[key] / a[key]) / math.log(b["nodes"] / a["nodes"])


def _plot(points: list[dict[str, float]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # the sim extra is not installed: JSON only
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [p["nodes"] for p in points]
    ax.loglog(xs, [p["seconds"] for p in points], "o-", label="wall time (s)")
    ax.loglog(xs, [p["peak_rss_bytes"] / 2**20 for p in points], "s-", label="peak memory (MiB)")
    ax.set_xlabel("nodes")
    ax.set_title("simulator on the shared engine")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(smoke: bool) -> list[Row]:
    default = "300,600" if smoke else "1000,3000,10000"
    sizes = [int(x) for x in os.environ.get("SAMIZDAT_SIM_SIZES", default).split(",")]
    points = [measure(n) for n in sizes]
    OUT.mkdir(exist_ok=True)
    time_slope = _slope(points, "seconds") if len(points) > 1 else float("nan")
    mem_slope = _slope(points, "peak_rss_bytes") if len(points) > 1 else float("nan")
    (OUT / "sim_scale.json").write_text(json.dumps(
        {"points": points, "time_exponent": time_slope, "memory_exponent": mem_slope},
        indent=1), encoding="utf-8")
    _plot(points, OUT / "sim_scale.png")
    rows = []
    for p in points:
        n = int(p["nodes"])
        label = f"{n:,} nodes, {'compiled' if p.get('compiled') else 'plain Python'} engine"
        goal, met = "", None
        if n == 10_000:
            goal, met = "<= 60 s", p["seconds"] <= 60
        elif n == 100_000:
            goal, met = "<= 600 s", p["seconds"] <= 600
        rows.append(Row(NAME, f"wall time, {label}", p["seconds"], "s", goal=goal, met=met))
        mem_goal = "<= 24 GiB" if n >= 1_000_000 else ""
        rows.append(Row(NAME, f"peak memory, {label}", p["peak_rss_bytes"] / 2**20, "MiB",
                        goal=mem_goal,
                        met=(p["peak_rss_bytes"] <= 24 * 2**30) if mem_goal else None))
    if len(points) > 1:
        rows.append(Row(NAME, "time grows as N^x, x =", time_slope, ""))
        rows.append(Row(NAME, "memory grows as N^x, x =", mem_slope, ""))
    return rows
