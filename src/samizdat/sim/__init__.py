"""The network simulator: thousands of nodes on virtual links, running the real
protocol code (``protocol/session.py``, ``reconcile.py``, ``gossip.py``).

``simulate(SimConfig(nodes=10_000))`` runs the pass-along protocol and, on the same
graph and links, a push-pull baseline, then reports reach, copies per node, bytes,
survival under seizure and what an informant can link. ``samizdat simulate`` is the
command; ``docs/simulator.md`` describes inputs, outputs and the model.
"""

from samizdat.sim.config import MAX_NODES, SimConfig
from samizdat.sim.run import SimResult, simulate

__all__ = ["MAX_NODES", "SimConfig", "SimResult", "simulate"]
