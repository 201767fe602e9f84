"""The envelope code against vectors made by an independent implementation of the
spec (``tests/vectors/generate_envelope.py``): it must open what the spec makes,
make byte for byte what the spec makes from the same key, and reject every
must-reject case, including hostile envelopes that authenticate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from samizdat.core.caps import ReadCap
from samizdat.core.envelope import DROP_WRAP_BYTES, drop_unwrap, open_shards, seal
from samizdat.errors import DecodeError, NotEnoughShards

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "vectors" / "envelope.json").read_text()
)


@pytest.mark.parametrize("v", VECTORS["valid"], ids=lambda v: v["name"])
def test_valid_vectors_open_and_reseal_identically(v: dict[str, Any]) -> None:
    cap = ReadCap.parse(v["cap"])
    assert (cap.k, cap.n, cap.root_key.hex()) == (v["k"], v["n"], v["root_key"])
    assert cap.danger_real_capability_string() == v["cap"]
    shards = [bytes.fromhex(s) for s in v["shards"]]
    payload = bytes.fromhex(v["payload"])
    assert open_shards(cap, shards) == payload
    assert open_shards(cap, shards[-cap.k :]) == payload
    root = cap.root_key
    # the vectors are padded to the Padmé size itself: a random padding draw of
    # zero (the rng's 8-byte call) reseals them byte for byte
    again_cap, again = seal(
        payload, k=cap.k, n=cap.n, rng=lambda n: root[:n] if n == 32 else bytes(n)
    )
    assert again_cap == cap
    assert again == shards


@pytest.mark.parametrize("v", VECTORS["must_reject"], ids=lambda v: v["name"])
def test_must_reject_vectors(v: dict[str, Any]) -> None:
    cap = ReadCap.parse(v["cap"])
    with pytest.raises((NotEnoughShards, DecodeError)):
        open_shards(cap, [bytes.fromhex(s) for s in v["shards"]])


@pytest.mark.parametrize("v", VECTORS["capability_must_reject"], ids=lambda v: v["name"])
def test_capability_must_reject(v: dict[str, Any]) -> None:
    with pytest.raises(DecodeError):
        ReadCap.parse(v["cap"])


def test_dead_drop_file_vector() -> None:
    d = VECTORS["dead_drop"]
    data = bytes.fromhex(d["file"])
    bundle_cap = drop_unwrap(ReadCap.parse(d["drop_cap"]), data[:DROP_WRAP_BYTES])
    assert bundle_cap.root_key.hex() == d["bundle_root_key"]
    assert open_shards(bundle_cap, [data[DROP_WRAP_BYTES:]]) == bytes.fromhex(d["payload"])
    other = ReadCap(k=1, n=1, root_key=bytes(32))
    with pytest.raises(DecodeError):
        drop_unwrap(other, data[:DROP_WRAP_BYTES])
