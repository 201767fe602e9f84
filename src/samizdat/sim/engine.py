"""The discrete-event core: a heap of timed events in virtual seconds.

Nothing here knows about nodes or protocols. ``schedule(delay, fn, *args)`` queues a
call; :meth:`EventLoop.run` pops events in time order (ties in scheduling order, so
a run is reproducible from its seed) until the heap is empty or ``until`` is reached.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

__all__ = ["EventLoop"]


class EventLoop:
    """Virtual time and the queue of what happens next."""

    __slots__ = ("_heap", "_seq", "events_run", "now")

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = 0
        self.events_run = 0

    def schedule(self, delay: float, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` ``delay`` virtual seconds from now."""
        if delay < 0:
            raise ValueError("events cannot be scheduled in the past")
        self._seq += 1
        heapq.heappush(self._heap, (self.now + delay, self._seq, fn, args))

    def run(self, until: float | None = None) -> None:
        """Process events in order until none remain or the next is after ``until``."""
        heap = self._heap
        while heap:
            if until is not None and heap[0][0] > until:
                self.now = until
                return
            when, _, fn, args = heapq.heappop(heap)
            self.now = when
            self.events_run += 1
            fn(*args)
        if until is not None:
            self.now = max(self.now, until)

    def __len__(self) -> int:
        return len(self._heap)
