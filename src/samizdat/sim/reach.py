"""The reach estimate in the simulator: does ``core/reach.py`` count readers right
while a document spreads, and what do inflating nodes do to it?

A Watts–Strogatz friend graph; the document spreads by push-pull calls (each holder
calls one random friend a round, both leave holding it); in the same call the two
exchange their reach sketches and each merges what it receives through
:func:`samizdat.core.reach.admit` (vectorized here with numpy: the same register
maximum, the same refusal of implausible sketches). Hostile holders send every
register at ``MAX_RANK`` (``attack="max"``) or three above their view
(``attack="subtle"``: an eightfold inflation with the registers' shape kept)
instead of their view. Measured each round: holders, true readers among them, the
origin's estimate (the committee's view) and the median relative error over honest
holders.

What this does *not* do yet: run on the protocol engine's sessions. The spread here
is plain push-pull, not the node's gossip policy; the sketches are the real ones.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Literal

from samizdat.core import reach
from samizdat.sim.graph import watts_strogatz

__all__ = ["ReachRun", "simulate_reach"]

reach_spread = reach.SPREAD
_H = reach.HOLDER_REGISTERS
_R = reach.READ_REGISTERS


@dataclass
class ReachRun:
    """Per round: holders, true readers, the origin's estimate and interval, and
    the median relative error of honest holders' estimates."""

    nodes: int
    hostile: float
    attack: str
    rule: str = "max"
    rounds: list[int] = field(default_factory=list)
    holders: list[int] = field(default_factory=list)
    readers: list[int] = field(default_factory=list)
    origin_estimate: list[float] = field(default_factory=list)
    origin_low: list[float] = field(default_factory=list)
    origin_high: list[float] = field(default_factory=list)
    median_error: list[float] = field(default_factory=list)
    sketch_bytes: int = reach.SKETCH_BYTES
    refused: int = 0

    def at_reach(self, share: float = 0.99) -> dict[str, Any]:
        """The figures at the first round where ``share`` of the nodes hold it."""
        for i, h in enumerate(self.holders):
            if h >= share * self.nodes:
                true = self.readers[i]
                return {"round": self.rounds[i], "readers": true,
                        "estimate": self.origin_estimate[i],
                        "low": self.origin_low[i], "high": self.origin_high[i],
                        "origin_error": self.origin_estimate[i] / true - 1 if true else None,
                        "median_error": self.median_error[i]}
        return {"round": None}


def _hll(regs: Any) -> Any:
    """Sketch.estimate, for rows of registers."""
    import numpy as np

    m = regs.shape[1]
    alpha = 0.7213 / (1 + 1.079 / m)
    raw = alpha * m * m / np.power(2.0, -regs.astype(np.float64)).sum(axis=1)
    zeros = (regs == 0).sum(axis=1)
    small = (raw <= 2.5 * m) & (zeros > 0)
    lin = m * np.log(m / np.maximum(zeros, 1))
    return np.where(small, lin, raw)


def _estimates(h: Any, r: Any, q: float) -> tuple[Any, Any, Any]:
    """estimate_readers, for rows of registers."""
    import numpy as np

    hold, rd = _hll(h), _hll(r)
    readers = np.clip((rd - (1 - q) * hold) / (2 * q - 1), 0, hold)
    sd = np.sqrt((rd * 1.04 / math.sqrt(_R)) ** 2 + ((1 - q) * hold * 1.04 / math.sqrt(_H)) ** 2
                 + hold * q * (1 - q)) / (2 * q - 1)
    return readers, readers - reach.INTERVAL_SE * sd, readers + reach.INTERVAL_SE * sd


def _combined(own: Any, stored: Any, factor: float) -> Any:
    """core.reach.combine for rows of nodes: ``own`` (n, regs) and the sources each
    node keeps apart, ``stored`` (n, slots, regs; an all-zero slot is no source)."""
    import numpy as np

    n, slots, _ = stored.shape
    present = stored.any(axis=2)
    count = present.sum(axis=1)
    ok = present.copy()
    for lo, hi in ((0, _H), (_H, _H + _R)):
        est = _hll(stored[:, :, lo:hi].reshape(n * slots, hi - lo)).reshape(n, slots)
        ranked = np.sort(np.where(present, est, np.inf), axis=1)
        mid = ranked[np.arange(n), np.minimum(count // 2, slots - 1)]
        ok &= est <= factor * np.maximum(mid, 1.0)[:, None]
    ok |= present & (count < reach.MIN_SOURCES)[:, None]
    merged = np.where(ok[:, :, None], stored, 0).max(axis=1)
    return np.maximum(own, merged)


def simulate_reach(nodes: int = 10_000, *, degree: int = 8, beta: float = 0.1,
                   couriers: float = 0.2, hostile: float = 0.0,
                   attack: Literal["max", "subtle"] = "max",
                   rule: Literal["max", "combine"] = "max",
                   factor: float = reach.OUTLIER_FACTOR, inflate: int = 3,
                   learn: bool = False,
                   epsilon: float = reach.DEFAULT_EPSILON, max_rounds: int = 60,
                   seed: int = 1932) -> ReachRun:
    """One run; see the module docstring. ``rule="max"`` merges every admitted
    sketch into one view; ``rule="combine"`` keeps each contact's sketch apart and
    passes on :func:`samizdat.core.reach.combine` of them, as the node does.
    ``inflate``: how much the subtle attack adds to every register (3: eightfold);
    ``learn``: hostile nodes merge what honest contacts send them (so they inflate
    the whole view they know, not only their own contribution)."""
    import numpy as np

    rng = random.Random(seed)
    graph = watts_strogatz(nodes, degree, beta, rng)
    role = ["courier" if rng.random() < couriers else "reader" for _ in range(nodes)]
    bad = np.zeros(nodes, dtype=bool)
    bad[rng.sample(range(nodes), round(hostile * nodes))] = True
    origin = next(i for i in range(nodes) if not bad[i])
    view = np.zeros((nodes, _H + _R), dtype=np.uint8)
    for i in range(nodes):
        c = reach.contribution(rng.randbytes(32), role[i], epsilon=epsilon)  # type: ignore[arg-type]
        view[i] = np.frombuffer(c.holders.registers + c.reads.registers, dtype=np.uint8)
    holding = np.zeros(nodes, dtype=bool)
    holding[origin] = True
    q = math.exp(epsilon) / (1 + math.exp(epsilon))
    out = ReachRun(nodes, hostile, attack, rule)
    top = np.full(_H + _R, reach.MAX_RANK, dtype=np.uint8)

    def admissible(rows: Any) -> Any:
        # core.reach.admit's two tests, for every row at once
        ok = np.ones(len(rows), dtype=bool)
        for lo, hi in ((0, _H), (_H, _H + _R)):
            part = rows[:, lo:hi]
            median = np.sort(part, axis=1)[:, (hi - lo) // 2].astype(int)
            ok &= part.max(axis=1).astype(int) <= median + reach_spread
            n_hat = _hll(part)
            ok &= n_hat <= reach.MAX_PLAUSIBLE
            # core.reach.low_registers_missing
            m = hi - lo
            slack = 4 * 1.04 / math.sqrt(m)
            for k in range(reach.SHAPE_LEVELS):
                expected = m * np.exp(-n_hat / (m * 2.0**k) * (1 + slack))
                observed = (part <= k).sum(axis=1)
                ok &= observed >= expected - 5 * np.sqrt(expected) - 3
        return ok

    own = view.copy()
    slot = [{b: i for i, b in enumerate(graph[a])} for a in range(nodes)]
    stored = (np.zeros((nodes, max(len(g) for g in graph), _H + _R), dtype=np.uint8)
              if rule == "combine" else None)
    refused = 0
    for rnd in range(1, max_rounds + 1):
        # what each node sends this round (its view at the round's start), and
        # whether a receiver would admit it
        outgoing = view.copy()
        for j in np.flatnonzero(bad):
            outgoing[j] = top if attack == "max" else np.minimum(view[j] + inflate, reach.MAX_RANK)
        ok = admissible(outgoing)
        refused += int((~ok).sum())
        for u in rng.sample(range(nodes), nodes):
            if not holding[u]:
                continue
            v = rng.choice(graph[u])
            holding[v] = True
            for a, b in ((v, u), (u, v)):
                if bad[a] and learn and not bad[b]:
                    np.maximum(view[a], outgoing[b], out=view[a])  # it learns, and lies
                if bad[a] or not ok[b]:
                    continue
                if stored is None:
                    np.maximum(view[a], outgoing[b], out=view[a])
                else:
                    np.maximum(stored[a, slot[a][b]], outgoing[b], out=stored[a, slot[a][b]])
        if stored is not None:
            for part in np.array_split(np.flatnonzero(~bad), max(1, nodes // 1000)):
                view[part] = _combined(own[part], stored[part], factor)
        readers = int(sum(1 for i in np.flatnonzero(holding) if role[i] == "reader"))
        honest = np.flatnonzero(holding & ~bad)
        est, low, high = _estimates(view[honest, :_H], view[honest, _H:], q)
        at = int(np.searchsorted(honest, origin))
        out.rounds.append(rnd)
        out.holders.append(int(holding.sum()))
        out.readers.append(readers)
        out.origin_estimate.append(float(est[at]))
        out.origin_low.append(float(low[at]))
        out.origin_high.append(float(high[at]))
        out.median_error.append(float(np.median(np.abs(est / max(readers, 1) - 1))))
        out.refused = refused
        if holding.sum() == nodes and rnd >= 2 * out.rounds[out.holders.index(nodes)]:
            break
    return out


STUDY_CASES: tuple[dict[str, Any], ...] = (
    {"label": "honest", "hostile": False, "rule": "combine"},
    {"label": "every register 31", "attack": "max", "rule": "combine"},
    {"label": "own +3 (low registers raised)", "attack": "subtle", "rule": "combine"},
    {"label": "learned view +3, plain maximum", "attack": "subtle", "learn": True,
     "rule": "max"},
    {"label": "learned view +3", "attack": "subtle", "learn": True, "rule": "combine"},
    {"label": "learned view +1 (x2 a hop)", "attack": "subtle", "learn": True,
     "inflate": 1, "rule": "combine"},
)
"""The cases of the study: honest; hostile nodes sending every register at 31
(refused by admit's spread test); their own contribution +3 (refused by
low_registers_missing); what they learned +3, with the plain maximum and with
``core.reach.combine``; what they learned +1, which neither test stops."""


def study(nodes: int, *, hostile: float = 0.05, degree: int = 8, beta: float = 0.1,
          couriers: float = 0.2, max_rounds: int = 60, seed: int = 1932) -> dict[str, Any]:
    """The reach study as one JSON object: per case, per round, the true readers and
    the origin's estimate with its interval, and the median error of honest nodes."""
    runs = []
    for case in STUDY_CASES:
        opts = {k: v for k, v in case.items() if k not in ("label", "hostile")}
        r = simulate_reach(nodes, degree=degree, beta=beta, couriers=couriers,
                           hostile=hostile if case.get("hostile", True) else 0.0,
                           max_rounds=max_rounds, seed=seed, **opts)
        last = r.origin_estimate[-1] / r.readers[-1] - 1 if r.readers[-1] else None
        runs.append({
            "case": case["label"], "hostile": r.hostile, "rule": r.rule,
            "rounds": r.rounds, "holders": r.holders, "readers": r.readers,
            "estimate": [round(x, 1) for x in r.origin_estimate],
            "low": [round(x, 1) for x in r.origin_low],
            "high": [round(x, 1) for x in r.origin_high],
            "median_error": [round(x, 4) for x in r.median_error],
            "at_99": r.at_reach(), "final_error": last, "refused": r.refused,
        })
    return {"nodes": nodes, "seed": seed, "sketch_bytes": reach.SKETCH_BYTES,
            "epsilon": reach.DEFAULT_EPSILON, "outlier_factor": reach.OUTLIER_FACTOR,
            "runs": runs}


def plot_study(result: dict[str, Any], path: Any) -> None:
    """``reach_estimate.png``: estimate over true readers, per round, per case."""
    from samizdat.sim.plots import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for run in result["runs"]:
        ratio = [e / t if t else float("nan") for e, t in zip(run["estimate"], run["readers"],
                                                                strict=True)]
        label = (run["case"] if not run["hostile"] else
                 f"{run['hostile']:.0%} hostile: {run['case']}")
        ax.plot(run["rounds"], ratio, marker="o", ms=2, label=label)
    for y, style in ((1.0, "-"), (1.25, ":"), (0.75, ":")):
        ax.axhline(y, color="grey", lw=0.8, ls=style)
    ax.set_yscale("log")
    ax.set_xlabel("round")
    ax.set_ylabel("estimate / true readers (origin)")
    ax.set_title(f"Reach sketch accuracy ({result['nodes']:,} nodes)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
