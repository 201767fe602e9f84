"""One sync session with one contact, over an authenticated :class:`Connection`.

INTERIM: this exchange is a simple offer/want/items protocol written so that the node,
the CLI and the multi-node tests run end to end today. It is meant to be replaced by
the sans-io session and reconciliation machines of ``samizdat.protocol`` (range-based
reconciliation: O(d log N) bytes instead of this offer's O(N)); the node only calls
:func:`run_session`, so the swap is local to this module. What it already guarantees
and the replacement must keep:

* **Pair-keyed ids.** Items are named on the wire by ``BLAKE3-keyed(pair_key,
  version_id)[:16]``, where ``pair_key`` is derived from the two transport keys, so
  the ids one pair exchanges cannot be matched with another pair's (an informant
  learns nothing it can compare with other contacts).
* **Strict order and bounds.** ``offer`` then ``want`` then ``item``\\* then ``done``,
  each frame CBOR with a version; anything else, an unknown or oversized field, an
  item that was not asked for or one that fails verification cuts the session with a
  :class:`ProtocolError` naming the reason. Nothing is stored from a failing item.
* **Resume.** Each item is committed when its last part has arrived and verified;
  an interrupted session re-offers everything next time and the receiver only asks
  for what it still lacks.
* **Backpressure.** Items are sent one frame at a time, each awaiting ``drain()``;
  sending and receiving run concurrently so two big senders never deadlock.

Frames (CBOR maps, ``v`` = 1)::

    {"v":1, "t":"offer", "ids":[bstr16...]}      at most MAX_IDS ids
    {"v":1, "t":"want",  "ids":[bstr16...]}      a subset of the peer's offer
    {"v":1, "t":"item",  "id":bstr16, "more":bool, "data":bstr}   parts of <= 1 MiB;
                                                    "more": false on an item's last
    {"v":1, "t":"done"}
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from samizdat.core import cbor
from samizdat.core.crypto import blake3_hash, keyed_hash
from samizdat.errors import DecodeError, ProtocolError, SamizdatError
from samizdat.transports.tcp import Connection

__all__ = ["Library", "SessionStats", "pair_id", "pair_key", "run_session"]

VERSION: Final = 1
ID_BYTES: Final = 16
MAX_IDS: Final = 100_000
IDLE_TIMEOUT: Final = 60.0
PART_BYTES: Final = 1 << 20
"""Items travel in parts of at most this size, so frames stay small (backpressure
per part) whatever the size of a document."""
MAX_ITEM_BYTES: Final = 256 << 20
"""Largest item a peer may send; the parts of one item are held in memory until it
is verified whole, so this bounds the memory a peer can make us spend."""


class Library(Protocol):
    """What a session needs from the store (the node gives it a store-backed one)."""

    def offered(self) -> Sequence[bytes]:
        """Version ids this node passes along to contacts."""

    def held(self) -> Sequence[bytes]:
        """Version ids this node already has (so it does not ask for them)."""

    def package(self, version_id: bytes) -> bytes:
        """The transferable bytes of one offered version."""

    def accept(self, data: bytes) -> bytes:
        """Verify and store one received item, returning its version id; raise a
        :class:`SamizdatError` (store untouched) if it does not verify."""


@dataclass
class SessionStats:
    sent: int = 0
    received: int = 0
    received_ids: list[bytes] = field(default_factory=list, repr=False)


def pair_key(a: bytes, b: bytes) -> bytes:
    """The key both contacts derive from their two transport keys (order-free)."""
    lo, hi = sorted((a, b))
    return blake3_hash(b"samizdat pair key v1" + lo + hi)


def pair_id(key: bytes, version_id: bytes) -> bytes:
    return keyed_hash(key, version_id, length=ID_BYTES)


def _frame(kind: str, **fields: cbor.Value) -> bytes:
    body: dict[str | int, cbor.Value] = {"v": VERSION, "t": kind}
    body.update(fields)
    return cbor.encode(body)


def _parse(data: bytes) -> dict[str | int, cbor.Value]:
    try:
        value = cbor.decode(data, max_depth=3)
    except DecodeError as exc:
        raise ProtocolError(f"the peer sent a malformed frame ({exc.message})") from exc
    if not isinstance(value, dict) or value.get("v") != VERSION or not isinstance(
        value.get("t"), str
    ):
        raise ProtocolError("the peer sent a frame of an unknown kind or version")
    return value


def _ids(msg: dict[str | int, cbor.Value]) -> list[bytes]:
    ids = msg.get("ids")
    if set(msg) != {"v", "t", "ids"} or not isinstance(ids, list) or len(ids) > MAX_IDS:
        raise ProtocolError("the peer sent a malformed id list")
    if not all(isinstance(i, bytes) and len(i) == ID_BYTES for i in ids):
        raise ProtocolError("the peer sent a malformed id")
    return [bytes(i) for i in ids if isinstance(i, bytes)]


async def _expect(conn: Connection, kind: str, timeout: float) -> dict[str | int, cbor.Value]:
    msg = _parse(await conn.read_frame(timeout=timeout))
    if msg["t"] != kind:
        raise ProtocolError(f"the peer sent '{msg['t']!s}' where '{kind}' belongs")
    return msg


async def run_session(
    conn: Connection,
    library: Library,
    key: bytes,
    *,
    timeout: float = IDLE_TIMEOUT,
    on_item: Callable[[bytes], None] | None = None,
    max_item: int = MAX_ITEM_BYTES,
) -> SessionStats:
    """Run one symmetric exchange; both sides call this. Returns what moved.

    ``key`` is :func:`pair_key` of the two transport keys. Raises
    :class:`ProtocolError` (the peer misbehaved) or :class:`NetworkError`.
    """
    stats = SessionStats()
    mine = {pair_id(key, v): v for v in library.offered()}
    if len(mine) > MAX_IDS:
        mine = dict(list(mine.items())[:MAX_IDS])
    await conn.write_frame(_frame("offer", ids=list(mine)))
    theirs = set(_ids(await _expect(conn, "offer", timeout)))
    held = {pair_id(key, v) for v in library.held()}
    wanted = sorted(theirs - held)
    await conn.write_frame(_frame("want", ids=wanted))
    asked = _ids(await _expect(conn, "want", timeout))
    if not set(asked) <= set(mine):
        raise ProtocolError("the peer asked for items that were not offered")

    async def send() -> None:
        for pid in dict.fromkeys(asked):
            data = library.package(mine[pid])
            for start in range(0, max(len(data), 1), PART_BYTES):
                part = data[start:start + PART_BYTES]
                more = start + PART_BYTES < len(data)
                await conn.write_frame(_frame("item", id=pid, more=more, data=part))
            stats.sent += 1
        await conn.write_frame(_frame("done"))

    async def receive() -> None:
        pending = set(wanted)
        current: bytes | None = None  # id of the item whose parts are arriving
        parts: list[bytes] = []
        size = 0
        while True:
            msg = _parse(await conn.read_frame(timeout=timeout))
            if msg["t"] == "done":
                if set(msg) != {"v", "t"} or current is not None:
                    raise ProtocolError("the peer sent a malformed or early 'done'")
                return
            if msg["t"] != "item" or set(msg) != {"v", "t", "id", "more", "data"}:
                raise ProtocolError(f"the peer sent '{msg['t']!s}' where an item belongs")
            pid, more, part = msg["id"], msg["more"], msg["data"]
            if not (isinstance(pid, bytes) and isinstance(part, bytes) and isinstance(more, bool)):
                raise ProtocolError("the peer sent a malformed item")
            if current is None:
                if pid not in pending:
                    raise ProtocolError("the peer sent an item that was not asked for")
                pending.discard(pid)
                current = pid
            elif pid != current:
                raise ProtocolError("the peer interleaved two items")
            size += len(part)
            if size > max_item:
                raise ProtocolError(f"the peer sent an item over {max_item} bytes")
            parts.append(part)
            if more:
                continue
            data = b"".join(parts)
            current, parts, size = None, [], 0
            try:
                version_id = library.accept(data)
            except SamizdatError as exc:
                raise ProtocolError("the peer sent an item that failed verification") from exc
            if pair_id(key, version_id) != pid:
                raise ProtocolError("the peer sent another item than the one named")
            stats.received += 1
            stats.received_ids.append(version_id)
            if on_item is not None:
                on_item(version_id)

    sender = asyncio.create_task(send())
    try:
        await receive()
        await sender
    finally:
        if not sender.done():
            sender.cancel()
    return stats
