"""The impure edges that ``core/`` and ``protocol/`` never touch themselves: the
operating system's randomness and clock, and the one switch read from the
environment (the insecure fast KDF). Callers above those layers pass these in."""

from __future__ import annotations

import os
import time

__all__ = ["FAST_KDF_VARIABLE", "insecure_fast_kdf", "monotonic", "system_rng", "wall_clock"]


def system_rng(n: int) -> bytes:
    """``n`` bytes from the operating system's CSPRNG."""
    return os.urandom(n)


def wall_clock() -> float:
    """Seconds since the epoch."""
    return time.time()


def monotonic() -> float:
    """Seconds from an arbitrary start, never going back."""
    return time.monotonic()


FAST_KDF_VARIABLE = "SAMIZDAT_INSECURE_FAST_KDF"


def insecure_fast_kdf() -> bool:
    """Whether this process was started with ``SAMIZDAT_INSECURE_FAST_KDF=1`` (test
    suites and the demo: Argon2id at libsodium's MIN cost). Read here only; the
    command line passes the answer to the store (``Store.open(fast_kdf=...)``)."""
    return os.environ.get(FAST_KDF_VARIABLE) == "1"
