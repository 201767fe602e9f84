"""The paper frame codec: round trips from any k codes, rejection of anything else,
golden vectors built independently (tests/vectors/generate_paper_frame.py)."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.errors import DecodeError, NotEnoughShards, UsageError
from samizdat.transports.paper_frame import (
    FRAME_OVERHEAD,
    MAX_CODES,
    FramePlan,
    decode_frame,
    encode_frames,
    plan_frames,
    rebuild,
)

VECTORS = json.loads(
    (Path(__file__).parent.parent / "vectors" / "paper_frame.json").read_text("utf-8")
)


def fixed_rng(value: bytes) -> Callable[[int], bytes]:
    def rng(n: int) -> bytes:
        assert n == len(value)
        return value

    return rng


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=lambda v: v["name"])
def test_vector_encodes_to_the_independent_frames(vector: dict) -> None:
    payload = bytes.fromhex(vector["payload"])
    plan = FramePlan(length=len(payload), k=vector["k"], n=vector["n"])
    frames = encode_frames(payload, plan, fixed_rng(bytes.fromhex(vector["print_id"])))
    assert [f.hex() for f in frames] == vector["frames"]


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=lambda v: v["name"])
def test_vector_frames_decode_and_rebuild_from_the_last_k(vector: dict) -> None:
    frames = [decode_frame(bytes.fromhex(f)) for f in vector["frames"]]
    assert {f.print_id.hex() for f in frames} == {vector["print_id"]}
    assert rebuild(frames[-vector["k"]:]).hex() == vector["payload"]


@pytest.mark.parametrize("vector", VECTORS["reject"], ids=lambda v: v["name"])
def test_vector_must_reject(vector: dict) -> None:
    with pytest.raises(DecodeError):
        decode_frame(bytes.fromhex(vector["frame"]))


@settings(max_examples=60, deadline=None)
@given(
    payload=st.binary(min_size=1, max_size=6000),
    capacity=st.integers(min_value=FRAME_OVERHEAD + 1, max_value=2953),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_any_k_codes_in_any_order_with_duplicates_rebuild(
    payload: bytes, capacity: int, seed: int
) -> None:
    plan = plan_frames(len(payload), frame_capacity=capacity, loss=0.3, fill_to=12)
    assert plan.n - plan.k >= 0.3 * plan.n - 1e-9
    frames = encode_frames(payload, plan, os.urandom)
    assert all(len(f) == plan.frame_bytes <= capacity for f in frames)
    rnd = random.Random(seed)
    chosen = rnd.sample(frames, plan.k)
    chosen += rnd.choices(chosen, k=3)  # duplicates, as from a page scanned twice
    rnd.shuffle(chosen)
    assert rebuild(decode_frame(f) for f in chosen) == payload


@settings(max_examples=80, deadline=None)
@given(payload=st.binary(min_size=1, max_size=800), data=st.data())
def test_any_bit_flip_or_truncation_is_rejected(payload: bytes, data: st.DataObject) -> None:
    plan = plan_frames(len(payload), frame_capacity=400, fill_to=1)
    frame = data.draw(st.sampled_from(encode_frames(payload, plan, os.urandom)))
    bit = data.draw(st.integers(min_value=0, max_value=len(frame) * 8 - 1))
    flipped = bytearray(frame)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(DecodeError):
        decode_frame(bytes(flipped))
    cut = data.draw(st.integers(min_value=0, max_value=len(frame) - 1))
    with pytest.raises(DecodeError):
        decode_frame(frame[:cut])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3100))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        frame = decode_frame(data)
    except DecodeError:
        return
    assert 1 <= frame.k <= frame.n  # a valid frame by chance must still be consistent


def test_fewer_than_k_codes_is_not_enough_shards() -> None:
    payload = os.urandom(5000)
    plan = plan_frames(len(payload), frame_capacity=1000, fill_to=1)
    frames = [decode_frame(f) for f in encode_frames(payload, plan, os.urandom)]
    with pytest.raises(NotEnoughShards, match=f"of the {plan.k} codes needed"):
        rebuild(frames[: plan.k - 1] + frames[: plan.k - 1])
    with pytest.raises(NotEnoughShards):
        rebuild([])


def test_codes_of_two_prints_of_the_same_payload_are_never_combined() -> None:
    payload = os.urandom(3000)
    plan = plan_frames(len(payload), frame_capacity=1000, fill_to=1)
    a = [decode_frame(f) for f in encode_frames(payload, plan, os.urandom)]
    b = [decode_frame(f) for f in encode_frames(payload, plan, os.urandom)]
    assert a[0].print_id != b[0].print_id
    with pytest.raises(ValueError, match="different prints"):
        rebuild(a[:1] + b[1:])


def test_frames_show_no_fixed_structure() -> None:
    """The header is masked: across many prints no byte position of the frame is
    constant, so a stock QR reader sees random bytes, not a samizdat signature."""
    frames = []
    for _ in range(64):
        payload = os.urandom(100)
        plan = FramePlan(length=100, k=1, n=2)
        frames += encode_frames(payload, plan, os.urandom)
    for position in range(FRAME_OVERHEAD + 4):
        assert len({f[position] for f in frames}) > 32, position


def test_plan_tolerates_the_requested_loss_and_fills_pages() -> None:
    for length in (1, 500, 1777, 1778, 20_000, 150_000):
        plan = plan_frames(length, frame_capacity=1806, loss=0.25, fill_to=12)
        assert plan.n % 12 == 0 or plan.n == MAX_CODES
        assert (plan.n - plan.k) / plan.n >= 0.25
        assert plan.share_bytes * plan.k >= length


def test_plan_refuses_payloads_too_large_for_paper() -> None:
    with pytest.raises(UsageError, match="too large for paper"):
        plan_frames(1_000_000, frame_capacity=1806)
    with pytest.raises(UsageError):
        plan_frames(0, frame_capacity=1806)
