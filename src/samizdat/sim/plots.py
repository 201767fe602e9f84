"""PNG plots of a simulation (matplotlib, the ``sim`` extra).

Four figures, each answering one question: how fast does a document reach people
(against the push-pull baseline)? what does each node pay in bytes? how likely is a
document to survive a seizure of a given share of holders? how many identities can an
informant link?
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from samizdat.errors import MissingExtra
from samizdat.sim.run import SimResult

__all__ = ["pyplot", "write_plots"]


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (:class:`MissingExtra` without it)."""
    return _pyplot()


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - the extra is installed in dev
        raise MissingExtra("plotting the simulation", "sim") from exc
    return plt


def write_plots(result: SimResult, out_dir: Path) -> list[Path]:
    """Write the four PNGs into ``out_dir``; return their paths."""
    plt = _pyplot()
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = result.config
    paths: list[Path] = []

    def save(fig: Any, name: str) -> None:
        path = out_dir / name
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)

    fig, ax = plt.subplots(figsize=(7, 4.2))
    rounds = range(1, len(result.reach_by_round) + 1)
    ax.plot(rounds, [r / cfg.nodes for r in result.reach_by_round], marker="o", ms=3,
            label="pass-along (reconcile, then pull)")
    if result.baseline_reach_by_round:
        b_rounds = range(1, len(result.baseline_reach_by_round) + 1)
        ax.plot(b_rounds, [r / cfg.nodes for r in result.baseline_reach_by_round],
                marker="s", ms=3, ls="--", label="push-pull baseline")
    ax.axhline(0.99, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("round")
    ax.set_ylabel("share of nodes that can read" if cfg.documents == 1
                  else f"share of nodes that can read all {cfg.documents} documents")
    ax.set_title(f"Reach over time ({cfg.nodes:,} nodes, degree {cfg.degree})")
    ax.legend()
    save(fig, "reach.png")

    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.hist([b / 1024 for b in result.bytes_per_node], bins=50)
    payload_kib = cfg.k * cfg.shard_bytes / 1024
    ax.axvline(payload_kib, color="red", lw=1, label=f"one payload ({payload_kib:.0f} KiB)")
    ax.set_xlabel("KiB sent + received by a node")
    ax.set_ylabel("nodes")
    ax.set_title("Bytes per node")
    ax.legend()
    save(fig, "bytes_per_node.png")

    fig, ax = plt.subplots(figsize=(7, 4.2))
    s = result.survival
    when = int(s["at_round"][0])
    ax.plot(s["fraction"], s["couriers"], marker="o", ms=3,
            label=f"couriers' shards at round {when}")
    ax.plot(s["fraction"], s["all_holders"], marker="^", ms=3,
            label=f"everyone's shards at round {when}")
    ax.plot(s["fraction"], s["all_holders_final"], marker="v", ms=3,
            label="everyone's shards at the end")
    ax.plot(s["fraction"], s["one_shard_per_courier"], ls="--",
            label=f"one shard on each of {cfg.n} couriers (binomial)")
    ax.set_xlabel("share of holders seized")
    ax.set_ylabel("P(document survives)")
    ax.set_title(f"Survival of a {cfg.k}-of-{cfg.n} document")
    ax.set_ylim(-0.02, 1.02)
    ax.legend()
    save(fig, "survival.png")

    fig, ax = plt.subplots(figsize=(7, 4.2))
    degrees = result.informant_degrees
    ax.hist(degrees, bins=range(min(degrees), max(degrees) + 2), align="left")
    inf = result.summary["informant"]
    ax.axvline(inf["identities_linked"], color="red", lw=1,
               label=f"informant ({inf['placement']}): {inf['identities_linked']}")
    ax.set_xlabel("identities an informant at that node can link (its direct contacts)")
    ax.set_ylabel("nodes")
    ax.set_title("What an informant learns")
    ax.legend()
    save(fig, "informant.png")
    return paths
