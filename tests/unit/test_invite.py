"""Invite codes and invite-exchange messages: golden vectors, round trips, and
rejection of mistyped, truncated and hostile input (always DecodeError)."""

from __future__ import annotations

import contextlib
import ipaddress
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core import cbor
from samizdat.core import invite as inv
from samizdat.core.address import parse_hostport
from samizdat.errors import DecodeError

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "invite.json").read_text())


@pytest.mark.parametrize("v", VECTORS["valid"], ids=lambda v: v["name"])
def test_valid_vectors_decode_and_reencode(v: dict[str, object]) -> None:
    got = inv.decode_invite(str(v["code"]))
    assert got.key_hash.hex() == v["key_hash"]
    assert got.secret.hex() == v["secret"]
    assert got.expires == v["expires"]
    assert got.address == v["address"]
    assert inv.encode_invite(got) == v["code"]


@pytest.mark.parametrize("v", VECTORS["reject"], ids=lambda v: v["name"])
def test_reject_vectors(v: dict[str, str]) -> None:
    with pytest.raises(DecodeError):
        inv.decode_invite(v["code"])


def test_typing_is_forgiven_case_spaces_dashes() -> None:
    code = VECTORS["valid"][0]["code"]
    body = code[5:]
    messy = "SZI1-" + " ".join(body[i:i + 5] for i in range(0, len(body), 5)).upper()
    assert inv.decode_invite(messy) == inv.decode_invite(code)
    grouped = "szi1-" + "-".join(body[i:i + 4] for i in range(0, len(body), 4))
    assert inv.decode_invite(grouped) == inv.decode_invite(code)


def test_secret_is_not_in_repr() -> None:
    got = inv.decode_invite(VECTORS["valid"][0]["code"])
    assert got.secret.hex() not in repr(got) and repr(got.secret) not in repr(got)


def test_codes_are_short() -> None:
    # an onion invite: 121 characters since the check grew to the 4 bytes every
    # samizdat code carries (docs/spec/codes.md)
    assert max(len(v["code"]) for v in VECTORS["valid"]) <= 125
    assert len(VECTORS["valid"][0]["code"]) <= 80  # an IPv4 invite


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)
dns_names = st.lists(_label, min_size=1, max_size=8).map(".".join).filter(
    lambda name: len(name) <= 253 and not name.endswith(".onion")
) | st.integers(84, 253).map(lambda n: "a" * n)  # longer than any example before 84
hosts = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
    st.binary(min_size=32, max_size=32).map(inv.onion_address),
    dns_names,
)


@given(
    key_hash=st.binary(min_size=16, max_size=16),
    secret=st.binary(min_size=12, max_size=12),
    expires=st.integers(0, 2**32 - 1),
    host=hosts,
    port=st.integers(1, 65535),
)
def test_round_trip(key_hash: bytes, secret: bytes, expires: int, host: str, port: int) -> None:
    invite = inv.Invite(key_hash, f"{host}:{port}", expires, secret)
    back = inv.decode_invite(inv.encode_invite(invite))
    assert back == invite  # the host too, not only the port
    assert back.address == f"{host}:{port}"


@given(host=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1,
                    max_size=254) | st.sampled_from(["a/b", "a@b", "x" * 253, "x" * 254]),
       port=st.integers(1, 65535))
def test_an_address_the_encoder_takes_decodes_to_itself(host: str, port: int) -> None:
    """Encoder and decoder agree on which hosts an invite can carry: a code made is
    a code accepted (a host with '/' was once encoded into a code decode_invite
    refused)."""
    invite = inv.Invite(b"k" * 16, f"{host}:{port}", 1, b"s" * 12)
    try:
        code = inv.encode_invite(invite)
    except DecodeError:
        return
    back = inv.decode_invite(code)  # raised DecodeError for "a/b" before the fix
    assert inv.encode_invite(back) == code
    got_host, got_port = parse_hostport(back.address)
    assert got_port == port
    with contextlib.suppress(ValueError):  # an IP literal comes back in canonical form
        ipaddress.ip_address(got_host)
        return
    assert got_host == host.strip()


@given(st.data())
def test_any_single_character_change_or_truncation_is_rejected_or_differs(
    data: st.DataObject,
) -> None:
    code = data.draw(st.sampled_from([v["code"] for v in VECTORS["valid"]]))
    original = inv.decode_invite(code)
    i = data.draw(st.integers(4, len(code) - 1))
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    c = data.draw(st.sampled_from(alphabet).filter(lambda ch: ch != code[i]))
    for mutated in (code[:i] + c + code[i + 1:], code[:i]):
        try:
            got = inv.decode_invite(mutated)
        except DecodeError:
            continue
        # the 16-bit check lets about 1 in 65536 typos through, as another invite;
        # only the last character's unused padding bits may change nothing
        assert got != original or (len(mutated) == len(code) and i == len(code) - 1)


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    with contextlib.suppress(DecodeError):
        inv.decode_invite(text)


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_arbitrary_messages_never_crash(data: bytes) -> None:
    for decode in (inv.decode_accept, inv.decode_reply):
        with contextlib.suppress(DecodeError):
            decode(data)


def test_exchange_messages_round_trip_and_reject_extras() -> None:
    msg = inv.accept_message(b"s" * 12, b"c" * 200, "127.0.0.1:9")
    assert inv.decode_accept(msg) == (b"s" * 12, b"c" * 200, "127.0.0.1:9")
    assert inv.decode_reply(inv.reply_message(True, b"c" * 10, "")) == (b"c" * 10, "")
    assert inv.decode_reply(inv.reply_message(False)) is None
    extra = cbor.encode({"v": 1, "t": "accept", "secret": b"s" * 12, "cert": b"c",
                         "addr": "", "more": 1})
    with pytest.raises(DecodeError):
        inv.decode_accept(extra)
    with pytest.raises(DecodeError):
        inv.decode_accept(inv.accept_message(b"s" * 11, b"c", ""))
    with pytest.raises(DecodeError):
        inv.decode_accept(inv.accept_message(b"s" * 12, b"c", "no port"))
    with pytest.raises(DecodeError):
        inv.decode_accept(b"\xa0" * 5000)


def test_onion_addresses_round_trip_and_reject_bad_checksums() -> None:
    key = bytes(range(32))
    host = inv.onion_address(key)
    assert inv.onion_key(host) == key
    bad = ("b" if host[0] != "b" else "c") + host[1:]
    with pytest.raises(DecodeError):
        inv.onion_key(bad)
