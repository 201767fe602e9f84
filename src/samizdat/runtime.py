"""The impure edges that ``core/`` and ``protocol/`` never touch themselves: the
operating system's randomness and clock. Callers above those layers pass these in."""

from __future__ import annotations

import os
import time

__all__ = ["monotonic", "system_rng", "wall_clock"]


def system_rng(n: int) -> bytes:
    """``n`` bytes from the operating system's CSPRNG."""
    return os.urandom(n)


def wall_clock() -> float:
    """Seconds since the epoch."""
    return time.time()


def monotonic() -> float:
    """Seconds from an arbitrary start, never going back."""
    return time.monotonic()
