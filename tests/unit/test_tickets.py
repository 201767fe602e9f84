"""Tickets and shard items (``core/tickets.py``, ``docs/spec/shards.md``): golden
vectors from an independent writer, round trips, rejection of every malformed form,
and the courier placement rule."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.app.couriers import placement
from samizdat.core.caps import ReadCap
from samizdat.core.tickets import Ticket, decode_ticket, encode_ticket, shard_id, ticket_id
from samizdat.errors import DecodeError

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "tickets.json").read_text())


@pytest.mark.parametrize("v", VECTORS["valid"], ids=lambda v: f"{v['k']}of{v['n']}")
def test_valid_vectors_decode_and_reencode(v: dict[str, object]) -> None:
    data = bytes.fromhex(str(v["ticket_hex"]))
    t = decode_ticket(data)
    assert (t.cap.k, t.cap.n) == (v["k"], v["n"])
    assert t.cap.root_key.hex() == v["key_hex"] and t.version_id.hex() == v["version_hex"]
    assert [s.hex() for s in t.shards] == v["shards_hex"]
    assert encode_ticket(t) == data
    assert ticket_id(data).hex() == v["ticket_id_hex"]


def test_shard_item_id_vector() -> None:
    for v in VECTORS["shard_items"]:
        assert shard_id(bytes.fromhex(v["shard_hex"])).hex() == v["shard_id_hex"]


@pytest.mark.parametrize("v", VECTORS["must_reject"], ids=lambda v: v["name"])
def test_must_reject_vectors(v: dict[str, str]) -> None:
    with pytest.raises(DecodeError):
        decode_ticket(bytes.fromhex(v["ticket_hex"]))


def _ticket(k: int, n: int) -> Ticket:
    return Ticket(ReadCap(k=k, n=n, root_key=os.urandom(32)), os.urandom(32),
                  tuple(os.urandom(32) for _ in range(n)))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_round_trip(kn: tuple[int, int]) -> None:
    t = _ticket(*kn)
    assert decode_ticket(encode_ticket(t)) == t


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_truncation_or_bit_flip_is_rejected_or_another_ticket(data: st.DataObject) -> None:
    t = _ticket(3, 10)
    raw = bytearray(encode_ticket(t))
    cut = data.draw(st.integers(0, len(raw) - 1))
    with pytest.raises(DecodeError):
        decode_ticket(bytes(raw[:cut]))
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= 1 << data.draw(st.integers(0, 7))
    try:
        other = decode_ticket(bytes(raw))
    except DecodeError:
        return
    assert other != t and ticket_id(bytes(raw)) != ticket_id(encode_ticket(t))


def test_repr_shows_no_secret() -> None:
    t = _ticket(3, 10)
    shown = repr(t)
    assert t.cap.root_key.hex() not in shown and t.version_id.hex() not in shown
    assert all(s.hex() not in shown for s in t.shards)


@pytest.mark.parametrize("n", [1, 3, 10, 17])
@pytest.mark.parametrize("m", [1, 2, 3, 5, 7, 10, 11, 25])
def test_placement_covers_every_shard_and_spreads_them(n: int, m: int) -> None:
    given_to = [placement(n, i, m) for i in range(m)]
    assert sorted({j for g in given_to for j in g}) == list(range(n))  # all placed
    if m <= n:
        flat = [j for g in given_to for j in g]
        assert len(flat) == len(set(flat)) == n  # no shard twice
        assert max(map(len, given_to)) - min(map(len, given_to)) <= 1
    else:
        assert all(len(g) == 1 for g in given_to)


def test_any_three_of_ten_couriers_hold_three_distinct_shards() -> None:
    from itertools import combinations

    given_to = [placement(10, i, 10) for i in range(10)]
    for left in combinations(range(10), 3):
        assert len({j for c in left for j in given_to[c]}) >= 3
