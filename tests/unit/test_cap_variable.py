"""``SAMIZDAT_CAP`` has one meaning for every command: one or more codes separated
by spaces or commas; each command takes the codes of the kind it needs."""

from __future__ import annotations

import os

import pytest

from samizdat.cli.carry import read_cap, read_drop_key
from samizdat.cli.codes import env_codes
from samizdat.core import codes
from samizdat.core.caps import DropKey, ReadCap
from samizdat.errors import UsageError, WrongCode


def _cap() -> ReadCap:
    return ReadCap(1, 1, os.urandom(32))


def test_one_variable_many_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    cap, key = _cap(), DropKey(os.urandom(32))
    cap_text, key_text = cap.danger_real_capability_string(), key.danger_real_key_string()
    monkeypatch.setenv("SAMIZDAT_CAP", f" {cap_text} ,{key_text}  {cap_text}")
    assert env_codes(codes.READ_CAP) == [cap_text]
    assert env_codes(codes.DROP_KEY) == [key_text]
    assert read_cap(None, None) == cap  # import, recover, verify, scan
    assert read_drop_key(None, None) == key  # deaddrop sync


def test_several_read_caps_are_refused_where_one_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [_cap().danger_real_capability_string() for _ in range(2)]
    monkeypatch.setenv("SAMIZDAT_CAP", ",".join(texts))
    assert env_codes(codes.READ_CAP) == texts  # mail fetch tries both
    with pytest.raises(UsageError, match="holds 2 read capabilities"):
        read_cap(None, None)


def test_a_drop_key_alone_is_named_when_a_read_cap_is_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAMIZDAT_CAP", DropKey(os.urandom(32)).danger_real_key_string())
    with pytest.raises(WrongCode, match="dead-drop key"):
        read_cap(None, None)
    assert read_cap(None, None, required=False) is None
