"""The examiner's view of a store, without any passphrase.

Each test mounts what a forensic examiner does with a seized disk: ``stat`` every
file of the home (the coreutils tool, which reads birth times through statx),
compare sizes, inode numbers, birth / modification / change / access times and
the first bytes of each file, and look for side files. A duress-used store must
show the examiner nothing a normal store does not; a process killed with
``kill -9`` must leave nothing that points at the real database; a wiped home must
look like a home where no store was ever made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from samizdat.app import documents as app
from samizdat.core.crypto import SecretBytes
from samizdat.runtime import system_rng
from samizdat.store import Store
from samizdat.store.store import DB_NAMES, KEYSLOTS

PW = SecretBytes(b"correct horse battery staple")
DURESS = SecretBytes(b"only the garden diary")
DECOY = ("Allotment notes", "April. Sowed radishes by the fence.\n\nMay. The apple tree "
         "flowered late.\n\nJune. Aphids on the roses again.\n")
REAL = ("Manifesto", "To all members of the party.\n\n" + "The leadership has failed. " * 400)


def _stat(home: Path) -> dict[str, dict[str, float]]:
    """``stat`` of every entry of ``home``: the examiner's own tool, not Python's."""
    names = sorted(os.listdir(home))
    out = subprocess.run(
        ["stat", "-c", "%s %i %.9W %.9X %.9Y %.9Z %a %h", *[str(home / n) for n in names]],
        check=True, capture_output=True, text=True,
    ).stdout.split("\n")
    rows = {}
    for name, line in zip(names, out, strict=False):
        size, ino, birth, atime, mtime, ctime, mode, links = line.split()
        rows[name] = {"size": int(size), "ino": int(ino), "birth": float(birth),
                      "atime": float(atime), "mtime": float(mtime), "ctime": float(ctime),
                      "mode": int(mode, 8), "links": int(links)}
    return rows


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 0.5


def forensic_view(home: Path) -> dict[str, Any]:
    """Everything an examiner can read off ``home`` that does not depend on when
    the store was used: the file list, modes, links, sizes (the two databases as a
    multiset, since which name is which is random), the order of birth times, how
    each file's times relate to each other and to the other files', and whether any
    file starts with a recognisable header. (Inode numbers are compared in the
    tests that follow one store through a forced unlock: across two homes their
    order depends on which inodes the file system had free.)"""
    rows = _stat(home)
    dbs = [n for n in rows if n in DB_NAMES]
    everything = list(rows)
    heads = {n: (home / n).read_bytes()[:32] for n in rows}
    return {
        "names": everything,
        "home_mode": os.stat(home).st_mode & 0o777,
        "modes": {n: rows[n]["mode"] for n in rows},
        "links": {n: rows[n]["links"] for n in rows},
        "sizes": {n: rows[n]["size"] for n in rows if n not in DB_NAMES},
        "db_sizes": sorted(rows[n]["size"] for n in dbs),
        "birth_order": sorted(rows, key=lambda n: rows[n]["birth"]),
        "births_together": max(r["birth"] for r in rows.values())
        - min(r["birth"] for r in rows.values()) < 0.5,
        "mtimes_together": max(r["mtime"] for r in rows.values())
        - min(r["mtime"] for r in rows.values()) < 0.5,
        "ctimes_together": max(r["ctime"] for r in rows.values())
        - min(r["ctime"] for r in rows.values()) < 0.5,
        "mtime_is_ctime": {n: _close(r["mtime"], r["ctime"]) for n, r in rows.items()},
        "born_at_last_change": {n: _close(r["birth"], r["mtime"]) for n, r in rows.items()},
        "atime_after_mtime": {n: r["atime"] >= r["mtime"] - 0.5 for n, r in rows.items()},
        "sqlite_header": {n: h.startswith(b"SQLite format 3") or h.startswith(b"\xd9\xd5\x05\xf9")
                          or h[:4] in (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
                          for n, h in heads.items() if h},
        "samizdat_text": any(b"samizdat" in (home / n).read_bytes().lower() for n in rows),
    }


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _use(home: Path, title: str, text: str, work: Path) -> None:
    with Store.open(home, PW) as store:
        _doc, ver = app.draft_new(store, _write(work / f"{home.name}.txt", text), title,
                                  system_rng, int(time.time()))
        app.sign(store, ver.hex(), system_rng)


def test_a_duress_used_store_looks_like_a_normal_one(tmp_path: Path) -> None:
    normal, coerced = tmp_path / "normal", tmp_path / "coerced"
    decoy_file = _write(tmp_path / "decoy.txt", DECOY[1])
    # the same timeline for both: init, (pause) use, (pause) one more unlock
    for home in (normal, coerced):
        app.init(home, PW, system_rng)
    time.sleep(1.1)
    _use(normal, DECOY[0], DECOY[1], tmp_path)  # this person keeps allotment notes
    _use(coerced, REAL[0], REAL[1], tmp_path)   # this one keeps a manifesto...
    with Store.open(coerced, PW) as store:      # ...and a decoy with allotment notes
        app.set_duress(store, DURESS, system_rng, int(time.time()),
                       decoy=[(DECOY[0], decoy_file)])
    time.sleep(1.1)
    Store.open(normal, PW).close()             # an ordinary unlock
    Store.open(coerced, DURESS).close()        # the forced unlock
    seen_normal, seen_coerced = forensic_view(normal), forensic_view(coerced)
    assert seen_normal == seen_coerced
    # and what both show is the good outcome, not an equal failure
    assert seen_normal["births_together"] and seen_normal["mtimes_together"]
    assert not any(seen_normal["sqlite_header"].values())
    assert not seen_normal["samizdat_text"]
    assert seen_normal["home_mode"] == 0o700
    assert set(seen_normal["modes"].values()) == {0o600}


def test_the_forced_unlock_keeps_every_inode_and_birth_time(tmp_path: Path) -> None:
    home = tmp_path / "h"
    app.init(home, PW, system_rng)
    _use(home, *REAL, work=tmp_path)
    with Store.open(home, PW) as store:
        app.set_duress(store, DURESS, system_rng, int(time.time()))
    before = _stat(home)
    time.sleep(1.1)
    Store.open(home, DURESS).close()
    after = _stat(home)
    assert sorted(before) == sorted(after)
    for name in before:
        assert after[name]["ino"] == before[name]["ino"], name
        assert after[name]["birth"] == before[name]["birth"], name


def test_setting_a_duress_passphrase_leaves_no_younger_file(tmp_path: Path) -> None:
    home = tmp_path / "h"
    app.init(home, PW, system_rng)
    births = {n: r["birth"] for n, r in _stat(home).items()}
    time.sleep(1.1)
    with Store.open(home, PW) as store:
        app.set_duress(store, DURESS, system_rng, int(time.time()))
    assert {n: r["birth"] for n, r in _stat(home).items()} == births


@pytest.fixture
def with_decoy(tmp_path: Path) -> Path:
    """A store whose duress passphrase opens a decoy holding DECOY (its home)."""
    home = tmp_path / "h"
    app.init(home, PW, system_rng)
    decoy_file = _write(tmp_path / "decoy.txt", DECOY[1])
    with Store.open(home, PW) as store:
        app.set_duress(store, DURESS, system_rng, int(time.time()),
                       decoy=[(DECOY[0], decoy_file)])
    return home


def test_the_decoy_holds_what_the_person_chose(with_decoy: Path) -> None:
    home = with_decoy
    with Store.open(home, DURESS) as decoy:
        titles = [d.title for d in decoy.documents()]
        assert titles == [DECOY[0]]
        (ver,) = list(decoy.all_versions())
        assert "Sowed radishes" in " ".join(app.read(decoy, ver.version_id.hex())[1])


_HOLDER = """
import sys, time
from pathlib import Path
from samizdat.core.crypto import SecretBytes
from samizdat.store import Store
store = Store.open(Path(sys.argv[1]), SecretBytes(b"correct horse battery staple"))
store.put_blobs([bytes([i]) * 3000 for i in range(200)])
print("ready", flush=True)
time.sleep(60)
"""


def test_kill_9_of_a_process_holding_the_store_leaves_no_pointer(tmp_path: Path) -> None:
    home = tmp_path / "h"
    app.init(home, PW, system_rng)
    _use(home, *REAL, work=tmp_path)
    env = dict(os.environ)
    # a process that has the store open and has just written (a node between syncs)
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(home)], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        while_open = _stat(home)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    after_kill = _stat(home)
    for rows in (while_open, after_kill):
        _assert_no_pointer(rows)
    # and the store opens and holds what was written
    with Store.open(home, PW) as store:
        assert store.db.integrity_check() == ["ok"]


def _assert_no_pointer(rows: dict[str, dict[str, float]]) -> None:
    side = sorted(n for n in rows if n not in (KEYSLOTS, *DB_NAMES))
    # no -wal, no -shm; the only side files are the two journals, both empty
    assert side == sorted(n + "-journal" for n in DB_NAMES), side
    for name in side:
        assert rows[name]["size"] == 0, name


def test_kill_9_of_a_running_node_leaves_no_pointer(make_cli: Any) -> None:
    from tests.integration.network_helpers import NodeProcess

    alice = make_cli("alice")
    alice.ok("init")
    node = NodeProcess(alice.home, interval=0.2)
    try:
        node.wait_ready()
        time.sleep(1.5)  # a few (empty) sync rounds
        while_running = _stat(alice.home)
    finally:
        node.kill()  # SIGKILL
    _assert_no_pointer(while_running)
    _assert_no_pointer(_stat(alice.home))
    assert alice.ok("log", "--all")["documents"] == []  # and it opens


_OPENER = """
import sys
from pathlib import Path
from samizdat.core.crypto import SecretBytes
from samizdat.store import Store
for i in range(int(sys.argv[2])):
    with Store.open(Path(sys.argv[1]), SecretBytes(b"correct horse battery staple")) as s:
        s.put_blobs([bytes([i % 256]) * 2000])
"""


def test_unlocks_in_two_processes_at_once_never_rebuild_the_decoy(with_decoy: Path) -> None:
    # every unlock writes the other database too; two processes doing it at the same
    # moment must wait for each other, never take a busy file for a damaged one
    # (which would rebuild it, and so destroy a decoy)
    home = with_decoy
    procs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(home), "12"],
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with Store.open(home, DURESS) as decoy:
        assert [d.title for d in decoy.documents()] == [DECOY[0]]
