"""Read capabilities: round trip, secrecy in repr, and strict parsing."""

from __future__ import annotations

import pickle
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samizdat.core.caps import CAP_PREFIX, ReadCap
from samizdat.errors import DecodeError

KEY = bytes(range(32))


def test_round_trip_both_forms() -> None:
    cap = ReadCap(k=3, n=10, root_key=KEY)
    text = cap.danger_real_capability_string()
    assert text.startswith(CAP_PREFIX)
    assert text == text.lower()
    assert ReadCap.parse(text) == cap
    qr = cap.danger_real_capability_qr_text()
    # QR alphanumeric mode: upper-case letters, digits and a few symbols only
    assert set(qr) <= set(string.ascii_uppercase + string.digits + " $%*+-./:")
    assert ReadCap.parse(qr) == cap
    assert ReadCap.parse(f"  {text}\n") == cap


@given(st.integers(1, 255), st.integers(0, 254), st.binary(min_size=32, max_size=32))
def test_round_trip_property(k: int, extra: int, key: bytes) -> None:
    n = min(255, k + extra)
    cap = ReadCap(k=k, n=n, root_key=key)
    assert ReadCap.parse(cap.danger_real_capability_string()) == cap


def test_secret_never_in_repr_or_str() -> None:
    cap = ReadCap(k=1, n=1, root_key=KEY)
    text = cap.danger_real_capability_string()
    for shown in (repr(cap), str(cap), f"{cap}", repr([cap])):
        assert KEY.hex() not in shown
        assert text[len(CAP_PREFIX) :] not in shown
        assert "root_key" not in shown


def test_not_picklable() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(ReadCap(k=1, n=1, root_key=KEY))


def test_every_single_character_typo_is_caught() -> None:
    text = ReadCap(k=2, n=5, root_key=KEY).danger_real_capability_string()
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    for pos in range(len(CAP_PREFIX), len(text)):
        for ch in alphabet:
            if ch == text[pos]:
                continue
            typo = text[:pos] + ch + text[pos + 1 :]
            with pytest.raises(DecodeError):
                ReadCap.parse(typo)


def test_adjacent_swaps_are_caught() -> None:
    text = ReadCap(k=2, n=5, root_key=KEY).danger_real_capability_string()
    for pos in range(len(CAP_PREFIX), len(text) - 1):
        if text[pos] == text[pos + 1]:
            continue
        swapped = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
        with pytest.raises(DecodeError):
            ReadCap.parse(swapped)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "sz1-",
        "sz2-" + "a" * 63,
        "xx1-" + "a" * 63,
        "sz1-" + "a" * 62,
        "sz1-" + "a" * 64,
        "sz1-" + "1" * 63,  # 1 is not a base32 digit
        "sz1-" + "=" * 63,
        "sz1-" + "a" * 62 + "é",
    ],
)
def test_malformed_rejected_without_echo(bad: str) -> None:
    with pytest.raises(DecodeError) as info:
        ReadCap.parse(bad)
    if len(bad) > 8:
        assert bad[4:] not in str(info.value)


def test_non_canonical_last_character_rejected() -> None:
    # 39 bytes fill 312 bits; 63 base32 characters hold 315: the 3 spare bits are 0
    text = ReadCap(k=2, n=5, root_key=KEY).danger_real_capability_string()
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    last = alphabet.index(text[-1])
    for spare in range(1, 8):
        other = text[:-1] + alphabet[last | spare]
        if other != text:
            with pytest.raises(DecodeError):
                ReadCap.parse(other)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (2, 1), (1, 256), (0, 0)])
def test_bad_thresholds_rejected(k: int, n: int) -> None:
    with pytest.raises(DecodeError):
        ReadCap(k=k, n=n, root_key=KEY)


def test_wrong_key_length_rejected() -> None:
    with pytest.raises(DecodeError):
        ReadCap(k=1, n=1, root_key=b"short")


def test_subkeys_differ_by_purpose_and_cap() -> None:
    a = ReadCap(k=1, n=1, root_key=KEY)
    b = ReadCap(k=1, n=1, root_key=bytes(32))
    assert a.subkey("x") != a.subkey("y")
    assert a.subkey("x") != b.subkey("x")
    assert KEY not in a.subkey("x")
