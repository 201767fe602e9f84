"""Duress passphrase and wipe through the real command."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from samizdat.store.store import DB_NAMES, KEYSLOTS
from tests.conftest import write

DURESS = {"SAMIZDAT_DURESS_PASSPHRASE": "only the garden diary"}


def test_duress_opens_a_decoy_and_kills_the_real_key(store_cli: Any, make_cli: Any,
                                                     tmp_path: Path) -> None:
    real = store_cli.ok("draft", "new", write(tmp_path / "m.txt", "The manifesto."),
                        "--title", "Manifesto")
    names_before = sorted(os.listdir(store_cli.home))
    decoy_text = write(tmp_path / "allotment-notes.txt", "April. Sowed radishes.")
    assert store_cli.ok("passphrase", "duress", "--decoy", decoy_text,
                        env=DURESS) == {"duress": True, "decoy_documents": 1}
    assert sorted(os.listdir(store_cli.home)) == names_before
    assert store_cli.ok("read", real["version"])["version"] == real["version"]  # owner unaffected
    coerced = make_cli("home", passphrase=DURESS["SAMIZDAT_DURESS_PASSPHRASE"])
    decoy = coerced.ok("log", "--all")
    assert [d["title"] for d in decoy["documents"]] == ["Allotment notes"]
    assert "Manifesto" not in str(decoy)
    assert real["document"] not in str(decoy)
    result = store_cli("read", real["version"])
    assert result.code == 3 and "passphrase" in result.stderr
    assert coerced.ok("log")["documents"] == decoy["documents"]


def test_duress_equal_to_the_passphrase_is_refused(store_cli: Any) -> None:
    result = store_cli("passphrase", "duress",
                       env={"SAMIZDAT_DURESS_PASSPHRASE": store_cli.passphrase})
    assert result.code == 2


def test_wipe_of_a_large_store_is_fast_and_final(store_cli: Any, tmp_path: Path) -> None:
    # fill the store with ~64 MiB through the store API (the CLI path is covered
    # elsewhere; here only the size matters), then wipe through the real command
    from samizdat.core.crypto import SecretBytes
    from samizdat.store import Store

    with Store.open(store_cli.home, SecretBytes(store_cli.passphrase.encode())) as store:
        for _ in range(16):
            store.put_blobs([os.urandom(64 * 1024) for _ in range(64)])
    big = write(tmp_path / "copy.txt", "Workers of all lands.")
    size = sum((store_cli.home / n).stat().st_size for n in DB_NAMES)
    slots_before = (store_cli.home / KEYSLOTS).read_bytes()
    assert size > 60 * 1024 * 1024
    held = open(store_cli.home / KEYSLOTS, "rb")  # noqa: SIM115 - the examiner's view
    write(store_cli.home / "mail.toml", '[imap]\nhost = "mail.example.org"\n')
    t0 = time.perf_counter()
    result = store_cli("wipe", "--yes", json_out=True, env={"SAMIZDAT_PASSPHRASE": ""})
    elapsed = time.perf_counter() - t0
    assert result.code == 0 and result.json() == {"wiped": True}
    # includes starting the Python process; the wipe itself is one 4 KiB write
    assert elapsed < 5
    # the key file was overwritten in place before it was unlinked
    with held:
        assert held.read() != slots_before
    assert not store_cli.home.exists()  # nothing says a store was ever there
    for args in (("log",), ("read", "00000000"), ("verify", big)):
        result = store_cli(*args)
        assert result.code == 3 and "no samizdat store" in result.stderr
        assert "wiped" not in result.stderr
