"""One codec for every hand-held code: golden vectors (valid and must-reject, built
independently by tests/vectors/generate_codes.py), each kind refused by name where
another is expected, the forgiving and the strict parts of reading, and the typed
wrappers (read capability, invite, dead-drop key, committee secret) all going
through it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samizdat import errors
from samizdat.core import codes
from samizdat.core import invite as inv
from samizdat.core.caps import DropKey, ReadCap
from samizdat.core.committee_wire import CommitteeSecret
from samizdat.errors import DecodeError, WrongCode

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "codes.json").read_text())
BY_NAME = {k.name: k for k in codes.KINDS}


@pytest.mark.parametrize("v", VECTORS["valid"], ids=lambda v: v["kind"])
def test_valid_vectors_decode_and_reencode(v: dict[str, str]) -> None:
    kind = BY_NAME[v["kind"]]
    assert codes.decode(kind, v["code"]).hex() == v["body"]
    assert codes.encode(kind, bytes.fromhex(v["body"])) == v["code"]
    assert codes.identify(v["code"]) is kind


@pytest.mark.parametrize("v", VECTORS["must_reject"], ids=lambda v: v["name"])
def test_reject_vectors(v: dict[str, str]) -> None:
    error = getattr(errors, v["error"])
    with pytest.raises(error) as info:
        codes.decode(BY_NAME[v["as"]], v["code"])
    if error is not WrongCode:
        assert not isinstance(info.value, WrongCode)
    # never quote the code: it may be a real secret with one typo
    if len(v["code"]) > 12:
        assert v["code"][6:] not in info.value.one_line()


def test_typed_wrappers_take_exactly_their_own_kind() -> None:
    valid = {v["kind"]: v["code"] for v in VECTORS["valid"]}
    parsers = {
        "read capability": ReadCap.parse,
        "invite": inv.decode_invite,
        "dead-drop key": DropKey.parse,
        "committee secret": CommitteeSecret.parse,
    }
    for kind, parse in parsers.items():
        parse(valid[kind])
        for other, code in valid.items():
            if other == kind:
                continue
            with pytest.raises(WrongCode) as info:
                parse(code)
            an = "an" if other[0] in "aeiou" else "a"
            assert info.value.one_line().startswith(f"this is {an} {other}, not ")
            assert kind in info.value.one_line()


def test_an_invite_pasted_as_a_read_capability_says_so() -> None:
    code = next(v["code"] for v in VECTORS["valid"] if v["kind"] == "invite")
    with pytest.raises(WrongCode, match="this is an invite, not a read capability"):
        ReadCap.parse(code)


def test_a_bundle_capability_is_not_a_dead_drop_key() -> None:
    # the attack of issue 13: a k=1, n=1 bundle cap looked exactly like a drop key
    bundle_cap = ReadCap(k=1, n=1, root_key=os.urandom(32))
    with pytest.raises(WrongCode, match="this is a read capability, not a dead-drop key"):
        DropKey.parse(bundle_cap.danger_real_capability_string())
    key = DropKey(os.urandom(32))
    with pytest.raises(WrongCode, match="this is a dead-drop key, not a read capability"):
        ReadCap.parse(key.danger_real_key_string())


def test_first_format_invites_are_recognised_and_refused() -> None:
    legacy = json.loads((Path(__file__).parent.parent / "vectors" / "invite.json").read_text())
    (old,) = [v["code"] for v in legacy["reject"] if v["name"].startswith("first-format")]
    with pytest.raises(DecodeError, match="earlier samizdat version"):
        inv.decode_invite(old)


def test_read_caps_and_committee_secrets_kept_their_spelling() -> None:
    # the two kinds that already had this scheme: every cap printed on a key sheet
    # and every committee secret handed over stays valid
    envelope = json.loads((Path(__file__).parent.parent / "vectors" / "envelope.json")
                          .read_text())
    cap = envelope["valid"][0]["cap"]
    assert ReadCap.parse(cap).danger_real_capability_string() == cap


@given(kind=st.sampled_from(codes.KINDS), data=st.data())
def test_round_trip_and_forgiven_typing(kind: codes.CodeKind, data: st.DataObject) -> None:
    size = data.draw(st.integers(kind.min_body, kind.max_body))
    body = bytes([kind.version]) + data.draw(st.binary(min_size=size - 1, max_size=size - 1))
    code = codes.encode(kind, body)
    assert code.startswith(kind.prefix) and code == code.lower()
    assert codes.decode(kind, code) == body
    rest = code[len(kind.prefix):]
    grouped = kind.prefix.upper() + "-".join(rest[i:i + 5] for i in range(0, len(rest), 5))
    assert codes.decode(kind, f"  {grouped.upper()}\n") == body
    spaced = kind.prefix + " ".join(rest[i:i + 4] for i in range(0, len(rest), 4))
    assert codes.decode(kind, spaced) == body


@given(kind=st.sampled_from(codes.KINDS), text=st.text(max_size=300))
def test_any_text_is_a_code_or_a_typed_error(kind: codes.CodeKind, text: str) -> None:
    try:
        body = codes.decode(kind, text)
    except DecodeError:
        return
    assert codes.encode(kind, body)  # what decodes, re-encodes


@given(kind=st.sampled_from(codes.KINDS), data=st.data())
def test_one_changed_character_is_caught(kind: codes.CodeKind, data: st.DataObject) -> None:
    body = bytes([1]) + os.urandom(kind.min_body - 1)
    code = codes.encode(kind, body)
    pos = data.draw(st.integers(len(kind.prefix), len(code) - 1))
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    new = data.draw(st.sampled_from([c for c in alphabet if c != code[pos]]))
    with pytest.raises(DecodeError):
        codes.decode(kind, code[:pos] + new + code[pos + 1:])
