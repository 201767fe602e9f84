"""Decoding bounded in proportion to what arrived: the package bomb is refused at
its first byte by the schema decoder, and an envelope whose content is out of
proportion to its compressed size is refused before it is decompressed."""

from __future__ import annotations

import os
import random
import tracemalloc

import pytest

from samizdat.app.carry import open_package
from samizdat.core import cbor
from samizdat.core.envelope import PACKAGE_EXPANSION, BytesSource, Expansion, open_stream
from samizdat.core.package import decode_package
from samizdat.errors import DecodeError
from samizdat.testing import hostile


def test_array_bomb_costs_nothing_to_refuse() -> None:
    bomb = hostile.array_bomb_package(200_000)
    # the attack: a generic decode builds every empty array first (~64 B per byte)
    tracemalloc.start()
    try:
        assert cbor.decode(bomb[1:]) == [[]] * 200_000  # valid CBOR, wrong shape
        generic_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        with pytest.raises(DecodeError, match="unexpected item"):
            decode_package(bomb)
        schema_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert generic_peak > 50 * len(bomb)
    assert schema_peak < 3 * len(bomb)  # the input's copies, no more


def test_tiny_paragraph_package_out_of_proportion_is_refused() -> None:
    package = hostile.tiny_paragraph_package(200_000, os.urandom)
    decode_package(package)  # well formed: only the expansion bound stops it
    cap, bundle = hostile.sealed_bundle(package, os.urandom)
    assert not PACKAGE_EXPANSION.allows(len(package), len(bundle))
    with pytest.raises(DecodeError, match="out of proportion"):
        open_package(cap, [BytesSource(bundle)])


def test_ordinary_text_opens_within_the_bound() -> None:
    # natural text compresses about 3:1, far inside the 100:1 bound
    words = [os.urandom(4).hex() for _ in range(2000)]
    rnd = random.Random(1)
    text = " ".join(rnd.choice(words) for _ in range(400_000)).encode()
    cap, bundle = hostile.sealed_bundle(text, os.urandom)
    assert PACKAGE_EXPANSION.allows(len(text), len(bundle))
    out: list[bytes | memoryview] = []
    open_stream(cap, [BytesSource(bundle)], out.append, expansion=PACKAGE_EXPANSION)
    assert b"".join(out) == text


def test_expansion_floor_lets_small_repetitive_documents_through() -> None:
    bound = Expansion(ratio=100, floor=128 * 1024)
    assert bound.allows(100 * 1024, 1)
    assert not bound.allows(129 * 1024, 1)
    assert bound.allows(100 * 100 * 1024, 100 * 1024)
    assert not bound.allows(100 * 100 * 1024 + 128 * 1024 + 1, 100 * 1024)
