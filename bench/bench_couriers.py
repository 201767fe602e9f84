"""Couriers: does the text survive seizures of couriers, with the default (3, 10)
and the placement the node uses (``docs/spec/gossip.md``, "Couriers")?

Seizures take an exact fraction of the couriers, chosen at random. Each trial
places the shards of one real seal over ``m`` couriers with
:func:`samizdat.app.couriers.placement`, seizes, and tries to rebuild the package
from what the survivors hold with the real envelope code (``open_package``): the
figure is the share of trials that rebuilt it. All couriers here are couriers (no
reader holds a copy): readers' copies only add to survival. No raw primitive to
compare with. Goal: 1.0 at 70% seized with ten couriers.
"""

from __future__ import annotations

import os
import random

from bench.harness import Row
from samizdat.app import carry
from samizdat.app.couriers import DEFAULT_K, DEFAULT_N, placement
from samizdat.core.envelope import BytesSource, seal
from samizdat.errors import SamizdatError


def _survival(m: int, fraction: float, trials: int, rng: random.Random) -> float:
    payload = os.urandom(2000)
    rebuilt = 0
    for _ in range(trials):
        cap, shards = seal(payload, k=DEFAULT_K, n=DEFAULT_N, rng=os.urandom)
        held = [placement(DEFAULT_N, i, m) for i in range(m)]
        left = rng.sample(range(m), m - round(fraction * m))
        kept = {j for c in left for j in held[c]}
        try:
            out = carry.open_package(cap, [BytesSource(shards[j]) for j in sorted(kept)])
        except SamizdatError:
            continue
        rebuilt += out == payload
    return rebuilt / trials


def run(smoke: bool = False) -> list[Row]:
    rng = random.Random(1932)
    trials = 20 if smoke else 400
    rows = []
    for m in (10, 30):
        for fraction in (0.5, 0.7, 0.9):
            p = _survival(m, fraction, trials, rng)
            goal = "= 1.0" if (m, fraction) == (10, 0.7) else ""
            rows.append(Row(
                "couriers",
                f"text rebuilt after {fraction:.0%} of {m} couriers seized "
                f"({DEFAULT_K} of {DEFAULT_N}, {trials} trials)",
                p, "share", goal=goal, met=(p == 1.0) if goal and not smoke else None,
            ))
    return rows
