"""Run a whole simulation: the pass-along protocol, the push-pull baseline on the same
graph and links, seizures, and the analyses the summary reports.

:func:`simulate` returns a :class:`SimResult` whose ``summary`` is the JSON object
``samizdat simulate --json`` prints (keys documented in ``docs/simulator.md``).
"""

from __future__ import annotations

import gc
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from samizdat.protocol.gossip import Role, pick_contact
from samizdat.sim import links
from samizdat.sim.config import SimConfig
from samizdat.sim.engine import EventLoop
from samizdat.sim.graph import watts_strogatz
from samizdat.sim.network import Network

__all__ = ["BaselineResult", "SimResult", "simulate", "simulate_baseline"]

_HEADER_BYTES = 16  # a baseline call's "do you have it" message


@dataclass
class BaselineResult:
    """Blind push-pull gossip of the whole payload on the same graph and links."""

    reach_by_round: list[int]
    payload_copies: int
    bytes_sent: int
    reach_by_document: list[list[int]] = field(default_factory=list)
    """Per round, the nodes holding each document (with several)."""


@dataclass
class SimResult:
    config: SimConfig
    summary: dict[str, Any]
    reach_by_round: list[int]
    baseline_reach_by_round: list[int]
    bytes_per_node: list[int]
    survival: dict[str, list[float]]
    informant_degrees: list[int] = field(default_factory=list)


def _rounds_to(reach: list[int], target: float) -> int | None:
    """First round (1-based) by whose end at least ``target`` nodes were reached."""
    for r, count in enumerate(reach, start=1):
        if count >= target:
            return r
    return None


def simulate_baseline(cfg: SimConfig, graph: list[list[int]], origins: Sequence[int],
                      rng: random.Random) -> BaselineResult:
    """Push-pull anti-entropy without reconciliation: each round every node calls one
    random contact; the caller pushes the payload if it has it, the callee answers
    with the payload if it has it — whether or not the other side already had it.
    With several documents (one origin each) every document a side has goes, and a
    node is reached once it has them all."""
    loop = EventLoop()
    n_nodes = len(graph)
    has = [0] * n_nodes  # a bit per document
    for d, origin in enumerate(origins):
        has[origin] |= 1 << d
    everything = (1 << len(origins)) - 1
    payload = cfg.k * cfg.shard_bytes
    copies = 0
    sent = 0
    reach: list[int] = []
    by_document: list[list[int]] = []
    last: tuple[int, int] = (-1, -1)
    online = [True] * n_nodes
    rng_bytes: Callable[[int], bytes] = rng.randbytes

    def arrive(node: int, carries: int) -> None:
        if carries and online[node]:
            has[node] |= carries

    def dial(u: int, v: int) -> None:
        if not online[v]:
            return
        connect, lat = links.draw(cfg.links, cfg.latency_min, cfg.latency_max, rng)
        if connect is None or connect + lat >= cfg.call_timeout:
            return  # no connection within the call's time, as in a session
        if connect:
            loop.schedule(connect, exchange, u, v, lat, connect)
        else:
            exchange(u, v, lat, 0.0)

    def exchange(u: int, v: int, lat: float, connect: float) -> None:
        """The connection is up: each side sends what it holds now, as a session's
        offers are what each side holds when it opens."""
        nonlocal copies, sent
        u_has, v_has = has[u], has[v]
        u_count, v_count = u_has.bit_count(), v_has.bit_count()
        # two frames, each lost with the same per-frame probability as in a session
        sent += _HEADER_BYTES + payload * u_count
        copies += u_count
        if cfg.loss and rng.random() < cfg.loss:
            return
        loop.schedule(lat, arrive, v, u_has)
        if connect + 2 * lat >= cfg.call_timeout:
            return  # the answer would come after the call's time
        sent += _HEADER_BYTES + payload * v_count
        copies += v_count
        if cfg.loss and rng.random() < cfg.loss:
            return
        loop.schedule(2 * lat, arrive, u, v_has)

    stable = 0
    for r in range(cfg.max_rounds):
        t0 = r * cfg.round_seconds
        loop.run(until=t0)
        if cfg.churn:
            for i in range(n_nodes):
                online[i] = rng.random() >= cfg.churn
        for u in range(n_nodes):
            if online[u] and graph[u]:
                v = pick_contact(graph[u], rng_bytes)
                loop.schedule(max(0.0, t0 + rng.uniform(0, 0.05) - loop.now), dial, u, v)
        loop.run(until=t0 + cfg.round_seconds - 1e-9)
        _collect_young()
        reach.append(sum(1 for h in has if h == everything))
        if len(origins) > 1:
            by_document.append([sum(1 for h in has if h >> d & 1)
                                for d in range(len(origins))])
        # progress is any document spreading, not only nodes that can read them all
        mark = (reach[-1], sum(by_document[-1])) if by_document else (reach[-1], 0)
        stable = stable + 1 if mark == last else 0
        last = mark
        if reach[-1] == n_nodes or stable >= 5:
            break
    return BaselineResult(reach, copies, sent, by_document)


def _survival_curve(holdings: list[set[int]], k: int, fractions: list[float],
                    trials: int, rng: random.Random) -> list[float]:
    """Chance that at least k distinct shards survive when a random ``fraction`` of
    these holders is seized."""
    out = []
    m = len(holdings)
    for f in fractions:
        if m == 0:
            out.append(0.0)
            continue
        keep = m - round(f * m)
        ok = 0
        for _ in range(trials):
            # the survivors are a uniform sample of ``keep`` holders, drawn lazily
            # (a partial Fisher-Yates shuffle): most trials see k shards within a
            # few holders, so a trial costs O(draws), not O(m), even at 10^6 nodes
            seen: set[int] = set()
            moved: dict[int, int] = {}
            for j in range(keep):
                pick = rng.randrange(j, m)
                chosen = moved.get(pick, pick)
                moved[pick] = moved.get(j, j)
                seen |= holdings[chosen]
                if len(seen) >= k:
                    ok += 1
                    break
        out.append(ok / trials if trials else 0.0)
    return out


def _binomial_survival(n: int, k: int, f: float) -> float:
    """One shard on each of n couriers, each seized with probability f:
    P(at least k of n survive)."""
    p = 1.0 - f
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def _informant(cfg: SimConfig, net: Network, graph: list[list[int]],
               rng: random.Random) -> tuple[int, list[int]]:
    adj = graph  # the friend graph before any seizure
    if cfg.informant == "hub":
        node = max(range(len(adj)), key=lambda i: len(adj[i]))
    elif cfg.informant == "origin-contact":
        node = rng.choice(adj[net.origin])
    else:
        node = rng.randrange(len(adj))
    return node, [len(a) for a in adj]


@contextmanager
def _automatic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector's automatic passes; the caller collects the
    young generations itself (:func:`_collect_young`) at quiet moments.

    A large run holds millions of long-lived objects (each node's state, holdings and
    contact list), and every automatic full pass walks all of them, more often the
    more there are: at 10,000 nodes the passes took half of the run's CPU time
    (``docs/simulator.md``). The run makes almost no reference cycles (a whole
    10,000-node run: 226 objects), so collecting young objects once a round keeps
    memory where it was. Refcounting frees everything else as before.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _collect_young() -> None:
    """Collect cycles among objects made since the last call (generations 0 and 1);
    the long-lived rest is not walked."""
    gc.collect(1)


def simulate(cfg: SimConfig, *, progress: Callable[[str], None] | None = None) -> SimResult:
    """Run the configured simulation (validated first) and its baseline."""
    cfg.validate()
    with _automatic_gc_paused():
        return _simulate(cfg, progress)


def _simulate(cfg: SimConfig, progress: Callable[[str], None] | None) -> SimResult:
    started = time.perf_counter()
    rng = random.Random(cfg.seed)
    graph = watts_strogatz(cfg.nodes, cfg.degree, cfg.beta, rng)
    net = Network(cfg, graph, random.Random(rng.getrandbits(64)))
    seized: list[int] = []
    snapshot: list[set[int]] | None = None
    reach: list[int] = []
    by_document: list[list[int]] = []  # with several documents: per round, per document
    last: tuple[int, int] = (-1, -1)
    stable = 0
    for r in range(cfg.max_rounds):
        t0 = r * cfg.round_seconds
        net.loop.run(until=t0)
        if r == cfg.seize_round:
            snapshot = [set(h) for h in net.held]  # holdings when the police strike
            if cfg.seize_fraction:
                seized = net.seize(cfg.seize_fraction)
        net.start_round(r)
        net.loop.run(until=t0 + cfg.round_seconds - 1e-9)
        _collect_young()
        reach.append(net.reached)
        if cfg.documents > 1:
            by_document.append(net.reached_per_document())
        if progress:
            progress(f"round {r + 1}: {reach[-1]:,} of {cfg.nodes:,} nodes can read")
        mark = (reach[-1], sum(by_document[-1])) if by_document else (reach[-1], 0)
        stable = stable + 1 if mark == last else 0
        last = mark
        alive = cfg.nodes - len(seized)
        if (reach[-1] >= alive and (net.stats.calls_by_round[-1] == 0 or stable >= 2)) \
                or stable >= 6:
            break
    net.loop.run()
    elapsed = time.perf_counter() - started

    baseline: BaselineResult | None = None
    if cfg.baseline:
        baseline = simulate_baseline(cfg, graph, net.origins, random.Random(cfg.seed + 1))

    n_nodes = cfg.nodes
    n_docs = cfg.documents
    payload_bytes = cfg.k * cfg.shard_bytes
    total_payload = sum(net.payload_in)
    copies_per_node = total_payload / payload_bytes / n_nodes / n_docs
    target = 0.99 * n_nodes
    rounds_99 = _rounds_to(reach, target)
    base_99 = _rounds_to(baseline.reach_by_round, target) if baseline else None
    bytes_per_node = [o + i for o, i in zip(net.bytes_out, net.bytes_in, strict=True)]
    fractions = [round(0.05 * i, 2) for i in range(20)] + [0.99]
    s_rng = random.Random(cfg.seed + 2)
    early = snapshot if snapshot is not None else [set(h) for h in net.held]
    final = net.held
    if n_docs > 1:  # the survival curves are the first document's
        early = [{s for s in h if s < cfg.n} for h in early]
        final = [{s for s in h if s < cfg.n} for h in final]
    couriers_early = [early[i] for i in range(n_nodes)
                      if net.roles[i] in (Role.COURIER, Role.ORIGIN) and early[i]]
    survival: dict[str, list[float]] = {
        "fraction": fractions,
        "at_round": [float(min(cfg.seize_round, len(reach)))],
        "couriers": _survival_curve(couriers_early, cfg.k, fractions,
                                    cfg.survival_trials, s_rng),
        "all_holders": _survival_curve([h for h in early if h], cfg.k, fractions,
                                       cfg.survival_trials, s_rng),
        "all_holders_final": _survival_curve([h for h in final if h], cfg.k, fractions,
                                             cfg.survival_trials, s_rng),
        "one_shard_per_courier": [_binomial_survival(cfg.n, cfg.k, f) for f in fractions],
    }
    informant, degrees = _informant(cfg, net, graph, random.Random(cfg.seed + 3))
    mean_degree = sum(degrees) / len(degrees)
    distinct = set().union(*net.held) if any(net.held) else set()
    left = [sum(1 for s in distinct if s // cfg.n == d) for d in range(n_docs)]
    per_document = []
    for d, origin in enumerate(net.origins):
        mine = [row[d] for row in by_document] if by_document else reach
        theirs = ([row[d] for row in baseline.reach_by_document]
                  if baseline and baseline.reach_by_document
                  else baseline.reach_by_round if baseline else [])
        per_document.append({
            "origin": origin,
            "reached": mine[-1] if mine else 0,
            "rounds_to_99": _rounds_to(mine, target),
            "baseline_rounds_to_99": _rounds_to(theirs, target) if baseline else None,
            "distinct_shards_left": left[d],
            "survived": left[d] >= cfg.k,
        })
    summary: dict[str, Any] = {
        "nodes": n_nodes,
        "degree": cfg.degree,
        "seed": cfg.seed,
        "k": cfg.k,
        "n": cfg.n,
        "rounds_run": len(reach),
        "reached": reach[-1] if reach else 0,
        "reached_fraction": (reach[-1] / n_nodes) if reach else 0.0,
        "reached_fraction_of_survivors": (
            reach[-1] / (n_nodes - len(seized)) if reach and n_nodes > len(seized) else 0.0
        ),
        "rounds_to_99": rounds_99,
        "baseline_rounds_to_99": base_99,
        "rounds_ratio": (rounds_99 / base_99) if rounds_99 and base_99 else None,
        "theory_rounds_log3": math.log(n_nodes, 3),
        "payload_copies_per_node": copies_per_node,
        "baseline_copies_per_node": (
            baseline.payload_copies / n_nodes / n_docs if baseline else None
        ),
        "duplicate_shards": net.stats.duplicates,
        "bytes_per_node_mean": sum(bytes_per_node) / n_nodes,
        "bytes_per_node_max": max(bytes_per_node),
        "calls": net.stats.calls,
        "calls_failed": net.stats.calls_failed,
        "seized": len(seized),
        "survived": min(left) >= cfg.k,
        "distinct_shards_left": min(left),
        "documents": n_docs,
        "per_document": per_document,
        "informant": {
            "placement": cfg.informant,
            "node_degree": degrees[informant],
            "identities_linked": degrees[informant],
            "handed_over_by": 1 if net.reached_at[informant] is not None else 0,
            "linked_fraction": degrees[informant] / n_nodes,
            "mean_identities_linked_random_node": mean_degree,
        },
        "goals": {
            # None when not measured (no baseline run, or the baseline never got there)
            "reach_99_within_1_1x_baseline": (
                None if base_99 is None else rounds_99 is not None and rounds_99 <= 1.1 * base_99
            ),
            "copies_per_node_at_most_2": copies_per_node <= 2.0,
        },
        "seconds": round(elapsed, 2),
    }
    return SimResult(
        config=cfg,
        summary=summary,
        reach_by_round=reach,
        baseline_reach_by_round=baseline.reach_by_round if baseline else [],
        bytes_per_node=bytes_per_node,
        survival=survival,
        informant_degrees=degrees,
    )
