"""The pass-along policy: whom to call, what to offer, what to ask for, and when to stop.

Pure decisions, no I/O: the node and the simulator ask this module and act on the
answer. Randomness is passed in (``rng(n) -> bytes``) so the simulator is
reproducible. See ``docs/spec/gossip.md``.

Why copies stay near one per node (the goal is at most two on average, where naive
flooding sends about nine and blind push-pull about four): a payload is never pushed.
Two contacts first reconcile (``protocol/reconcile.py``) — cheap, O(d log N) bytes —
and each then *pulls* only what it lacks and still wants. Three stop rules keep the
remaining duplicates out:

1. **quota** — a node wants only ``quota`` items of a document (a reader: the ``k``
   shards that rebuild it; a courier: a few more, to carry for survival) and never
   asks for more than ``quota - held - in_flight``;
2. **one puller at a time** — while a pull from one contact is in flight, no other
   session asks for anything: the pair-keyed ids of two contacts cannot be matched
   (on purpose: that is what keeps an informant from linking them), so the only safe
   way not to fetch the same shard twice is not to fetch from two contacts at once;
3. **quiet when in step** — after a call that ran to its end, each side knows the
   other holds everything it offered (or wants no more), so it marks that contact
   *in step* until it gains something new. A node calls only contacts not in step;
   one whose quota is full and whose contacts are all in step stops calling (it
   still answers calls). This is the "feedback" stop of rumour mongering (Demers et
   al. 1987) made exact by reconciliation: it never skips a contact that might still
   lack something of ours, so it costs no reach — it even speeds the spread, since
   calls go where they can still carry something. A node that lacks shards always
   calls (preferring contacts not in step), to pull.

Choice among offered items: shards a node lacks are taken in an order fixed per
node (from its own rng), so couriers spread across all ``n`` shards instead of all
taking the first ``k`` — the diversity that lets a document survive seizures.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = ["GossipState", "PassAlongPolicy", "Role", "budget", "choose", "choose_within",
           "next_call", "pick_contact"]


class Role(enum.Enum):
    """What a person's node does with a document."""

    READER = "reader"
    """Wants enough shards to read (k) and passes on what it holds."""
    COURIER = "courier"
    """Carries extra shards (quota above k) so that seizures destroy nothing."""
    ORIGIN = "origin"
    """Holds every shard from the start (the author's or first sharer's node)."""


@dataclass(frozen=True)
class PassAlongPolicy:
    """The knobs of pass-along for one document of ``n`` shards, any ``k`` of which
    rebuild it."""

    k: int
    n: int
    courier_extra: int = 1
    """Shards a courier carries beyond k."""

    def __post_init__(self) -> None:
        if not 1 <= self.k <= self.n:
            raise ValueError("need 1 <= k <= n")
        if self.courier_extra < 0:
            raise ValueError("courier_extra must not be negative")

    def quota(self, role: Role) -> int:
        """How many shards a node in this role wants to hold."""
        if role is Role.ORIGIN:
            return self.n
        if role is Role.COURIER:
            return min(self.n, self.k + self.courier_extra)
        return self.k

    def wanted(self, role: Role, state: GossipState) -> int:
        """How many more shards to ask for now (0 while another pull is in flight)."""
        return budget(self.quota(role), state)

    def choose(self, role: Role, state: GossipState, offered: Sequence[bytes],
               rank: Callable[[bytes], bytes]) -> list[bytes]:
        """Which of the ``offered`` ids (ones we lack) to request, in order.

        ``rank`` maps an id to a sort key private to this node (e.g. a keyed hash),
        so that different nodes prefer different shards.
        """
        return choose(offered, self.wanted(role, state), rank)

    def next_call(self, role: Role, state: GossipState, contacts: Sequence[C],
                  rng: Callable[[int], bytes]) -> C | None:
        """The contact to call this round, or None to stay quiet (stop rule 3)."""
        return next_call(state, contacts, state.held < self.quota(role), rng)


Contact = Hashable
"""A contact as the driver names it: an index in the simulator, a key in the node."""
C = TypeVar("C", bound=Hashable)


@dataclass(slots=True)
class GossipState:
    """What the policy needs to know about one node (kept small: the simulator holds
    a million of these)."""

    held: int = 0
    pulling: bool = False
    in_step: dict[Contact, float] = field(default_factory=dict)
    """Contacts known to hold everything we offered them (since our last gain), with
    the time each was found so (a driver may let the mark expire)."""

    def call_completed(self, contact: Contact, now: float = 0.0) -> None:
        """A call with ``contact`` ran to its end: we are in step with it."""
        self.in_step[contact] = now

    def gained(self, held: int) -> None:
        """We now hold ``held`` items, some new: every contact may lack them."""
        self.held = held
        self.in_step.clear()


def budget(quota: int | None, state: GossipState, cap: int = 4096) -> int:
    """Items to ask for now: up to the quota (``None``: whatever is lacking, at most
    ``cap``), and nothing while another pull is in flight (stop rule 2)."""
    if state.pulling:
        return 0
    if quota is None:
        return cap
    return max(0, min(cap, quota - state.held))


def choose(offered: Sequence[bytes], want: int,
           rank: Callable[[bytes], bytes]) -> list[bytes]:
    """The first ``want`` of ``offered`` in this node's private ``rank`` order."""
    if want <= 0 or not offered:
        return []
    return sorted(offered, key=rank)[:want]


def choose_within(offered: Sequence[bytes], want: int, rank: Callable[[bytes], bytes],
                  group_room: Callable[[bytes], tuple[Hashable, int]]) -> list[bytes]:
    """Like :func:`choose`, with a quota per group as well: ``group_room(id)`` names
    the group an id belongs to (a document) and how many more of that group the
    node wants; at most that many of each group are taken, in ``rank`` order.

    With several documents the node's quota is the sum of theirs, and one call could
    otherwise fill it with one document's shards while another document goes short.
    """
    if want <= 0 or not offered:
        return []
    taken: dict[Hashable, int] = {}
    out: list[bytes] = []
    for item in sorted(offered, key=rank):
        group, room = group_room(item)
        count = taken.get(group, 0)
        if count < room:
            taken[group] = count + 1
            out.append(item)
            if len(out) == want:
                break
    return out


def next_call(state: GossipState, contacts: Sequence[C], lacking: bool,
              rng: Callable[[int], bytes]) -> C | None:
    """Stop rule 3: call a contact not in step; if all are, call any only while
    ``lacking`` (still short of the quota), else stay quiet."""
    if not contacts:
        return None
    fresh = [c for c in contacts if c not in state.in_step] if state.in_step else contacts
    if fresh:
        return pick_contact(fresh, rng)
    if lacking:
        return pick_contact(contacts, rng)  # still lacking: keep trying to pull
    return None


def pick_contact(contacts: Sequence[C], rng: Callable[[int], bytes]) -> C:
    """One contact uniformly at random (the call of this round)."""
    if not contacts:
        raise ValueError("no contacts to call")
    n = len(contacts)
    # rejection sampling on 32-bit draws: exactly uniform
    limit = (1 << 32) - (1 << 32) % n
    while True:
        x = int.from_bytes(rng(4), "big")
        if x < limit:
            return contacts[x % n]
