"""Word-level verdicts over the OCR and retyping corpus (``bench/corpus_ocr.py``).

* ``planted edits named``: share of planted one-word edits whose two words are in
  the ``changes`` of a paragraph that says ``words``. Goal: 100%.
* ``honest routes authentic or only ocr``: typography and split/merge retypings (all
  four languages) and clean 300 dpi OCR in four typefaces (English, Russian).
  Goal: >= 95%.
* ``forgeries caught``: share of planted copies that do not come out ``authentic``.
  Goal: 100%. (Copies forged *and self-signed* are the trust policy's case,
  measured with the store; here the copy is judged against the authentic text.)
* ``worn carbon OCR, only ocr``, ``chi_sim OCR`` and ``fas OCR``: routes too noisy
  (or an OCR model too unreliable here) to promise anything; reported, no goal.
  Their planted edits count in the first and third figures.
* ``compare cost``: word-level comparison of a 1 MB copy with OCR-like noise in
  every paragraph, against normalize+hash of the same copy in the same run.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable

from bench.corpus_ocr import TEXTS, Outcome, run_corpus
from bench.harness import Row
from samizdat.core.align import align
from samizdat.core.text import normalize, paragraph_hash

_HONEST_LANGS = ("eng", "rus")
_APART_LANGS = ("chi_sim", "fas")  # OCR routes too unreliable here to promise anything


def _share(outcomes: list[Outcome], pred: Callable[[Outcome], object]) -> tuple[int, int]:
    picked = [o for o in outcomes if pred(o)]
    return len(picked), len(outcomes)


def _row(figure: str, hits: int, total: int, goal: str, threshold: float | None) -> Row:
    value = 100.0 * hits / total if total else 0.0
    met = None if threshold is None else (total > 0 and value >= threshold)
    return Row("verdicts", f"{figure} ({hits}/{total})", value, "%", goal=goal, met=met)


def _cost(smoke: bool) -> Row:
    """Word-level comparison of a long copy with OCR noise in every paragraph (no
    paragraph hash matches: the worst honest case), against normalize+hash."""
    rnd = random.Random(7)
    vocab = sorted({w for lang in ("eng", "rus") for p in TEXTS[lang] for w in p.split()})
    paras = [" ".join(rnd.choice(vocab) for _ in range(60)) for _ in range(20 if smoke else 1000)]
    noisy = [p.replace("m", "rn", 1).replace("l", "1", 1).replace("о", "o", 1) for p in paras]
    del noisy[len(noisy) // 2]  # and one paragraph dropped
    text = "\n\n".join(noisy)
    hashes = [paragraph_hash(p) for p in paras]
    t0 = time.perf_counter()
    digest = hashlib.sha256()
    for p in normalize(text).paragraphs:
        digest.update(paragraph_hash(p))
    raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = align(hashes, normalize(text), paras)
    spent = time.perf_counter() - t0
    assert sum(r.status == "missing" for r in results) == 1
    mb = len(text.encode()) / 1e6
    return Row("verdicts", f"compare {mb:.1f} MB, OCR noise in every paragraph (MB/s)",
               mb / spent, "MB/s", reference=mb / raw, goal="no goal: cost vs normalize+hash")


def run(smoke: bool = False) -> list[Row]:
    """The corpus figures (and the comparison's cost)."""
    langs = ("eng",) if smoke else (*_HONEST_LANGS, *_APART_LANGS)
    outcomes = run_corpus(langs, plants_per_route=1 if smoke else 6, ocr=not smoke,
                          worn=not smoke)
    honest = [o for o in outcomes if o.route.honest and "worn" not in o.route.name
              and not (o.route.lang in _APART_LANGS and o.route.name.startswith("ocr"))]
    planted = [o for o in outcomes if not o.route.honest]
    worn = [o for o in outcomes if o.route.honest and "worn" in o.route.name]
    rows = [
        _row("planted edits named", *_share(planted, lambda o: o.named), "100%", 100.0),
        _row("honest routes authentic or only ocr",
             *_share(honest, lambda o: o.authentic or o.only_ocr), ">= 95%", 95.0),
        _row("forgeries caught", *_share(planted, lambda o: not o.authentic), "100%", 100.0),
    ]
    if worn:
        rows.append(_row("worn carbon OCR, only ocr",
                         *_share(worn, lambda o: o.authentic or o.only_ocr), "no goal", None))
    for lang in _APART_LANGS:
        apart = [o for o in outcomes if o.route.lang == lang and o.route.honest
                 and o.route.name.startswith("ocr")]
        if apart:
            rows.append(_row(f"{lang} OCR, authentic or only ocr",
                             *_share(apart, lambda o: o.authentic or o.only_ocr),
                             "no goal", None))
    rows.append(_cost(smoke))
    return rows
