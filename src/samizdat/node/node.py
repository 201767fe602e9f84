"""The node: listens for contacts, dials them, answers invites, passes shares along.

One asyncio loop in one process owns the store (SQLCipher is used from the loop's
thread only). Each accepted or dialed connection is authenticated by pinned TLS
(:mod:`samizdat.transports.tls`) before this module sees it; then either

* it carries no client certificate: an invite answer. Exactly one bounded frame is
  read under a deadline, the one-time secret is redeemed, the contact is added; or
* it is a contact: one :func:`~samizdat.node.session.run_session` runs.

Whom to call, and what to ask each contact for, is decided by the sans-io engine
(``protocol/engine.py``), the same one the simulator measures: a round calls, one
after another, the contacts the engine picks (those not in step with us), and stops
when the engine says to stay quiet; only one session at a time pulls items. Items
that arrive are marked shared, so they are passed along to the other contacts at
the next round (which is started at once). A misbehaving peer is cut off with one
logged reason; the node keeps serving everyone else. SIGTERM / SIGINT stop the node
cleanly: no new connections, running sessions cancelled (what was committed stays),
onion service removed, store closed.

Logging never names a contact, address, document or version unless ``debug``: the
log of a seized machine must not become the police's contact list.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import secrets
import signal
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from samizdat.core import invite as inv
from samizdat.core.crypto import blake3_hash, certificate_ed25519_key, constant_time_equal
from samizdat.errors import (
    CryptoError,
    DecodeError,
    LocalProtocolError,
    NetworkError,
    NotFound,
    ProtocolError,
)
from samizdat.node.session import (
    MAX_ITEM_BYTES,
    InFlight,
    Library,
    SessionStats,
    pair_key,
    run_session,
)
from samizdat.protocol.admission import HandshakeSlots, Route, epoch_of
from samizdat.protocol.engine import Engine, HasQuota
from samizdat.protocol.frames import FrameType
from samizdat.protocol.gossip import GossipState
from samizdat.runtime import monotonic
from samizdat.store.contacts import Contact, ContactBook, invite_secret_hash
from samizdat.transports import tcp
from samizdat.transports.tls import (
    Directory,
    TransportIdentity,
    admitted_route,
    client_context,
    contact_sni,
    peer_certificate,
    peer_transport_key,
    server_context,
)

__all__ = ["Node", "NodeConfig", "dial_contact"]

log = logging.getLogger("samizdat.node")

INVITE_READ_TIMEOUT = 10.0
"""An invite acceptor sends its one frame right after the handshake."""
DIAL_ATTEMPTS = 4
"""Handshakes tried per dial when the contact drops them (it may be under a flood)."""
DIAL_BACKOFF = 0.5
"""Seconds before the second try; the n-th waits n times as long."""
HOUSEKEEPING_SECONDS = 5.0
"""How often the node frees what ended connections left (:meth:`Node.reclaim_memory`)."""
MAX_INVITE_ANSWERS = 4
"""Invite answers served at once (only while an invite is open); more are dropped."""


@dataclass
class NodeConfig:
    host: str = "127.0.0.1"
    port: int = 0
    interval: float = 30.0  # seconds between rounds of dialing contacts
    quiet_rounds: int = 20
    """A contact found in step (a session moved nothing either way) is not dialed
    again for this many rounds unless we gain or share something new meanwhile."""
    session_timeout: float = 60.0
    socks: tuple[str, int] | None = None  # Tor SocksPort, to reach onion addresses
    max_frame: int = tcp.DEFAULT_MAX_FRAME
    max_item: int = MAX_ITEM_BYTES
    debug: bool = False


@runtime_checkable
class PerContact(Protocol):
    """A library that offers each contact its own view (a reader and a courier may
    be offered different items)."""

    def for_contact(self, contact_id: int) -> Library:
        """The view of the library that ``contact_id`` (``Contact.id``) is served."""


def release_free_memory() -> None:
    """Return the allocator's free memory to the OS: glibc's ``malloc_trim(0)``,
    which also releases free pages inside the heap, not only at its top. A no-op
    off Linux or without glibc (musl has no ``malloc_trim``)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def who(contact: Contact, debug: bool) -> str:
    """How a contact is named in logs: not at all unless debugging."""
    return f"contact {contact.fingerprint}" if debug else "a contact"


async def dial_contact(
    identity: TransportIdentity,
    contact: Contact,
    now: int,
    *,
    socks: tuple[str, int] | None = None,
    timeout: float = tcp.HANDSHAKE_TIMEOUT,
) -> tcp.Connection:
    """Connect to a contact's address (directly, or through Tor for ``.onion``) and
    check that the peer is exactly that contact. The SNI name proves to the contact
    that we are one of its contacts (``protocol/admission.py``) for the hour of
    ``now`` (unix seconds)."""
    from samizdat.transports.tor import is_onion, socks5_connect

    if not contact.address:
        raise NetworkError("no address is known for this contact")
    host, port = tcp.parse_hostport(contact.address)
    ctx = client_context(identity, contact.certificate)
    sni = contact_sni(identity, contact.public_key, now)
    if is_onion(host) and socks is None:
        raise NetworkError(
            "this contact is reachable only over Tor",
            hint="run with --tor or set SAMIZDAT_TOR_SOCKS",
        )
    for attempt in range(DIAL_ATTEMPTS):
        try:
            if is_onion(host):
                assert socks is not None
                r, w = await socks5_connect(socks[0], socks[1], host, port)
                conn = await tcp.upgrade(r, w, ctx, sni, timeout=timeout)
            else:
                conn = await tcp.dial(host, port, ctx, sni, timeout=timeout)
            break
        except tcp.Refused:
            # a node under a connection flood drops new handshakes (admission.md);
            # an honest dialer tries again shortly, a few times
            if attempt + 1 == DIAL_ATTEMPTS:
                raise
            await asyncio.sleep(DIAL_BACKOFF * (attempt + 1))
    try:
        peer_transport_key(conn.ssl_object, contact.public_key)
    except ProtocolError:
        await conn.close()
        raise
    return conn


class Node:
    """A running node over one open store. ``library_factory`` turns the store's
    contents into the items sessions exchange."""

    def __init__(
        self,
        book: ContactBook,
        identity: TransportIdentity,
        library: Library,
        config: NodeConfig,
        *,
        now: Callable[[], int],
        mark_shared: Callable[[bytes], None],
    ) -> None:
        self.book = book
        self.identity = identity
        self.library = library
        self.config = config
        self.now = now
        self.mark_shared = mark_shared
        self.server: tcp.Listener | None = None
        self.address = ""
        self.active: set[bytes] = set()  # contact keys with a session running
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self.totals = SessionStats()
        self.cut_off = 0
        self.engine = Engine(quiet=config.interval * config.quiet_rounds)
        self.gossip = GossipState()  # the engine's view of this node (all sessions)
        self.inflight = InFlight()  # item bytes being received, across all sessions
        self._offered_mark: tuple[int, bytes] | None = None
        self.directory = Directory(identity)
        self._directory_mark: tuple[int, int, int] | None = None
        self._server_ctx = server_context(identity, self._admit)
        self.slots = HandshakeSlots()
        self._invite_answers = 0
        self._ended_seen = 0  # connections ended when memory was last reclaimed
        self._trim_due = False

    # ------------------------------------------------------------------- server

    def _refresh(self) -> None:
        """Recompute the admitted SNI names when the store changed (a contact added
        or removed, an invite made or used, here or by a command run beside the
        node) or the hour turned. Between changes this is two cheap reads."""
        now = self.now()
        mark = (*self.book.change_mark(), epoch_of(now))
        if mark == self._directory_mark:
            return
        self.directory.update(
            ((c.public_key, c.certificate) for c in self.book.all()),
            self.book.open_invite_hashes(now), now,
        )
        self._directory_mark = mark

    def _admit(self, name: str | None) -> Route | None:
        """The SNI callback's question (on the ClientHello, before we send a byte)."""
        self._refresh()
        return self.directory.admit(name)

    def _context(self) -> ssl.SSLContext:
        """One server context for every connection (the SNI callback pins contacts)."""
        return self._server_ctx

    async def start(self) -> tuple[str, int]:
        """Start listening; returns the bound ``(host, port)``."""
        self.server = await tcp.listen(
            self.config.host, self.config.port, self._context, self._serve,
            max_frame=self.config.max_frame, slots=self.slots,
        )
        host, port = self.server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def _serve(self, conn: tcp.Connection) -> None:
        """A handshake finished. Nothing is read unless the SNI route and the
        certificate agree: a contact's name with that contact's pinned certificate,
        or an invite's name with no certificate while that invite is still open."""
        route = admitted_route(conn.ssl_object)
        cert = peer_certificate(conn.ssl_object)
        if route is None:
            return
        if route.kind == "invite":
            self._refresh()
            if cert is not None or self.directory.admit_invite(route.key) is None:
                log.info("refused an invite answer: no such invite is open")
                return
            if self._invite_answers >= MAX_INVITE_ANSWERS:
                log.info("refused an invite answer: too many at once")
                return
            self._invite_answers += 1
            try:
                await self._answer_invite(conn, route.key)
            finally:
                self._invite_answers -= 1
            return
        try:
            key = peer_transport_key(conn.ssl_object, route.key)
            contact = self.book.by_key(key)
        except (ProtocolError, NotFound):
            log.info("refused a peer that is not a contact")
            return
        await self._session(conn, contact, "incoming")

    async def _answer_invite(self, conn: tcp.Connection, invite_hash: bytes) -> None:
        conn.max_frame = inv.MAX_MESSAGE_BYTES
        try:
            frame = await conn.read_frame(timeout=INVITE_READ_TIMEOUT)
            if frame.type is not FrameType.INVITE:
                raise ProtocolError("the peer sent no invite answer")
            secret, cert, address = inv.decode_accept(frame.payload)
            key = certificate_ed25519_key(cert)
        except (DecodeError, CryptoError, ProtocolError, NetworkError) as exc:
            log.info("cut off an invite answer: %s", exc.message)
            return
        contact = None
        if not constant_time_equal(key, self.identity.public_key) and constant_time_equal(
            invite_secret_hash(secret), invite_hash  # the secret the SNI name proved
        ):
            with self.book.db.transaction():  # redeem and add: both or neither
                if self.book.redeem_invite(secret, self.now()):
                    contact = self.book.add(key, cert, address, self.now())
        if contact is None:
            log.info("refused an invite answer: unknown, used or expired invite")
            with contextlib.suppress(NetworkError, ProtocolError):
                await conn.write_frame(FrameType.INVITE, inv.reply_message(False))
            return
        log.info("a new contact was added by invite")
        if self.config.debug:
            log.debug("new %s", who(contact, True))
        with contextlib.suppress(NetworkError, ProtocolError):
            await conn.write_frame(
                FrameType.INVITE, inv.reply_message(True, self.identity.certificate, self.address)
            )

    # ------------------------------------------------------------------ sessions

    async def _session(self, conn: tcp.Connection, contact: Contact, direction: str) -> None:
        if contact.public_key in self.active:
            log.debug("a session with this contact is already running")
            return
        self.active.add(contact.public_key)
        try:
            stats = await run_session(
                conn,
                self._library_for(contact),
                pair_key(self.identity.public_key, contact.public_key),
                initiator=direction == "outgoing",
                timeout=self.config.session_timeout,
                on_item=self._arrived,
                max_item=self.config.max_item,
                engine=self.engine,
                state=self.gossip,
                contact=contact.public_key,
                inflight=self.inflight,
            )
        except LocalProtocolError:
            # our own bug, not the contact's fault: never cut it off for this
            log.exception("a session failed on an internal error")
            raise
        except ProtocolError as exc:
            self.cut_off += 1
            log.warning("cut off %s: %s", who(contact, self.config.debug), exc.message)
            return
        except NetworkError as exc:
            log.info("%s session with %s broke: %s", direction,
                     who(contact, self.config.debug), exc.message)
            return
        finally:
            self.active.discard(contact.public_key)
        self.totals.sent += stats.sent
        self.totals.received += stats.received
        log.info(
            "%s session with %s: %d sent, %d received",
            direction, who(contact, self.config.debug), stats.sent, stats.received,
        )

    def _library_for(self, contact: Contact) -> Library:
        if isinstance(self.library, PerContact):
            return self.library.for_contact(contact.id)
        return self.library

    def _arrived(self, version_id: bytes) -> None:
        self.mark_shared(version_id)  # pass it along (the engine already knows we
        self.wake.set()               # gained, so every contact is called again)

    async def sync_with(self, contact: Contact) -> None:
        """Dial one contact and run one session (errors are logged, not raised)."""
        if contact.public_key in self.active:
            return
        try:
            conn = await dial_contact(self.identity, contact, self.now(),
                                      socks=self.config.socks)
        except (NetworkError, ProtocolError) as exc:
            log.info("could not reach %s: %s", who(contact, self.config.debug), exc.message)
            return
        try:
            await self._session(conn, contact, "outgoing")
        finally:
            await conn.close()

    async def round(self) -> None:
        """Call, one after another, the contacts the engine picks, until it says to
        stay quiet (every contact in step with us and nothing lacking) or each
        contact with a known address was tried once. One call at a time: the engine
        lets only one session pull, so calling everyone at once would gain nothing
        and cost every contact a handshake."""
        offered = sorted(self.library.offered())
        mark = (len(offered), blake3_hash(b"".join(offered)))
        if mark != self._offered_mark:
            self._offered_mark = mark  # a share run beside the node: offer it to all
            self.gossip.in_step.clear()
        quota = self.library.quota() if isinstance(self.library, HasQuota) else None
        tried: set[bytes] = set()
        while not self.stopping.is_set():
            contacts = {c.public_key: c for c in self.book.all()
                        if c.address and c.public_key not in tried
                        and c.public_key not in self.active}
            key = self.engine.next_call(self.gossip, sorted(contacts), quota, monotonic(),
                                        secrets.token_bytes)
            if key is None:
                return
            tried.add(key)
            await self.sync_with(contacts[key])

    # ---------------------------------------------------------------- lifecycle

    async def run(self, *, on_ready: Callable[[], None] | None = None) -> None:
        """Serve and dial until SIGTERM/SIGINT (or :meth:`stop`)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        if self.server is None:
            await self.start()
        if on_ready is not None:
            on_ready()
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._housekeeping())
                while not self.stopping.is_set():
                    await self.round()
                    self.wake.clear()
                    waits = [tg.create_task(e.wait()) for e in (self.wake, self.stopping)]
                    _done, pending = await asyncio.wait(
                        waits, timeout=self.config.interval,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    for t in pending:
                        t.cancel()
        finally:
            await self.close()

    async def _housekeeping(self) -> None:
        """Every :data:`HOUSEKEEPING_SECONDS`, :meth:`reclaim_memory`."""
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HOUSEKEEPING_SECONDS):
                    await self.stopping.wait()
            self.reclaim_memory()

    def reclaim_memory(self) -> None:
        """Free what ended connections left behind; hand free heap back to the OS
        once no handshake is pending. Cheap when nothing ended since the last call.

        Every connection asyncio ends leaves reference cycles (a socket transport
        holds a bound method of itself; a failed handshake's exception holds the
        frames that hold its ``SSLProtocol``, with a 256 KiB read buffer, and our
        frame stream). Only the cyclic collector frees them, and its oldest
        generation runs rarely in a long-lived process: a 3,000 connect/close
        flood left ~50 MB of such garbage, which ``malloc_trim`` alone could not
        return because it was not free (``bench/bench_attack.py``,
        ``docs/network.md``). So: collect whenever connections ended (a full
        collection, ~10-15 ms, at most once per :data:`HOUSEKEEPING_SECONDS`
        under a flood; the freed memory is reused by the next connections), and
        trim once the burst has drained.
        """
        ended = 0 if self.server is None else self.server.ended
        if ended != self._ended_seen:
            self._ended_seen = ended
            gc.collect()
            self._trim_due = True
        if self._trim_due and len(self.slots) == 0:
            self._trim_due = False
            release_free_memory()

    def stop(self) -> None:
        log.info("stopping")
        self.stopping.set()

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await self.server.wait_closed()
            self.server = None

