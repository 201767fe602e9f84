"""``samizdat simulate``: the network simulator (``sim/``) from the command line.

Every parameter is checked before any work starts: impossible ones (k > n, a
negative fraction, 10^9 nodes) exit 2 with one line saying what is wrong.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click
from click.core import ParameterSource

from samizdat.cli.context import Context
from samizdat.errors import UsageError
from samizdat.sim.config import PLACEMENTS, SimConfig
from samizdat.sim.links import LINKS, TOR_TIMING

__all__ = ["register"]


@click.command("simulate")
@click.option("--nodes", type=int, default=1000, show_default=True, help="Number of nodes.")
@click.option("--degree", type=int, default=8, show_default=True,
              help="Average number of contacts per node.")
@click.option("--beta", type=float, default=0.1, show_default=True,
              help="Watts-Strogatz rewiring probability (0: ring lattice, 1: random).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the whole run.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write summary.json and the PNG plots here.")
@click.option("--couriers", type=float, default=0.2, show_default=True,
              help="Share of nodes that are couriers.")
@click.option("--k", "k", type=int, default=3, show_default=True,
              help="Shards needed to rebuild the document.")
@click.option("--n", "n", type=int, default=10, show_default=True,
              help="Shards the document is split into.")
@click.option("--shard-bytes", type=int, default=16384, show_default=True)
@click.option("--documents", type=int, default=1, show_default=True,
              help="Documents spreading at once, each from its own origin.")
@click.option("--loss", type=float, default=0.0, show_default=True,
              help="Chance that a call's connection breaks on any one frame.")
@click.option("--churn", type=float, default=0.0, show_default=True,
              help="Chance that a node is offline in a given round.")
@click.option("--links", type=click.Choice(LINKS), default="uniform", show_default=True,
              help="Link model: uniform latency (--latency-min/max), or tor: measured "
              "onion-service connection and round-trip times, 30 s rounds "
              "(docs/simulator.md).")
@click.option("--latency-min", type=float, default=0.02, show_default=True)
@click.option("--latency-max", type=float, default=0.12, show_default=True)
@click.option("--seize-fraction", type=float, default=0.0, show_default=True,
              help="Share of nodes seized (and wiped) at --seize-round.")
@click.option("--seize-round", type=int, default=4, show_default=True)
@click.option("--informant", type=click.Choice(PLACEMENTS), default="random",
              show_default=True, help="Where the informant sits.")
@click.option("--max-rounds", type=int, default=60, show_default=True)
@click.option("--no-baseline", is_flag=True, help="Skip the push-pull baseline run.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as one JSON object (same as the global --json).")
@click.option("--trials", type=int, default=200, show_default=True,
              help="Monte Carlo trials per point of the survival curve.")
@click.option("--reach-hostile", type=click.FloatRange(0, 0.5), default=None,
              help="Also run the reach-sketch study (docs/spec/reach.md) with this share "
              "of hostile nodes: JSON reach_sketch, plot reach_estimate.png.")
@click.pass_obj
def simulate(ctx: Context, nodes: int, degree: int, beta: float, seed: int,
             out_dir: Path | None, couriers: float, k: int, n: int, shard_bytes: int,
             documents: int, loss: float, churn: float, links: str, latency_min: float,
             latency_max: float,
             seize_fraction: float, seize_round: int, informant: str, max_rounds: int,
             no_baseline: bool, as_json: bool, trials: int,
             reach_hostile: float | None) -> None:
    """Simulate a document spreading through a friend-to-friend network, driving the
    real reconciliation, session and pass-along code over virtual links.

    Prints the summary (one JSON object with --json); with --out, also writes
    summary.json, reach.png, bytes_per_node.png, survival.png and informant.png.
    """
    if as_json:
        ctx.as_json = True
    config = SimConfig(
        nodes=nodes, degree=degree, beta=beta, seed=seed, couriers=couriers, k=k, n=n,
        shard_bytes=shard_bytes, documents=documents, loss=loss, churn=churn, links=links,
        latency_min=latency_min, latency_max=latency_max, seize_fraction=seize_fraction,
        seize_round=seize_round, informant=informant, max_rounds=max_rounds,
        baseline=not no_baseline, survival_trials=trials,
    )
    if links == "tor":
        given = click.get_current_context().get_parameter_source
        if any(given(p) is not ParameterSource.DEFAULT for p in ("latency_min", "latency_max")):
            raise UsageError("--latency-min and --latency-max apply to --links uniform",
                             hint="--links tor draws its latencies from measured "
                                  "onion-service figures (docs/simulator.md)")
        config = replace(config, **TOR_TIMING)
    config.validate()  # before any work: impossible parameters exit 2 here
    from samizdat import accel
    from samizdat.sim.run import simulate as run

    if nodes >= 20_000 and not accel.installed():
        ctx.note("the engine runs as plain Python here; `make accel` (or "
                 "`python -m samizdat.build_accel`) compiles it, about twice as fast")

    result = run(config, progress=ctx.note)
    summary = dict(result.summary)
    if reach_hostile is not None:
        from samizdat.sim import reach as reach_study

        ctx.note("reach-sketch study...")
        summary["reach_sketch"] = reach_study.study(
            nodes, hostile=reach_hostile, degree=degree, beta=beta, couriers=couriers,
            max_rounds=max_rounds, seed=seed)
    if out_dir is not None:
        from samizdat.sim.plots import write_plots

        paths = write_plots(result, out_dir)
        if "reach_sketch" in summary:
            from samizdat.sim.reach import plot_study

            plot_study(summary["reach_sketch"], out_dir / "reach_estimate.png")
            paths.append(out_dir / "reach_estimate.png")
        summary["files"] = [str(p) for p in paths]
        (out_dir / "summary.json").write_text(
            json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    def human(console: object) -> None:
        s = summary
        lines = [
            f"nodes: {s['nodes']:,}   reached: {s['reached']:,} "
            f"({100 * s['reached_fraction']:.1f}%) in {s['rounds_run']} rounds",
            f"rounds to 99%: {s['rounds_to_99']}   push-pull baseline: "
            f"{s['baseline_rounds_to_99']}   (log3 N = {s['theory_rounds_log3']:.1f})",
            f"payload copies per node: {s['payload_copies_per_node']:.2f}   baseline: "
            + ("not run" if s["baseline_copies_per_node"] is None
               else f"{s['baseline_copies_per_node']:.2f}"),
            f"bytes per node: mean {s['bytes_per_node_mean'] / 1024:.0f} KiB",
            f"seized: {s['seized']}   document survived: {s['survived']}",
            *(f"document {i + 1} (origin {d['origin']}): reached {d['reached']:,}, "
              f"rounds to 99%: {d['rounds_to_99']} (baseline "
              f"{d['baseline_rounds_to_99']}), survived: {d['survived']}"
              for i, d in enumerate(s["per_document"]) if s["documents"] > 1),
            f"informant ({s['informant']['placement']}) links "
            f"{s['informant']['identities_linked']} identities",
        ]
        for name, ok in s["goals"].items():
            verdict = "not measured" if ok is None else "PASS" if ok else "FAIL"
            lines.append(f"goal {name}: {verdict}")
        if "files" in s:
            lines.append(f"wrote {len(s['files'])} plots and summary.json to {out_dir}")
        ctx.out.print("\n".join(lines))

    ctx.emit(summary, human=human)


def register(group: click.Group) -> None:
    group.add_command(simulate)
