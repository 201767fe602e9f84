"""Invite codes and the two messages of the invite exchange (pure: no I/O).

An invite is what one person shows another (as text or a QR code) to become
contacts. It carries just enough to reach the inviter once and to know it is the
right node: a commitment to the inviter's transport key, the inviter's address, a
one-time secret and an expiry. The full exchange is specified in
``docs/spec/invite.md``::

    code  = "szi1-" + base32(body || check)         (a samizdat.core.codes code)
    body  = version(0x01) || key_hash[16] || secret[12] || expires(u32 BE, unix s)
            || addr_type(u8) || addr
    addr  = 0x01: IPv4[4] || port(u16)
            0x02: IPv6[16] || port(u16)
            0x03: onion v3 public key[32] || port(u16)
            0x04: len(u8, 1..253) || DNS name (ASCII) || port(u16)
    check = SHA-256("samizdat 2026 invite checksum v1\0" || body)[:4]

``key_hash`` is BLAKE3-128 of the inviter's 32-byte Ed25519 transport key: 128 bits
of second-preimage resistance in 16 bytes instead of 32, so the code stays short.
"""

from __future__ import annotations

import base64
import ipaddress
import struct
from dataclasses import dataclass, field
from typing import Final

from samizdat.core import cbor, codes
from samizdat.core.address import is_invite_host, parse_hostport
from samizdat.core.crypto import blake3_hash, sha3_256
from samizdat.errors import AddressError, DecodeError

__all__ = [
    "INVITE_VERSION",
    "Invite",
    "accept_message",
    "decode_accept",
    "decode_invite",
    "decode_reply",
    "encode_invite",
    "key_hash",
    "onion_address",
    "onion_key",
    "reply_message",
]

INVITE_VERSION: Final = 1
PREFIX: Final = codes.INVITE.prefix
KEY_HASH_BYTES: Final = 16
SECRET_BYTES: Final = 12
MAX_MESSAGE_BYTES: Final = 4096
MAX_ADDRESS_CHARS: Final = 300


def key_hash(public_key: bytes) -> bytes:
    """The 16-byte commitment to a transport key that an invite carries."""
    return blake3_hash(public_key, length=KEY_HASH_BYTES)


# ---------------------------------------------------------------- onion addresses


def onion_address(public_key: bytes) -> str:
    """The v3 onion host name (``...onion``) for a 32-byte service key (rend-spec-v3)."""
    if len(public_key) != 32:
        raise DecodeError("an onion service key is 32 bytes")
    check = sha3_256(b".onion checksum" + public_key + b"\x03")[:2]
    return base64.b32encode(public_key + check + b"\x03").decode().lower() + ".onion"


def onion_key(host: str) -> bytes:
    """The 32-byte service key inside a v3 onion host name, checksum checked."""
    label = host.lower().removesuffix(".onion")
    if len(label) != 56:
        raise DecodeError("not a v3 onion address")
    try:
        raw = base64.b32decode(label.upper())
    except ValueError as exc:
        raise DecodeError("not a v3 onion address") from exc
    key = raw[:32]
    if raw[34] != 3 or onion_address(key) != label + ".onion":
        raise DecodeError("the onion address's checksum is wrong")
    return key


# ------------------------------------------------------------------------ invites


@dataclass(frozen=True)
class Invite:
    """A decoded invite. ``secret`` stays out of ``repr``: it is the one capability."""

    key_hash: bytes
    address: str  # "host:port", "[v6]:port" or "xxx.onion:port"
    expires: int  # unix seconds
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key_hash) != KEY_HASH_BYTES or len(self.secret) != SECRET_BYTES:
            raise DecodeError("invite fields have the wrong length")


def _split_address(address: str) -> tuple[str, int]:
    try:
        return parse_hostport(address)
    except AddressError:
        raise DecodeError("an invite address is HOST:PORT") from None


def _encode_address(address: str) -> bytes:
    host, port = _split_address(address)
    tail = struct.pack(">H", port)
    if host.lower().endswith(".onion"):
        return b"\x03" + onion_key(host) + tail
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        # the decoder's rule, checked here too: a name it would refuse is never encoded
        if not is_invite_host(host):
            raise DecodeError("an invite host name is 1 to 253 printable ASCII characters, "
                              "without [ ] : / or @") from None
        name = host.encode("ascii")
        return b"\x04" + bytes([len(name)]) + name + tail
    return (b"\x01" if ip.version == 4 else b"\x02") + ip.packed + tail


def encode_invite(invite: Invite) -> str:
    """The invite as the short text people type or scan."""
    body = (
        bytes([INVITE_VERSION])
        + invite.key_hash
        + invite.secret
        + struct.pack(">I", invite.expires)
        + _encode_address(invite.address)
    )
    return codes.encode(codes.INVITE, body)


def decode_invite(code: str) -> Invite:
    """Parse an invite code; spaces, dashes after the prefix and case are forgiven.

    Raises :class:`DecodeError` for anything malformed, mistyped or of another
    version, and :class:`~samizdat.errors.WrongCode` for a code of another kind.
    """
    body = codes.decode(codes.INVITE, code)
    pos = 1
    khash = body[pos:pos + KEY_HASH_BYTES]
    pos += KEY_HASH_BYTES
    secret = body[pos:pos + SECRET_BYTES]
    pos += SECRET_BYTES
    (expires,) = struct.unpack(">I", body[pos:pos + 4])
    pos += 4
    kind = body[pos]
    pos += 1
    rest = body[pos:]
    if kind == 1 and len(rest) == 6:
        host = str(ipaddress.IPv4Address(rest[:4]))
    elif kind == 2 and len(rest) == 18:
        host = "[" + str(ipaddress.IPv6Address(rest[:16])) + "]"
    elif kind == 3 and len(rest) == 34:
        host = onion_address(rest[:32])
    elif kind == 4 and rest and 0 < rest[0] <= 253 and len(rest) == 1 + rest[0] + 2:
        name = rest[1:1 + rest[0]]
        host = name.decode("latin-1")
        if not is_invite_host(host):
            raise DecodeError("the invite's host name is not plain ASCII")
    else:
        raise DecodeError("the invite's address is malformed")
    (port,) = struct.unpack(">H", rest[-2:])
    if port == 0:
        raise DecodeError("the invite's port is 0")
    return Invite(khash, f"{host}:{port}", expires, secret)


# ------------------------------------------------------------ exchange messages


def _check_address(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_ADDRESS_CHARS:
        raise DecodeError("an address in the invite exchange is malformed")
    if value:
        _split_address(value)
    return value


def _map(data: bytes, kind: str) -> dict[str | int, cbor.Value]:
    if len(data) > MAX_MESSAGE_BYTES:
        raise DecodeError("invite message too large")
    value = cbor.decode(data, max_depth=2)
    if not isinstance(value, dict) or value.get("v") != INVITE_VERSION or value.get("t") != kind:
        raise DecodeError(f"not an invite {kind} message")
    return value


def accept_message(secret: bytes, certificate: bytes, address: str) -> bytes:
    """Acceptor -> inviter: the one-time secret, the acceptor's certificate and the
    address where it can be reached (empty if none)."""
    return cbor.encode(
        {"v": INVITE_VERSION, "t": "accept", "secret": secret, "cert": certificate,
         "addr": address}
    )


def decode_accept(data: bytes) -> tuple[bytes, bytes, str]:
    """``(secret, certificate, address)`` from an accept message, or DecodeError."""
    m = _map(data, "accept")
    secret, cert = m.get("secret"), m.get("cert")
    if not isinstance(secret, bytes) or len(secret) != SECRET_BYTES:
        raise DecodeError("the accept message's secret is malformed")
    if not isinstance(cert, bytes) or not 0 < len(cert) <= 2048:
        raise DecodeError("the accept message's certificate is malformed")
    if set(m) != {"v", "t", "secret", "cert", "addr"}:
        raise DecodeError("the accept message has unknown fields")
    return secret, cert, _check_address(m.get("addr"))


def reply_message(ok: bool, certificate: bytes = b"", address: str = "") -> bytes:
    """Inviter -> acceptor: ``welcome`` with the inviter's certificate and address, or
    ``refused`` (expired, used or unknown invite: deliberately not told apart)."""
    if not ok:
        return cbor.encode({"v": INVITE_VERSION, "t": "reply", "ok": False})
    return cbor.encode(
        {"v": INVITE_VERSION, "t": "reply", "ok": True, "cert": certificate, "addr": address}
    )


def decode_reply(data: bytes) -> tuple[bytes, str] | None:
    """``(certificate, address)`` from a welcome, ``None`` for a refusal."""
    m = _map(data, "reply")
    if m.get("ok") is False and set(m) == {"v", "t", "ok"}:
        return None
    cert = m.get("cert")
    if m.get("ok") is not True or set(m) != {"v", "t", "ok", "cert", "addr"}:
        raise DecodeError("the invite reply is malformed")
    if not isinstance(cert, bytes) or not 0 < len(cert) <= 2048:
        raise DecodeError("the invite reply's certificate is malformed")
    return cert, _check_address(m.get("addr"))
