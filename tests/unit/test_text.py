"""Unit tests for text normalization (samizdat.core.text)."""

from __future__ import annotations

import pytest

from samizdat.core import crypto
from samizdat.core.merkle import merkle_root
from samizdat.core.text import (
    MAX_PARAGRAPH_BYTES,
    MAX_RAW_PARAGRAPH_CHARS,
    Normalizer,
    decode_text_bytes,
    decode_text_stream,
    digest_paragraphs,
    digest_text_stream,
    normalize,
    normalized_bytes,
    paragraph_hash,
)
from samizdat.errors import TextError


def test_wrapping_spaces_and_blank_line_runs_fold() -> None:
    text = "  Workers of\nthe   world,\tunite!  \n\n\n \t \nSecond\u00a0para.\n"
    assert normalize(text).paragraphs == ("Workers of the world, unite!", "Second para.")


def test_crlf_cr_and_lf_line_ends_are_equal() -> None:
    lf = normalize("a\nb\n\nc\n").paragraphs
    assert normalize("a\r\nb\r\n\r\nc\r\n").paragraphs == lf
    assert normalize("a\rb\r\rc\r").paragraphs == lf
    assert lf == ("a b", "c")


def test_nfd_input_gives_nfc_paragraphs() -> None:
    assert normalize("Cafe\u0301 ru\u0308ckt").paragraphs == ("Caf\u00e9 r\u00fcckt",)


def test_invisible_characters_are_dropped_but_quotes_are_kept() -> None:
    # a soft hyphen, zero-width space, BOM and bidi mark are invisible watermarks
    marked = "\ufeffpro\u00adpa\u200bgan\u200eda \u201cquoted\u201d"
    assert normalize(marked).paragraphs == ("propaganda \u201cquoted\u201d",)
    assert normalize('propaganda "quoted"').paragraphs != normalize(marked).paragraphs


def test_paragraph_separator_splits_and_line_separator_wraps() -> None:
    assert normalize("a\u2028b\u2029c").paragraphs == ("a b", "c")


def test_line_of_only_invisibles_is_blank() -> None:
    assert normalize("a\n\u200b\u00ad\nb").paragraphs == ("a", "b")


@pytest.mark.parametrize("text", ["", "   \n\n\t", "\u200b\n\ufeff"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(TextError, match="empty"):
        normalize(text)


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "x\x7f", "y\x90", "z\ud800"])
def test_control_characters_and_surrogates_are_refused(bad: str) -> None:
    with pytest.raises(TextError, match="not a text file"):
        normalize(bad)


def test_normalized_bytes_round_trip() -> None:
    t = normalize("one\ntwo\n\n\nthree")
    raw = normalized_bytes(t.paragraphs)
    assert raw == b"one two\n\nthree\n"
    assert normalize(raw.decode()).paragraphs == t.paragraphs


def test_streaming_in_single_characters_equals_whole() -> None:
    src = "a\r\n b \r\n\r\nc\u0065\u0301\rd\u2029e\n\n\n"
    n = Normalizer()
    out: list[str] = []
    for ch in src:
        out += n.feed(ch)
    out += n.finish()
    assert tuple(out) == normalize(src).paragraphs == ("a b", "c\u00e9 d", "e")


def test_cr_at_chunk_end_then_lf_is_one_line_end() -> None:
    n = Normalizer()
    out = n.feed("a\r") + n.feed("\nb\r") + n.feed("\n\r\n") + n.finish()
    assert out == ["a b"]


@pytest.mark.parametrize("pieces", [
    ["a\n\nb\n ", "\nc"],  # a break left open after a completed one
    ["a\n", " ", " ", "\n", "b"],  # a blank line fed space by space
    ["a\n  x", "\n\nb"],  # spaces then text: no break at the first LF
    ["a", "\n", "\n", "\n", "b\n", "\n"],
])
def test_paragraph_breaks_split_across_chunks(pieces: list[str]) -> None:
    n = Normalizer()
    out: list[str] = []
    for piece in pieces:
        out += n.feed(piece)
    out += n.finish()
    assert tuple(out) == normalize("".join(pieces)).paragraphs


def test_feeding_a_long_paragraph_line_by_line_is_linear() -> None:
    # 20,000 wrapped lines of one paragraph: joined once, not once per line
    n = Normalizer()
    for _ in range(20_000):
        assert n.feed("some words of a long wrapped paragraph\n") == []
    assert len(n.finish()[0]) == 20_000 * 39 - 1


def test_oversized_paragraph_is_refused_with_hint() -> None:
    line = "word " * 1000 + "\n"
    n = Normalizer()
    with pytest.raises(TextError, match="paragraph is larger") as info:
        for _ in range(MAX_PARAGRAPH_BYTES // len(line) + 2):
            n.feed(line)
        n.finish()
    assert info.value.hint


def test_endless_line_is_refused_in_bounded_memory() -> None:
    n = Normalizer()
    with pytest.raises(TextError, match="paragraph is longer"):
        for _ in range(MAX_RAW_PARAGRAPH_CHARS // 65536 + 2):
            n.feed("x" * 65536)


def test_feed_after_finish_is_a_programming_error() -> None:
    n = Normalizer()
    n.finish()
    with pytest.raises(ValueError):
        n.feed("a")


def test_decode_drops_bom_and_refuses_bad_utf8_binary_and_empty() -> None:
    assert decode_text_bytes("\ufeffhé".encode()) == "hé"
    with pytest.raises(TextError, match="not UTF-8"):
        decode_text_bytes(b"caf\xe9")
    with pytest.raises(TextError, match="NUL"):
        decode_text_bytes(b"ab\x00\x00cd")
    with pytest.raises(TextError, match="empty"):
        decode_text_bytes(b"")
    with pytest.raises(TextError, match="ends inside a character"):
        decode_text_bytes("é".encode()[:1])


def test_decode_stream_handles_a_character_split_across_chunks() -> None:
    raw = "Привет, мир".encode()
    chunks = [raw[i : i + 1] for i in range(len(raw))]
    assert "".join(decode_text_stream(chunks)) == "Привет, мир"


def test_errors_are_one_line_and_never_quote_the_text() -> None:
    with pytest.raises(TextError) as info:
        normalize("secret plan\x00")
    assert "secret" not in info.value.one_line()
    assert "\n" not in info.value.one_line()


def test_paragraph_hash_is_rfc6962_leaf() -> None:
    assert paragraph_hash("é") == crypto.sha256(b"\x00" + "é".encode())


def test_digest_matches_in_memory_computation() -> None:
    src = "First para\nwrapped.\n\nSecond.\n\n\nThird \u00e9.\n"
    t = normalize(src)
    d = digest_text_stream([src.encode()[i : i + 3] for i in range(0, len(src.encode()), 3)])
    assert d == digest_paragraphs(t.paragraphs)
    assert d.text_id == merkle_root(t.leaf_hashes)
    assert d.text_sha256 == crypto.sha256(t.to_bytes())
    assert d.paragraphs == 3
    assert d.size == len(t.to_bytes())


def test_text_repr_hides_content() -> None:
    assert "secret" not in repr(normalize("secret"))


def test_normalize_inline_folds_line_breaks_and_invisibles() -> None:
    from samizdat.core.text import normalize_inline

    assert normalize_inline(" Appeal\r\nto\u2029all\u00ad\u200b  members ") == (
        "Appeal to all members")
    assert normalize_inline("Cafe\u0301") == "Caf\u00e9"
    assert normalize_inline(" \n\t") == ""
    with pytest.raises(TextError):
        normalize_inline("bell\x07")


def test_iter_paragraphs_streams_bytes_and_refuses_empty() -> None:
    from samizdat.core.text import iter_paragraphs

    raw = "a\r\nb\r\n\r\nc\u0301".encode()
    assert list(iter_paragraphs([raw[i : i + 1] for i in range(len(raw))])) == [
        "a b", "\u0107"]
    with pytest.raises(TextError, match="empty"):
        list(iter_paragraphs([b" \n\n\t"]))
    with pytest.raises(TextError, match="not UTF-8"):
        list(iter_paragraphs([b"\xff"]))
