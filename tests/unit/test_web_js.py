"""The exile mirror's JavaScript verifier, held against the Python one.

``src/samizdat/web/assets/samizdat.js`` re-implements the text model, the Merkle
tree, the word-level comparison and the paragraph alignment (``core/text.py``,
``merkle.py``, ``words.py``, ``lcs.py``, ``align.py``) so that a browser can check a
copy with no samizdat installed. Here it runs under Node (the same V8 and ICU a
Chromium page has, one process for the whole module) and must agree with the Python
code on every golden vector, on every comparison case of tests/unit/test_words.py and
test_align.py, and on Hypothesis-generated texts and copies (typography, OCR
confusions from the same confusion table, planted words, splits, merges), comparing
the full paragraph JSON ``verify --json`` prints. The page itself is tested in
Chromium by tests/integration/test_publish.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samizdat.core import align, words
from samizdat.core.text import TEXT_MODEL, normalize, paragraph_hash
from samizdat.errors import TextError
from samizdat.testing import strategies as sst
from tests.js import gen_tables
from tests.unit import test_align as ta
from tests.unit import test_words as tw

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
    want = [r.to_json() for r in align.diff(authentic, copy)]
    assert js.ask(op="align", authentic=authentic, copy=copy,
                  typography_is_change=True)["results"] == want


@settings(max_examples=300, deadline=None)
@given(sst.paragraphs(max_words=40), sst.paragraphs(max_words=40))
def test_similarity_is_the_same_number(js: Node, a: str, b: str) -> None:
    assert js.ask(op="similarity", a=a, b=b)["value"] == align.similarity(a, b)


# ------------------------------------------------------- the comparison tables


def test_the_embedded_tables_are_generated_from_this_python() -> None:
    # Python's Unicode database and core/words.py's tables, not the browser's ICU
    source = LIB.read_text(encoding="utf-8")
    assert gen_tables.embedded(source) == gen_tables.block(), (
        "run: python tests/js/gen_tables.py")


# --------------------------------------------- words.compare and align.align


def _compare_json(a: str, b: str) -> dict[str, Any]:
    cmp = words.compare(a, b)
    return {"kind": cmp.kind,
            "changes": [{**c.to_json(), "start": c.start} for c in cmp.changes]}


def _align_req(authentic: Sequence[str], copy: Sequence[str], *, strict: bool = False,
               texts: bool = True) -> dict[str, Any]:
    return {"op": "align", "authentic": list(authentic), "copy": list(copy),
            "typography_is_change": strict, "texts": texts}


def _align_json(authentic: Sequence[str], copy: Sequence[str], *, strict: bool = False,
                texts: bool = True) -> list[dict[str, object]]:
    hashes = [paragraph_hash(p) for p in authentic]
    return [r.to_json() for r in align.align(hashes, copy, authentic if texts else None,
                                              typography_is_change=strict)]


def _paras(raw: str) -> tuple[str, ...]:
    return normalize(raw).paragraphs


_ENGLISH_NOISY = (tw.ENGLISH.replace("modern", "rnodern").replace("committee", "cornmittee")
                  .replace("member", "mernber").replace("appeal", "appea1"))
COMPARE_CASES: list[tuple[str, str]] = [
    *[("He said \u201cno\u201d \u2014 twice\u2026 and the \ufb01nal vote \u00abstood\u00bb.", c)
      for c in ('He said "no" -- twice... and the final vote "stood".',
                "He said 'no' - twice . . . and the final vote \u201estood\u201c.",
                'He said "no"\u2013twice... and the final vote "stood" .')],
    ("the implementation of the plan was postponed",
     "the imple- mentation of the plan was postponed"),
    ("we must resign now", "we must re- sign now"),
    ("we must re-sign now", "we must re- sign now"),
    ("we must resign now", "we must re-sign now"),
    ("we must re-sign now", "we must resign now"),
    (tw.ENGLISH, tw.ENGLISH.replace("modern", "rnodern").replace("committee", "cornmittee")
     .replace("ballot", "ba1lot").replace("conference", "confference")
     .replace("appeal", "appea1").replace("e", "\u0435", 1)),
    (tw.ENGLISH, _ENGLISH_NOISY),
    (tw.ENGLISH, _ENGLISH_NOISY.replace("secret", "open")),
    ("we will not sign", "we will now sign"),
    ("we will not sign", "we will n\u043et sign"),
    (tw.RUSSIAN, tw.RUSSIAN.replace("тайное", "открытое").replace("Комитет", "Кoмитет")),
    (tw.PERSIAN, tw.PERSIAN.replace("مخفی", "آشکار")),
    (tw.CHINESE, tw.CHINESE.replace("秘密", "公开")),
    (tw.CHINESE, " ".join(tw.CHINESE[:10]) + tw.CHINESE[10:]),
    ("He is guilty.", "He is guilty?"),
    ("He is guilty, now.", "He is guilty. now:"),
    ("abc中文 x", "abc 中文 x"),
    ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral 😀 text", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral 😁 text"),
]


def _align_cases() -> list[tuple[Sequence[str], Sequence[str], bool, bool]]:
    """(authentic, copy, typography_is_change, with texts) of test_words/test_align."""
    m, paras = ta.MANIFESTO, tw.PARAS
    auth_typo = ("\u201cRead it,\u201d they wrote \u2014 \u201ccopy it, pass it on\u2026\u201d",
                 "The \ufb01rst congress met in a small room.")
    points = tuple(f"Point {i}: the \u201cleadership\u201d \u2014 as we said \u2014 failed."
                   for i in range(200))
    points_copy = [p.replace("\u201c", '"').replace("\u201d", '"').replace("\u2014", "--")
                   for p in points]
    del points_copy[50]
    head4, tail4 = paras[3].split(" and every ")
    head6, tail6 = paras[5].split(" and every ")
    diff_a = list(paras)
    diff_a[2] = diff_a[2].replace(", and", " -- and")
    diff_b = list(diff_a)
    diff_b[1] = diff_b[1].replace("crisis", "triumph")
    diff_b[2] = diff_b[2].replace(" -- and", "\u2014and")
    one_word = list(m)
    one_word[4] = one_word[4].replace("crisis", "triumph")
    next_to_insert = list(m)
    next_to_insert[5] = next_to_insert[5].replace("crisis", "catastrophe")
    next_to_insert.insert(6, "A line the police added.")
    quotes = ("He said \u201cno\u201d to the plan, twice, in front of the whole committee.",)
    out: list[tuple[Sequence[str], Sequence[str], bool, bool]] = [
        (auth_typo, _paras('"Read it," they wrote -- "copy it, pass it on..."\n\n'
                           "The first congress met in a small room."), False, True),
        (points, points_copy, False, True),
        (paras, [*paras[:3], head4 + " and every mem-", tail4.replace("member", "ber", 1),
                 *paras[4:]], False, True),
        (paras, [*paras[:2], paras[2] + " " + paras[3], *paras[4:]], False, True),
        (paras, [*paras[:5], head6.replace("crisis", "triumph"), "and every " + tail6,
                 *paras[6:]], False, True),
        (paras, [*paras[:2], paras[2] + " " + paras[3].replace("crisis", "triumph"),
                 *paras[4:]], False, True),
        # a change right at the seam of two merged paragraphs belongs to the second
        (paras, [*paras[:2], paras[2] + " " + paras[3].replace("Paragraph", "Section", 1),
                 *paras[4:]], False, True),
        (paras, [*paras[:2], paras[2][:-1] + " " + paras[3], *paras[4:]], True, True),
        (diff_a, diff_b, True, True),
        (paras, [f"Recipe {i}: mix flour, eggs and milk; bake for {i} minutes."
                 for i in range(5)], True, True),
        (m, m, False, True),
        (m, _paras("\r\n\r\n".join(p.replace(" ", "\r\n", 3) for p in m)), False, True),
        (m, one_word, False, True),
        (quotes, _paras('He said "no" to the plan, twice, in front of the whole committee.'),
         False, True),
        (quotes, _paras('He said "no" to the plan, twice, in front of the whole committee.'),
         True, True),
        (m, [p for i, p in enumerate(m, 1) if i not in (2, 7, 8)], False, True),
        (m, [*m[:3], "An informant's note, typed in.", *m[3:]], False, True),
        (m, ["Police copy no. 3", *m], False, True),
        (m, [*m[:2], "something else entirely", "and again", *m[4:]], False, False),
        (m, [*m[:2], "x", "y", *m[3:]], False, False),
        (m, next_to_insert, False, True),
        (m, [*m[1:], m[0]], False, True),
        (("A", "B", "A", "B", "A"), ("A", "B", "A", "A"), False, True),
        (("The committee met in secret on the first of August.",),
         ("Bananas are yellow and grow in tropical countries far away.",), False, True),
        (tuple(f"alpha {i}" for i in range(300)), tuple(f"omega {i}" for i in range(300)),
         False, True),  # planned in windows
        (tuple(f"p{i % 7}" for i in range(500)), tuple(f"p{(i * 3) % 5}" for i in range(520)),
         False, True),
    ]
    return out


def test_every_comparison_case_of_the_python_tests(js: Node) -> None:
    got = js.ask(op="batch", requests=[{"op": "compare", "a": a, "b": b}
                                       for a, b in COMPARE_CASES])["answers"]
    for (a, b), answer in zip(COMPARE_CASES, got, strict=True):
        assert answer == _compare_json(a, b), (a, b)
    texts = ("秘密投票", "abc中文", *[b for _, b in COMPARE_CASES])
    tok = js.ask(op="batch", requests=[{"op": "tokens", "text": t} for t in texts])
    for t, answer in zip(texts, tok["answers"], strict=True):
        assert answer["tokens"] == [list(x) for x in words.tokens(t)], t


def test_every_alignment_case_of_the_python_tests(js: Node) -> None:
    cases = _align_cases()
    got = js.ask(op="batch", requests=[_align_req(a, c, strict=s, texts=t)
                                       for a, c, s, t in cases])["answers"]
    for (a, c, s, t), answer in zip(cases, got, strict=True):
        assert answer["results"] == _align_json(a, c, strict=s, texts=t), (a[:2], c[:2], s)


# ---------------------------------------------------------- generated copies

# Typography a retyping changes: the signed forms and what a typist types instead.
_TYPOGRAPHY = (("\u201c", '"'), ("\u201d", '"'), ("\u2014", "--"), ("\u2026", "..."),
               ("\ufb01", "fi"), ("\u00ab", '"'), ("\u00bb", "'"), ("\u2019", "'"),
               ("\u2013", "-"), (" ,", ","))
_TYPOGRAPHIC_WORDS = ("\u201cno\u201d", "\u2014", "twice\u2026", "\ufb01nal", "\u00abstood\u00bb",
                      "it\u2019s", "1932\u20131937", "re-sign", "(see", "note)", "mem-", "ber")


def _confusions() -> list[tuple[str, str]]:
    """(signed, misread) pairs from core/words.py's own confusion table, read back
    the way an OCR engine errs: a Latin letter read as its Cyrillic or Greek twin, m
    as rn, l as 1, o as 0."""
    pairs = [(chr(v), chr(k)) for k, v in words._HOMOGLYPHS.items()]
    pairs += [(b, a) for a, b in words._SHAPES_MULTI]
    groups: dict[str, list[str]] = {}
    for k, v in words._SHAPES.items():
        groups.setdefault(str(v), []).append(chr(k))
    pairs += [(x, y) for g in groups.values() for x in g for y in g if x != y]
    return pairs


CONFUSIONS = _confusions()
_vocab = st.one_of(st.sampled_from(tw.ENGLISH.split(" ") + tw.RUSSIAN.split(" ")),
                   st.sampled_from(_TYPOGRAPHIC_WORDS), sst.words())
_para = st.lists(_vocab, min_size=3, max_size=22).map(" ".join)
_ops = st.lists(st.tuples(st.sampled_from(["typography", "ocr", "ocr", "word", "split", "merge",
                                           "drop", "insert", "double", "dropchar",
                                           "fragment"]),
                          st.integers(0, 60), st.integers(0, 60), sst.words()), max_size=6)


def _edit(paragraph: str, op: str, k: int, word: str) -> str:
    ws = paragraph.split(" ")
    if op == "typography":
        for a, b in _TYPOGRAPHY:
            paragraph = paragraph.replace(a, b)
        return paragraph
    if op == "ocr":
        spots = [(i, a, b) for a, b in CONFUSIONS for i in range(len(paragraph))
                 if paragraph.startswith(a, i)]
        if not spots:
            return paragraph
        i, a, b = spots[k % len(spots)]
        return paragraph[:i] + b + paragraph[i + len(a):]
    if op == "double":
        i = k % len(paragraph)
        return paragraph[:i] + paragraph[i] + paragraph[i:]
    if op == "dropchar":
        i = k % len(paragraph)
        return paragraph[:i] + paragraph[i + 1:]
    ws[k % len(ws)] = word
    return " ".join(ws)


def _copy_of(authentic: list[str], ops: list[tuple[str, int, int, str]]) -> list[str]:
    copy = list(authentic)
    for op, i, k, word in ops:
        if not copy:
            break
        at = i % len(copy)
        if op == "split":
            ws = copy[at].split(" ")
            cut = 1 + k % max(1, len(ws) - 1)
            if len(ws) > 1:
                copy[at:at + 1] = [" ".join(ws[:cut]), " ".join(ws[cut:])]
        elif op == "merge" and at + 1 < len(copy):
            copy[at:at + 2] = [copy[at] + " " + copy[at + 1]]
        elif op == "drop":
            del copy[at]
        elif op == "insert":
            copy.insert(at, word)
        elif op == "fragment":  # a few of its words typed again after it (a running head)
            ws = copy[at].split(" ")
            lo = k % len(ws)
            copy.insert(at + 1, " ".join(ws[lo:lo + 2 + k % 3]))
        else:
            copy[at] = _edit(copy[at], op, k, word)
    return copy


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_para, min_size=1, max_size=10), _ops)
def test_generated_copies_get_the_same_verdict_json(js: Node, raw: list[str],
                                                    ops: list[Any]) -> None:
    authentic = list(normalize("\n\n".join(raw)).paragraphs)
    edited = _copy_of(authentic, ops)
    if not "".join(edited).strip():
        return
    copy = list(normalize("\n\n".join(edited)).paragraphs)
    got = js.ask(op="batch", requests=[_align_req(authentic, copy, strict=False),
                                       _align_req(authentic, copy, strict=True)])["answers"]
    assert got[0]["results"] == _align_json(authentic, copy, strict=False)
    assert got[1]["results"] == _align_json(authentic, copy, strict=True)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_para, _ops)
def test_generated_paragraph_edits_compare_alike(js: Node, paragraph: str,
                                                 ops: list[Any]) -> None:
    original = " ".join(normalize(paragraph).paragraphs)
    copy = original
    for op, _i, k, word in ops:
        if op not in ("split", "merge", "drop", "insert"):
            copy = _edit(copy, op, k, word)
    copy = " ".join(normalize(copy).paragraphs) if copy.strip() else ""
    assert js.ask(op="compare", a=original, b=copy) == _compare_json(original, copy)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sst.raw_texts(max_size=120))
def test_any_unicode_tokenizes_alike(js: Node, raw: str) -> None:
    # whatever the scripts, marks and symbols: Python's Unicode tables, not ICU's
    try:
        paragraphs = normalize(raw).paragraphs
    except TextError:
        return
    got = js.ask(op="batch", requests=[{"op": "tokens", "text": p} for p in paragraphs])
    for p, answer in zip(paragraphs, got["answers"], strict=True):
        assert answer["tokens"] == [list(x) for x in words.tokens(p)], p
