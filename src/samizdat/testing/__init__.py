"""Helpers shipped for tests (here and in other projects that use samizdat):
Hypothesis strategies in :mod:`samizdat.testing.strategies` (needs the ``dev``
extra), and hostile inputs with an outside peak-RSS measurement in
:mod:`samizdat.testing.hostile` (used by the tests and ``bench/``), and two
in-memory protocol sessions driven against each other in
:mod:`samizdat.testing.sessions` (the session tests and ``bench_reach``). Nothing in
samizdat itself imports this package."""

__all__: list[str] = []
