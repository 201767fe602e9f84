"""Couriers and shards on the network: what a session with one contact offers, asks
for, and does with what arrives (``docs/spec/shards.md``).

A contact is a *reader* or a *courier* (``store/contacts.py``):

* a **reader** is offered this node's shared versions (the package, as before), the
  tickets that rebuild them from shards, and the shards this node carries for
  others; we ask a reader for everything it offers that we lack;
* a **courier** is offered shards only: its share of this node's own seals (the
  placement below) and the shards this node carries for others. A courier is never
  offered a version, a ticket or a capability. We ask a courier only for the shards
  our tickets name, for versions we lack.

Every contact is also offered the **circle items** this node holds (a circle's
drafts sealed to it, ``app.circle.seal_item``; ``docs/spec/circle.md``): a node with
the circle's key opens and stores them; any other keeps the sealed bytes only to
pass along, within the carried-shard caps.

Every item goes through the one envelope code (``app.carry.disperse`` seals,
``app.carry.open_package`` opens); there is no second sealing or erasure scheme.
What arrives is checked before anything is stored: a package is verified whole; a
shard or a ticket must hash to an id we asked for (so an altered or substituted
shard is refused, and the peer cut off); a courier link takes shards only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from samizdat.app import carry, circle
from samizdat.app.circle import offerable
from samizdat.core.crypto import Rng
from samizdat.core.envelope import DROP_WRAP_BYTES, BytesSource
from samizdat.core.package import MAX_PACKAGE_BYTES, Package, check_package, decode_package
from samizdat.core.tickets import (
    ITEM_CIRCLE,
    ITEM_SHARD,
    ITEM_TICKET,
    MAX_TICKET_BYTES,
    Ticket,
    circle_item_id,
    decode_ticket,
    encode_ticket,
    shard_id,
    ticket_id,
)
from samizdat.errors import (
    CryptoError,
    DecodeError,
    NotFound,
    SamizdatError,
    VerificationFailed,
)
from samizdat.protocol.reconcile import pair_item_id
from samizdat.store import Store
from samizdat.store.circles import CircleRecord, circles
from samizdat.store.contacts import COURIER, Contact, ContactBook
from samizdat.store.shards import ShardBook, TicketRecord

if TYPE_CHECKING:
    from samizdat.app.reach import SketchExchange

__all__ = [
    "DEFAULT_K",
    "DEFAULT_N",
    "CircleItem",
    "ContactLibrary",
    "PartialItems",
    "Shard",
    "TicketItem",
    "add_ticket",
    "item_bytes",
    "passed_along",
    "placement",
    "rebuild",
    "seal_for_circles",
    "seal_for_couriers",
    "store_and_pass_along",
    "ticket_for",
]

DEFAULT_K: Final = 3
"""Shards that rebuild a copy (see ``docs/spec/gossip.md``, "Couriers")."""
DEFAULT_N: Final = 10
"""Shards a copy is sealed into: any 7 of the 10 may be lost."""
MAX_SHARD_BYTES: Final = MAX_PACKAGE_BYTES + (MAX_PACKAGE_BYTES >> 3) + (1 << 20)
"""Largest shard item taken from a peer: a whole sealed package (k = 1) with its
padding; a shard of a k > 1 seal is about 1/k of that."""


@dataclass(frozen=True)
class Shard:
    """A checked shard item: its id and bytes (random-looking; never opened here)."""

    id: bytes
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class TicketItem:
    """A checked ticket item: its id, encoding and decoded form."""

    id: bytes
    encoded: bytes = field(repr=False)
    ticket: Ticket


@dataclass(frozen=True)
class CircleItem:
    """A checked circle item: its id and sealed bytes, and, when a circle of this
    store opened it, its payload checked whole (None: kept sealed, to pass along)."""

    id: bytes
    data: bytes = field(repr=False)
    opened: circle.CheckedItem | None = field(repr=False)


# ------------------------------------------------------------------- sealing


def seal_for_circles(store: Store, rng: Rng, now: int) -> list[bytes]:
    """Seal, as circle items, the versions of a circle's documents this node was
    told to pass along (``share``) that are drafts or carry comments: each once,
    and again when it has gained comments or signatures since (``circle.to_leave``
    gives the weight). Returns the new items' ids."""
    shared = set(ContactBook(store.db).shared())
    book = ShardBook(store.db)
    made = []
    for vid, weight, _rec in circle.to_leave(store):
        if vid not in shared:
            continue
        known = book.own_circle_weight(vid)
        if known is not None and known >= weight:
            continue
        _name, item = circle.seal_item(store, vid, rng)
        iid = circle_item_id(item)
        with store.transaction():
            book.add_own_circle(iid, item, vid, weight, now)
        made.append(iid)
    return made



def store_and_pass_along(store: Store, checked: Package, now: int) -> bytes:
    """Store a version that arrived from a contact and mark it to be passed along,
    in one transaction: another process never sees it stored but not yet shared
    (a ``read`` between the two used to let the next sync find nothing to give)."""
    with store.transaction():
        # sketches travel in SKETCH frames on the network, not inside items
        result = carry.store_checked_package(store, checked, now=now, reach_source=None)
        version_id = bytes.fromhex(result.version)
        ContactBook(store.db).share(version_id, now)
    return version_id


def passed_along(store: Store) -> list[bytes]:
    """The versions this node passes along (``share``, and what arrived): the one
    list every view starts from, as copies to readers and as shards to couriers.
    A filter on what may leave this node (e.g. drafts kept within a circle) belongs
    here, once: a circle's drafts are left out (``app/circle.offerable``)."""
    return offerable(store, ContactBook(store.db).shared())


def placement(n: int, index: int, couriers: int) -> list[int]:
    """The shard positions (0 .. n−1) the ``index``-th of ``couriers`` couriers is
    offered. With at most ``n`` couriers each gets ⌊n/m⌋ or ⌈n/m⌉ shards and no two
    get the same one, so any ``k`` couriers hold ``k`` distinct shards; with more
    couriers than shards, shard ``j`` goes to every courier ``c ≡ j (mod n)``."""
    if couriers <= 0 or not 0 <= index < couriers:
        return []
    if couriers <= n:
        return [j for j in range(n) if j % couriers == index]
    return [index % n]


def seal_for_couriers(
    store: Store, version_id: bytes, rng: Rng, now: int,
    *, k: int = DEFAULT_K, n: int = DEFAULT_N,
) -> TicketRecord:
    """This node's own seal of a version into ``n`` shards (made once, then kept):
    the ticket and the shards, in one transaction."""
    book = ShardBook(store.db)
    known = book.own_ticket(version_id)
    if known is not None:
        return known
    cap, shards = carry.disperse(store, version_id.hex(), k, n, rng)
    ids = [shard_id(s) for s in shards]
    ticket = Ticket(cap, version_id, tuple(ids))
    with store.transaction():
        record = book.add_ticket(ticket, now, own=True)
        assert record is not None  # own tickets are always kept
        book.add_own(record.row, shards, ids, now)
    return record


def ticket_for(store: Store, version_id: bytes, rng: Rng, now: int) -> bytes:
    """The encoded ticket of a version this store holds (its own seal, made if
    needed): what a reader is handed to rebuild the copy from couriers."""
    if not store.has_version(version_id):
        raise NotFound("no such version in this store")
    return encode_ticket(seal_for_couriers(store, version_id, rng, now).ticket)


def add_ticket(store: Store, data: bytes, now: int) -> tuple[TicketRecord, bool]:
    """Keep a ticket a reader was given; then rebuild if enough shards are here.
    Returns the record and whether the copy was rebuilt now."""
    ticket = decode_ticket(data)
    with store.transaction():
        record = ShardBook(store.db).add_ticket(ticket, now, own=False)
    if record is None:
        raise VerificationFailed("this store holds as many tickets as it may")
    return record, rebuild(store, record, now) is not None


def rebuild(store: Store, record: TicketRecord, now: int) -> carry.ImportResult | None:
    """Rebuild the ticket's version from the shards this store holds, when it lacks
    the version and holds ``k`` of the ticket's shards. The package is opened and
    verified whole before anything is stored; one that is not the ticket's version
    (a forged ticket) is refused and the ticket dropped. None if nothing to do."""
    ticket = record.ticket
    if store.has_version(ticket.version_id):
        return None
    book = ShardBook(store.db)
    shards = [d for d in (book.data(s) for s in ticket.shards) if d is not None]
    if len(shards) < ticket.cap.k:
        return None
    try:
        package = check_package(decode_package(
            carry.open_package(ticket.cap, [BytesSource(s) for s in shards])
        ))
        if package.entry.version_id != ticket.version_id:
            raise VerificationFailed("the shards hold another version than the ticket names")
    except SamizdatError:
        with store.transaction():
            book.drop_ticket(record.ticket_id)
        raise
    result = carry.store_checked_package(store, package, now=now)
    with store.transaction():
        ContactBook(store.db).share(ticket.version_id, now)  # pass it along
    return result


# --------------------------------------------------------------------- views


def item_bytes(store: Store, item: bytes, *, sealed_only: bool = False) -> bytes:
    """What a session sends for an item id: a shard or a circle item (sealed bytes,
    for anyone), else, unless ``sealed_only`` (a courier), a ticket or the copy."""
    book = ShardBook(store.db)
    data = book.data(item)
    if data is not None:
        return bytes([ITEM_SHARD]) + data
    sealed = book.circle_data(item)
    if sealed is not None:
        return bytes([ITEM_CIRCLE]) + sealed
    if sealed_only:
        raise NotFound("a courier is offered shards only")
    record = book.ticket(item)
    if record is not None:
        return bytes([ITEM_TICKET]) + encode_ticket(record.ticket)
    return carry.package_version(store, item)


class PartialItems:
    """The part of a network library that keeps interrupted items (per pair id, in
    the store) so the next session resumes where one stopped; shared by the node's
    library and its per-contact views. An item still arriving waits in an
    encrypted spill file in the store's home (``node.session.SpillsTo``)."""

    store: Store

    def spill_home(self) -> Path:
        return self.store.home

    def partial(self, item: bytes) -> tuple[int, bytes]:
        return ContactBook(self.store.db).partial(item)

    def save_partial(self, item: bytes, total: int, data: bytes) -> None:
        with self.store.transaction():
            ContactBook(self.store.db).save_partial(item, total, data)

    def drop_partial(self, item: bytes) -> None:
        with self.store.transaction():
            ContactBook(self.store.db).drop_partial(item)


@dataclass
class ContactLibrary(PartialItems):
    """The :class:`~samizdat.node.session.Library` view of one contact."""

    store: Store
    contact: Contact
    pair: bytes = field(repr=False)
    """The pair key (``node.session.pair_key``) of this node and the contact."""
    rng: Rng = field(repr=False)
    now: int = 0
    _asked: set[bytes] = field(default_factory=set, repr=False)
    """Wire ids we would ask for (a shard's or ticket's content must hash to one)."""
    _named: set[bytes] | None = field(default=None, repr=False)
    """Wire ids of the shards our tickets name, for versions we lack (per session)."""
    _circles: list[CircleRecord] = field(default_factory=list, repr=False)
    """This store's circles, read once here: ``check`` runs in a worker thread."""

    def __post_init__(self) -> None:
        self._circles = circles(self.store.db)

    @property
    def courier(self) -> bool:
        return self.contact.role == COURIER

    def for_contact(self, contact_id: int) -> ContactLibrary:
        if contact_id != self.contact.id:
            raise ValueError("this view is for another contact")
        return self

    def session_extensions(self, key: bytes) -> Sequence[SketchExchange]:
        """A reader contact also exchanges reach sketches (``app/reach.py``); a
        courier, who cannot read, does not."""
        if self.courier:
            return []
        from samizdat.app.reach import SketchExchange

        return [SketchExchange(self.store, key, self.rng, lambda: self.now)]

    def _wire(self, item: bytes) -> bytes:
        return pair_item_id(self.pair, item)

    # ------------------------------------------------------------ offering

    def _placed(self) -> list[bytes]:
        """Our own seals' shards this courier is offered (``placement``)."""
        couriers = [c.id for c in ContactBook(self.store.db).all() if c.role == COURIER]
        if self.contact.id not in couriers:
            return []
        index = couriers.index(self.contact.id)
        book = ShardBook(self.store.db)
        shared = set(passed_along(self.store))  # unshare stops placing
        own = {r.row: r.ticket.cap.n for r in book.tickets()
               if r.own and r.ticket.version_id in shared}
        return [
            sid for sid, row, position in book.own_placed()
            if row in own and position in placement(own[row], index, len(couriers))
        ]

    def _circle_items(self) -> list[bytes]:
        """Circle items, for every contact (only the circle's key opens them): our
        own seals of what we still share (sealed now if needed; ``unshare`` stops
        them), and those we carry."""
        with contextlib.suppress(SamizdatError):  # a session still offers the rest
            seal_for_circles(self.store, self.rng, self.now)
        book = ShardBook(self.store.db)
        shared = set(ContactBook(self.store.db).shared())
        return [*(iid for iid, vid in book.own_circle() if vid in shared),
                *book.circle_ids(own=False)]

    def offered(self) -> Sequence[bytes]:
        book = ShardBook(self.store.db)
        if self.courier:
            for vid in passed_along(self.store):  # seal what we share, once, for couriers
                if book.own_ticket(vid) is None and self.store.has_version(vid):
                    with contextlib.suppress(SamizdatError):
                        seal_for_couriers(self.store, vid, self.rng, self.now)
        if self.courier:
            return [*self._placed(), *book.carried(), *self._circle_items()]
        versions = passed_along(self.store)
        readable = set(versions)
        tickets = [r.ticket_id for r in book.tickets()
                   if self.store.has_version(r.ticket.version_id)
                   and (r.ticket.version_id in readable
                        or offerable(self.store, [r.ticket.version_id]))]
        return [*versions, *tickets, *book.carried(), *self._circle_items()]

    def held(self) -> Sequence[bytes]:
        book = ShardBook(self.store.db)
        return [
            *(v.version_id for v in self.store.all_versions()),
            *(r.ticket_id for r in book.tickets()),
            *book.ids(),
            *book.circle_ids(),
        ]

    def chooses(self, item: bytes) -> bool:
        """From a reader: anything it offers that we lack. From a courier: only the
        shards our tickets name, for versions we lack. (The engine asks this of the
        ids the peer offers that we lack; see ``node.session.Chooses``.)"""
        if self.courier:
            if self._named is None:
                self._named = {
                    self._wire(s)
                    for r in ShardBook(self.store.db).tickets()
                    if not self.store.has_version(r.ticket.version_id)
                    for s in r.ticket.shards
                }
            if item not in self._named:
                return False
        self._asked.add(item)
        return True

    def package(self, item: bytes) -> bytes:
        return item_bytes(self.store, item, sealed_only=self.courier)

    # ------------------------------------------------------------ receiving

    def check(self, data: bytes) -> Package | Shard | TicketItem | CircleItem:
        """Tell the item's kind by its first byte and check it (pure)."""
        kind = data[0] if data else -1
        if kind == ITEM_CIRCLE:
            return self._check_circle(bytes(data[1:]))
        if kind == ITEM_SHARD:
            body = data[1:]
            if len(body) > MAX_SHARD_BYTES:
                raise DecodeError("shard item too large")
            sid = shard_id(body)
            if self._wire(sid) not in self._asked:
                # altered, substituted or unasked-for: refused before it is stored
                raise VerificationFailed("the shard is not one we asked for")
            return Shard(sid, bytes(body))
        if self.courier:
            raise VerificationFailed("a courier link carries shards only")
        if kind == ITEM_TICKET:
            body = bytes(data[1:])
            if len(body) > MAX_TICKET_BYTES:
                raise DecodeError("ticket item too large")
            tid = ticket_id(body)
            if self._wire(tid) not in self._asked:
                raise VerificationFailed("the ticket is not one we asked for")
            return TicketItem(tid, body, decode_ticket(body))
        return check_package(decode_package(data))

    def _check_circle(self, body: bytes) -> CircleItem:
        if len(body) > circle.MAX_SEALED_ITEM_BYTES:
            raise DecodeError("circle item too large")
        iid = circle_item_id(body)
        if self._wire(iid) not in self._asked:
            raise VerificationFailed("the circle item is not one we asked for")
        try:
            opened = circle.open_with(self._circles, body[:DROP_WRAP_BYTES],
                                      BytesSource(body[DROP_WRAP_BYTES:]))
        except (DecodeError, CryptoError) as exc:
            # one of our circle keys opened its head, but not its body: forged
            raise VerificationFailed(f"a damaged circle item: {exc.message}") from None
        if opened is None:  # another circle's, or noise: kept sealed, never opened
            return CircleItem(iid, body, None)
        return CircleItem(iid, body, circle.check_item(*opened))

    def store_checked(self, checked: object) -> bytes:
        book = ShardBook(self.store.db)
        if isinstance(checked, CircleItem):
            if checked.opened is not None:
                circle.store_item(self.store, checked.opened, self.now)
            with self.store.transaction():
                book.carry_circle(checked.id, checked.data, self.now)  # to pass along
            return checked.id
        if isinstance(checked, Package):
            return store_and_pass_along(self.store, checked, self.now)
        if isinstance(checked, TicketItem):
            with self.store.transaction():
                record = book.add_ticket(checked.ticket, self.now, own=False)
            if record is not None:
                self._rebuild(record)
            return checked.id
        if isinstance(checked, Shard):
            with self.store.transaction():
                book.carry(checked.id, checked.data, self.now)
            for record in book.tickets():
                if checked.id in record.ticket.shards:
                    self._rebuild(record)
            return checked.id
        raise TypeError("store_checked() takes what check() returned")

    def _rebuild(self, record: TicketRecord) -> None:
        # a failed rebuild (a forged ticket) drops the ticket and is not the
        # sender's fault: the shards themselves hashed to what we asked for
        with contextlib.suppress(SamizdatError):
            rebuild(self.store, record, self.now)

    def accept(self, data: bytes) -> bytes:
        return self.store_checked(self.check(data))

