"""What a simulation is asked to do, and the check that refuses impossible requests
before any work is done (``samizdat simulate`` exits 2 on them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

from samizdat.errors import UsageError
from samizdat.sim.links import LINKS

__all__ = ["MAX_DOCUMENTS", "MAX_NODES", "PLACEMENTS", "SimConfig"]

MAX_NODES: Final = 1_000_000
"""A million nodes run in under 10 GiB, but for more than an hour on a 2-core
machine, even with the compiled engine (``python -m bench sim_scale`` measures how
time and memory grow; ``docs/simulator.md`` has the figures)."""

MAX_DOCUMENTS: Final = 64
"""Documents at once: each adds ``n`` shard ids to every call's reconciliation."""

PLACEMENTS: Final = ("random", "hub", "origin-contact")
"""Where the informant sits: a random node, the best-connected node, or a direct
contact of the document's origin."""


@dataclass(frozen=True)
class SimConfig:
    """Inputs of one simulation run (all times in virtual seconds)."""

    nodes: int = 1000
    degree: int = 8
    beta: float = 0.1
    seed: int = 1
    couriers: float = 0.2
    """Share of nodes that are couriers (carry k + courier_extra shards)."""
    k: int = 3
    n: int = 10
    documents: int = 1
    """Documents spreading at once, each ``n`` shards from its own origin; every node
    wants all of them (its quota is the sum of one per document)."""
    courier_extra: int = 1
    shard_bytes: int = 16 * 1024
    latency_min: float = 0.02
    latency_max: float = 0.12
    links: str = "uniform"
    """Link model (``sim/links.py``): ``uniform`` latency, or ``tor``, measured Tor
    onion-service connection and round-trip times (with ``links.TOR_TIMING``)."""
    loss: float = 0.0
    """Probability that a call's connection breaks on any one frame."""
    churn: float = 0.0
    """Probability that a node is offline during a given round."""
    seize_fraction: float = 0.0
    seize_round: int = 4
    informant: str = "random"
    max_rounds: int = 60
    round_seconds: float = 1.0
    call_timeout: float = 0.9
    baseline: bool = True
    survival_trials: int = 200

    def validate(self) -> None:
        """Raise :class:`UsageError` for anything impossible or unreasonable."""
        if not 3 <= self.nodes <= MAX_NODES:
            raise UsageError(
                f"--nodes must be between 3 and {MAX_NODES:,} (got {self.nodes:,})",
                hint="10,000 nodes take under a minute on a 2-core machine with the "
                     "compiled engine (make accel); "
                     "time grows a little faster than the number of nodes",
            )
        if not 2 <= self.degree < self.nodes:
            raise UsageError("--degree must be at least 2 and less than --nodes")
        if not 1 <= self.k <= self.n:
            raise UsageError(f"k must be between 1 and n (got k={self.k}, n={self.n})")
        if self.n > 255:
            raise UsageError("n must be at most 255 shards")
        if not 1 <= self.documents <= MAX_DOCUMENTS or self.documents > self.nodes:
            raise UsageError(f"--documents must be between 1 and {MAX_DOCUMENTS} and at "
                             f"most --nodes (got {self.documents})")
        for name in ("beta", "couriers", "loss", "churn", "seize_fraction"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise UsageError(f"--{name.replace('_', '-')} must be a fraction in [0, 1] "
                                 f"(got {value})")
        if self.loss >= 0.5 or self.churn >= 0.9:
            raise UsageError("--loss must be below 0.5 and --churn below 0.9")
        if self.courier_extra < 0:
            raise UsageError("courier_extra must not be negative")
        if self.links not in LINKS:
            raise UsageError(f"--links must be one of {', '.join(LINKS)} (got {self.links})")
        if not 16 <= self.shard_bytes <= 1 << 20:
            raise UsageError("shard bytes must be between 16 bytes and 1 MiB")
        if not 0 < self.latency_min <= self.latency_max < self.call_timeout < self.round_seconds:
            raise UsageError("need 0 < latency-min <= latency-max < call timeout < round")
        if not 1 <= self.max_rounds <= 1000:
            raise UsageError("--max-rounds must be between 1 and 1000")
        if self.seize_round < 0:
            raise UsageError("--seize-round must not be negative")
        if self.informant not in PLACEMENTS:
            raise UsageError(f"--informant must be one of {', '.join(PLACEMENTS)}")
        if not 0 <= self.survival_trials <= 100_000:
            raise UsageError("survival trials must be between 0 and 100,000")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
