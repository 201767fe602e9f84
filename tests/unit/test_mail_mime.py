"""The mail transport's message building and bounded parsing, without servers."""

from __future__ import annotations

import contextlib
import os
import random
from email import message_from_bytes
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.errors import DecodeError, InputError, UsageError
from samizdat.transports import mail


def _rng(seed: int) -> mail.Rng:
    gen = random.Random(seed)
    return lambda n: gen.randbytes(n)


def _build(payload: bytes, **kw: object) -> bytes:
    return mail.build_message(payload, sender="anna@example.org", to="boris@example.net",
                              rng=os.urandom, now=1_700_000_000.0, **kw).raw  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=5000))
def test_any_attachment_round_trips(payload: bytes) -> None:
    found, oversized = mail.extract_attachments(_build(payload), mail.Limits())
    assert found == [payload] and oversized == 0


def test_message_is_standard_and_carries_nothing_samizdat_specific() -> None:
    raw = mail.build_message(b"\x00" * 100, sender="Anna <anna@example.org>",
                             to="boris@example.net", rng=_rng(1), now=1_700_000_000.0)
    msg = message_from_bytes(raw.raw)
    assert msg.get_content_type() == "multipart/mixed"
    assert b"samizdat" not in raw.raw.lower()
    assert not [k for k in msg if k.lower().startswith("x-")]
    parts = [p for p in msg.walk() if not p.is_multipart()]
    assert [p.get_content_type() for p in parts] == ["text/plain", "application/octet-stream"]
    assert parts[1].get_filename() in mail._FILENAMES
    assert raw.message_id.endswith("@example.org>")
    assert msg["Message-ID"] == raw.message_id
    assert b"\r\n" in raw.raw and b"\n" not in raw.raw.replace(b"\r\n", b"")


def test_the_rng_decides_the_wording_so_messages_differ() -> None:
    a = message_from_bytes(mail.build_message(b"x", sender="a@example.org",
                                              to="b@example.org", rng=_rng(1), now=0.0).raw)
    subjects = {
        message_from_bytes(mail.build_message(b"x", sender="a@example.org", to="b@example.org",
                                              rng=_rng(seed), now=0.0).raw)["Subject"]
        for seed in range(40)
    }
    assert a["Subject"] in subjects and len(subjects) > 3


@pytest.mark.parametrize("addr", ["nobody", "a@b c", "x@example.org\r\nBcc: y@example.org"])
def test_bad_addresses_are_usage_errors(addr: str) -> None:
    with pytest.raises(UsageError):
        mail.build_message(b"x", sender="a@example.org", to=addr, rng=os.urandom, now=0.0)


@pytest.mark.parametrize("field", ["subject", "filename"])
def test_line_breaks_cannot_inject_headers(field: str) -> None:
    with pytest.raises(UsageError):
        mail.build_message(b"x", sender="a@example.org", to="b@example.org", rng=os.urandom,
                           now=0.0, **{field: "hello\r\nBcc: spy@example.org"})


def test_text_only_mail_has_no_candidates() -> None:
    raw = b"From: a@example.org\r\nSubject: hi\r\n\r\nJust text.\r\n"
    assert mail.extract_attachments(raw, mail.Limits()) == ([], 0)


def test_attachment_over_the_cap_is_counted_not_returned() -> None:
    raw = _build(os.urandom(5000))
    found, oversized = mail.extract_attachments(raw, mail.Limits(max_attachment=4000))
    assert found == [] and oversized == 1


def test_message_over_the_cap_is_rejected() -> None:
    with pytest.raises(DecodeError):
        mail.extract_attachments(_build(os.urandom(5000)), mail.Limits(max_message=1000))


def _nested(depth: int) -> bytes:
    head = b"From: a@example.org\r\n"
    body = b"Content-Type: application/octet-stream\r\n\r\nAAAA\r\n"
    for i in range(depth):
        b = f"b{i}".encode()
        body = (b"Content-Type: multipart/mixed; boundary=" + b + b"\r\n\r\n--" + b + b"\r\n"
                + body + b"--" + b + b"--\r\n")
    return head + body


def test_deep_nesting_is_malformed_not_a_crash() -> None:
    assert mail.extract_attachments(_nested(3), mail.Limits())[0] == [b"AAAA"]
    with pytest.raises(DecodeError):
        mail.extract_attachments(_nested(40), mail.Limits())


def test_too_many_parts_is_malformed() -> None:
    parts = b"".join(
        b"--B\r\nContent-Type: application/octet-stream\r\n\r\nAAAA\r\n" for _ in range(100)
    )
    raw = b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + parts
    with pytest.raises(DecodeError):
        mail.extract_attachments(raw + b"--B--\r\n", mail.Limits())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    try:
        found, _ = mail.extract_attachments(raw, mail.Limits())
    except DecodeError:
        return
    assert all(isinstance(f, bytes) for f in found)


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=2000), st.integers(0, 10_000), st.integers(0, 255))
def test_corrupted_messages_never_crash(payload: bytes, where: int, byte: int) -> None:
    raw = bytearray(_build(payload))
    raw[where % len(raw)] = byte
    with contextlib.suppress(DecodeError):
        mail.extract_attachments(bytes(raw[: where % len(raw) + 50]), mail.Limits())


# --------------------------------------------------------------- files and mboxes


def test_mbox_reader_splits_unquotes_and_skips_the_oversized(tmp_path: Path) -> None:
    small = _build(b"first")
    big = _build(os.urandom(20_000))
    quoted = b"From: a@example.org\n\n>From the start\nbody\n"
    box = tmp_path / "in.mbox"
    box.write_bytes(
        b"From a@example.org Mon Jan  1 00:00:00 2024\n" + small.replace(b"\r\n", b"\n") + b"\n"
        + b"From b@example.org Mon Jan  1 00:00:00 2024\n" + big.replace(b"\r\n", b"\n") + b"\n"
        + b"From c@example.org Mon Jan  1 00:00:00 2024\n" + quoted + b"\n"
    )
    items = list(mail.read_mbox(box, mail.Limits(max_message=10_000)))
    assert [i.reason for i in items] == [None, "too_large", None]
    assert items[0].raw is not None
    assert mail.extract_attachments(items[0].raw, mail.Limits())[0] == [b"first"]
    assert items[2].raw == quoted.replace(b">From", b"From")


def test_mbox_written_by_the_stdlib_is_read(tmp_path: Path) -> None:
    import mailbox

    path = tmp_path / "std.mbox"
    box = mailbox.mbox(str(path))
    payloads = [os.urandom(300) for _ in range(3)]
    for p in payloads:
        box.add(message_from_bytes(_build(p)))
    box.flush()
    box.close()
    items = list(mail.read_mbox(path, mail.Limits()))
    got = [mail.extract_attachments(i.raw or b"", mail.Limits())[0] for i in items]
    assert got == [[p] for p in payloads]


def test_eml_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "one.eml").write_bytes(_build(b"1"))
    (tmp_path / "d" / "two.eml").write_bytes(_build(os.urandom(9000)))
    (tmp_path / "three.eml").write_bytes(_build(b"3"))
    items = list(mail.read_eml([tmp_path / "d", tmp_path / "three.eml", tmp_path / "gone.eml"],
                               mail.Limits(max_message=8000)))
    assert [(i.where, i.reason) for i in items] == [
        ("one.eml", None), ("two.eml", "too_large"), ("three.eml", None),
        ("gone.eml", "unreadable"),
    ]


def test_maildir_reader_needs_a_maildir(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        list(mail.read_maildir(tmp_path, mail.Limits()))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mail.example.org:587", ("mail.example.org", 587)), ("127.0.0.1", ("127.0.0.1", 25)),
     ("[::1]:2525", ("::1", 2525))],
)
def test_hostport(text: str, expected: tuple[str, int]) -> None:
    assert mail.parse_hostport(text, 25) == expected


@pytest.mark.parametrize("text", ["", "a:b", "host:0", "host:70000", "a b:25"])
def test_bad_hostport(text: str) -> None:
    with pytest.raises(UsageError):
        mail.parse_hostport(text, 25)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=800), min_size=1, max_size=4))
def test_any_mbox_the_stdlib_writes_reads_back(tmp_path_factory: pytest.TempPathFactory,
                                               payloads: list[bytes]) -> None:
    import mailbox

    path = tmp_path_factory.mktemp("mbox") / "box.mbox"
    box = mailbox.mbox(str(path))
    for p in payloads:
        box.add(message_from_bytes(_build(p)))
    box.flush()
    box.close()
    items = list(mail.read_mbox(path, mail.Limits()))
    assert [mail.extract_attachments(i.raw or b"", mail.Limits())[0] for i in items] == [
        [p] for p in payloads
    ]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_mbox_bytes_never_crash(tmp_path_factory: pytest.TempPathFactory,
                                          data: bytes) -> None:
    path = tmp_path_factory.mktemp("junk") / "junk.mbox"
    path.write_bytes(b"From x\n" + data)
    for item in mail.read_mbox(path, mail.Limits(max_message=2000)):
        assert (item.raw is None) == (item.reason == "too_large")
        if item.raw is not None:
            assert len(item.raw) <= 2000


def test_imap_client_refuses_a_literal_larger_than_the_cap() -> None:
    """A server announcing a huge literal ({n}) must not make imaplib allocate it.
    The client object is made without connecting (no server here sends such a
    thing); read() is the method imaplib calls with the announced size."""
    import imaplib

    client = object.__new__(mail._BoundedIMAP4)
    client.max_literal = 1000
    with pytest.raises(imaplib.IMAP4.error):
        client.read(10**10)


def test_a_copy_forwarded_as_an_attached_message_is_found() -> None:
    from email.mime.message import MIMEMessage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    payload = os.urandom(500)
    outer = MIMEMultipart()
    outer.attach(MIMEText("see the forwarded mail"))
    outer.attach(MIMEMessage(message_from_bytes(_build(payload))))
    assert mail.extract_attachments(outer.as_bytes(), mail.Limits()) == ([payload], 0)
