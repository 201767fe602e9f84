"""How long a simulated call takes to connect and how long each frame travels.

Two link models, drawn the same way for the engine's calls (``sim/network.py``) and
for the push-pull baseline (``sim/run.py``), so the two stay comparable:

* ``uniform`` (the default): no connection cost; each call draws one one-way latency,
  uniform in ``[latency_min, latency_max]``.
* ``tor``: a Tor onion-service connection, from measurements of real onion services
  (``docs/simulator.md``, "A Tor link profile", has the sources and their limits):

  - connecting takes one of the 100 times measured by WalletWasabi pull request
    8900 (comment of 2022-10-07: 100 ``curl --socks5-hostname`` requests to an onion
    service, each on its own circuit, default tor): 99 succeeded in 2.25–110.07 s,
    one failed after 119.64 s;
  - once connected, a round trip is log-normal with the median 0.3 s and mean 0.5 s
    that WalletWasabi pull request 8870 measured (comment of 2022-08-05: 2,984
    requests to the same onion service over established circuits in 1,009 minutes;
    the largest 22.2 s), and a frame travels half of it;
  - a round is the node's dialing interval (``NodeConfig.interval``, 30 s), and a
    call still connecting or unfinished after 29 s fails (the node would wait for
    the SOCKS timeout; the simulator's calls must end within their round).

  Churn is not part of the profile: no measured on-line time of Tor clients or onion
  services was found, so ``--churn`` stays the user's assumption.
"""

from __future__ import annotations

import math
import random
from typing import Final, TypedDict

__all__ = ["LINKS", "TOR_CONNECT_SECONDS", "TOR_TIMING", "Timing", "draw"]

LINKS: Final = ("uniform", "tor")

TOR_CONNECT_SECONDS: Final[tuple[float | None, ...]] = (
    53.32, 3.48, 4.34, 5.68, 6.79, 9.27, 110.07, 7.58, 70.92, 4.81,
    11.37, 10.60, 4.56, 12.64, 10.94, 5.39, 14.66, 4.20, 5.04, 7.21,
    4.40, 10.85, 2.25, 5.32, 6.65, 4.09, 3.51, 3.65, 4.60, 5.13,
    7.31, 3.31, 7.16, 4.70, 16.07, 7.82, 4.15, 5.01, 3.17, 3.68,
    3.01, 5.18, 10.55, 2.34, 3.48, 4.87, 3.46, 5.27, 4.50, 4.20,
    4.19, 12.08, 4.13, 6.52, 3.52, 4.14, 3.42, 8.04, 6.46, 10.27,
    4.39, 9.07, 11.05, 11.77, 14.64, 10.85, 3.79, 8.49, 13.00, 4.60,
    10.07, 10.40, 6.34, 3.17, 11.24, 6.38, 12.99, 50.08, None, 3.24,
    6.24, 15.35, 4.91, 4.24, 4.65, 4.40, 12.05, 4.65, 13.17, 6.34,
    16.58, 3.66, 9.02, 4.72, 16.87, 4.92, 5.05, 3.83, 4.45, 5.37,
)
"""Seconds to connect and get an answer, in the order measured; ``None`` is the one
attempt that failed (after 119.64 s)."""

_RTT_MEDIAN: Final = 0.3
_RTT_MEAN: Final = 0.5
_MU: Final = math.log(_RTT_MEDIAN)
_SIGMA: Final = math.sqrt(2 * math.log(_RTT_MEAN / _RTT_MEDIAN))  # mean = e^(mu + s²/2)

class Timing(TypedDict):
    round_seconds: float
    call_timeout: float
    latency_min: float
    latency_max: float


TOR_TIMING: Final[Timing] = {"round_seconds": 30.0, "call_timeout": 29.0,
                     "latency_min": 0.02, "latency_max": 28.0}
"""The ``SimConfig`` times of the ``tor`` profile (``latency_*`` only bound the
uniform model and must satisfy ``validate``)."""


def draw(links: str, latency_min: float, latency_max: float,
         rng: random.Random) -> tuple[float | None, float]:
    """``(connect seconds or None if the connection fails, one-way frame latency)``
    for one call. The uniform model draws exactly one number, as before profiles."""
    if links == "uniform":
        return 0.0, rng.uniform(latency_min, latency_max)
    connect = TOR_CONNECT_SECONDS[rng.randrange(len(TOR_CONNECT_SECONDS))]
    return connect, rng.lognormvariate(_MU, _SIGMA) / 2
