"""The circle key code and the circle item payload: strict, bounded decoding."""

from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core import cbor
from samizdat.core.caps import DropKey
from samizdat.core.circle import CircleItem, CircleKey, ItemComment, decode_item, encode_item
from samizdat.errors import DecodeError, WrongCode

KEY = CircleKey(bytes(range(32)))
ITEM = CircleItem(KEY.circle_id, b"package bytes",
                  (ItemComment(b"\x01comment", b"a" * 32, b"s" * 64),))


def test_round_trip_and_canonical() -> None:
    data = encode_item(ITEM)
    assert decode_item(data, 1 << 20) == ITEM
    assert data[0] == 1 and cbor.encode(cbor.decode(data[1:])) == data[1:]


def test_the_key_is_a_secret_of_its_own_kind() -> None:
    code = KEY.danger_real_key_string()
    assert code.startswith("szk1-") and len(code) == 65
    assert CircleKey.parse(code.upper()) == KEY
    assert repr(KEY) == "CircleKey()"
    with pytest.raises(WrongCode, match="dead-drop key, not a circle key"):
        CircleKey.parse(DropKey(os.urandom(32)).danger_real_key_string())
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(KEY)


def test_a_drop_key_and_a_circle_key_open_different_wraps() -> None:
    drop = DropKey(KEY.key)  # even the same 32 bytes
    assert drop.as_cap().root_key != KEY.wrap_cap().root_key


@pytest.mark.parametrize("bad", [
    b"", b"\x02" + encode_item(ITEM)[1:], encode_item(ITEM)[:-1], encode_item(ITEM) + b"\x00",
    b"\x01" + cbor.encode({"circle": b"x" * 16, "package": b"p"}),
    b"\x01" + cbor.encode({"circle": b"x" * 15, "package": b"p", "comments": []}),
    b"\x01" + cbor.encode({"circle": b"x" * 16, "package": None, "comments": []}),
    b"\x01" + cbor.encode({"circle": b"x" * 16, "package": b"p",
                          "comments": [[b"c", b"a" * 31, b"s" * 64]]}),
])
def test_malformed_payloads_are_refused(bad: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_item(bad, 1 << 20)


def test_an_oversized_package_is_refused_before_it_is_copied() -> None:
    with pytest.raises(DecodeError, match="too large"):
        decode_item(encode_item(CircleItem(KEY.circle_id, b"p" * 1000)), 999)


def test_a_claimed_huge_comment_list_costs_nothing() -> None:
    # a map whose "comments" array claims 2^62 items, with nothing after it
    hostile = (b"\x01\xa3" + cbor.encode("circle") + cbor.encode(b"x" * 16)
               + cbor.encode("package") + cbor.encode(b"p") + cbor.encode("comments")
               + b"\x9b" + (2**62).to_bytes(8, "big"))
    with pytest.raises(DecodeError, match="too many"):
        decode_item(hostile, 1 << 20)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_payloads_never_crash(data: st.DataObject) -> None:
    raw = encode_item(ITEM)
    pos = data.draw(st.integers(0, len(raw) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = raw[:pos] + bytes([raw[pos] ^ flip]) + raw[pos + 1:]
    with contextlib.suppress(DecodeError):
        decode_item(changed, 1 << 20)
