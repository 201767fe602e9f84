"""``verify`` against hostile copies: bounded time and memory, measured from outside.

A store holds one signed version (30 paragraphs of 60 words) and 20 other signed
documents. Each copy is written to a file of ``SIZE`` bytes (64 MiB; the default
``--max-size``) and verified in a fresh child process
(:func:`samizdat.app.documents.verify_text_file`); its CPU time and peak RSS come
from ``/usr/bin/time`` around it (from outside; ``wait4`` if it is missing). The
reference is a child that only normalizes and hashes the same file
(:func:`samizdat.core.text.digest_text_stream`): the least any verification must do. Shapes:

* ``tiny``: millions of one-word paragraphs (refused once past
  :data:`~samizdat.app.documents.MAX_COPY_PARAGRAPHS`);
* ``long``: paragraphs just under the 1 MiB paragraph limit, same vocabulary as
  the authentic text (so that every one of them is a plausible partner);
* ``repeated``: the authentic text over and over;
* ``noise``: each authentic paragraph followed by a large paragraph of noise.

Goal (bounded): CPU within 20x the normalization of the same bytes, and peak RSS
under 1.5 GiB for 64 MiB. ``--smoke`` uses 1 MiB copies.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import Row
from samizdat.app import documents as docs
from samizdat.core.crypto import SecretBytes
from samizdat.store import Store

NAME = "verify"
_VOCABULARY = ("the leadership has led the country into a crisis and every member of "
               "the party must read copy and pass on this appeal")
_WORDS = _VOCABULARY.split(" ")
_PASS = "bench"

_VERIFY = r"""
import sys
from pathlib import Path
from samizdat.app import documents as docs
from samizdat.core.crypto import SecretBytes
from samizdat.store import Store
from samizdat.errors import SamizdatError
store = Store.open(Path(sys.argv[1]), SecretBytes(b"bench", "passphrase"))
try:
    report = docs.verify_text_file(store, Path(sys.argv[2]), max_bytes=1 << 30)
    print(report.status, len(report.paragraphs))
except SamizdatError as exc:  # a refusal is a bounded answer too
    print("refused:", exc.message[:60])
"""
_NORMALIZE = r"""
import sys
from samizdat.core.text import digest_text_stream
def chunks():
    with open(sys.argv[2], "rb") as f:
        while chunk := f.read(1 << 20):
            yield chunk
print(digest_text_stream(chunks()).paragraphs)
"""


def _copy(shape: str, size: int, paragraphs: list[str], rnd: random.Random) -> bytes:
    def words(n: int) -> str:
        return " ".join(rnd.choice(_WORDS) for _ in range(n))

    if shape == "tiny":
        out = b"\n\n".join(str(i % 997).encode() for i in range(size // 4))
    elif shape == "long":
        out = "\n\n".join(words(150_000) for _ in range(size // 700_000 + 1)).encode()
    elif shape == "repeated":
        text = "\n\n".join(paragraphs)
        out = "\n\n".join([text] * (size // len(text) + 1)).encode()
    else:
        noise = words(size // 5 // len(paragraphs))[:1_000_000].rsplit(" ", 1)[0]
        out = "\n\n".join(p + "\n\n" + noise for p in paragraphs).encode()
    return out[:size].rsplit(b"\n\n", 1)[0]


def _child(script: str, home: Path, copy: Path) -> tuple[float, int, str]:
    """(CPU seconds, peak RSS in bytes, stdout) of a child, measured from outside by
    ``/usr/bin/time`` (its own child starts clean: a child forked from this process
    would inherit this process's high-water RSS across fork and exec), or by
    ``wait4`` where that tool is missing."""
    env = dict(os.environ, SAMIZDAT_INSECURE_FAST_KDF="1")
    argv = [sys.executable, "-c", script, str(home), str(copy)]
    timer = shutil.which("time", path="/usr/bin")
    if timer:
        argv = [timer, "-f", "@@ %M %U %S", *argv]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace").strip()
        errors = err.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"child failed: {(text + errors)[-500:]}")
    if timer:
        kib, user, system = errors.rsplit("@@ ", 1)[1].split()[:3]
        return float(user) + float(system), int(kib) * 1024, text
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, text


def run(smoke: bool = False) -> list[Row]:
    size = (1 << 20) if smoke else (64 << 20)
    rnd = random.Random(1932)
    rows = []
    os.environ.setdefault("SAMIZDAT_INSECURE_FAST_KDF", "1")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "h"
        store = Store.create(home, SecretBytes(_PASS.encode(), "passphrase"))
        paragraphs = [" ".join(rnd.choice(_WORDS) for _ in range(60)) for _ in range(30)]
        try:
            _d, version = docs.draft_new(store, paragraphs, "Appeal", os.urandom, 1)
            docs.sign(store, version.hex(), os.urandom)
            for i in range(20):
                _d, other = docs.draft_new(store, [f"Leaflet {i}.", f"Meeting on day {i}."],
                                           f"Leaflet {i}", os.urandom, 1)
                docs.sign(store, other.hex(), os.urandom)
        finally:
            store.close()
        for shape in ("tiny", "long", "repeated", "noise"):
            path = Path(tmp) / f"{shape}.txt"
            path.write_bytes(_copy(shape, size, paragraphs, rnd))
            cpu, rss, said = _child(_VERIFY, home, path)
            ref, _ref_rss, _ = _child(_NORMALIZE, home, path)
            mib = path.stat().st_size / 2**20
            rows.append(Row(NAME, f"verify {mib:.0f} MiB '{shape}' copy: CPU ({said})",
                            cpu, "s", ref, goal="<= 20x normalize",
                            met=None if smoke else cpu <= 20 * ref))
            rows.append(Row(NAME, f"verify {mib:.0f} MiB '{shape}' copy: peak RSS",
                            rss / 2**20, "MiB", None, goal="< 1536 MiB",
                            met=None if smoke else rss < 1536 * 2**20))
            path.unlink()
    return rows
