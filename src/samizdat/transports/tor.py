"""Tor: an ephemeral v3 onion service for the node, and SOCKS5 out through Tor.

The node keeps listening on loopback exactly as over TCP; Tor maps the onion
service's virtual port to that listener. Dialing a contact's ``xxx.onion:port`` goes
through Tor's SocksPort with the tiny SOCKS5 client below (RFC 1928, CONNECT with a
domain name so that Tor, not we, resolves the onion address), and the resulting stream
is upgraded to the same pinned TLS 1.3 as on TCP. TLS inside Tor is not redundant: the
onion address authenticates the *host*, the pinned certificate authenticates the
*contact*, and only the latter is refused in the handshake when the contact is removed.

``stem`` is an optional part (``samizdat[tor]``); it is imported only when an onion
service is actually started. stem is synchronous, so its calls run in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct
from dataclasses import dataclass, field
from typing import Any

from samizdat.core.crypto import SecretBytes
from samizdat.errors import MissingExtra, NetworkError

__all__ = [
    "OnionService",
    "is_onion",
    "socks5_connect",
    "start_onion_service",
]

SOCKS_TIMEOUT = 120.0

_SOCKS_REPLIES = {
    1: "general failure",
    2: "not allowed",
    3: "network unreachable",
    4: "host unreachable",
    5: "connection refused",
    6: "TTL expired",
    7: "command not supported",
    8: "address type not supported",
}


def is_onion(host: str) -> bool:
    """True for a v3 onion host name (56 base32 characters + ``.onion``)."""
    label = host.lower().removesuffix(".onion")
    return host.lower().endswith(".onion") and len(label) == 56 and label.isalnum()


async def socks5_connect(
    socks_host: str,
    socks_port: int,
    host: str,
    port: int,
    *,
    timeout: float = SOCKS_TIMEOUT,
    isolation: str | None = None,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A plain stream to ``host:port`` through a SOCKS5 proxy (Tor's SocksPort).

    ``isolation``, if given, is sent as the SOCKS username so that Tor puts streams
    with different values on different circuits (IsolateSOCKSAuth is on by default).
    """
    if len(host.encode()) > 255 or not 0 < port < 65536:
        raise NetworkError("the address cannot be reached through SOCKS")
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(socks_host, socks_port)
            try:
                if isolation:
                    user = isolation.encode()[:255]
                    writer.write(b"\x05\x01\x02")
                    method = await reader.readexactly(2)
                    if method != b"\x05\x02":
                        raise NetworkError("the SOCKS proxy refused our method")
                    writer.write(b"\x01" + bytes([len(user)]) + user + b"\x01x")
                    if (await reader.readexactly(2))[1] != 0:
                        raise NetworkError("the SOCKS proxy refused the stream")
                else:
                    writer.write(b"\x05\x01\x00")
                    if await reader.readexactly(2) != b"\x05\x00":
                        raise NetworkError("the SOCKS proxy refused our method")
                try:
                    ip = ipaddress.ip_address(host)
                    addr = (b"\x01" if ip.version == 4 else b"\x04") + ip.packed
                except ValueError:
                    name = host.encode("ascii")
                    addr = b"\x03" + bytes([len(name)]) + name
                writer.write(b"\x05\x01\x00" + addr + struct.pack(">H", port))
                head = await reader.readexactly(4)
                if head[0] != 5 or head[1] != 0:
                    reason = _SOCKS_REPLIES.get(head[1], "unknown error")
                    raise NetworkError(f"Tor could not connect: {reason}")
                atyp = head[3]
                if atyp == 1:
                    await reader.readexactly(4 + 2)
                elif atyp == 4:
                    await reader.readexactly(16 + 2)
                elif atyp == 3:
                    n = (await reader.readexactly(1))[0]
                    await reader.readexactly(n + 2)
                else:
                    raise NetworkError("the SOCKS proxy sent a malformed reply")
            except BaseException:
                writer.transport.abort()
                raise
    except TimeoutError as exc:
        raise NetworkError("Tor did not connect in time") from exc
    except asyncio.IncompleteReadError as exc:
        raise NetworkError("the SOCKS proxy closed the connection") from exc
    except OSError as exc:
        raise NetworkError("Tor's SOCKS port could not be reached") from exc
    return reader, writer


@dataclass
class OnionService:
    """A running ephemeral onion service; ``key`` lets the node keep its address."""

    address: str  # "xxxx.onion"
    virtual_port: int
    key: SecretBytes = field(repr=False)
    _controller: Any = field(repr=False)

    def close(self) -> None:
        """Remove the service from Tor and close the control connection."""
        # tor may already be gone; there is nothing to undo then
        with contextlib.suppress(Exception):
            self._controller.remove_ephemeral_hidden_service(self.address.removesuffix(".onion"))
        self._controller.close()


def _start_sync(
    control_host: str,
    control_port: int,
    virtual_port: int,
    target_port: int,
    key: SecretBytes | None,
    timeout: float,
) -> OnionService:
    try:
        from stem import SocketError
        from stem.control import Controller
    except ImportError as exc:  # pragma: no cover - stem is in samizdat[tor]
        raise MissingExtra("running the node over Tor", "tor") from exc
    try:
        controller = Controller.from_port(address=control_host, port=control_port)
        controller.authenticate()
    except (SocketError, OSError) as exc:
        raise NetworkError(
            "Tor's control port could not be reached",
            hint="is tor running with ControlPort and CookieAuthentication?",
        ) from exc
    except Exception as exc:
        raise NetworkError("Tor refused us on its control port") from exc
    try:
        if key is None:
            key_type, key_content = "NEW", "ED25519-V3"
        else:
            key_type, key_content = "ED25519-V3", key.reveal().decode("ascii")
        response = controller.create_ephemeral_hidden_service(
            {virtual_port: f"127.0.0.1:{target_port}"},
            key_type=key_type,
            key_content=key_content,
            await_publication=True,
            timeout=timeout,
        )
    except Exception as exc:
        controller.close()
        raise NetworkError("Tor could not publish the onion service") from exc
    if response.private_key:
        new_key = SecretBytes(response.private_key.encode("ascii"), "onion key")
    elif key is not None:
        new_key = key
    else:  # pragma: no cover - tor always returns a NEW key
        controller.close()
        raise NetworkError("Tor did not return the onion service's key")
    return OnionService(f"{response.service_id}.onion", virtual_port, new_key, controller)


async def start_onion_service(
    control_port: int,
    target_port: int,
    *,
    virtual_port: int = 443,
    key: SecretBytes | None = None,
    control_host: str = "127.0.0.1",
    timeout: float = 120.0,
) -> OnionService:
    """Publish an onion service forwarding ``virtual_port`` to ``127.0.0.1:target_port``.

    With ``key`` (from an earlier :attr:`OnionService.key`) the address stays the same
    across restarts, so contacts can still reach us.
    """
    return await asyncio.to_thread(
        _start_sync, control_host, control_port, virtual_port, target_port, key, timeout
    )
