"""The real Argon2id cost, exercised once (every other test runs at libsodium's MIN
cost through SAMIZDAT_INSECURE_FAST_KDF=1, see conftest), and the switch passed in
from the top: with ``fast_kdf`` given, the environment does not matter."""

from __future__ import annotations

from pathlib import Path

import pytest

from samizdat.core.crypto import ARGON2_INTERACTIVE, SecretBytes
from samizdat.errors import WrongPassphrase
from samizdat.store import Store, keyslots


def test_store_made_at_the_real_cost_opens_only_at_that_cost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMIZDAT_INSECURE_FAST_KDF", "1")  # passed, not read: no effect
    cost = keyslots.kdf_cost(False)
    assert (cost.opslimit, cost.memlimit) == ARGON2_INTERACTIVE and not cost.insecure
    with Store.create(tmp_path / "h", SecretBytes(b"pw"), fast_kdf=False) as store:
        assert not store.kdf_cost.insecure
    Store.open(tmp_path / "h", SecretBytes(b"pw"), fast_kdf=False).close()
    # the slot was sealed with the real cost: the cheap cost cannot open it
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "h", SecretBytes(b"pw"), fast_kdf=True)


def test_a_fast_kdf_store_opens_without_the_flag_and_says_it_is_insecure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SAMIZDAT_INSECURE_FAST_KDF")  # passed, not read: no effect
    Store.create(tmp_path / "h", SecretBytes(b"pw"), fast_kdf=True).close()
    with Store.open(tmp_path / "h", SecretBytes(b"pw"), fast_kdf=False) as store:
        assert store.kdf_cost.insecure
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "h", SecretBytes(b"other"), fast_kdf=False)
