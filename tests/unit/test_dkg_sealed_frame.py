"""The sealed committee frame and the committee secret code (core/committee_wire.py).

Properties: a sealed frame opens to itself under its key; any changed, truncated or
extended file, another key, a plaintext frame or random bytes give the one
DecodeError; sizes fall in Padmé buckets of at least 1 KiB; the secret code round-
trips, catches typos by its checksum, and never repeats its input in an error.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core import committee_wire as wire
from samizdat.errors import DecodeError

KEY = bytes(range(32))
NOT_OURS = "not a message of this committee"


def _frame(payload: bytes) -> bytes:
    return wire.encode("commit", {"x": payload})


@given(st.binary(max_size=4000))
@settings(max_examples=60, deadline=None)
def test_seal_round_trips_and_hides_the_frame(payload: bytes) -> None:
    frame = _frame(payload)
    sealed = wire.seal(KEY, frame, os.urandom)
    assert wire.unseal(KEY, sealed) == frame
    assert wire.MAGIC not in sealed[:16]
    assert len(sealed) >= wire.SEALED_MIN_BYTES + 28


@given(st.binary(max_size=300), st.integers(min_value=0), st.integers(0, 7))
@settings(max_examples=80, deadline=None)
def test_any_flipped_bit_is_refused(payload: bytes, where: int, bit: int) -> None:
    sealed = bytearray(wire.seal(KEY, _frame(payload), os.urandom))
    sealed[where % len(sealed)] ^= 1 << bit
    with pytest.raises(DecodeError, match=NOT_OURS):
        wire.unseal(KEY, bytes(sealed))


@given(st.binary(max_size=3000))
@settings(max_examples=60, deadline=None)
def test_hostile_bytes_never_crash(data: bytes) -> None:
    with pytest.raises(DecodeError):
        wire.unseal(KEY, data)


def test_truncated_extended_other_key_and_plain_are_refused() -> None:
    frame = _frame(b"hello")
    sealed = wire.seal(KEY, frame, os.urandom)
    for bad in (sealed[:-1], sealed + b"\x00", sealed[:12], frame,
                wire.seal(bytes(32), frame, os.urandom)):
        with pytest.raises(DecodeError, match=NOT_OURS):
            wire.unseal(KEY, bad)
    with pytest.raises(DecodeError, match="too large"):
        wire.unseal(KEY, bytes(wire.MAX_MESSAGE_BYTES + 1))


def test_sizes_are_coarse_buckets() -> None:
    sizes = {len(wire.seal(KEY, _frame(bytes(n)), os.urandom)) for n in range(0, 900, 7)}
    assert sizes == {wire.SEALED_MIN_BYTES + 28}
    # above 1 KiB, Padmé: 1000 different lengths near 5 KB fall in 5 sizes, 256 apart,
    # for at most 12% of padding
    for n in range(5000, 6000, 3):
        size = len(wire.seal(KEY, _frame(bytes(n)), os.urandom)) - 28
        assert size % 256 == 0 and size <= 1.12 * (n + 20)


def test_two_seals_of_one_frame_differ_everywhere_that_matters() -> None:
    frame = _frame(b"same")
    a, b = (wire.seal(KEY, frame, os.urandom) for _ in range(2))
    assert a != b and a[:12] != b[:12]
    assert sum(x == y for x, y in zip(a, b, strict=True)) < len(a) // 32


def test_secret_code_round_trips_and_checks() -> None:
    s = wire.CommitteeSecret.generate(os.urandom)
    code = s.danger_real_secret_string()
    assert code.startswith(wire.SECRET_PREFIX) and len(code) == 45
    assert wire.CommitteeSecret.parse(code) == s
    assert wire.CommitteeSecret.parse(code.upper() + "\n") == s
    assert code[5:] not in repr(s)
    assert wire.seal_key(s) != wire.seal_key(wire.CommitteeSecret.generate(os.urandom))
    typo = code[:10] + ("a" if code[10] != "a" else "b") + code[11:]
    with pytest.raises(DecodeError, match="checksum") as err:
        wire.CommitteeSecret.parse(typo)
    assert typo[5:] not in str(err.value)
    with pytest.raises(DecodeError):
        wire.CommitteeSecret.parse("sz1-" + code[5:])  # a read cap's prefix
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(s)


@given(st.text(max_size=300))
@settings(max_examples=100, deadline=None)
def test_secret_parse_rejects_garbage_without_echo(text: str) -> None:
    try:
        wire.CommitteeSecret.parse(text)
    except DecodeError as exc:
        # words of the fixed messages themselves ("committee") are not an echo
        fixed = " ".join(_fixed_messages())
        if len(text.strip()) > 8 and text.strip() not in fixed:
            assert text.strip() not in str(exc)


def _fixed_messages() -> list[str]:
    """What the decoder says for inputs that share nothing with the one tested."""
    out = []
    for probe in ("qqqqqqqqqq", "szc1-" + "a" * 40, "szc1-" + "1" * 40, "sz1-" + "a" * 63):
        try:
            wire.CommitteeSecret.parse(probe)
        except DecodeError as exc:
            out.append(str(exc))
    return out
