"""The benchmark harness: each ``bench/bench_*.py`` has ``run(smoke: bool) -> list[Row]``.

A :class:`Row` is one figure: what was measured, its value, the raw reference
measured in the same run, the ratio between them and the goal. ``make bench`` prints
them all in one table; ``make bench-smoke`` runs every benchmark on tiny inputs to
check the harness and the code paths, without judging timings.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Row", "best_of", "throughput"]


@dataclass(frozen=True)
class Row:
    """One line of the benchmark report."""

    bench: str
    figure: str
    value: float
    unit: str
    reference: float | None = None  # the raw primitive, same unit, same run
    goal: str = ""
    met: bool | None = None  # None when the figure has no pass/fail goal

    @property
    def ratio(self) -> float | None:
        if self.reference in (None, 0):
            return None
        assert self.reference is not None
        return self.value / self.reference


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``repeat`` runs of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def throughput(nbytes: int, seconds: float) -> float:
    """MB/s (10^6 bytes per second)."""
    return nbytes / seconds / 1e6 if seconds > 0 else float("inf")
