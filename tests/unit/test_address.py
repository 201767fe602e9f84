"""The one ``HOST:PORT`` parser (``core/address.py``): what it takes, what it
refuses (always :class:`AddressError`), and that the transports use it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samizdat.core.address import format_hostport, parse_hostport
from samizdat.errors import AddressError, UsageError


@pytest.mark.parametrize(("text", "expected"), [
    ("example.org:587", ("example.org", 587)),
    ("127.0.0.1:9050", ("127.0.0.1", 9050)),
    ("[::1]:2525", ("::1", 2525)),
    ("[2001:db8::7]:1", ("2001:db8::7", 1)),
    (" host:65535 ", ("host", 65535)),
    ("пример.рф:25", ("пример.рф", 25)),  # a mail server's IDN name
    ("مثال.ایران:25", ("مثال.ایران", 25)),
    ("例子.中国:25", ("例子.中国", 25)),
    ("abc.onion:443", ("abc.onion", 443)),
])
def test_takes(text: str, expected: tuple[str, int]) -> None:
    assert parse_hostport(text) == expected


@pytest.mark.parametrize("text", [
    "", ":", "host", "host:", ":80", "::1:80", "[::1]80", "[zz::]:1", "[::1", "a:b",
    "a b:1", "a/b:1", "user@host:1", "host:0", "host:65536", "host:000080",
    "host:٣", "host:²", "host:-1", "ho\x00st:1", "host:1:2", "a" * 301 + ":1",
])
def test_refuses_with_one_error_type(text: str) -> None:
    with pytest.raises(AddressError) as info:
        parse_hostport(text)
    # one type that the CLI shows as a usage error and older callers catch as ValueError
    assert isinstance(info.value, UsageError) and isinstance(info.value, ValueError)
    assert len(info.value.one_line()) < 200


def test_default_port_and_port_zero() -> None:
    assert parse_hostport("mail.example.org", 25) == ("mail.example.org", 25)
    assert parse_hostport("[::1]", 143) == ("::1", 143)
    with pytest.raises(AddressError):
        parse_hostport("127.0.0.1:0")
    assert parse_hostport("127.0.0.1:0", allow_zero=True) == ("127.0.0.1", 0)


def test_ipv6_without_brackets_says_how() -> None:
    with pytest.raises(AddressError) as info:
        parse_hostport("::1:8080")
    assert "[::1]:PORT" in (info.value.hint or "")


@given(st.ip_addresses().map(str) | st.from_regex(r"[a-z0-9.-]{1,60}", fullmatch=True),
       st.integers(1, 65535))
def test_format_reads_back(host: str, port: int) -> None:
    assert parse_hostport(format_hostport(host, port)) == (host, port)


def test_the_transports_have_no_parser_of_their_own() -> None:
    from samizdat.transports import mail, tcp

    assert mail.parse_hostport is parse_hostport
    assert tcp.parse_hostport is parse_hostport
