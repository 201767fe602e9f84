"""Helpers shipped for tests (here and in other projects that use samizdat):
Hypothesis strategies in :mod:`samizdat.testing.strategies` (needs the ``dev``
extra), and hostile inputs with an outside peak-RSS measurement in
:mod:`samizdat.testing.hostile` (used by the tests and ``bench/``). Nothing in
samizdat itself imports this package."""

__all__: list[str] = []
