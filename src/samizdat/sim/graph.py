"""Friend graphs: Watts–Strogatz small worlds (the default) and helpers.

People know mostly people who know each other (a ring lattice of ``degree``
neighbours), with a few long-range acquaintances (each edge rewired with probability
``beta``): the small-world graph of Watts and Strogatz (1998), a standard stand-in
for social networks.
"""

from __future__ import annotations

import random

__all__ = ["watts_strogatz"]


def watts_strogatz(n: int, degree: int, beta: float, rng: random.Random) -> list[list[int]]:
    """Adjacency lists of a Watts–Strogatz graph: ``n`` nodes, even average
    ``degree`` (odd values are rounded down), rewiring probability ``beta``."""
    if n < 3:
        raise ValueError("a friend graph needs at least 3 nodes")
    half = max(1, min(degree // 2, (n - 1) // 2))
    adj: list[set[int]] = [set() for _ in range(n)]
    for u in range(n):
        for j in range(1, half + 1):
            v = (u + j) % n
            adj[u].add(v)
            adj[v].add(u)
    for u in range(n):
        for j in range(1, half + 1):
            v = (u + j) % n
            if rng.random() < beta and v in adj[u]:
                # rewire u-v to u-w, w a uniformly random node not already a friend
                for _ in range(16):
                    w = rng.randrange(n)
                    if w != u and w not in adj[u]:
                        adj[u].discard(v)
                        adj[v].discard(u)
                        adj[u].add(w)
                        adj[w].add(u)
                        break
    return [sorted(s) for s in adj]
