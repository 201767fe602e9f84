"""The real Argon2id cost, exercised once (every other test runs at libsodium's MIN
cost through SAMIZDAT_INSECURE_FAST_KDF=1, see conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from samizdat.core.crypto import ARGON2_INTERACTIVE, SecretBytes
from samizdat.errors import WrongPassphrase
from samizdat.store import Store, keyslots


def test_store_made_at_the_real_cost_opens_only_at_that_cost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SAMIZDAT_INSECURE_FAST_KDF", raising=False)
    cost = keyslots.kdf_cost()
    assert (cost.opslimit, cost.memlimit) == ARGON2_INTERACTIVE and not cost.insecure
    Store.create(tmp_path / "h", SecretBytes(b"pw")).close()
    Store.open(tmp_path / "h", SecretBytes(b"pw")).close()
    # the slot was sealed with the real cost: the cheap cost cannot open it
    monkeypatch.setenv("SAMIZDAT_INSECURE_FAST_KDF", "1")
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "h", SecretBytes(b"pw"))


def test_a_fast_kdf_store_opens_without_the_flag_and_says_it_is_insecure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMIZDAT_INSECURE_FAST_KDF", "1")
    Store.create(tmp_path / "h", SecretBytes(b"pw")).close()
    monkeypatch.delenv("SAMIZDAT_INSECURE_FAST_KDF")
    with Store.open(tmp_path / "h", SecretBytes(b"pw")) as store:
        assert store.kdf_cost.insecure
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "h", SecretBytes(b"other"))
