"""Text model benchmarks: normalize + hash throughput, and peak memory on 200 MB.

* ``normalize+hash``: :func:`samizdat.core.text.digest_text_stream` (UTF-8 decode,
  control check, normalization under text model 2, paragraph hashes, streaming
  Merkle root, text SHA-256) over English-, Russian-, Persian- and Chinese-like
  wrapped text in 1 MiB chunks, against
  raw SHA-256 of the same bytes measured in the same run. No pass/fail goal: the
  ratio says what the normalization costs over hashing alone.
* ``peak RSS, 200 MB text``: a fresh interpreter streams a 200 MB generated text
  file through ``digest_text_stream`` reading 1 MiB at a time; its peak RSS is
  measured from outside (``/usr/bin/time``) and the same child's on a
  one-paragraph file is subtracted. Goal: < 64 MiB (the text must never sit in
  memory whole).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from bench.harness import Row, best_of, throughput
from samizdat.core.text import digest_text_stream
from samizdat.testing.hostile import run_measured

_ENGLISH = (
    "the leadership has led the country into a crisis and every member of the party "
    "must read copy and pass on this appeal to comrades who can be trusted"
)
_RUSSIAN = (
    "руководство привело страну к глубокому кризису и каждый член партии должен "
    "прочитать переписать и передать это обращение надёжным товарищам"
)
# Text model 2 does real work on these: ZWNJ inside words, line ends inside Chinese.
_PERSIAN = (
    "رهبری کشور را به بن\u200cبست کشانده است و همه\u200cی اعضا باید این "
    "خواسته\u200cها را بخوانند و به دیگران بدهند"
)
_CHINESE = " ".join(
    "领导层把国家带入了深刻的危机，每一个党员都必须阅读、抄写并把这份呼吁传给可以信任的同志。"
)  # one "word" a character: lines then end between two Han characters


def generate(vocabulary: str, size: int, seed: int = 1932) -> bytes:
    """Wrapped paragraphs of 40-160 words, 10 words a line, until ``size`` bytes."""
    rnd = random.Random(seed)
    words = vocabulary.split()
    out: list[str] = []
    total = 0
    while total < size:
        ws = [rnd.choice(words) for _ in range(rnd.randint(40, 160))]
        para = "\n".join(" ".join(ws[i : i + 10]) for i in range(0, len(ws), 10))
        out.append(para)
        total += len(para.encode()) + 2
    return "\n\n".join(out).encode()[:size].rsplit(b" ", 1)[0]


# Runs in a fresh interpreter, measured from outside by /usr/bin/time.
_RSS_CHILD = r"""
import json, sys
from samizdat.core.text import digest_text_stream
def chunks(path):
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            yield block
digest_text_stream([b"warm up the code paths once\n\nand the regexes"])
d = digest_text_stream(chunks(sys.argv[1]))
print(json.dumps({"paragraphs": d.paragraphs}))
"""


def _measure(path: Path) -> tuple[int, int]:
    got = run_measured([sys.executable, "-c", _RSS_CHILD, str(path)], env=os.environ,
                       timeout=900)
    if got.code != 0:
        raise RuntimeError(f"text child failed: {got.stderr.strip()}")
    return got.peak_rss, json.loads(got.stdout)["paragraphs"]


def _peak_rss(size: int) -> tuple[float, int]:
    """(MiB above baseline, paragraphs) for streaming a ``size``-byte text file: the
    peak RSS of the whole child (from outside) minus that of the same child on a
    one-paragraph file (the interpreter and samizdat's imports)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.txt"
        with path.open("wb") as f:
            block = generate(_ENGLISH, 8 << 20, seed=7)
            written = 0
            while written < size:
                piece = block[: size - written]
                f.write(piece + b"\n\n")
                written += len(piece) + 2
        small = Path(tmp) / "small.txt"
        small.write_bytes(b"one paragraph\n")
        base, _ = _measure(small)
        peak, paragraphs = _measure(path)
    return (peak - base) / 2**20, paragraphs


def run(smoke: bool) -> list[Row]:
    size = (256 << 10) if smoke else (16 << 20)
    repeat = 1 if smoke else 3
    rows: list[Row] = []
    for label, words in (("English", _ENGLISH), ("Russian", _RUSSIAN),
                         ("Persian", _PERSIAN), ("Chinese", _CHINESE)):
        data = generate(words, size)
        if label == "Chinese":  # no spaces between Chinese characters
            data = data.replace(b" ", b"")
        chunks = [data[i : i + (1 << 20)] for i in range(0, len(data), 1 << 20)]
        t_norm = best_of(lambda c=chunks: digest_text_stream(c), repeat)  # type: ignore[misc]
        t_sha = best_of(lambda d=data: hashlib.sha256(d).digest(), max(repeat, 3))  # type: ignore[misc]
        rows.append(Row("text", f"normalize+hash, {label}, {len(data) >> 20} MiB",
                        throughput(len(data), t_norm), "MB/s",
                        reference=throughput(len(data), t_sha),
                        goal="ratio vs raw SHA-256 (info)"))
    big = (4 << 20) if smoke else (200 << 20)
    mib, paragraphs = _peak_rss(big)
    rows.append(Row("text", f"peak RSS above baseline, {big >> 20} MB text "
                            f"({paragraphs:,} paragraphs)", mib, "MiB",
                    goal="< 64 MiB", met=None if smoke else mib < 64))
    return rows
