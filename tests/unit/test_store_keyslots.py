"""The key slot format: round trips, rejection of every changed byte, the file's
fixed size and look, and the golden vectors in tests/vectors/store_keyslot.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core.crypto import ARGON2_MIN, SecretBytes
from samizdat.errors import DecodeError, NotAStore
from samizdat.store import keyslots
from samizdat.store.keyslots import KdfCost, Role, SlotPayload

COST = KdfCost(*ARGON2_MIN, insecure=True)
VECTORS = Path(__file__).parent.parent / "vectors" / "store_keyslot.json"


def counter_rng(seed: int = 0):  # deterministic, so failures reproduce
    state = [seed]

    def rng(n: int) -> bytes:
        out = bytes((state[0] + i) % 256 for i in range(n))
        state[0] += n
        return out

    return rng


def payload(role: Role = Role.PRIMARY, database: int = 0) -> SlotPayload:
    return SlotPayload(role, database, SecretBytes(bytes(range(32))))


@given(
    pw=st.binary(min_size=1, max_size=64),
    role=st.sampled_from(list(Role)),
    database=st.integers(0, 1),
    index=st.integers(0, 1),
)
@settings(max_examples=50, deadline=None)
def test_round_trip(pw: bytes, role: Role, database: int, index: int) -> None:
    p = SlotPayload(role, database, SecretBytes(bytes(32)))
    raw = keyslots.seal_slot(index, SecretBytes(pw), p, COST, counter_rng(len(pw)))
    assert len(raw) == keyslots.SLOT_BYTES
    opened = keyslots.open_slot(index, raw, SecretBytes(pw), COST)
    assert opened == p


@given(position=st.integers(0, keyslots.SLOT_BYTES - 1), bit=st.integers(0, 7))
@settings(max_examples=100, deadline=None)
def test_any_flipped_bit_makes_the_slot_unopenable(position: int, bit: int) -> None:
    pw = SecretBytes(b"pw")
    raw = bytearray(keyslots.seal_slot(0, pw, payload(), COST, counter_rng()))
    raw[position] ^= 1 << bit
    assert keyslots.open_slot(0, bytes(raw), pw, COST) is None


def test_a_slot_only_opens_at_its_own_offset() -> None:
    pw = SecretBytes(b"pw")
    raw = keyslots.seal_slot(0, pw, payload(), COST, counter_rng())
    assert keyslots.open_slot(1, raw, pw, COST) is None


def test_wrong_passphrase_opens_nothing() -> None:
    raw = keyslots.seal_slot(0, SecretBytes(b"pw"), payload(), COST, counter_rng())
    assert keyslots.open_slot(0, raw, SecretBytes(b"pW"), COST) is None


@pytest.mark.parametrize(
    "plain",
    [b"", bytes(34), bytes(36), b"\x02" + bytes(34), b"\x01\x02" + bytes(33),
     b"\x01\x00\x02" + bytes(32)],
)
def test_payload_decoder_rejects_malformed(plain: bytes) -> None:
    with pytest.raises(DecodeError):
        SlotPayload.decode(plain)


def test_payload_repr_hides_the_key() -> None:
    p = payload()
    assert bytes(range(32)).hex() not in repr(p)
    assert "hidden" in repr(p.key)


@pytest.mark.parametrize("size", [0, 1, 4095, 4097, 8192])
def test_a_key_file_of_the_wrong_size_is_not_a_store(tmp_path: Path, size: int) -> None:
    path = tmp_path / "keyslots"
    path.write_bytes(b"\x00" * size)
    with pytest.raises(NotAStore):
        keyslots.read_file(path)


def test_file_holds_slots_at_fixed_offsets_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "keyslots"
    sealed = keyslots.seal_slot(1, SecretBytes(b"pw"), payload(), COST, counter_rng(7))
    keyslots.write_new_file(path, {1: sealed}, counter_rng(99))
    data = path.read_bytes()
    assert len(data) == keyslots.FILE_BYTES
    assert keyslots.read_file(path)[1] == sealed
    keyslots.destroy_slot(path, 1, counter_rng(3))
    assert keyslots.open_slot(1, keyslots.read_file(path)[1], SecretBytes(b"pw"), COST) is None
    assert len(path.read_bytes()) == keyslots.FILE_BYTES


def test_kdf_cost_is_the_callers_choice_not_the_environments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAMIZDAT_INSECURE_FAST_KDF", "1")  # ignored: the switch is passed
    assert keyslots.kdf_cost(True).insecure
    real = keyslots.kdf_cost(False)
    assert not real.insecure and real.memlimit >= 64 * 1024 * 1024


# ------------------------------------------------------------------ golden vectors


def _vectors() -> list[dict[str, object]]:
    data = json.loads(VECTORS.read_text())
    assert data["format"] == "samizdat keyslot" and data["version"] == keyslots.VERSION
    cases: list[dict[str, object]] = data["vectors"]
    return cases


@pytest.mark.parametrize("case", _vectors(), ids=lambda c: str(c["name"]))
def test_golden_vectors(case: dict[str, object]) -> None:
    cost = KdfCost(int(case["opslimit"]), int(case["memlimit"]))  # type: ignore[call-overload]
    raw = bytes.fromhex(str(case["slot"]))
    pw = SecretBytes(str(case["passphrase"]).encode())
    index = int(case["index"])  # type: ignore[call-overload]
    if case["valid"]:
        opened = keyslots.open_slot(index, raw, pw, cost)
        assert opened is not None
        assert opened.role == Role(int(case["role"]))  # type: ignore[call-overload]
        assert opened.database == case["database"]
        assert opened.key.reveal().hex() == case["key"]
    else:
        # a must-reject slot either does not open or opens to a refused payload
        try:
            opened_bad = keyslots.open_slot(index, raw, pw, cost)
        except DecodeError:
            opened_bad = None
        assert opened_bad is None
