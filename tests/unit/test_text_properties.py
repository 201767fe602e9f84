"""Hypothesis properties of normalization: idempotent, blind to retyping noise,
identical whether streamed or not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core.text import (
    Normalizer,
    digest_paragraphs,
    digest_text_stream,
    normalize,
    normalized_bytes,
)
from samizdat.errors import TextError
from samizdat.testing.strategies import raw_texts, retypings, texts


def _normalize_or_none(raw: str) -> tuple[str, ...] | None:
    try:
        return normalize(raw).paragraphs
    except TextError as exc:
        assert "empty" in exc.message  # the only refusal raw_texts() can trigger
        return None


@given(raw_texts())
@settings(max_examples=400)
def test_normalization_is_idempotent(raw: str) -> None:
    paras = _normalize_or_none(raw)
    if paras is None:
        return
    again = normalize(normalized_bytes(paras).decode("utf-8")).paragraphs
    assert again == paras
    # each paragraph alone is a fixed point too
    for p in paras:
        assert normalize(p).paragraphs == (p,)


@given(st.data(), texts())
@settings(max_examples=300)
def test_any_retyping_normalizes_to_the_same_paragraphs(data: st.DataObject,
                                                        paras: tuple[str, ...]) -> None:
    raw = data.draw(retypings(paras))
    assert normalize(raw).paragraphs == paras


@given(raw_texts(), st.lists(st.integers(0, 400), max_size=12))
@settings(max_examples=300)
def test_streaming_with_any_chunking_equals_whole(raw: str, cuts: list[int]) -> None:
    whole = _normalize_or_none(raw)
    n = Normalizer()
    out: list[str] = []
    start = 0
    for cut in sorted(c for c in cuts if c <= len(raw)):
        out += n.feed(raw[start:cut])
        start = cut
    out += n.feed(raw[start:])
    out += n.finish()
    assert tuple(out) == (whole or ())


@given(st.data(), texts())
@settings(max_examples=150)
def test_byte_stream_digest_equals_in_memory_digest(data: st.DataObject,
                                                    paras: tuple[str, ...]) -> None:
    raw = data.draw(retypings(paras)).encode("utf-8")
    size = data.draw(st.integers(1, max(1, len(raw))))
    chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
    assert digest_text_stream(chunks) == digest_paragraphs(paras)


@given(st.data(), texts(), st.integers(1, 7))
@settings(max_examples=300)
def test_retyping_streamed_in_tiny_chunks_normalizes_the_same(
    data: st.DataObject, paras: tuple[str, ...], size: int
) -> None:
    raw = data.draw(retypings(paras))
    n = Normalizer()
    out: list[str] = []
    for i in range(0, len(raw), size):
        out += n.feed(raw[i : i + size])
    out += n.finish()
    assert tuple(out) == paras
