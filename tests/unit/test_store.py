"""The store in one process: create and open, wrong passphrases, duress, wipe, the
look of the files on disk, damaged files, prefixes, streaming paragraphs."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samizdat.core.crypto import SecretBytes
from samizdat.errors import (
    NotAStore,
    NotFound,
    StoreExists,
    StoreWiped,
    UsageError,
    WrongPassphrase,
)
from samizdat.store import Store, VersionRecord, keyslots, schema
from samizdat.store.store import DB_NAMES, KEYSLOTS, STORE_FILES

PW = SecretBytes(b"correct horse battery staple")
DURESS = SecretBytes(b"only the garden diary")


def files(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(home.iterdir()) if p.is_file()}


def make(home: Path) -> Store:
    return Store.create(home, PW)


def add_doc(store: Store, doc: bytes = b"d" * 32, version: bytes = b"v" * 32,
            paragraphs: tuple[bytes, ...] = (b"one", b"two")) -> VersionRecord:
    store.add_document(doc, "Title", 1, SecretBytes(b"k" * 32))
    record = VersionRecord(version, doc, b"t" * 32, b"encoded", (), len(paragraphs), 2)
    store.add_version(record, paragraphs)
    return record


def test_create_then_open_gives_back_what_was_written(tmp_path: Path) -> None:
    with make(tmp_path / "h") as s:
        add_doc(s)
        identity = s.identity_key()
    with Store.open(tmp_path / "h", PW) as s:
        assert list(s.paragraphs(b"v" * 32)) == [b"one", b"two"]
        assert s.identity_key() == identity
        assert s.version(b"v" * 32).paragraph_count == 2


def test_home_holds_the_same_files_always(tmp_path: Path) -> None:
    make(tmp_path / "a").close()
    with make(tmp_path / "b") as s:
        s.set_duress(DURESS)
    Store.open(tmp_path / "b", DURESS).close()
    expected = sorted(STORE_FILES)
    assert sorted(files(tmp_path / "a")) == expected
    assert sorted(files(tmp_path / "b")) == expected
    assert len(files(tmp_path / "b")[KEYSLOTS]) == keyslots.FILE_BYTES


def _chi2(data: bytes) -> float:
    counts = Counter(data)
    expected = len(data) / 256
    return sum((counts.get(b, 0) - expected) ** 2 / expected for b in range(256))


def test_files_look_random_with_no_marker(tmp_path: Path) -> None:
    with make(tmp_path / "a") as s:
        add_doc(s, paragraphs=tuple(b"All happy families are alike. " * 50 for _ in range(20)))
    make(tmp_path / "b").close()
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    for name, data in a.items():
        if name.endswith("-journal"):
            assert data == b""  # empty at rest, for both databases
            continue
        assert b"SQLite format" not in data
        assert b"happy families" not in data and b"Title" not in data
        # 255 degrees of freedom: mean 255, sd ~23; 400 is > 6 sd away
        assert _chi2(data) < 400, name
        # nothing at a fixed place: two stores share no 16-byte block at one offset
        other = b[name]
        for off in range(0, min(len(data), len(other)) - 16, 16):
            assert data[off : off + 16] != other[off : off + 16], (name, off)


def test_wrong_passphrase_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    make(tmp_path / "h").close()
    before = files(tmp_path / "h")
    with pytest.raises(WrongPassphrase) as err:
        Store.open(tmp_path / "h", SecretBytes(b"Xylophone-42"))
    assert "Xylophone" not in err.value.one_line() and str(tmp_path) in err.value.one_line()
    assert files(tmp_path / "h") == before


def test_missing_home_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(NotAStore):
        Store.open(tmp_path / "nothing", PW)


def test_init_twice_is_refused(tmp_path: Path) -> None:
    make(tmp_path / "h").close()
    with pytest.raises(StoreExists):
        make(tmp_path / "h")


def test_foreign_files_are_not_a_store_and_are_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "h"
    make(home).close()
    for name in DB_NAMES:
        (home / name).write_bytes(os.urandom(8192))
    before = files(home)
    with pytest.raises(NotAStore):
        Store.open(home, PW)
    assert files(home) == before


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_database_is_not_a_store(tmp_path: Path, cut: float) -> None:
    home = tmp_path / "h"
    with make(home) as s:
        for i in range(30):
            add_doc(s, doc=bytes([i]) * 32, version=bytes([i, 1]) * 16,
                    paragraphs=tuple(os.urandom(3000) for _ in range(10)))
    for name in DB_NAMES:
        path = home / name
        size = path.stat().st_size
        keep = int(size * cut) // 4096 * 4096 + (0 if cut == 0.5 else 100)
        with open(path, "r+b") as f:
            f.truncate(keep)
    with pytest.raises(NotAStore):
        s = Store.open(home, PW)
        try:
            for v in s.all_versions():
                list(s.paragraphs(v.version_id))
        finally:
            s.close()


def test_duress_opens_the_decoy_and_destroys_the_real_key(tmp_path: Path) -> None:
    home = tmp_path / "h"
    with make(home) as s:
        add_doc(s)
        s.set_duress(DURESS, populate=lambda d: d.add_document(b"g" * 32, "Garden", 3))
    with Store.open(home, PW) as s:  # setting duress changes nothing for the owner
        assert [d.title for d in s.documents()] == ["Title"]
    with Store.open(home, DURESS) as decoy:
        assert [d.title for d in decoy.documents()] == ["Garden"]
    with pytest.raises(WrongPassphrase):
        Store.open(home, PW)
    # the decoy keeps working, and looks like a store where duress was never set
    with Store.open(home, DURESS) as decoy:
        assert [d.title for d in decoy.documents()] == ["Garden"]
        decoy.set_duress(SecretBytes(b"another"))
    assert sorted(files(home)) == sorted(STORE_FILES)


def test_duress_passphrase_must_differ(tmp_path: Path) -> None:
    with make(tmp_path / "h") as s, pytest.raises(UsageError):
        s.set_duress(PW)


def test_wipe_destroys_every_key_and_leaves_nothing(tmp_path: Path) -> None:
    home = tmp_path / "h"
    with make(home) as s:
        add_doc(s)
        s.set_duress(DURESS)
    copies = tmp_path / "copies"
    shutil.copytree(home, copies)
    # an examiner who kept the key file's inode open sees what the disk holds
    with open(home / KEYSLOTS, "rb") as held:
        Store.wipe(home)
        after = held.read()
    assert not home.exists()  # what a home where no store was made looks like
    with pytest.raises(NotAStore) as err:
        Store.open(home, PW)
    assert "wiped" not in err.value.one_line()
    # the key file was overwritten in place before it was unlinked: even with the
    # databases put back beside those bytes, no passphrase opens a slot again
    home.mkdir()
    for name in DB_NAMES:
        shutil.copy(copies / name, home / name)
    (home / KEYSLOTS).write_bytes(after)
    assert after != (copies / KEYSLOTS).read_bytes() and len(after) == keyslots.FILE_BYTES
    for pw in (PW, DURESS):
        with pytest.raises(WrongPassphrase):
            Store.open(home, pw)


def test_wipe_keeps_a_home_that_holds_other_things(tmp_path: Path) -> None:
    home = tmp_path / "h"
    make(home).close()
    (home / "notes.txt").write_text("mine")
    Store.wipe(home)
    assert sorted(os.listdir(home)) == ["notes.txt"]


def test_an_unfinished_wipe_says_so(tmp_path: Path) -> None:
    home = tmp_path / "h"
    make(home).close()
    for name in DB_NAMES:  # as if wipe died after destroying the key file
        (home / name).unlink()
    with pytest.raises(StoreWiped):
        Store.open(home, PW)
    Store.wipe(home)
    assert not home.exists()


def test_wiped_home_can_be_initialised_again(tmp_path: Path) -> None:
    make(tmp_path / "h").close()
    Store.wipe(tmp_path / "h")
    make(tmp_path / "h").close()
    Store.open(tmp_path / "h", PW).close()


def test_prefixes(tmp_path: Path) -> None:
    with make(tmp_path / "h") as s:
        add_doc(s, version=bytes.fromhex("ab" * 32))
        s.add_version(VersionRecord(bytes.fromhex("abababab" + "cd" * 28), b"d" * 32,
                                    b"t" * 32, b"e", (), 1, 3), [b"x"])
        assert s.find_version("abababab" + "ab") == bytes.fromhex("ab" * 32)
        assert s.find_version("ABABABABC") == bytes.fromhex("abababab" + "cd" * 28)
        with pytest.raises(NotFound, match="more than one"):
            s.find_version("abababab")
        for bad in ("abab", "zzzzzzzzzz", "00000000"):
            with pytest.raises(NotFound):
                s.find_version(bad)
        assert s.find_document("64646464") == b"d" * 32


def test_paragraphs_stream_from_a_generator_and_dedupe(tmp_path: Path) -> None:
    with make(tmp_path / "h") as s:
        s.add_document(b"d" * 32, "T", 1)
        produced = []

        def gen():
            for i in range(2000):
                produced.append(i)
                yield b"same paragraph" if i % 2 else f"p{i}".encode()

        s.add_version(VersionRecord(b"v" * 32, b"d" * 32, b"t" * 32, b"e", (), 0, 1), gen())
        assert s.version(b"v" * 32).paragraph_count == 2000
        assert s.db.one("SELECT count(*) FROM blobs")[0] == 1001
        got = list(s.paragraphs(b"v" * 32))
        assert got[1] == b"same paragraph" and got[1998] == b"p1998"


def test_a_failed_version_leaves_nothing_behind(tmp_path: Path) -> None:
    with make(tmp_path / "h") as s:
        s.add_document(b"d" * 32, "T", 1)

        def gen():
            yield b"a"
            raise RuntimeError("reader died")

        with pytest.raises(RuntimeError):
            s.add_version(VersionRecord(b"v" * 32, b"d" * 32, b"t" * 32, b"e", (), 0, 1),
                          gen())
        assert not s.has_version(b"v" * 32)
        assert s.db.one("SELECT count(*) FROM blobs")[0] == 0


def test_signatures_and_trusted_keys(tmp_path: Path) -> None:
    with make(tmp_path / "h") as s:
        add_doc(s)
        assert s.add_signature(b"v" * 32, "author", b"k" * 32, b"s" * 64)
        assert not s.add_signature(b"v" * 32, "author", b"k" * 32, b"s" * 64)
        assert [x.kind for x in s.signatures(b"v" * 32)] == ["author"]
        assert s.add_trusted(b"g" * 32, "committee", "editorial", b"pub", 5)
        assert not s.add_trusted(b"g" * 32, "committee", "editorial", b"pub", 5)
        assert [t.name for t in s.trusted_keys()] == ["editorial"]


def test_secrets_stay_out_of_repr(tmp_path: Path) -> None:
    with make(tmp_path / "h") as s:
        add_doc(s)
        doc = s.document(b"d" * 32)
        assert (b"k" * 32).hex() not in repr(doc) and "kkkk" not in repr(doc)
        assert s.identity_seed().reveal().hex() not in repr(s) + repr(s.db)


def test_integrity_check_and_schema_areas(tmp_path: Path) -> None:
    with make(tmp_path / "h") as s:
        assert s.db.integrity_check() == ["ok"]
        names = {r[0] for r in s.db.query("SELECT name FROM schema_areas")}
        assert {a.name for a in schema.areas()} == names


def test_database_errors_never_carry_the_key(tmp_path: Path) -> None:
    from samizdat.errors import SamizdatError
    from samizdat.store.db import Database

    make(tmp_path / "h").close()
    key = SecretBytes(bytes(range(32)))
    for name in DB_NAMES:
        with pytest.raises(SamizdatError) as err:
            Database.open(tmp_path / "h" / name, key)
        shown = err.value.one_line() + repr(err.value) + str(err.value.__cause__)
        assert key.reveal().hex() not in shown.lower()
        assert err.value.__suppress_context__ or err.value.__cause__ is None


@given(paras=st.lists(st.binary(min_size=1, max_size=300), min_size=1, max_size=40))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_paragraphs_round_trip(paras: list[bytes]) -> None:
    from samizdat.core.crypto import sha256
    from samizdat.core.text import LEAF_PREFIX

    store = _SHARED["store"]
    vid = os.urandom(32)
    store.add_version(VersionRecord(vid, b"d" * 32, b"t" * 32, b"e", (), len(paras), 1), paras)
    assert list(store.paragraphs(vid)) == paras
    assert store.leaf_hashes(vid) == [sha256(LEAF_PREFIX + p) for p in paras]


_SHARED: dict[str, Store] = {}


@pytest.fixture(autouse=True, scope="module")
def _shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    store = Store.create(tmp_path_factory.mktemp("shared") / "h", PW)
    store.add_document(b"d" * 32, "T", 1)
    _SHARED["store"] = store
    yield
    store.close()


def test_a_home_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    from samizdat.errors import StoreError

    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError):
        Store.create(tmp_path / "f", PW)
    with pytest.raises(NotAStore):
        Store.open(tmp_path / "f", PW)


def test_init_killed_before_the_key_file_can_be_redone(tmp_path: Path) -> None:
    home = tmp_path / "h"
    make(home).close()
    (home / KEYSLOTS).unlink()  # as if init died before writing its key file
    with pytest.raises(NotAStore):
        Store.open(home, PW)
    make(home).close()
    Store.open(home, PW).close()
