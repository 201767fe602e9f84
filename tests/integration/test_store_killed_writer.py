"""Integrity under kill -9: a child process writes versions in a loop and prints
each version's id after its commit; it is killed at a random moment, many times.
After each kill the store must open, pass SQLite's full integrity_check, and hold
every version the child acknowledged, with its paragraphs intact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from samizdat.core.crypto import SecretBytes
from samizdat.store import Store

PW = b"correct horse battery staple"

CHILD = r"""
import sys
from pathlib import Path
from samizdat.core.crypto import SecretBytes, sha256
from samizdat.store import Store, VersionRecord

home, start = Path(sys.argv[1]), int(sys.argv[2])
import os
store = Store.open(home, SecretBytes(os.environ["TEST_STORE_PASSPHRASE"].encode()))
doc = b"d" * 32
store.add_document(doc, "T", 0)
i = start
while True:
    vid = sha256(b"v%d" % i)
    paras = [(b"%d-%d " % (i, j)) * (1 + (i * 7 + j) % 200) for j in range(1 + i % 17)]
    store.add_version(VersionRecord(vid, doc, vid, b"e", (), len(paras), i), paras)
    sys.stdout.write(f"{i}\n")
    sys.stdout.flush()
    i += 1
"""


def expected_paragraphs(i: int) -> list[bytes]:
    return [(b"%d-%d " % (i, j)) * (1 + (i * 7 + j) % 200) for j in range(1 + i % 17)]


@pytest.mark.slow
def test_kill_9_at_random_points_loses_nothing_acknowledged(tmp_path: Path) -> None:
    from samizdat.core.crypto import sha256

    home = tmp_path / "h"
    Store.create(home, SecretBytes(PW)).close()
    rng = random.Random(1932)
    acknowledged: list[int] = []
    next_index = 0
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path),
               TEST_STORE_PASSPHRASE=PW.decode())  # never in argv
    for _round in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(home), str(next_index)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        # wait for the child to start writing, then kill it somewhere in the loop
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first, child.stderr.read() if child.stderr else ""
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate()
        lines = [first.decode(), *rest.decode().splitlines()]
        done = [int(x) for x in lines if x.strip().isdigit()]
        acknowledged += done
        next_index = (done[-1] if done else next_index) + 1000  # never reuse an id
        with Store.open(home, SecretBytes(PW)) as store:
            assert store.db.integrity_check() == ["ok"]
            for i in acknowledged:
                vid = sha256(b"v%d" % i)
                assert list(store.paragraphs(vid)) == expected_paragraphs(i), i
            # and no torn version: whatever is stored (acknowledged or not) is whole
            for record in store.all_versions():
                paras = list(store.paragraphs(record.version_id))
                assert paras == expected_paragraphs(record.created)
                assert record.paragraph_count == len(paras)
    assert len(acknowledged) > 12
