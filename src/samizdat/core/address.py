"""``HOST:PORT``: the one parser of network addresses (pure: no I/O, no lookups).

Every address samizdat is given goes through :func:`parse_hostport`: a listen
address, a contact's, an invite's, an SMTP or IMAP server, Tor's SOCKS and control
ports. Accepted::

    name:port      example.org:587, пример.рф:25 (not ASCII: only where the
                   caller allows it; an invite carries ASCII names)
    ipv4:port      127.0.0.1:9050
    [ipv6]:port    [::1]:2525 (the brackets are required with a port)
    name, [ipv6]   only when the caller gives a default port

The port is 1 to 65535 in ASCII digits (0, "any free port", only for listening).
A host holds no space, control character, ``/``, ``@``, ``[``, ``]`` or ``:``.
Anything else raises :class:`~samizdat.errors.AddressError`, one type for every
caller; its message repeats no more than 60 characters of the input.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from samizdat.errors import AddressError

__all__ = ["MAX_ADDRESS_CHARS", "format_hostport", "is_invite_host", "parse_hostport"]

MAX_ADDRESS_CHARS: Final = 300
"""Longer input is refused before any work (a DNS name is at most 253 characters)."""

_FORM: Final = re.compile(
    r"\[(?P<v6>[0-9A-Fa-f:.]+)\](?::(?P<p6>[0-9]+))?"
    r"|(?P<host>[^\s\x00-\x1f\x7f/@\[\]:]+)(?::(?P<port>[0-9]+))?"
)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def parse_hostport(
    text: str, default_port: int | None = None, *, allow_zero: bool = False
) -> tuple[str, int]:
    """``(host, port)`` of ``text``; an IPv6 host is returned without brackets."""
    if not isinstance(text, str) or len(text) > MAX_ADDRESS_CHARS:
        raise AddressError("an address is HOST:PORT, at most 300 characters")
    value = text.strip()
    match = _FORM.fullmatch(value)
    if match is None:
        hint = ("put an IPv6 address in brackets: [::1]:PORT"
                if value.count(":") > 1 and "[" not in value else None)
        raise AddressError(f"not HOST:PORT: {_shown(value)}", hint=hint)
    host = match["v6"] or match["host"]
    port_text = match["p6"] or match["port"]
    if match["v6"] is not None:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise AddressError(f"not an IPv6 address: {_shown(host)}") from None
    if port_text is None:
        if default_port is None:
            raise AddressError(f"no port in {_shown(value)}", hint="write it as HOST:PORT")
        port = default_port
    elif len(port_text) > 5:
        raise AddressError(f"port out of range in {_shown(value)}")
    else:
        port = int(port_text)
    if not (0 if allow_zero else 1) <= port <= 65535:
        raise AddressError(f"port out of range: {port}",
                           hint="a port is 1 to 65535" + (" (0: any)" if allow_zero else ""))
    return host, port


def format_hostport(host: str, port: int) -> str:
    """The text :func:`parse_hostport` reads back as ``(host, port)``."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_invite_host(name: str) -> bool:
    """Whether a DNS name can travel in an invite code (``docs/spec/invite.md``):
    1 to 253 printable ASCII characters, none of them ``[ ] : /`` (nor ``@``, which
    no address holds)."""
    return (0 < len(name) <= 253 and name.isascii()
            and all(0x21 <= ord(c) < 0x7F and c not in "[]:/@" for c in name))
