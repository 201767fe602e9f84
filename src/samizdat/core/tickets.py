"""Tickets and shard items: how sealed shards travel between nodes.

A *shard item* is one shard of an envelope (``core/envelope.py``), exactly as
``disperse`` writes it: bytes indistinguishable from random without the read
capability. Its id is a hash of those bytes, so the node that receives it can check
that what arrived is what it asked for, without being able to open it.

A *ticket* is what lets a reader rebuild a copy from shards: the read capability, the
version the envelope holds and the ids of its ``n`` shards. It is a secret (it holds
the capability), travels only to readers, and is never offered to a courier.

The byte formats, with their version bytes, are in ``docs/spec/shards.md``.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from samizdat.core import cbor
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import blake3_hash
from samizdat.errors import DecodeError

__all__ = [
    "ITEM_CIRCLE",
    "ITEM_SHARD",
    "ITEM_TICKET",
    "MAX_TICKET_BYTES",
    "TICKET_VERSION",
    "Ticket",
    "circle_item_id",
    "decode_ticket",
    "encode_ticket",
    "shard_id",
    "ticket_id",
]

TICKET_VERSION: Final = 1
ITEM_TICKET: Final = 0xF1
"""First byte of a ticket item on the wire (a package item starts with its own
version byte, 01)."""
ITEM_SHARD: Final = 0xF2
"""First byte of a shard item on the wire."""
ITEM_CIRCLE: Final = 0xF3
"""First byte of a circle item on the wire (``docs/spec/circle.md``): the bytes
``app.circle.seal_item`` makes, which only the circle's key opens."""
ID_BYTES: Final = 32
MAX_TICKET_BYTES: Final = 16 + 255 * (ID_BYTES + 2) + 64
"""A ticket for the largest n (255) with its CBOR overhead; anything longer is refused
before it is parsed."""

_SHARD_DOMAIN: Final = b"samizdat shard item v1"
_TICKET_DOMAIN: Final = b"samizdat ticket item v1"
_CIRCLE_DOMAIN: Final = b"samizdat circle item v1"


def shard_id(data: bytes | memoryview) -> bytes:
    """The id of a shard item: BLAKE3 of a domain and the shard's bytes."""
    return blake3_hash(_SHARD_DOMAIN + bytes(data))


def ticket_id(encoded: bytes) -> bytes:
    """The id of a ticket item: BLAKE3 of a domain and its encoding."""
    return blake3_hash(_TICKET_DOMAIN + encoded)


@dataclass(frozen=True)
class Ticket:
    """The capability of one envelope, the version it holds, and its shard ids in
    shard order. Safe to log: the capability hides its key, and the ids are left
    out of ``repr``."""

    cap: ReadCap
    version_id: bytes = field(repr=False)
    shards: tuple[bytes, ...] = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.version_id) != ID_BYTES:
            raise DecodeError("a ticket's version id is 32 bytes")
        if len(self.shards) != self.cap.n:
            raise DecodeError("a ticket names exactly n shards")
        if any(len(s) != ID_BYTES for s in self.shards):
            raise DecodeError("a ticket's shard ids are 32 bytes")
        if len(set(self.shards)) != len(self.shards):
            raise DecodeError("a ticket names a shard twice")


def encode_ticket(ticket: Ticket) -> bytes:
    """``01 || CBOR({"k", "n", "key", "version", "shards"})``, canonical."""
    body: cbor.Value = {
        "k": ticket.cap.k,
        "n": ticket.cap.n,
        "key": ticket.cap.root_key,
        "version": ticket.version_id,
        "shards": list(ticket.shards),
    }
    return bytes([TICKET_VERSION]) + cbor.encode(body)


def decode_ticket(data: bytes | memoryview) -> Ticket:
    """Strictly decode a ticket; :class:`DecodeError` for anything else."""
    data = bytes(data)
    if len(data) > MAX_TICKET_BYTES:
        raise DecodeError("ticket too long")
    if not data or data[0] != TICKET_VERSION:
        raise DecodeError("not a ticket of a known version")
    value = cbor.decode(data[1:], max_depth=3)
    if not isinstance(value, dict) or set(value) != {"k", "n", "key", "version", "shards"}:
        raise DecodeError("a ticket is a map of k, n, key, version and shards")
    k, n, key, version, shards = (
        value["k"], value["n"], value["key"], value["version"], value["shards"]
    )
    if not isinstance(k, int) or not isinstance(n, int):
        raise DecodeError("a ticket's k and n are integers")
    if not isinstance(key, bytes) or not isinstance(version, bytes):
        raise DecodeError("a ticket's key and version are byte strings")
    if not isinstance(shards, list) or not all(isinstance(s, bytes) for s in shards):
        raise DecodeError("a ticket's shards are a list of byte strings")
    ticket = Ticket(ReadCap(k=k, n=n, root_key=key), version, tuple(
        s for s in shards if isinstance(s, bytes)
    ))
    if encode_ticket(ticket) != data:
        raise DecodeError("ticket not in canonical form")
    return ticket


def circle_item_id(data: bytes | memoryview) -> bytes:
    """The id of a circle item on the network: BLAKE3 of a domain and its bytes."""
    return blake3_hash(_CIRCLE_DOMAIN + bytes(data))
