"""Reach sketches (core/reach.py): the codec accepts only register values, merging
is a lattice join, the estimate is right on real token sets, randomized response
is inverted, and implausible sketches are refused."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core import reach
from samizdat.errors import DecodeError


def _sketch(tokens: int, couriers: int = 0, seed: int = 1) -> reach.ReachSketch:
    rnd = random.Random(seed)
    s = reach.ReachSketch.empty()
    for i in range(tokens + couriers):
        s = s.merge(reach.contribution(rnd.randbytes(32), "reader" if i < tokens else "courier"))
    return s


registers = st.builds(
    reach.ReachSketch,
    st.binary(min_size=reach.HOLDER_REGISTERS, max_size=reach.HOLDER_REGISTERS).map(
        lambda b: reach.Sketch(bytes(x % 32 for x in b))),
    st.binary(min_size=reach.READ_REGISTERS, max_size=reach.READ_REGISTERS).map(
        lambda b: reach.Sketch(bytes(x % 32 for x in b))),
)


@settings(max_examples=50, deadline=None)
@given(registers, registers, registers)
def test_merge_is_idempotent_commutative_associative_and_round_trips(
        a: reach.ReachSketch, b: reach.ReachSketch, c: reach.ReachSketch) -> None:
    assert a.merge(a) == a
    assert a.merge(b) == b.merge(a)
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    encoded = a.encode()
    assert len(encoded) == reach.SKETCH_BYTES <= 1024
    assert reach.decode_sketch(encoded) == a


def test_malformed_sketches_are_refused() -> None:
    good = _sketch(10).encode()
    for bad in (b"", good[:-1], good + b"\x00", b"\x02" + good[1:], os.urandom(5000)):
        with pytest.raises(DecodeError):
            reach.decode_sketch(bad)


@pytest.mark.parametrize("n", [50, 1000, 20_000])
def test_the_estimate_counts_readers(n: int) -> None:
    est = reach.estimate_readers(_sketch(n, couriers=n // 4, seed=n))
    assert abs(est.readers / n - 1) < 0.15
    assert est.low <= n <= est.high or abs(est.readers / n - 1) < 0.1
    assert abs(est.holders / (n + n // 4) - 1) < 0.2


def test_a_contribution_is_stable_and_its_coin_follows_the_role() -> None:
    token = os.urandom(32)
    assert reach.contribution(token, "reader") == reach.contribution(token, "reader")
    rnd = random.Random(7)
    tokens = [rnd.randbytes(32) for _ in range(2000)]
    reads = sum(any(reach.contribution(t, "reader").reads.registers) for t in tokens)
    carried = sum(any(reach.contribution(t, "courier").reads.registers) for t in tokens)
    assert 0.86 < reads / 2000 < 0.94 and 0.06 < carried / 2000 < 0.14  # q = 0.9


def test_the_blatant_inflation_is_refused_and_an_honest_union_admitted() -> None:
    view = _sketch(100)
    honest = _sketch(5000, seed=3)
    assert reach.admit(view, honest) == view.merge(honest)
    top = reach.ReachSketch(reach.Sketch(bytes([31]) * reach.HOLDER_REGISTERS),
                            reach.Sketch(bytes([31]) * reach.READ_REGISTERS))
    with pytest.raises(DecodeError, match="plausible"):
        reach.admit(view, top)
    spike = bytearray(honest.reads.registers)
    spike[0] = 31
    with pytest.raises(DecodeError, match="far above"):
        reach.admit(view, reach.ReachSketch(honest.holders, reach.Sketch(bytes(spike))))
