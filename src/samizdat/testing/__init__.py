"""Helpers shipped for tests (here and in other projects that use samizdat):
Hypothesis strategies in :mod:`samizdat.testing.strategies`. Needs the ``dev`` extra
(Hypothesis); nothing in samizdat itself imports this package."""
