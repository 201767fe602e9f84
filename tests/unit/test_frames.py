"""The frame codec: round trips, partial input, and rejection of hostile streams."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.errors import DecodeError
from samizdat.protocol.frames import (
    FRAME_VERSION,
    MAX_FRAME,
    Frame,
    FrameDecoder,
    FrameType,
    decode_body,
    encode_body,
    encode_frame,
)

frame_types = st.sampled_from(list(FrameType))
frames = st.builds(Frame, frame_types, st.binary(max_size=300))


def test_layout_is_length_version_type_payload() -> None:
    wire = encode_frame(FrameType.WANT, b"abc")
    assert wire == struct.pack(">I", 5) + bytes((FRAME_VERSION, 0x02)) + b"abc"


@given(st.lists(frames, max_size=8), st.data())
def test_any_split_of_a_stream_gives_back_the_frames(
    items: list[Frame], data: st.DataObject
) -> None:
    wire = b"".join(encode_frame(f.type, f.payload) for f in items)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=6)))
    decoder = FrameDecoder()
    got: list[Frame] = []
    start = 0
    for cut in [*cuts, len(wire)]:
        got += decoder.feed(wire[start:cut])
        start = cut
    assert got == items
    assert decoder.at_boundary


def test_byte_at_a_time() -> None:
    wire = encode_frame(FrameType.DATA, b"x" * 100) + encode_frame(FrameType.END, b"")
    decoder = FrameDecoder()
    got = [f for b in wire for f in decoder.feed(bytes([b]))]
    assert got == [Frame(FrameType.DATA, b"x" * 100), Frame(FrameType.END, b"")]


def test_oversize_rejected_from_the_length_alone() -> None:
    decoder = FrameDecoder(max_frame=1000)
    with pytest.raises(DecodeError, match="limit"):
        decoder.feed(struct.pack(">I", 1003))  # nothing of the body has arrived
    assert decoder.buffered == 0


def test_failed_decoder_stays_failed() -> None:
    decoder = FrameDecoder()
    with pytest.raises(DecodeError):
        decoder.feed(struct.pack(">I", 2) + bytes((9, 1)))  # bad version
    with pytest.raises(DecodeError):
        decoder.feed(encode_frame(FrameType.PING, b""))


@pytest.mark.parametrize(
    ("wire", "reason"),
    [
        (struct.pack(">I", 0), "too short"),
        (struct.pack(">I", 1) + b"\x01", "too short"),
        (struct.pack(">I", 2) + bytes((2, 1)), "version"),
        (struct.pack(">I", 2) + bytes((1, 0)), "unknown frame type"),
        (struct.pack(">I", 2) + bytes((1, 0xFF)), "unknown frame type"),
        (struct.pack(">I", MAX_FRAME + 3), "limit"),
    ],
)
def test_must_reject(wire: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        FrameDecoder().feed(wire)


def test_bad_header_rejected_before_the_body_arrives() -> None:
    decoder = FrameDecoder()
    with pytest.raises(DecodeError, match="version"):
        decoder.feed(struct.pack(">I", 500_000) + bytes((7, 1)))


def test_buffer_is_bounded_whatever_is_fed() -> None:
    decoder = FrameDecoder(max_frame=4096)
    head = struct.pack(">I", 4096 + 2) + bytes((FRAME_VERSION, 1))
    decoder.feed(head)
    for _ in range(100):
        decoder.feed(b"\0" * 40)
        assert decoder.buffered <= 4096 + 2


def test_encoder_refuses_oversize() -> None:
    with pytest.raises(ValueError):
        encode_frame(FrameType.DATA, b"\0" * (MAX_FRAME + 1))


def test_body_codec_for_transports_that_frame_themselves() -> None:
    body = encode_body(FrameType.RECONCILE, b"hello")
    assert decode_body(body) == Frame(FrameType.RECONCILE, b"hello")
    for bad in (b"", b"\x01", bytes((2, 1)), bytes((1, 99))):
        with pytest.raises(DecodeError):
            decode_body(bad)


def _fuzz(spec: bytes) -> None:
    """Byte 0 of ``spec`` sets max_frame (0..63), the rest is the stream, fed in 7-byte
    pieces. One plain binary strategy keeps Hypothesis's own cost per case low."""
    max_frame = spec[0] % 64 if spec else 0
    data = spec[1:]
    decoder = FrameDecoder(max_frame=max_frame)
    try:
        for i in range(0, len(data), 7):
            for frame in decoder.feed(data[i : i + 7]):
                assert len(frame.payload) <= max_frame
            assert decoder.buffered <= max(4, max_frame + 2)
    except DecodeError:
        pass


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_fast(spec: bytes) -> None:
    _fuzz(spec)


@pytest.mark.slow
@settings(max_examples=100_000, deadline=None, database=None)
@given(st.binary(max_size=120))
def test_fuzz_100k(spec: bytes) -> None:
    _fuzz(spec)


def test_in_place_feeding_gives_the_same_frames_as_feed() -> None:
    """pending_space()/commit() (asyncio's buffered protocol) cuts the same frames."""
    wire = encode_frame(FrameType.DATA, bytes(range(256)) * 300) + encode_frame(
        FrameType.END, b"")
    decoder = FrameDecoder()
    got = decoder.feed(wire[:10])
    assert decoder.pending_space() is not None and not got
    pos = 10
    while pos < len(wire):
        space = decoder.pending_space()
        if space is None:
            got += decoder.feed(wire[pos:])
            break
        n = min(len(space), 5000, len(wire) - pos)
        space[:n] = wire[pos : pos + n]
        space.release()
        got += decoder.commit(n)
        pos += n
    assert got == [Frame(FrameType.DATA, bytes(range(256)) * 300), Frame(FrameType.END, b"")]
    assert decoder.at_boundary


def test_in_place_feeding_rejects_a_bad_header_at_once() -> None:
    decoder = FrameDecoder()
    decoder.feed(struct.pack(">I", 1000))
    space = decoder.pending_space()
    assert space is not None
    space[:2] = bytes((9, 1))
    space.release()
    with pytest.raises(DecodeError, match="version"):
        decoder.commit(2)
    with pytest.raises(DecodeError):
        decoder.feed(b"x")
