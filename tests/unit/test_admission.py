"""Handshake slots (protocol/admission.py): caps hold, idle connections are evicted,
a burst cannot evict a handshake under way."""

from __future__ import annotations

from samizdat.protocol.admission import HandshakeSlots, contact_name, invite_name


def test_per_source_cap_evicts_the_oldest_idle_connection() -> None:
    slots = HandshakeSlots(max_pending=8, max_per_source=2, min_age=1.0)
    assert slots.arrive("a", "x", 0.0) == []
    assert slots.arrive("b", "x", 0.1) == []
    assert slots.arrive("c", "x", 5.0) == ["a"]  # a is old: evicted for c
    assert len(slots) == 2 and slots.evicted == 1


def test_a_burst_is_refused_instead_of_evicting_a_young_handshake() -> None:
    slots = HandshakeSlots(max_pending=8, max_per_source=2, min_age=1.0)
    slots.arrive("honest", "x", 0.0)
    slots.arrive("f1", "x", 0.1)
    assert slots.arrive("f2", "x", 0.2) == ["f2"]  # refused: the honest one is young
    assert slots.refused == 1 and len(slots) == 2
    slots.leave("f1")
    assert slots.arrive("f3", "x", 0.3) == []


def test_overall_cap_holds_across_sources() -> None:
    slots = HandshakeSlots(max_pending=3, max_per_source=3, min_age=0.0)
    for i in range(10):
        slots.arrive(i, f"s{i}", float(i))
        assert len(slots) <= 3
    assert slots.evicted == 7


def test_names_are_per_secret_and_per_hour_and_kind() -> None:
    s = b"k" * 32
    assert contact_name(s, 1) != contact_name(s, 2)
    assert contact_name(s, 1) != contact_name(b"j" * 32, 1)
    assert contact_name(s, 1) != invite_name(s, 1)
    assert contact_name(s, 1).endswith(".invalid") and len(contact_name(s, 1)) == 26 + 8
