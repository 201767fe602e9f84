"""The pass-along policy: quotas, one puller at a time, and the quiet-when-in-step rule."""

from __future__ import annotations

import random

import pytest

from samizdat.protocol.gossip import (
    GossipState,
    PassAlongPolicy,
    Role,
    choose_within,
    pick_contact,
)


def rng(seed: int = 0) -> random.Random:
    return random.Random(seed)


def test_quotas_by_role() -> None:
    p = PassAlongPolicy(k=3, n=10, courier_extra=2)
    assert p.quota(Role.READER) == 3
    assert p.quota(Role.COURIER) == 5
    assert p.quota(Role.ORIGIN) == 10
    assert PassAlongPolicy(k=9, n=10, courier_extra=5).quota(Role.COURIER) == 10


def test_choose_never_exceeds_the_quota() -> None:
    p = PassAlongPolicy(k=3, n=10)
    offered = [bytes([i]) * 16 for i in range(8)]
    state = GossipState(held=1)
    chosen = p.choose(Role.READER, state, offered, lambda b: b)
    assert len(chosen) == 2 and set(chosen) <= set(offered)
    assert p.choose(Role.READER, GossipState(held=3), offered, lambda b: b) == []


def test_choose_within_caps_each_group_and_the_total() -> None:
    offered = [bytes([i]) * 16 for i in range(12)]
    group = {o: i % 3 for i, o in enumerate(offered)}  # groups 0, 1, 2, four ids each
    room = {0: 1, 1: 0, 2: 4}
    chosen = choose_within(offered, 10, lambda b: b, lambda o: (group[o], room[group[o]]))
    assert [group[c] for c in chosen].count(0) == 1
    assert [group[c] for c in chosen].count(1) == 0
    assert [group[c] for c in chosen].count(2) == 4
    assert chosen == sorted(chosen)  # in rank order
    assert len(choose_within(offered, 2, lambda b: b,
                             lambda o: (group[o], room[group[o]]))) == 2
    assert choose_within(offered, 0, lambda b: b, lambda o: (0, 9)) == []


def test_one_puller_at_a_time() -> None:
    p = PassAlongPolicy(k=3, n=10)
    state = GossipState(held=0, pulling=True)
    assert p.choose(Role.READER, state, [b"\1" * 16], lambda b: b) == []


def test_quiet_when_every_contact_is_in_step() -> None:
    p = PassAlongPolicy(k=2, n=4)
    state = GossipState(held=2)
    contacts = [5, 6, 7]
    r = rng()
    seen = {p.next_call(Role.READER, state, contacts, r.randbytes) for _ in range(50)}
    assert seen == {5, 6, 7}
    state.call_completed(5)
    state.call_completed(6)
    assert all(p.next_call(Role.READER, state, contacts, rng(i).randbytes) == 7
               for i in range(20))
    state.call_completed(7)
    assert p.next_call(Role.READER, state, contacts, rng().randbytes) is None
    state.gained(3)  # something new: every contact may lack it
    assert p.next_call(Role.READER, state, contacts, rng().randbytes) in contacts


def test_a_node_that_lacks_keeps_calling() -> None:
    p = PassAlongPolicy(k=3, n=5)
    state = GossipState(held=1, in_step={1: 0.0, 2: 0.0})
    assert p.next_call(Role.READER, state, [1, 2], rng().randbytes) in (1, 2)


def test_pick_contact_is_uniform_enough() -> None:
    r = rng(3)
    counts = {c: 0 for c in range(7)}
    for _ in range(7000):
        counts[pick_contact(list(range(7)), r.randbytes)] += 1
    assert all(800 < v < 1200 for v in counts.values())
    with pytest.raises(ValueError):
        pick_contact([], r.randbytes)


def test_bad_parameters() -> None:
    with pytest.raises(ValueError):
        PassAlongPolicy(k=4, n=3)
    with pytest.raises(ValueError):
        PassAlongPolicy(k=1, n=3, courier_extra=-1)
