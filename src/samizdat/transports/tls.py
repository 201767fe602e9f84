"""Pinned TLS 1.3 between contacts, from the standard library's ``ssl``.

Each node has one Ed25519 *transport key* (separate from every author and committee
key). From it :func:`samizdat.core.crypto.transport_certificate` makes a self-signed
certificate that is a pure function of the key, so a contact pins it byte for byte.

How the pinning is done with what ``ssl`` offers (it has no verify callback):

* The **server** context is built once. Its SNI callback runs on the ClientHello,
  before the server has sent a byte, and admits only names that prove the client is
  a contact or holds an open invite (``protocol/admission.py``: per-pair names from
  the pair's X25519 secret, rotated hourly). Any other name is refused there with an
  alert, so a stranger never receives our certificate (whose key is the fingerprint
  contacts know: sending it to everyone would let a scanner find and follow a node).
  A contact's name switches the connection to a context that trusts exactly that
  contact's certificate; the client certificate is then verified *inside the TLS
  handshake*, and the node re-checks it is that contact's key before reading a byte.
* A client that proves an open invite presents **no** certificate. After such a
  handshake the node reads exactly one bounded invite frame under a deadline (see
  ``docs/spec/invite.md``) and nothing else.
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
    ed25519_pair_key,
    ed25519_public_key,
    transport_certificate,
)
from samizdat.errors import CryptoError, ProtocolError
from samizdat.protocol.admission import (
    Route,
    contact_name,
    epoch_of,
    invite_name,
    names_around,
)

__all__ = [
    "Admit",
    "Directory",
    "TransportIdentity",
    "admitted_route",
    "client_context",
    "contact_sni",
    "fixed_server_context",
    "invite_client_context",
    "invite_name",
    "peer_certificate",
    "peer_transport_key",
    "server_context",
    "sni_secret",
]


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


Admit = Callable[[str | None], Route | None]
"""What the SNI callback asks: which route (contact or invite) this name proves."""

_PINNED_CACHE = 256
"""Per-contact server contexts kept (each trusts one contact's certificate)."""


def server_context(identity: TransportIdentity, admit: Admit) -> ssl.SSLContext:
    """The listener's context. Build it once and reuse it for every connection.

    The SNI callback runs on the ClientHello, before the server has sent anything;
    ``admit(name)`` says what the name proves (``protocol/admission.py``). No route:
    the handshake is refused there with an alert, so a stranger never receives our
    certificate. A contact route switches the connection to a context that trusts
    exactly that contact's certificate; an invite route keeps this context, which
    trusts no certificate at all (the acceptor sends none). The route is recorded on
    the connection: read it with :func:`admitted_route` after the handshake.
    """
    ctx = _base_context(ssl.PROTOCOL_TLS_SERVER)
    identity.load_into(ctx)
    # CERT_OPTIONAL: the invite path has no client certificate; a contact's is then
    # checked against the pinned context's one anchor, and re-checked by key.
    ctx.verify_mode = ssl.CERT_OPTIONAL
    pinned: dict[bytes, ssl.SSLContext] = {}

    def contact_context(certificate: bytes) -> ssl.SSLContext:
        found = pinned.pop(certificate, None)
        if found is None:
            found = _base_context(ssl.PROTOCOL_TLS_SERVER)
            identity.load_into(found)
            _trust(found, [certificate])
            found.verify_mode = ssl.CERT_REQUIRED
            while len(pinned) >= _PINNED_CACHE:
                del pinned[next(iter(pinned))]
        pinned[certificate] = found  # most recently used last
        return found

    def on_sni(sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> int | None:
        route = admit(name)
        if route is None:
            return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
        sock._samizdat_route = route  # type: ignore[attr-defined]
        if route.kind == "contact":
            sock.context = contact_context(route.certificate)
        return None

    ctx.sni_callback = on_sni
    return ctx


def fixed_server_context(
    identity: TransportIdentity, certificates: Iterable[bytes], now: int,
    invite_hashes: Iterable[bytes] = (),
) -> ssl.SSLContext:
    """A server context for a contact list that does not change (tests, benches, a
    one-off listener): the names admitted are those around ``now``."""
    directory = Directory(identity)
    directory.update(
        ((certificate_ed25519_key(c), c) for c in certificates), invite_hashes, now
    )
    return server_context(identity, directory.admit)


def admitted_route(ssl_object: ssl.SSLObject | ssl.SSLSocket) -> Route | None:
    """The route the server's SNI callback admitted this connection by (server side)."""
    route = getattr(ssl_object, "_samizdat_route", None)
    return route if isinstance(route, Route) else None


def sni_secret(identity: TransportIdentity, peer_public: bytes) -> bytes:
    """The secret two contacts share for their SNI names (X25519 of the two keys)."""
    return ed25519_pair_key(identity.seed.reveal(), peer_public, "samizdat sni pair v1")


def contact_sni(identity: TransportIdentity, peer_public: bytes, now: int) -> str:
    """The SNI name to send when dialing the contact with key ``peer_public``."""
    return contact_name(sni_secret(identity, peer_public), epoch_of(now))


class Directory:
    """The names a listener admits right now: :meth:`update` it with the contacts
    and open invites (the node does so when its store or the hour changes) and give
    :meth:`admit` to :func:`server_context`.

    Pair secrets are cached per contact key, so an update costs one X25519 per *new*
    contact and three hashes per contact; :meth:`admit` is one dict lookup.
    """

    def __init__(self, identity: TransportIdentity) -> None:
        self._identity = identity
        self._secrets: dict[bytes, bytes] = {}
        self._names: dict[str, Route] = {}
        self._invites: frozenset[bytes] = frozenset()

    def __repr__(self) -> str:
        return f"<Directory {len(self._names)} names>"

    def update(
        self, contacts: Iterable[tuple[bytes, bytes]], invite_hashes: Iterable[bytes], now: int
    ) -> None:
        """``contacts`` are ``(public_key, certificate)`` pairs."""
        names: dict[str, Route] = {}
        secrets: dict[bytes, bytes] = {}
        epochs = names_around(now)
        for key, cert in contacts:
            secret = self._secrets.get(key)
            if secret is None:
                try:
                    secret = sni_secret(self._identity, key)
                except CryptoError:
                    continue  # a key no pair secret can be agreed with: never admitted
            secrets[key] = secret
            route = Route("contact", key, cert)
            for e in epochs:
                names[contact_name(secret, e)] = route
        invite_hashes_seen = list(invite_hashes)
        for h in invite_hashes_seen:
            route = Route("invite", h)
            for e in epochs:
                names[invite_name(h, e)] = route
        self._secrets, self._names = secrets, names
        self._invites = frozenset(invite_hashes_seen)

    def admit(self, name: str | None) -> Route | None:
        """The route ``name`` proves, or None (refuse the handshake)."""
        return None if name is None else self._names.get(name)

    def admit_invite(self, invite_hash: bytes) -> Route | None:
        """The invite route for ``invite_hash`` if that invite is still open."""
        return Route("invite", invite_hash) if invite_hash in self._invites else None


def client_context(identity: TransportIdentity, contact_certificate: bytes) -> ssl.SSLContext:
    """A dialer's context for one contact: trusts that contact's certificate only and
    presents ours. Use ``server_hostname=contact_sni(...)``."""
    ctx = _base_context(ssl.PROTOCOL_TLS_CLIENT)
    identity.load_into(ctx)
    _trust(ctx, [contact_certificate])
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def invite_client_context() -> ssl.SSLContext:
    """The acceptor's context when answering an invite: it presents no certificate and
    cannot verify the inviter's by chain (it only knows the inviter's *key*), so the
    caller must call :func:`peer_transport_key` with the invite's key before sending
    a byte. Use ``server_hostname=invite_name(...)`` of the invite."""
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
