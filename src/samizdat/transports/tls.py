"""Pinned TLS 1.3 between contacts, from the standard library's ``ssl``.

Each node has one Ed25519 *transport key* (separate from every author and committee
key). From it :func:`samizdat.core.crypto.transport_certificate` makes a self-signed
certificate that is a pure function of the key, so a contact pins it byte for byte.

How the pinning is done with what ``ssl`` offers (it has no verify callback):

* The **server** context asks for a client certificate (``CERT_OPTIONAL``) and trusts
  exactly the certificates of the current contacts, each as its own trust anchor. A
  stranger's or a removed contact's certificate fails verification *inside the TLS
  handshake*: the connection dies with an alert before one application byte is read.
  The node builds a fresh server context whenever its contact list changes.
* A client that presents **no** certificate is only an invite acceptor. It must send
  the SNI name :data:`INVITE_SNI`; the server's SNI callback refuses the handshake when
  no invite is pending. After such a handshake the node reads exactly one bounded
  invite frame under a deadline (see ``docs/spec/invite.md``) and nothing else.
* The **client** context trusts only the one certificate it pins (the contact's, or,
  when accepting an invite, none: it then checks the server's key against the key in
  the invite right after the handshake, before it sends anything).
* :func:`peer_transport_key` re-checks the peer's key against the pin after every
  handshake: belt and braces over OpenSSL's chain logic.

Only TLS 1.3 is allowed, so every session is forward secret (ephemeral ECDHE) and the
certificates travel encrypted: a network observer does not see who talks to whom by
key. Hostnames are not checked; names mean nothing here, keys do.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from samizdat.core.crypto import (
    ED25519_PUBLIC_BYTES,
    SecretBytes,
    certificate_ed25519_key,
    constant_time_equal,
    ed25519_public_key,
    transport_certificate,
)
from samizdat.errors import CryptoError, ProtocolError

__all__ = [
    "CONTACT_SNI",
    "INVITE_SNI",
    "TransportIdentity",
    "client_context",
    "invite_client_context",
    "peer_transport_key",
    "server_context",
]

INVITE_SNI = "invite.samizdat.invalid"
"""SNI name an invite acceptor sends (it has no pinned place yet on the inviter)."""

CONTACT_SNI = "contact.samizdat.invalid"
"""SNI name a contact sends; constant, so SNI reveals nothing about who connects."""


@dataclass(frozen=True)
class TransportIdentity:
    """This node's transport key and the certificate made from it."""

    seed: SecretBytes = field(repr=False)
    public_key: bytes
    certificate: bytes = field(repr=False)
    _key_pem: SecretBytes = field(repr=False)

    @classmethod
    def from_seed(cls, seed: bytes | SecretBytes) -> TransportIdentity:
        raw = seed.reveal() if isinstance(seed, SecretBytes) else seed
        cert, key_pem = transport_certificate(raw)
        return cls(SecretBytes(raw, "transport key"), ed25519_public_key(raw), cert, key_pem)

    def load_into(self, ctx: ssl.SSLContext) -> None:
        """Load the certificate and key into ``ctx`` without leaving the key on disk.

        ``ssl`` only loads keys from paths, so the PEM goes into an anonymous memory
        file (``memfd``) that is never linked into the file system; where that does not
        exist, into a private temporary directory removed at once.
        """
        cert_pem = ssl.DER_cert_to_PEM_cert(self.certificate).encode("ascii")
        with _secret_path(self._key_pem.reveal() + cert_pem) as path:
            ctx.load_cert_chain(certfile=path, keyfile=path)


@contextlib.contextmanager
def _secret_path(data: bytes) -> Iterator[str]:
    memfd = getattr(os, "memfd_create", None)
    if memfd is not None:
        fd = memfd("samizdat-tls", getattr(os, "MFD_CLOEXEC", 0))
        try:
            os.write(fd, data)
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    with tempfile.TemporaryDirectory(prefix="samizdat-tls-") as tmp:  # pragma: no cover
        path = Path(tmp) / "key.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        yield str(path)


def _base_context(purpose: int) -> ssl.SSLContext:
    ctx = ssl.SSLContext(
        ssl.PROTOCOL_TLS_SERVER if purpose == ssl.PROTOCOL_TLS_SERVER else ssl.PROTOCOL_TLS_CLIENT
    )
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    # no session tickets: a resumed session would skip the certificate check
    ctx.options |= ssl.OP_NO_TICKET
    return ctx


def _trust(ctx: ssl.SSLContext, certificates: Iterable[bytes]) -> int:
    count = 0
    for der in certificates:
        ctx.load_verify_locations(cadata=der)
        count += 1
    return count


def server_context(
    identity: TransportIdentity,
    contact_certificates: Iterable[bytes],
    *,
    invites_open: Callable[[], bool] = lambda: False,
) -> ssl.SSLContext:
    """The listener's context: contacts' certificates are the only trust anchors.

    ``invites_open`` is asked during each handshake that names :data:`INVITE_SNI`;
    when it answers no, the handshake is refused with an alert.
    """
    ctx = _base_context(ssl.PROTOCOL_TLS_SERVER)
    identity.load_into(ctx)
    trusted = _trust(ctx, contact_certificates)
    # CERT_OPTIONAL: a certificate, if sent, must chain to a contact; none at all is
    # the invite path. With no contacts at all, OpenSSL still refuses any certificate.
    ctx.verify_mode = ssl.CERT_OPTIONAL
    del trusted

    def on_sni(sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> int | None:
        if name == INVITE_SNI and not invites_open():
            return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
        if name not in (INVITE_SNI, CONTACT_SNI):
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        return None

    ctx.sni_callback = on_sni
    return ctx


def client_context(identity: TransportIdentity, contact_certificate: bytes) -> ssl.SSLContext:
    """A dialer's context for one contact: trusts that contact's certificate only and
    presents ours. Use ``server_hostname=CONTACT_SNI``."""
    ctx = _base_context(ssl.PROTOCOL_TLS_CLIENT)
    identity.load_into(ctx)
    _trust(ctx, [contact_certificate])
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def invite_client_context() -> ssl.SSLContext:
    """The acceptor's context when answering an invite: it presents no certificate and
    cannot verify the inviter's by chain (it only knows the inviter's *key*), so the
    caller must call :func:`peer_transport_key` with the invite's key before sending
    a byte. Use ``server_hostname=INVITE_SNI``."""
    ctx = _base_context(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def peer_certificate(ssl_object: ssl.SSLObject | ssl.SSLSocket) -> bytes | None:
    """The peer's certificate (DER) from a finished handshake, or None if it sent none."""
    return ssl_object.getpeercert(binary_form=True)


def peer_transport_key(
    ssl_object: ssl.SSLObject | ssl.SSLSocket, expected: bytes | None = None
) -> bytes:
    """The peer's verified Ed25519 transport key; with ``expected``, it must be that one.

    Raises :class:`ProtocolError` if the peer sent no certificate, a malformed one, or
    one for another key.
    """
    der = peer_certificate(ssl_object)
    if der is None:
        raise ProtocolError("the peer presented no certificate")
    if ssl_object.version() != "TLSv1.3":
        raise ProtocolError("the peer did not speak TLS 1.3")
    try:
        key = certificate_ed25519_key(der)
    except CryptoError as exc:
        raise ProtocolError("the peer's certificate is not a samizdat transport key") from exc
    if expected is not None and (
        len(expected) != ED25519_PUBLIC_BYTES or not constant_time_equal(key, expected)
    ):
        raise ProtocolError("the peer is not the contact it was expected to be")
    return key
