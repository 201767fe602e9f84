"""The exile mirror's JavaScript verifier, held against the Python one.

``src/samizdat/web/assets/samizdat.js`` re-implements the text model, the Merkle
tree and the paragraph alignment so that a browser can check a copy with no samizdat
installed. Here it runs under Node (the same V8 and ICU a Chromium page has) and must
agree with ``core/text.py`` and ``core/align.py`` on every golden vector and on
Hypothesis-generated texts and copies. The page itself is tested in Chromium by
tests/integration/test_publish.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samizdat.core import align
from samizdat.core.text import TEXT_MODEL, normalize
from samizdat.errors import TextError
from samizdat.testing import strategies as sst

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "src" / "samizdat" / "web" / "assets" / "samizdat.js"
VECTORS = json.loads((ROOT / "tests" / "vectors" / "text.json").read_text(encoding="utf-8"))


class Node:
    def __init__(self) -> None:
        node = shutil.which("node")
        assert node, "node is needed to run the mirror's verifier outside a browser"
        self.proc = subprocess.Popen(
            [node, str(ROOT / "tests" / "js" / "samizdat_server.mjs"), str(LIB)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def ask(self, **req: Any) -> Any:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the JavaScript verifier died"
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def js() -> Iterator[Node]:
    n = Node()
    yield n
    n.close()


def _python(data: bytes) -> dict[str, Any]:
    try:
        text = normalize(data.decode("utf-8").removeprefix("\ufeff"), TEXT_MODEL)
    except (TextError, UnicodeDecodeError) as exc:
        return {"error": str(exc)}
    return {"paragraphs": list(text.paragraphs),
            "leaf_hashes": [h.hex() for h in text.leaf_hashes]}


def test_every_golden_vector(js: Node) -> None:
    for v in VECTORS["valid"]:
        got = js.ask(op="normalize", hex=v["input_utf8_hex"], model=v["model"])
        assert got.get("paragraphs") == v["paragraphs"], v["name"]
        assert got["leaf_hashes"] == v["leaf_hashes"], v["name"]
        assert got["text_id"] == v["text_id"], v["name"]
    for v in VECTORS["must_reject"]:
        data = (bytes.fromhex(v["input_hex"]) if "input_hex" in v
                else bytes.fromhex(v["repeat_hex"]) * v["times"])
        got = js.ask(op="normalize", hex=data.hex(), model=v["model"])
        assert "error" in got, v["name"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sst.raw_texts())
def test_generated_texts_normalize_alike(js: Node, raw: str) -> None:
    data = raw.encode("utf-8")
    got = js.ask(op="normalize", hex=data.hex(), model=TEXT_MODEL)
    want = _python(data)
    if "error" in want:
        assert "error" in got
    else:
        assert got.get("paragraphs") == want["paragraphs"]
        assert got["leaf_hashes"] == want["leaf_hashes"]


_edits = st.lists(st.tuples(st.sampled_from(["drop", "dup", "change", "insert", "swap"]),
                            st.integers(0, 40), sst.words()), max_size=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sst.paragraphs(max_words=20), min_size=1, max_size=25), _edits)
def test_copies_align_alike(js: Node, authentic: list[str], edits: list[Any]) -> None:
    copy = list(authentic)
    for op, at, word in edits:
        i = at % (len(copy) + 1)
        if op == "insert" or not copy:
            copy.insert(i, word)
        elif op == "drop":
            del copy[i % len(copy)]
        elif op == "dup":
            copy.insert(i, copy[i % len(copy)])
        elif op == "change":
            words = copy[i % len(copy)].split(" ")
            words[at % len(words)] = word
            copy[i % len(copy)] = " ".join(words)
        else:
            j = (i + 1) % len(copy)
            copy[i % len(copy)], copy[j] = copy[j], copy[i % len(copy)]
    if not copy:
        return
    want = [{"index": r.index, "status": r.status, "copy_index": r.copy_index}
            for r in align.diff(authentic, copy)]
    assert js.ask(op="align", authentic=authentic, copy=copy)["results"] == want


@settings(max_examples=300, deadline=None)
@given(sst.paragraphs(max_words=40), sst.paragraphs(max_words=40))
def test_similarity_is_the_same_number(js: Node, a: str, b: str) -> None:
    assert js.ask(op="similarity", a=a, b=b)["value"] == align.similarity(a, b)
