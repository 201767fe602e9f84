"""Range-based set reconciliation: exact results, few rounds, small messages, and a
hostile peer that can only get itself cut off."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.errors import DecodeError, ProtocolError
from samizdat.protocol.reconcile import (
    ID_BYTES,
    ItemSet,
    Limits,
    Reconciler,
    State,
    full_list_bytes,
    pair_item_id,
)


def converse(a: Reconciler, b: Reconciler, sizes: list[int] | None = None) -> int:
    """Run a conversation to the end; return the number of messages (and append the
    size of each one to ``sizes``)."""
    msg: bytes | None = a.initiate()
    count = 1
    side, other = b, a
    while msg is not None:
        if sizes is not None:
            sizes.append(len(msg))
        msg = side.receive(msg)
        side, other = other, side
        if msg is not None:
            count += 1
    return count


def sets(n: int, d: int, seed: int = 0) -> tuple[list[bytes], list[bytes], list[bytes]]:
    rng = random.Random(seed)
    common = [rng.randbytes(ID_BYTES) for _ in range(n)]
    a_only = [rng.randbytes(ID_BYTES) for _ in range(d - d // 2)]
    b_only = [rng.randbytes(ID_BYTES) for _ in range(d // 2)]
    return common, a_only, b_only


def check(common: list[bytes], a_only: list[bytes], b_only: list[bytes],
          limits: Limits | None = None) -> tuple[Reconciler, Reconciler, int]:
    a = Reconciler(ItemSet(common + a_only), limits=limits)
    b = Reconciler(ItemSet(common + b_only), limits=limits)
    messages = converse(a, b)
    assert a.done and b.done
    assert a.need == sorted(b_only) and a.offer == sorted(a_only)
    assert b.need == sorted(a_only) and b.offer == sorted(b_only)
    return a, b, messages


@pytest.mark.parametrize("n", [0, 1, 31, 32, 33, 255, 256, 257, 1000, 5000])
@pytest.mark.parametrize("d", [0, 1, 2, 17, 300])
def test_exact_differences(n: int, d: int) -> None:
    check(*sets(n, d, seed=n * 1000 + d))


def test_one_side_empty_both_ways() -> None:
    common, a_only, _ = sets(0, 3000, seed=5)
    check(common, a_only, [])
    check(common, [], a_only)


def test_n_10k_d_100_is_small_and_quick() -> None:
    common, a_only, b_only = sets(10_000, 100, seed=7)
    a, b, messages = check(common, a_only, b_only)
    assert messages <= 8  # at most 4 round trips
    total = a.bytes_sent + b.bytes_sent
    assert total < full_list_bytes(10_050, 50) / 5
    assert a.round_trips <= 4


@pytest.mark.parametrize("n,d", [(1000, 0), (1000, 1000), (100, 100), (3000, 3000), (200, 10)])
def test_never_more_than_105_percent_of_the_full_list(n: int, d: int) -> None:
    common, a_only, b_only = sets(n, d, seed=n + d)
    a, b, _ = check(common, a_only, b_only)
    assert a.bytes_sent + b.bytes_sent <= 1.05 * full_list_bytes(n + len(a_only), len(b_only))


def test_tight_limits_still_converge_by_deferring() -> None:
    """Messages capped at 4 KiB force deferrals; the answer must not change, and no
    single message (each measured here, not averaged) is over the cap."""
    limits = Limits(max_message=4096, max_open=64, max_ids=128, ids_threshold=8)
    common, a_only, b_only = sets(3000, 700, seed=9)
    sizes: list[int] = []
    a = Reconciler(ItemSet(common + a_only), limits=limits)
    b = Reconciler(ItemSet(common + b_only), limits=limits)
    messages = converse(a, b, sizes)
    assert a.done and b.done
    assert a.need == sorted(b_only) and b.need == sorted(a_only)
    assert len(sizes) == messages > 8
    assert max(sizes) <= 4096, f"a message of {max(sizes)} bytes"
    assert max(sizes) > 2048  # the cap is what shaped them: they fill it
    assert sum(sizes) == a.bytes_sent + b.bytes_sent


def test_limits_must_leave_room_to_defer() -> None:
    with pytest.raises(ValueError):
        Limits(max_message=1000, max_open=1000)


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.binary(min_size=16, max_size=16), max_size=80),
    st.sets(st.binary(min_size=16, max_size=16), max_size=80),
    st.sets(st.binary(min_size=16, max_size=16), max_size=80),
)
def test_property_any_sets(common: set[bytes], xa: set[bytes], xb: set[bytes]) -> None:
    xa -= common
    xb -= common | xa
    check(sorted(common), sorted(xa), sorted(xb),
          Limits(max_message=4096, max_open=64, max_ids=128, ids_threshold=2))


def test_clustered_ids_split_deep() -> None:
    """Ids sharing long prefixes (not what keyed hashes give, but legal) still work."""
    base = b"\x42" * 12
    common = [base + i.to_bytes(4, "big") for i in range(0, 4000, 2)]
    a_only = [base + (1).to_bytes(4, "big"), base + (3999).to_bytes(4, "big")]
    check(common, a_only, [base + (77).to_bytes(4, "big")],
          Limits(max_message=8192, max_open=64, max_ids=64, ids_threshold=4))


def test_pair_keyed_ids_differ_between_pairs() -> None:
    version = b"v" * 32
    one = pair_item_id(b"\x01" * 32, version)
    two = pair_item_id(b"\x02" * 32, version)
    assert len(one) == len(two) == ID_BYTES
    assert one != two
    assert pair_item_id(b"\x01" * 32, version) == one


# ------------------------------------------------------------------ hostile peers


def responder(n: int = 2000) -> Reconciler:
    common, _, _ = sets(n, 0, seed=1)
    return Reconciler(ItemSet(common))


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (b"", DecodeError),
        (b"\x02\x02\x01", DecodeError),  # unknown version
        (b"\x01", DecodeError),  # no entry for the root
        (b"\x01\x00", ProtocolError),  # MATCH cannot open the root
        (b"\x01\x04\x00", ProtocolError),  # DONE cannot open the root
        (b"\x01\x02\x03" + b"\0" * 8, ProtocolError),  # 4096-way split
        (b"\x01\x02\x01" + b"\0" * 127, DecodeError),  # truncated fingerprints
        (b"\x01\x03\x02" + b"\xff" * 16 + b"\x00" * 16, ProtocolError),  # ids descending
        (b"\x01\x03\x01" + b"\0" * 16 + b"extra", DecodeError),  # trailing bytes
        (b"\x01\x03\x80\x00", DecodeError),  # varint not shortest
        (b"\x01\x03\xff\xff\xff\xff\x0f", DecodeError),  # count over the limit
        (b"\x01\x01" + b"\0" * 8 + b"\x00", DecodeError),  # trailing after FP
    ],
)
def test_must_reject(message: bytes, error: type[Exception]) -> None:
    r = responder()
    with pytest.raises(error):
        r.receive(message)
    assert r.state is State.FAILED
    with pytest.raises(ProtocolError):
        r.receive(b"\x01\x03\x00")


def test_ids_outside_their_range_are_refused() -> None:
    a = Reconciler(ItemSet(sets(3000, 0, seed=2)[0]))
    first = a.initiate()
    assert first[1] == 0x02  # the root was split
    # answer with a mask naming child 0 and an id list whose id starts with 0xf
    reply = b"\x01\x05" + (1).to_bytes(2, "little") + b"\x03\x01" + b"\xf0" * 16
    with pytest.raises(ProtocolError, match="outside"):
        a.receive(reply)


def test_message_after_the_end_is_refused() -> None:
    a, b = responder(), responder()
    converse(a, b)
    with pytest.raises(ProtocolError):
        a.receive(b"\x01\x00")


def test_oversize_message_refused_before_parsing() -> None:
    r = Reconciler(ItemSet(), limits=Limits(max_message=4096, max_open=64, max_ids=128))
    with pytest.raises(DecodeError, match="too large"):
        r.receive(b"\x01" + b"\0" * 5000)


def test_endless_ping_pong_is_cut_off() -> None:
    """A peer that answers every fingerprint with a fingerprint never converges."""
    limits = Limits(max_messages=10)
    r = Reconciler(ItemSet(sets(2000, 0, seed=3)[0]), limits=limits)
    msg = b"\x01\x01" + b"\xaa" * 8  # FP of the root that never matches
    with pytest.raises(ProtocolError, match="messages"):
        for _ in range(20):
            out = r.receive(msg)
            assert out is not None
            msg = b"\x01" + b"\x01" + b"\xbb" * 8 if out[1] == 0x01 else b"\x01\x01" + b"\xaa" * 8


_FUZZ_LIMITS = Limits(max_message=8192, max_open=128, max_ids=256)
_FUZZ_B = ItemSet(sets(300, 20, seed=11)[0] + sets(300, 20, seed=11)[2])  # immutable: shared


def _fuzz_against(valid: list[bytes], spec: bytes) -> None:
    """Replay a valid conversation to one side with one message mutated as ``spec``
    says: byte 0 picks the message, byte 1 how much to cut off its end, the next six
    bytes three (position, xor) flips, the rest is appended. One plain binary strategy
    keeps Hypothesis's own cost per case low, so 100,000 cases fit in about a minute."""
    b = Reconciler(_FUZZ_B, limits=_FUZZ_LIMITS)
    spec = spec.ljust(8, b"\0")
    target = spec[0] % len(valid)
    try:
        for i, msg in enumerate(valid):
            if i == target:
                m = bytearray(msg[: len(msg) - spec[1] % 4])
                for j in range(2, 8, 2):
                    if m and spec[j + 1]:
                        m[(spec[j] * 7919 + j) % len(m)] ^= spec[j + 1]
                msg = bytes(m) + spec[8:]
            if i % 2 == 0:
                b.receive(msg)
    except (DecodeError, ProtocolError):
        assert b.state is State.FAILED


def _valid_conversation() -> list[bytes]:
    common, a_only, b_only = sets(300, 20, seed=11)
    lim = Limits(max_message=8192, max_open=128, max_ids=256)
    a = Reconciler(ItemSet(common + a_only), limits=lim)
    b = Reconciler(ItemSet(common + b_only), limits=lim)
    out = [a.initiate()]
    side = b
    while True:
        nxt = side.receive(out[-1])
        if nxt is None:
            return out
        out.append(nxt)
        side = a if side is b else b


_VALID = _valid_conversation()
_fuzz_spec = st.binary(max_size=48)


@settings(max_examples=1500, deadline=None)
@given(_fuzz_spec)
def test_fuzz_fast(spec: bytes) -> None:
    _fuzz_against(_VALID, spec)


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_random_first_messages(data: bytes) -> None:
    r = responder(500)
    try:
        out = r.receive(b"\x01" + data)
    except (DecodeError, ProtocolError):
        return
    assert out is None or len(out) <= r.limits.max_message


@pytest.mark.slow
@settings(max_examples=100_000, deadline=None, database=None)
@given(_fuzz_spec)
def test_fuzz_100k(spec: bytes) -> None:
    _fuzz_against(_VALID, spec)
