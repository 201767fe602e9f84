"""Who may start a TLS handshake with a node, and how many at once (sans-io).

Two policies, both pure (no socket, clock or randomness: the driver passes ``now``
and connection ids in). The design and its limits are in ``docs/spec/admission.md``.

**Names that prove something before the certificate is sent.** In TLS 1.3 the
server sends its certificate right after the ClientHello; the only thing a client
says before that is the SNI name. So the client proves it is a contact, or holds an
open invite, *in the SNI*:

* a contact sends :func:`contact_name` of the secret the pair shares (X25519 between
  the two transport keys, ``core.crypto.ed25519_pair_key``) and the current hour;
* an invite acceptor sends :func:`invite_name` of the invite's secret hash (what the
  inviter's store keeps) and the current hour.

A name is 128 bits of BLAKE3 (keyed derivation), base32, under ``.invalid``: a
stranger cannot make one, and names change every :data:`EPOCH_SECONDS`, so an
observer cannot follow a pair across hours by its SNI. The server accepts the
previous, current and next hour (clock skew up to an hour either way) and refuses
any other name inside the ClientHello, before it sends a byte of its certificate.

**Bounded handshakes.** :class:`HandshakeSlots` holds the connections that are still
in their handshake: at most ``max_pending`` overall and ``max_per_source`` per
source address. A new connection is always admitted; when a limit is hit the
*oldest* pending handshake (of that source, else overall) is evicted. Idle floods
therefore never lock out a fresh handshake from a contact: the flood's connections
are older than the contact's. A pending handshake younger than :data:`MIN_AGE` is
never evicted: a burst of new connections is refused instead, so it cannot evict a
contact's handshake under way either (the contact retries if its own was refused).
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Final, Literal

from samizdat.core.crypto import derive_key

__all__ = [
    "EPOCH_SECONDS",
    "MAX_PENDING",
    "MAX_PER_SOURCE",
    "MIN_AGE",
    "NAME_SUFFIX",
    "HandshakeSlots",
    "Route",
    "contact_name",
    "epoch_of",
    "invite_name",
    "names_around",
]

EPOCH_SECONDS: Final = 3600
"""How long one SNI name is valid (the names rotate every hour)."""
NAME_SUFFIX: Final = ".invalid"
"""The reserved top-level name (RFC 6761): a name that never resolves anywhere."""
MAX_PENDING: Final = 64
"""Handshakes in progress at once, overall (each costs asyncio ~280 KB of buffers)."""
MAX_PER_SOURCE: Final = 16
"""Handshakes in progress at once from one source address."""

MIN_AGE: Final = 1.0
"""A pending handshake younger than this (seconds) is never evicted for a newcomer."""

_TOKEN_BYTES: Final = 16


def epoch_of(now: int) -> int:
    """The hour ``now`` (unix seconds) falls in."""
    return now // EPOCH_SECONDS


def _name(context: str, secret: bytes, epoch: int) -> str:
    token = derive_key(context, secret + epoch.to_bytes(8, "big"), length=_TOKEN_BYTES)
    return base64.b32encode(token).decode("ascii").rstrip("=").lower() + NAME_SUFFIX


def contact_name(pair_secret: bytes, epoch: int) -> str:
    """The SNI name a contact sends in ``epoch``; ``pair_secret`` is the pair's
    shared secret (never the public keys: a third party knows those)."""
    return _name("samizdat sni contact v1", pair_secret, epoch)


def invite_name(invite_hash: bytes, epoch: int) -> str:
    """The SNI name an invite acceptor sends in ``epoch``; ``invite_hash`` is the hash
    of the invite's one-time secret, which the inviter's store keeps."""
    return _name("samizdat sni invite v1", invite_hash, epoch)


def names_around(now: int) -> tuple[int, int, int]:
    """The epochs a server accepts at ``now``: previous, current, next."""
    e = epoch_of(now)
    return e - 1, e, e + 1


@dataclass(frozen=True)
class Route:
    """What an SNI name proved: a contact (``key`` is its transport key and
    ``certificate`` the one pinned for it) or an open invite (``key`` is the invite's
    secret hash, no certificate)."""

    kind: Literal["contact", "invite"]
    key: bytes
    certificate: bytes = field(default=b"", repr=False)


class HandshakeSlots:
    """Pending handshakes with a cap overall and per source.

    ``arrive(conn, source, now)`` admits a new connection and returns those the
    driver must abort now — possibly the new one itself; ``leave(conn)`` is called
    when a handshake ends either way. At a limit, the oldest pending handshake (of
    that source, else overall) is evicted if it has been pending for at least
    ``min_age`` seconds (an idle connection that never finishes); if even the oldest
    is younger (a burst of new connections), the *new* connection is refused, so a
    burst cannot evict an honest handshake already under way. Memory is bounded by
    the caps (evicted connections are forgotten at once).
    """

    def __init__(self, *, max_pending: int = MAX_PENDING,
                 max_per_source: int = MAX_PER_SOURCE, min_age: float = MIN_AGE) -> None:
        if not 1 <= max_per_source <= max_pending:
            raise ValueError("need 1 <= max_per_source <= max_pending")
        self.max_pending = max_pending
        self.max_per_source = max_per_source
        self.min_age = min_age
        self._order: OrderedDict[Hashable, tuple[Hashable, float]] = OrderedDict()
        self._by_source: dict[Hashable, OrderedDict[Hashable, None]] = {}
        self.evicted = 0
        self.refused = 0
        self.arrived = 0

    def __len__(self) -> int:
        return len(self._order)

    def arrive(self, conn: Hashable, source: Hashable, now: float) -> list[Hashable]:
        """Admit ``conn`` from ``source`` at ``now`` (monotonic seconds); return the
        connections to abort (``[conn]`` itself when it is refused)."""
        if conn in self._order:
            raise ValueError("connection already pending")
        self.arrived += 1
        mine = self._by_source.get(source)
        oldest: Hashable | None = None
        if mine is not None and len(mine) >= self.max_per_source:
            oldest = next(iter(mine))
        elif len(self._order) >= self.max_pending:
            oldest = next(iter(self._order))
        if oldest is not None:
            if now - self._order[oldest][1] < self.min_age:
                self.refused += 1
                return [conn]
            self.leave(oldest)
            self.evicted += 1
        self._order[conn] = (source, now)
        self._by_source.setdefault(source, OrderedDict())[conn] = None
        return [] if oldest is None else [oldest]

    def leave(self, conn: Hashable) -> None:
        """``conn``'s handshake is over (done, failed or evicted); idempotent."""
        entry = self._order.pop(conn, None)
        if entry is None:
            return
        source = entry[0]
        mine = self._by_source[source]
        mine.pop(conn, None)
        if not mine:
            del self._by_source[source]
