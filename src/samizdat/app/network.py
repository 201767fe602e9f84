"""Use cases of the friend-to-friend network: invites, contacts, shares, the node
and one-off syncs. The CLI (``cli/network.py``) is a thin layer over these.

The exchange behind ``contact accept`` (``docs/spec/invite.md``): the acceptor
connects to the inviter's address with TLS 1.3 and SNI ``invite``, presenting no
certificate; it checks that the inviter's key hashes to the invite's ``key_hash``
*before* sending anything; then it sends ``accept`` (one-time secret, its own
certificate, its address) and reads ``reply`` (the inviter's certificate and
address). The inviter's running node redeems the secret exactly once.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from samizdat.app import circle, couriers, reach
from samizdat.core import invite as inv
from samizdat.core.address import parse_hostport
from samizdat.core.crypto import Rng, certificate_ed25519_key, constant_time_equal
from samizdat.core.package import Package, check_package, decode_package
from samizdat.errors import (
    AddressError,
    CryptoError,
    DecodeError,
    NetworkError,
    ProtocolError,
    UsageError,
    VerificationFailed,
)
from samizdat.node.node import Node, NodeConfig, PerContact, dial_contact
from samizdat.node.session import Library, SessionStats, pair_key, run_session
from samizdat.protocol.admission import epoch_of, invite_name
from samizdat.protocol.frames import FrameType
from samizdat.runtime import system_rng
from samizdat.store import Store
from samizdat.store.contacts import COURIER, READER, Contact, ContactBook, invite_secret_hash
from samizdat.store.shards import ShardBook
from samizdat.transports import tcp
from samizdat.transports.tls import TransportIdentity, invite_client_context

__all__ = [
    "DEFAULT_INVITE_TTL",
    "NodeOptions",
    "NodeTotals",
    "StoreLibrary",
    "SyncResult",
    "accept_invite",
    "contacts",
    "create_invite",
    "identity",
    "make_node",
    "remove_contact",
    "run_node",
    "set_role",
    "share",
    "socks_from_env",
    "sync",
    "unshare",
]

DEFAULT_INVITE_TTL = 24 * 3600


def identity(store: Store, rng: Rng) -> TransportIdentity:
    """This store's transport identity (made on first use)."""
    with store.transaction():
        seed = ContactBook(store.db).transport_seed(rng(32))
    return TransportIdentity.from_seed(seed)


def socks_from_env() -> tuple[str, int] | None:
    """Tor's SocksPort from ``SAMIZDAT_TOR_SOCKS`` (``host:port`` or a port)."""
    value = os.environ.get("SAMIZDAT_TOR_SOCKS")
    if not value:
        return None
    return _local_hostport(value, "SAMIZDAT_TOR_SOCKS")


# ------------------------------------------------------------------- invites


def create_invite(
    store: Store, rng: Rng, now: int, *, address: str | None = None,
    ttl: int = DEFAULT_INVITE_TTL, wait: float = 0.0, role: str = READER,
) -> tuple[str, int]:
    """A new single-use invite code and its expiry (unix seconds).

    The address defaults to where this node last listened (``node run`` records it);
    the node must be running to answer the invite. With no address known yet, wait
    up to ``wait`` seconds for a node that is starting to record one.
    """
    me = identity(store, rng)
    book = ContactBook(store.db)
    where = address or book.own_address()
    deadline = time.monotonic() + wait
    while not where and time.monotonic() < deadline:
        time.sleep(0.2)  # a node that was just started records its address shortly
        where = book.own_address()
    if not where:
        raise UsageError(
            "this node has no known address yet",
            hint="start 'samizdat node run' first, or pass --address HOST:PORT",
        )
    secret = rng(inv.SECRET_BYTES)
    expires = now + ttl
    try:
        code = inv.encode_invite(inv.Invite(inv.key_hash(me.public_key), where, expires, secret))
    except DecodeError as exc:
        raise UsageError(f"cannot put that address in an invite: {exc.message}") from exc
    with store.transaction():
        book.add_invite(secret, expires, role)
    return code, expires


async def _accept(
    me: TransportIdentity, invite: inv.Invite, my_address: str,
    socks: tuple[str, int] | None, now: int,
) -> tuple[bytes, bytes, str]:
    from samizdat.transports.tor import is_onion, socks5_connect

    host, port = parse_hostport(invite.address)
    ctx = invite_client_context()
    # the SNI name proves we hold the invite: without it the inviter sends nothing
    sni = invite_name(invite_secret_hash(invite.secret), epoch_of(now))
    try:
        if is_onion(host):
            if socks is None:
                raise NetworkError("the inviter is reachable only over Tor",
                                   hint="set SAMIZDAT_TOR_SOCKS to Tor's SocksPort")
            r, w = await socks5_connect(socks[0], socks[1], host, port)
            conn = await tcp.upgrade(r, w, ctx, sni, max_frame=inv.MAX_MESSAGE_BYTES)
        else:
            conn = await tcp.dial(host, port, ctx, sni, max_frame=inv.MAX_MESSAGE_BYTES)
    except tcp.Refused as exc:
        raise VerificationFailed(
            "the inviter refused this invite", hint="it was used, has expired or was mistyped"
        ) from exc
    try:
        der = conn.ssl_object.getpeercert(binary_form=True)
        key = certificate_ed25519_key(der) if der else b""
        if not key or not constant_time_equal(inv.key_hash(key), invite.key_hash):
            raise VerificationFailed(
                "the node at the invite's address is not the one that made the invite"
            )
        await conn.write_frame(
            FrameType.INVITE, inv.accept_message(invite.secret, me.certificate, my_address)
        )
        frame = await conn.read_frame(timeout=30)
        if frame.type is not FrameType.INVITE:
            raise ProtocolError("the inviter sent no invite reply")
        answer = inv.decode_reply(frame.payload)
    except CryptoError as exc:
        raise VerificationFailed("the inviter's certificate is not valid") from exc
    finally:
        await conn.close()
    if answer is None:
        raise VerificationFailed(
            "the inviter refused this invite", hint="it was used, has expired or was mistyped"
        )
    cert, address = answer
    if cert != der:
        raise ProtocolError("the inviter's reply does not match its certificate")
    return key, cert, address or invite.address


def accept_invite(
    store: Store, code: str, rng: Rng, now: int, *, socks: tuple[str, int] | None = None,
    role: str = READER,
) -> Contact:
    """Answer an invite: reach the inviter, prove the secret, add each other. The
    inviter becomes a contact with ``role`` here."""
    invite = inv.decode_invite(code)
    if invite.expires <= now:
        raise VerificationFailed("this invite has expired", hint="ask for a new one")
    me = identity(store, rng)
    book = ContactBook(store.db)
    key, cert, address = asyncio.run(_accept(me, invite, book.own_address(), socks, now))
    with store.transaction():
        return book.add(key, cert, address, now, role)


def set_role(store: Store, ref: str, role: str) -> Contact:
    """Make a contact (by number or fingerprint prefix) a reader or a courier."""
    if role not in (READER, COURIER):
        raise UsageError(f"a contact is a {READER} or a {COURIER}")
    book = ContactBook(store.db)
    contact = book.find(ref)
    with store.transaction():
        book.set_role(contact.id, role)
    return book.by_id(contact.id)


# -------------------------------------------------------------------- shares


def share(store: Store, version_id: bytes, now: int, rng: Rng | None = None) -> str | None:
    """Pass a version along: to readers as a copy and a ticket; to couriers as
    sealed shards (sealed now, with ``rng``, if this node has couriers; else when a
    session with a courier first offers it).

    A circle's draft is passed along as a circle item only, to every contact (sealed
    now with ``rng``, else when a session first offers it); returns the circle's
    name then, else None."""
    book = ContactBook(store.db)
    held = circle.held_back(store, version_id)
    if held is not None:
        with store.transaction():
            book.share(version_id, now)  # app.couriers.passed_along leaves it out
        if rng is not None:
            couriers.seal_for_circles(store, rng, now)
        return held.name
    with store.transaction():
        book.share(version_id, now)
        reach.draw_token(store, version_id, system_rng, now)  # counted from now on
    if rng is not None and any(c.role == COURIER for c in book.all()):
        couriers.seal_for_couriers(store, version_id, rng, now)
    return None


def unshare(store: Store, version_id: bytes) -> bool:
    with store.transaction():
        return ContactBook(store.db).unshare(version_id)


# ------------------------------------------------------------- library + node


@dataclass
class StoreLibrary(couriers.PartialItems):
    """The items sessions exchange, backed by the store and ``app.carry``.

    A session with a contact uses :meth:`for_contact`: a
    :class:`~samizdat.app.couriers.ContactLibrary` that offers a reader copies and
    tickets, and a courier sealed shards only (``docs/spec/shards.md``). Without a
    contact (the node's own bookkeeping, tests, benches) it offers everything this
    node passes along; a version travels as ``app.carry.package_version`` makes it
    (the plaintext package; the session's TLS encrypts it per hand-off), and it
    takes in versions only, through ``app.carry.accept_package``, which verifies
    before storing anything.
    """

    store: Store
    clock: Callable[[], int]
    """Unix seconds, for what a received item records."""
    rng: Rng | None = field(default=None, repr=False)
    """For sealing shared versions for couriers (needed to serve contacts)."""

    def for_contact(self, contact_id: int) -> couriers.ContactLibrary:
        if self.rng is None:
            raise ValueError("a StoreLibrary serves contacts only with an rng")
        book = ContactBook(self.store.db)
        contact = book.by_id(contact_id)
        me = identity(self.store, self.rng)
        return couriers.ContactLibrary(
            self.store, contact, pair_key(me.public_key, contact.public_key), self.rng,
            self.clock(),
        )

    def offered(self) -> Sequence[bytes]:
        """Everything this node passes along: shared versions, tickets and shards
        (the node watches this list to know when to call contacts again: a ticket
        added by ``ticket add`` makes it ask its couriers at once)."""
        book = ShardBook(self.store.db)
        return [*couriers.passed_along(self.store),
                *(r.ticket_id for r in book.tickets()), *book.ids(), *book.circle_ids()]

    def held(self) -> Sequence[bytes]:
        return [v.version_id for v in self.store.all_versions()]

    def package(self, version_id: bytes) -> bytes:
        return couriers.item_bytes(self.store, version_id)

    def check(self, data: bytes) -> Package:
        """Decode and verify (pure: the node runs this in a worker thread)."""
        return check_package(decode_package(data))

    def store_checked(self, checked: object) -> bytes:
        if not isinstance(checked, Package):
            raise TypeError("store_checked() takes what check() returned")
        return couriers.store_and_pass_along(self.store, checked, self.clock())

    def accept(self, data: bytes) -> bytes:
        return self.store_checked(self.check(data))

    def session_extensions(self, key: bytes) -> Sequence[reach.SketchExchange]:
        """Each session also exchanges reach sketches (``app/reach.py``)."""
        return [reach.SketchExchange(self.store, key, system_rng, self.clock)]


def _marker(store: Store, clock: Callable[[], int]) -> Callable[[bytes], None]:
    """What a session calls for each item that arrived: a version is passed along
    (already, when it came through ``couriers.store_and_pass_along``; this covers a
    library that stores otherwise) and gets this node's reach token (``app/reach.py``);
    shards and tickets pass along by themselves."""
    book = ContactBook(store.db)

    def mark(item: bytes) -> None:
        if store.has_version(item):
            with store.transaction():
                book.share(item, clock())
                reach.draw_token(store, item, system_rng, clock())

    return mark


def make_node(
    store: Store, rng: Rng, clock: Callable[[], int], config: NodeConfig,
    library: Library | None = None,
) -> Node:
    me = identity(store, rng)
    return Node(ContactBook(store.db), me, library or StoreLibrary(store, clock, rng),
                config, now=clock, mark_shared=_marker(store, clock))


# ---------------------------------------------------------------------- sync


@dataclass
class SyncResult:
    contacts: int = 0
    reached: int = 0
    sent: int = 0
    received: int = 0


async def _sync_one(
    me: TransportIdentity, contact: Contact, library: Library, socks: tuple[str, int] | None,
    mark: Callable[[bytes], None], now: int,
) -> SessionStats:
    conn = await dial_contact(me, contact, now, socks=socks)
    try:
        return await run_session(
            conn, library, pair_key(me.public_key, contact.public_key), initiator=True,
            on_item=mark,
        )
    finally:
        await conn.close()


def sync(
    store: Store, rng: Rng, clock: Callable[[], int], contacts: list[Contact], *,
    socks: tuple[str, int] | None = None, library: Library | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> SyncResult:
    """One exchange with each of ``contacts`` now, one after the other."""
    me = identity(store, rng)
    lib = library or StoreLibrary(store, clock, rng)
    result = SyncResult(contacts=len(contacts))
    mark = _marker(store, clock)

    def view(contact: Contact) -> Library:
        return lib.for_contact(contact.id) if isinstance(lib, PerContact) else lib

    for n, contact in enumerate(contacts, 1):
        try:
            stats = asyncio.run(
                _sync_one(me, contact, view(contact), socks, mark, clock()))
        except (NetworkError, ProtocolError) as exc:
            progress(f"contact {n}/{len(contacts)}: {exc.message}")
            continue
        result.reached += 1
        result.sent += stats.sent
        result.received += stats.received
        progress(f"contact {n}/{len(contacts)}: {stats.sent} sent, {stats.received} received")
    return result


# ------------------------------------------------------------------ node run
# ``samizdat node run``: where to listen, the onion service, and what the store
# remembers of it. The CLI only parses the flags and prints.


@dataclass(frozen=True)
class NodeOptions:
    """What ``node run`` is asked for. ``listen`` None: the port this node used last
    time on 127.0.0.1 (contacts know it), else any free port."""

    listen: str | None = None
    advertise: str | None = None
    tor: bool = False
    tor_control: str = "9051"
    interval: float = 30.0
    debug: bool = False


@dataclass(frozen=True)
class NodeTotals:
    """What a node moved before it stopped."""

    sent: int
    received: int


def _local_hostport(value: str, what: str) -> tuple[str, int]:
    """``HOST:PORT``, or a bare port on 127.0.0.1."""
    try:
        return parse_hostport(value if ":" in value else f"127.0.0.1:{value}")
    except AddressError as exc:
        raise AddressError(f"{what} must be HOST:PORT or a port: {exc.message}") from exc


def run_node(
    store: Store, rng: Rng, clock: Callable[[], int], options: NodeOptions, *,
    on_ready: Callable[[str, int], None] = lambda _a, _p: None,
) -> NodeTotals:
    """Serve contacts and invites until cancelled (SIGTERM), syncing with every
    contact each round. ``on_ready(address, port)`` is called once the node listens
    and has recorded the address contacts reach it at."""
    book = ContactBook(store.db)
    last = book.own_address()
    listen = options.listen
    if listen is None:  # stay where contacts last saw us
        listen = last if last.startswith("127.0.0.1:") and not options.tor else "127.0.0.1:0"
    reused = listen == last
    try:
        host, port = parse_hostport(listen, allow_zero=True)
    except AddressError as exc:
        raise AddressError(f"--listen: {exc.message}", hint=exc.hint) from exc
    socks = socks_from_env()
    if options.tor and socks is None:
        socks = ("127.0.0.1", 9050)
    control = _local_hostport(options.tor_control, "--tor-control") if options.tor else None
    config = NodeConfig(host=host, port=port, interval=options.interval, socks=socks,
                        debug=options.debug)
    node = make_node(store, rng, clock, config)

    async def main() -> None:
        try:
            bound_host, bound_port = await node.start()
        except OSError as exc:
            if not reused:
                raise NetworkError(f"cannot listen on {host}:{port}",
                                   hint="is another node running there?") from exc
            config.port = 0  # last time's port is taken now: take any
            bound_host, bound_port = await node.start()
        onion = None
        address = options.advertise or f"{bound_host}:{bound_port}"
        if control is not None:
            from samizdat.transports.tor import start_onion_service

            onion = await start_onion_service(
                control[1], bound_port, key=book.onion_key(), control_host=control[0],
            )
            address = f"{onion.address}:{onion.virtual_port}"
            with store.transaction():
                book.set_onion_key(onion.key)
        node.address = address
        with store.transaction():
            book.set_own_address(address)
        try:
            await node.run(on_ready=lambda: on_ready(address, bound_port))
        finally:
            if onion is not None:
                await asyncio.to_thread(onion.close)

    asyncio.run(main())
    return NodeTotals(node.totals.sent, node.totals.received)


# ------------------------------------------------------------------ contacts
# ``contact list``, ``contact remove`` and which contacts ``sync`` reaches.


def contacts(store: Store, ref: str | None = None) -> list[Contact]:
    """Every contact, or the one ``ref`` (a number or fingerprint prefix) names
    (:class:`~samizdat.errors.NotFound` if none or several)."""
    book = ContactBook(store.db)
    return [book.find(ref)] if ref else book.all()


def remove_contact(store: Store, ref: str) -> Contact:
    """Remove the contact ``ref`` names: its next connection is refused in the TLS
    handshake. Returns the contact removed."""
    book = ContactBook(store.db)
    contact = book.find(ref)
    with store.transaction():
        book.remove(contact.id)
    return contact
