"""Properties of opening envelopes, drawn with :func:`samizdat.testing.strategies.envelopes`:
any k shards rebuild the payload, fewer never do, and whatever a courier does to the
shards (flip, cut, extend, drop, duplicate, overwrite, reorder) opening gives back
exactly what was sealed or fails with a typed error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samizdat.core.envelope import open_shards
from samizdat.errors import NotEnoughShards, SamizdatError
from samizdat.testing.strategies import SealedEnvelope, envelopes
from tests.fuzz.harnesses import _apply_edits

_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(env=envelopes(), data=st.data())
def test_any_k_shards_in_any_order_rebuild_the_payload(
    env: SealedEnvelope, data: st.DataObject
) -> None:
    chosen = data.draw(st.permutations(range(env.n)))[: env.k]
    assert open_shards(env.cap, [env.shards[i] for i in chosen]) == env.payload


@_SETTINGS
@given(env=envelopes(max_n=6).filter(lambda e: e.k > 1), data=st.data())
def test_fewer_than_k_distinct_shards_never_open(env: SealedEnvelope, data: st.DataObject) -> None:
    chosen = data.draw(st.permutations(range(env.n)))[: env.k - 1]
    copies = [env.shards[i] for i in chosen] * 2  # duplicates do not count twice
    with pytest.raises(NotEnoughShards):
        open_shards(env.cap, copies)


@_SETTINGS
@given(env=envelopes(max_payload=2048), edits=st.binary(min_size=4, max_size=40))
def test_a_courier_cannot_make_shards_open_to_anything_else(
    env: SealedEnvelope, edits: bytes
) -> None:
    damaged = _apply_edits(list(env.shards), edits)
    try:
        got = open_shards(env.cap, damaged)
    except SamizdatError:
        return
    assert got == env.payload


@settings(max_examples=5, deadline=None)
@given(env=envelopes(max_payload=16))
def test_the_strategy_keeps_secrets_out_of_repr(env: SealedEnvelope) -> None:
    text = repr(env)
    assert env.cap.danger_real_capability_string() not in text
    assert "payload" not in text and "shards" not in text
