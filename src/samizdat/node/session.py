"""One sync session with one contact: the asyncio driver of ``protocol.engine``.

The sans-io :class:`samizdat.protocol.engine.Conversation` decides everything about
the conversation (range-based reconciliation over pair-keyed ids, what to ask for
under the pass-along quotas, WANT, DATA in chunks, END; see ``docs/spec/engine.md``,
``docs/spec/frames.md`` and ``docs/spec/reconcile.md``); this module only moves its
frames over an authenticated :class:`~samizdat.transports.tcp.Connection` and
answers its events from the store:

* ``Ask``: the engine chose what to ask for (ids we do not hold, within the quota,
  nothing while another contact's pull is in flight); we add resume offsets;
* ``Wanted``: a sender task packages each wanted version and streams it; frames go
  through a small bounded queue to one writer task that awaits ``drain()`` after each
  (backpressure), while the reader keeps reading, so two sides sending large items
  to each other never deadlock;
* ``Chunk`` / ``Completed``: items arrive whole, one after another (the machine
  refuses interleaving). On an item's first chunk the session reserves its announced
  size from the node-wide :class:`InFlight` budget (:data:`MAX_INFLIGHT_BYTES`,
  across all sessions): an item larger than the whole budget cuts the contact off;
  otherwise, while other contacts' items fill it, this session stops reading (the
  contact waits, on TCP backpressure) for at most the idle timeout, then ends as an
  honest interruption. The item's chunks go to an encrypted, unnamed
  :class:`~samizdat.store.spill.SpillFile` in the store's home (:class:`SpillsTo`),
  not to memory, so a session holds one chunk at a time whatever the item's size;
  a resumed item's kept prefix is copied there when its turn comes. Once whole, the
  item is read back once and decoded and verified in a worker thread
  (:meth:`Library.check`, pure) so the loop keeps serving other contacts, then
  stored by :meth:`Library.store_checked`, one transaction, and passed to
  ``on_item`` (the node marks it shared: pass-along). The reservation is let go
  when that thread is done with the bytes, and the spill is closed (the system
  frees it) on every way out: completion, failure, interruption, cancellation.

Every protocol violation the machine detects, a frame that does not decode, an item
that fails verification or names another version than its id, or an oversized item
cuts the session with a :class:`RemoteProtocolError` naming the reason (our own
misuse of the engine is a :class:`LocalProtocolError`, which is a bug and is never
taken for the peer's fault); nothing is stored
from a failing item. Resume: what was committed stays; of an item cut off mid-way by
an honest interruption (a timeout, a dropped connection) the bytes that arrived are
kept (``save_partial``, in the store, under the pair-keyed id), and the next session
with that contact asks for the item from that offset. A session cut for a
:class:`RemoteProtocolError` keeps nothing of the unfinished item (``drop_partial``):
bytes from a peer that broke the protocol are no prefix to build on. If the item
turns out to have changed (another size, or the whole fails verification) the kept
prefix is dropped and the next session starts it afresh.

Extensions the library brings (:class:`HasExtensions`, e.g. the reach sketches of
``app/reach.py``): ``session_extensions(key)`` gives this session's
:class:`~samizdat.protocol.session.Extension` objects, which the engine runs beside
the caller's; once the session has closed each one's ``finish()`` keeps what
arrived, and if one says it was news the gossip state is told as for a gain (every
contact may lack it), so the next rounds call contacts that were in step.

Wire ids are ``protocol.reconcile.pair_item_id(pair_key, version_id)`` with
:func:`pair_key` derived from the two transport keys, so ids one pair exchanges
cannot be matched with another pair's.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import tempfile
from collections.abc import Callable, Container, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from samizdat.core.crypto import blake3_hash
from samizdat.errors import NetworkError, RemoteProtocolError, SamizdatError, StoreError
from samizdat.protocol import session as proto
from samizdat.protocol.engine import Ask, Engine, EngineEvent, HasQuota
from samizdat.protocol.frames import FrameType
from samizdat.protocol.gossip import GossipState
from samizdat.protocol.reconcile import ItemSet, pair_item_id
from samizdat.runtime import monotonic, system_rng
from samizdat.store.spill import SpillFile
from samizdat.transports.tcp import Connection

__all__ = [
    "MAX_INFLIGHT_BYTES",
    "MAX_ITEM_BYTES",
    "Chooses",
    "HasExtensions",
    "InFlight",
    "Library",
    "SessionHook",
    "SessionStats",
    "SpillsTo",
    "pair_id",
    "pair_key",
    "run_session",
]

IDLE_TIMEOUT: Final = 60.0
MAX_ITEM_BYTES: Final = 256 << 20
"""Largest item a peer may send us. Its parts wait on disk (a spill file), but the
whole item is read back into memory once to be verified."""
MAX_INFLIGHT_BYTES: Final = 256 << 20
"""Node-wide cap on the bytes of items being received or checked, across all
sessions (``docs/spec/frames.md``): it bounds the spill files on disk and, since a
check holds its item whole, the memory all checks together can take."""
_COPY_BYTES: Final = 1 << 20
"""Slice in which a resumed prefix is copied into a spill."""
MAX_PINGS: Final = 32
"""PING/PONG frames allowed per session; more is a flood (they keep a session alive)."""
QUEUE_FRAMES: Final = 16
"""Frames waiting for the writer; a full queue pauses the sender (backpressure)."""


class Library(Protocol):
    """What a session needs from the store (the node gives it a store-backed one).

    Optional methods are looked for at run time: ``spill_home() -> Path``
    (:class:`SpillsTo`: where items on their way in wait), ``quota() -> int | None``
    (:class:`samizdat.protocol.engine.HasQuota`: how many items this node wants in
    all; without it, whatever it lacks), ``chooses(wire_id) -> bool``
    (:class:`Chooses`: which of what it lacks it may ask for) and, on the node's library,
    ``for_contact(contact_id) -> Library`` (:class:`samizdat.node.node.PerContact`:
    the view one contact is served from)."""

    def offered(self) -> Sequence[bytes]:
        """Version ids this node passes along to contacts."""

    def held(self) -> Sequence[bytes]:
        """Version ids this node already has (so it does not ask for them)."""

    def package(self, version_id: bytes) -> bytes:
        """The transferable bytes of one offered version."""

    def accept(self, data: bytes) -> bytes:
        """Verify and store one received item, returning its version id; raise a
        :class:`SamizdatError` (store untouched) if it does not verify."""

    def check(self, data: bytes) -> object:
        """Decode and verify one received item without touching the store (pure, so
        the node runs it in a worker thread); raise a :class:`SamizdatError` if it
        does not verify."""

    def store_checked(self, checked: object) -> bytes:
        """Store what :meth:`check` returned; its version id."""

    def partial(self, item: bytes) -> tuple[int, bytes]:
        """``(total, prefix)`` kept from an interrupted transfer of ``item``."""

    def save_partial(self, item: bytes, total: int, data: bytes) -> None:
        """Keep the prefix of an item whose transfer was interrupted."""

    def drop_partial(self, item: bytes) -> None:
        """Forget a kept prefix (the item arrived whole, or failed)."""


@runtime_checkable
class SpillsTo(Protocol):
    """A library that says where items on their way in are spilled (the store's
    home, ``app.couriers.PartialItems``); without it, the system's temp folder."""

    def spill_home(self) -> Path:
        """The folder for spill files (they are unnamed and encrypted there)."""


class InFlight:
    """The node-wide budget of item bytes being received or checked.

    A session reserves an item's announced size on its first chunk
    (:meth:`reserve`) and gives it back (:meth:`release`) once the item is checked,
    dropped or kept as a partial. The node holds one for all its sessions; a session
    run alone makes its own. Waiters are woken on every release and retry (no
    queue: a small item may pass a large one that does not fit yet)."""

    __slots__ = ("_freed", "limit", "used", "waiting")

    def __init__(self, limit: int = MAX_INFLIGHT_BYTES) -> None:
        self.limit = limit
        self.used = 0
        self.waiting = 0
        """Sessions waiting for room (for tests and the node's status)."""
        self._freed = asyncio.Event()

    def __repr__(self) -> str:
        return f"<InFlight {self.used}/{self.limit} bytes, {self.waiting} waiting>"

    async def reserve(self, size: int, timeout: float) -> None:
        """Take ``size`` bytes, waiting at most ``timeout`` seconds for room.

        Raises :class:`RemoteProtocolError` for an item larger than the whole
        budget (no wait can make room for it) and :class:`NetworkError` if the wait
        times out (the node is busy: an honest interruption, not the peer's fault).
        """
        if size > self.limit:
            raise RemoteProtocolError(
                f"the peer announced an item over the {self.limit} bytes a node "
                "allows in flight")
        self.waiting += 1
        try:
            async with asyncio.timeout(timeout):
                while self.used + size > self.limit:
                    freed = self._freed
                    await freed.wait()
        except TimeoutError:
            raise NetworkError("the node is busy receiving other items; "
                               "the contact is asked again later") from None
        finally:
            self.waiting -= 1
        self.used += size

    def release(self, size: int) -> None:
        """Give back what :meth:`reserve` took; wake the sessions waiting."""
        self.used -= size
        freed, self._freed = self._freed, asyncio.Event()
        freed.set()


@runtime_checkable
class Chooses(Protocol):
    """A library (a per-contact view) that asks only for some of what it lacks:
    ``chooses(wire_id)`` is False for an id the engine must not ask for (a reader's
    view of a courier asks only for the shards its tickets name)."""

    def chooses(self, item: bytes) -> bool:
        """Whether to ask for the pair-keyed id ``item`` if we lack it."""


class _Skipped:
    """What the engine treats as held: what we hold, and what the view declines."""

    __slots__ = ("_chooses", "_held")

    def __init__(self, held: Container[bytes], chooses: Callable[[bytes], bool]) -> None:
        self._held = held
        self._chooses = chooses

    def __contains__(self, item: object) -> bool:
        return item in self._held or not (isinstance(item, bytes) and self._chooses(item))


class SessionHook(proto.Extension, Protocol):
    """An extension that keeps what arrived once the session has closed."""

    def finish(self) -> bool:
        """Keep what the peer sent; whether it was news (to pass on)."""


@runtime_checkable
class HasExtensions(Protocol):
    """A library that adds extensions to each session (``app/reach.py``)."""

    def session_extensions(self, key: bytes) -> Sequence[SessionHook]:
        """This session's extensions (``key`` is :func:`pair_key`)."""


@dataclass
class SessionStats:
    sent: int = 0
    received: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    received_ids: list[bytes] = field(default_factory=list, repr=False)
    news: bool = False
    """An extension (a reach sketch) told us something new."""


def pair_key(a: bytes, b: bytes) -> bytes:
    """The key both contacts derive from their two transport keys (order-free)."""
    lo, hi = sorted((a, b))
    return blake3_hash(b"samizdat pair key v1" + lo + hi)


def pair_id(key: bytes, version_id: bytes) -> bytes:
    """The id of a version on the wire between one pair of contacts."""
    return pair_item_id(key, version_id)


async def run_session(
    conn: Connection,
    library: Library,
    key: bytes,
    *,
    initiator: bool,
    timeout: float = IDLE_TIMEOUT,
    on_item: Callable[[bytes], None] | None = None,
    max_item: int = MAX_ITEM_BYTES,
    engine: Engine | None = None,
    state: GossipState | None = None,
    contact: Hashable = None,
    extensions: Sequence[proto.Extension] = (),
    inflight: InFlight | None = None,
) -> SessionStats:
    """Run one session; the dialer is the ``initiator``. Returns what moved.

    ``key`` is :func:`pair_key` of the two transport keys. ``engine`` and ``state``
    are the node's (one state for all its sessions, so that only one pulls at a
    time); without them the session is a one-off with a fresh state. ``inflight``
    is the node's budget of item bytes in flight (one for all its sessions; without
    it, this session's own).
    ``extensions`` exchange extra data once reconciled (``protocol.session.Extension``).
    Raises
    :class:`RemoteProtocolError` (the peer misbehaved) or :class:`NetworkError`.
    """
    stats = SessionStats()
    engine = engine or Engine()
    state = state if state is not None else GossipState()
    inflight = inflight if inflight is not None else InFlight()
    home = (library.spill_home() if isinstance(library, SpillsTo)
            else Path(tempfile.gettempdir()))
    mine = {pair_id(key, v): v for v in library.offered()}
    held_versions = library.held()
    held = {pair_id(key, v) for v in held_versions} | set(mine)
    # a view that declines some ids (a reader's view of a courier: only the shards
    # its tickets name) shows them to the engine as held, so it never asks for them
    skip: Container[bytes] = (
        _Skipped(held, library.chooses) if isinstance(library, Chooses) else held
    )
    quota = library.quota() if isinstance(library, HasQuota) else None
    hooks = list(library.session_extensions(key)) if isinstance(library, HasExtensions) else []
    state.held = len(held_versions)
    machine = engine.open(state, contact, ItemSet(mine), skip, initiator=initiator,
                          quota=quota, extensions=[*extensions, *hooks])
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(QUEUE_FRAMES)
    spills: dict[bytes, SpillFile] = {}  # item -> its bytes so far (with a resumed prefix)
    resumes: dict[bytes, tuple[int, int]] = {}  # item -> (total, offset) kept from before
    totals: dict[bytes, int] = {}
    reserved: dict[bytes, int] = {}  # item -> bytes it holds of the node's budget
    group: list[asyncio.TaskGroup] = []  # the session's task group, once it runs

    async def writer() -> None:
        while (wire := await queue.get()) is not None:
            conn.write(wire)
            stats.bytes_out += len(wire)
            await conn.drain()

    async def put(frames: list[bytes]) -> None:
        for wire in frames:
            await queue.put(wire)

    async def send(items: list[tuple[bytes, int]]) -> None:
        for item, offset in items:
            payload = library.package(mine[item])
            await put(machine.send_item(item, payload, offset))
            stats.sent += 1
        frames, events = machine.end()
        await put(frames)
        await handle(events)
        if machine.closed:
            ended.set()

    async def begin(item: bytes, total: int) -> None:
        # room in the node's budget first (this may wait: we read nothing
        # meanwhile), then a spill file for the item's bytes
        await inflight.reserve(total, timeout)
        reserved[item] = total
        spill = spills[item] = SpillFile(home, system_rng)
        resumed = resumes.pop(item, None)
        if resumed is not None:
            kept, reached = resumed
            if kept != total:
                library.drop_partial(item)
                raise RemoteProtocolError(
                    "the item changed size since the interrupted transfer")
            kept_total, prefix = library.partial(item)
            if kept_total != total or len(prefix) != reached:
                raise RemoteProtocolError("the kept part of the item changed")
            view = memoryview(prefix)
            for at in range(0, len(view), _COPY_BYTES):
                spill.append(bytes(view[at:at + _COPY_BYTES]))
            del view, prefix
        totals[item] = total

    async def handle(events: list[EngineEvent]) -> None:
        for event in events:
            if isinstance(event, Ask):
                wants = []
                for i in event.items:
                    total, prefix = library.partial(i)
                    if not 0 < len(prefix) < total <= max_item:
                        if prefix:
                            library.drop_partial(i)
                        wants.append((i, 0))
                    else:  # resume where the last session broke (prefix read again
                        # when the item's turn comes: one item in memory at a time)
                        resumes[i] = (total, len(prefix))
                        wants.append((i, len(prefix)))
                    del prefix
                await put(machine.want(wants))
            elif isinstance(event, proto.Wanted):
                group[0].create_task(send(event.items))
            elif isinstance(event, proto.Chunk):
                if event.total > max_item:
                    raise RemoteProtocolError(
                        f"the peer announced an item over {max_item} bytes")
                try:
                    if event.item not in spills:
                        await begin(event.item, event.total)
                    spills[event.item].append(event.data)
                except StoreError as exc:  # our disk, not the peer: an interruption
                    raise NetworkError(
                        f"cannot keep an item on its way in: {exc.message}") from None
            elif isinstance(event, proto.Completed):
                whole = spills.pop(event.item, None)
                totals.pop(event.item, None)
                size = reserved.pop(event.item, 0)
                # read back + decode + verify off the event loop: other contacts keep
                # being served while a large (or hostile) item is checked. The thread
                # closes the spill and, once done with the bytes, gives back the
                # reservation, even if this session is cancelled meanwhile.
                job = asyncio.get_running_loop().run_in_executor(
                    None, _check_spilled, library.check, whole)
                job.add_done_callback(functools.partial(_released, inflight, size))
                try:
                    checked = await asyncio.shield(job)
                    version_id = library.store_checked(checked)
                except SamizdatError as exc:
                    library.drop_partial(event.item)
                    raise RemoteProtocolError(
                        "the peer sent an item that failed verification") from exc
                library.drop_partial(event.item)
                if pair_id(key, version_id) != event.item:
                    raise RemoteProtocolError("the peer sent another item than the one named")
                held.add(event.item)
                machine.gained(state.held + 1)
                stats.received += 1
                stats.received_ids.append(version_id)
                if on_item is not None:
                    on_item(version_id)
            elif isinstance(event, proto.Closed) and event.reason != "done":
                raise RemoteProtocolError(f"the session ended early: {event.reason}")

    fault = False  # the session ended on the peer's breach of the protocol
    ended = asyncio.Event()  # the machine closed (on the peer's END or on ours)
    waiting = [False]  # the reader is waiting for a frame (and may be cancelled)

    async def reader() -> None:
        pings = 0
        while not machine.closed:
            waiting[0] = True
            try:
                frame = await conn.read_frame(timeout=timeout)
            finally:
                waiting[0] = False
            if frame.type in (FrameType.PING, FrameType.PONG):
                pings += 1
                if pings > MAX_PINGS:
                    raise RemoteProtocolError("the peer sent a flood of pings")
            frames, events = machine.receive(frame)
            await put(frames)
            await handle(events)
        ended.set()

    try:
        # every task of the session lives in this group: if the reader, the writer
        # or a sender fails, the others are cancelled too, and nothing outlives the
        # session
        async with asyncio.TaskGroup() as tg:
            group.append(tg)
            tg.create_task(writer())
            await put(machine.start())
            reading = tg.create_task(reader())
            await ended.wait()
            # the session may close on our own END, in a sender, while the reader
            # waits for a frame that will never come (the peer's END came first):
            # stop it, or the peer's hang-up would read as a broken line
            if waiting[0]:
                reading.cancel()
            await queue.put(None)  # the writer ends once every frame is out
    except BaseExceptionGroup as failed:
        error = _first_error(failed)
        fault = isinstance(error, RemoteProtocolError)
        raise error from None
    except RemoteProtocolError:
        fault = True
        raise
    finally:
        machine.finish(monotonic())
        # keep what arrived of an item cut off honestly (timeout, dropped line): the
        # next session resumes from there. Bytes from a peer that broke the protocol
        # are not trusted as a prefix: a resume of that id starts afresh. Every
        # spill is closed and every reservation given back, whatever happened.
        for item, spill in spills.items():
            try:
                with contextlib.suppress(SamizdatError):
                    if fault:
                        library.drop_partial(item)
                    elif spill.size and item in totals:
                        library.save_partial(item, totals[item], spill.read())
            finally:
                spill.close()
        for size in reserved.values():
            inflight.release(size)
    stats.bytes_in = machine.session.bytes_in
    if any([h.finish() for h in hooks]):  # all of them keep what arrived
        stats.news = True
        state.gained(state.held)  # news for every contact, as an arrival is
    return stats


def _check_spilled(check: Callable[[bytes], object], spill: SpillFile | None) -> object:
    """In a worker thread: read the item back from its spill once, close the spill,
    and check the bytes (``Library.check``). A spill that fails its own tags (the
    disk changed it) raises a :class:`SamizdatError` and is taken as a failed item."""
    if spill is None:
        return check(b"")
    with spill:
        data = spill.read()
    return check(data)


def _released(inflight: InFlight, size: int, done: asyncio.Future[object]) -> None:
    """The check's thread is over: give back its reservation (and retrieve its
    outcome, so a check abandoned by a cancelled session is not reported unseen)."""
    inflight.release(size)
    if not done.cancelled():
        done.exception()


def _first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to report from a failed session's task group: the first of ours
    (the peer's fault or a broken connection), else the first of any kind."""
    leaves: list[BaseException] = []
    stack: list[BaseException] = [group]
    while stack:
        exc = stack.pop(0)
        if isinstance(exc, BaseExceptionGroup):
            stack[:0] = list(exc.exceptions)
        else:
            leaves.append(exc)
    for exc in leaves:
        if isinstance(exc, SamizdatError):
            return exc
    for exc in leaves:
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return leaves[0] if leaves else group
