"""Protocols the drivers' objects are checked against at run time.

They live apart from ``engine.py`` because the engine is also compiled with mypyc
(``samizdat/accel.py``), which does not compile a ``runtime_checkable`` Protocol.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["HasQuota"]


@runtime_checkable
class HasQuota(Protocol):
    """A library (or a per-contact view of one) that says how many items it wants
    in all; one without this method wants whatever it lacks."""

    def quota(self) -> int | None:
        """Items this node wants to hold (None: every item it is offered)."""
