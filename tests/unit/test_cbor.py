"""Canonical CBOR (samizdat.core.cbor): RFC 8949 examples, must-reject vectors, and
Hypothesis properties (round trip, every truncation and random junk refused without
a crash)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core import cbor
from samizdat.errors import DecodeError
from samizdat.testing.strategies import cbor_values

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "cbor.json").read_text("utf-8"))


def from_json(v: Any) -> Any:
    """The vector file's JSON form of a value -> the Python value."""
    if isinstance(v, dict) and set(v) == {"bytes"}:
        return bytes.fromhex(v["bytes"])
    if isinstance(v, dict) and set(v) == {"map"}:
        return {from_json(k): from_json(x) for k, x in v["map"]}
    if isinstance(v, dict):
        return {k: from_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_json(x) for x in v]
    return v


@pytest.mark.parametrize("vec", VECTORS["valid"], ids=lambda v: v["diag"][:30])
def test_rfc8949_examples_decode_and_encode(vec: dict[str, Any]) -> None:
    value = from_json(vec["value"])
    raw = bytes.fromhex(vec["hex"])
    assert cbor.decode(raw) == value
    assert cbor.encode(value) == raw


@pytest.mark.parametrize("vec", VECTORS["must_reject"], ids=lambda v: v["why"][:40])
def test_must_reject_vectors_raise_decode_error(vec: dict[str, Any]) -> None:
    with pytest.raises(DecodeError):
        cbor.decode(bytes.fromhex(vec["hex"]))


@pytest.mark.parametrize("bad", [1.5, {True: 1}, {b"k": 1}, 1 << 64, -(1 << 64) - 1, object()])
def test_encoder_refuses_what_the_subset_lacks(bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        cbor.encode(bad)


def test_tuples_encode_as_arrays_and_decode_as_lists() -> None:
    assert cbor.decode(cbor.encode((1, (2,)))) == [1, [2]]


def test_decode_bounds_allocation_by_input_size() -> None:
    # a 9-byte input claiming a 2^63-byte string must fail before allocating
    with pytest.raises(DecodeError, match="truncated"):
        cbor.decode(bytes.fromhex("5b7fffffffffffffff"))


@given(cbor_values())
@settings(max_examples=400)
def test_round_trip(value: cbor.Value) -> None:
    raw = cbor.encode(value)
    back = cbor.decode(raw, max_depth=64)
    assert cbor.encode(back) == raw


@given(cbor_values(max_leaves=10))
@settings(max_examples=200)
def test_every_truncation_is_refused(value: cbor.Value) -> None:
    raw = cbor.encode(value)
    for cut in range(len(raw)):
        with pytest.raises(DecodeError):
            cbor.decode(raw[:cut], max_depth=64)


@given(st.binary(max_size=200))
@settings(max_examples=1000)
def test_random_junk_is_refused_or_canonical(junk: bytes) -> None:
    try:
        value = cbor.decode(junk)
    except DecodeError:
        return
    assert cbor.encode(value) == junk  # anything accepted is its own canonical form


@given(cbor_values(max_leaves=10), st.data())
@settings(max_examples=300)
def test_bit_flips_are_refused_or_canonical(value: cbor.Value, data: st.DataObject) -> None:
    raw = bytearray(cbor.encode(value))
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= 1 << data.draw(st.integers(0, 7))
    try:
        back = cbor.decode(bytes(raw), max_depth=64)
    except DecodeError:
        return
    assert cbor.encode(back) == bytes(raw)
