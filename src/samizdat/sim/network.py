"""Many nodes on virtual links, driving the real protocol code.

Each call between two contacts is a pair of
:class:`~samizdat.protocol.engine.Conversation` objects (reconciliation over
pair-keyed ids, then WANT / DATA / END frames) exactly as a node runs them over TLS;
here the bytes of each frame travel over a virtual link with a latency drawn per
call, in order, and a connection that breaks with probability ``loss`` per frame
(then the call times out). Which contact to call, what to ask for and when to stop
calling is decided by the same :class:`~samizdat.protocol.engine.Engine` the node
runs; this module only moves bytes and keeps the clock. The quota of each node
comes from its role (``PassAlongPolicy.quota``).

The document is ``n`` shards of ``shard_bytes`` each, any ``k`` of which rebuild it.
A node is *reached* once it holds ``k`` distinct shards. With several documents
(``SimConfig.documents``), each has ``n`` shards and its own origin, a node wants
``k`` (a courier ``k + extra``) of each, and it is reached once it can read them all;
shard ``j`` of document ``d`` is number ``d * n + j`` in a node's holdings. The shard bytes are
synthetic (a header naming the shard index and filler): the simulator studies the
spread, not the cryptography, and the receiving node learns which shard it got only
from the bytes, as a real node does after decrypting.

Per-node state is small (role, a set of shard indices, a few counters), so 10,000
nodes fit in memory and run in minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from samizdat.core.crypto import blake3_hash
from samizdat.protocol.engine import Ask, Conversation, Engine, EngineEvent
from samizdat.protocol.frames import FrameDecoder
from samizdat.protocol.gossip import GossipState, PassAlongPolicy, Role, choose_within
from samizdat.protocol.reconcile import ItemSet, pair_item_id
from samizdat.protocol.session import Chunk, Closed, Completed, Wanted
from samizdat.sim import links
from samizdat.sim.config import SimConfig
from samizdat.sim.engine import EventLoop

__all__ = ["Network", "RunStats"]

_SHARD_MAGIC = b"SIMSHARD"


def make_shards(n: int, size: int, documents: int = 1) -> list[bytes]:
    """Synthetic shard payloads: magic, shard index, document number, filler (``size``
    bytes each, at least the 11-byte head); shard ``j`` of document ``d`` is
    ``out[d * n + j]``."""
    out = []
    for d in range(documents):
        for i in range(n):
            head = _SHARD_MAGIC + bytes((i,)) + d.to_bytes(2, "big")
            filler = blake3_hash(head, length=max(0, size - len(head)))
            out.append(head + filler)
    return out


def shard_index(payload: bytes) -> tuple[int, int]:
    """Which document and shard these bytes are (the simulator's stand-in for
    opening a shard)."""
    head = len(_SHARD_MAGIC)
    if not payload.startswith(_SHARD_MAGIC) or len(payload) < head + 3:
        raise ValueError("not a simulated shard")
    return int.from_bytes(payload[head + 1:head + 3], "big"), payload[head]


def _in_order(item: bytes) -> bytes:
    return item  # the engine's own preference: the pair-keyed id itself


@dataclass
class RunStats:
    """Counters of one run."""

    calls: int = 0
    calls_failed: int = 0
    calls_exchanged: int = 0
    duplicates: int = 0
    reach_by_round: list[int] = field(default_factory=list)
    calls_by_round: list[int] = field(default_factory=list)


class _Call:
    """One call in flight: both conversations, their decoders, and what each side
    maps."""

    __slots__ = ("broken", "closed", "conv", "dec", "ids", "key", "lat", "nodes", "rooms",
                 "rx", "traded")

    def __init__(self, u: int, v: int, lat: float, key: bytes) -> None:
        self.nodes = (u, v)
        self.key = key
        self.lat = lat
        self.conv: tuple[Conversation, Conversation] | None = None
        self.dec = (FrameDecoder(), FrameDecoder())
        self.ids: tuple[dict[bytes, int], dict[bytes, int]] = ({}, {})
        self.rx: tuple[dict[bytes, bytearray], dict[bytes, bytearray]] = ({}, {})
        self.rooms: list[Callable[[bytes], tuple[Hashable, int]] | None] = [None, None]
        self.closed = [False, False]
        self.traded = False
        self.broken = False


class Network:
    """The nodes, their friend graph and document holdings, and the calls between
    them."""

    def __init__(self, config: SimConfig, graph: list[list[int]], rng: random.Random) -> None:
        self.cfg = config
        self.adj = list(graph)  # own outer list: seizures edit it, the baseline's graph stays
        self.rng = rng
        self.loop = EventLoop()
        self.policy = PassAlongPolicy(config.k, config.n, config.courier_extra)
        self.engine = Engine()
        n_nodes = len(graph)
        n_docs = config.documents
        self.documents = n_docs
        self.origin = rng.randrange(n_nodes)
        self.roles = [Role.COURIER if rng.random() < config.couriers else Role.READER
                      for _ in range(n_nodes)]
        self.roles[self.origin] = Role.ORIGIN
        self.origins = [self.origin]
        """The origin of each document (distinct nodes; an origin reads the others)."""
        while len(self.origins) < n_docs:
            other = rng.randrange(n_nodes)
            if other not in self.origins:
                self.origins.append(other)
                self.roles[other] = Role.ORIGIN
        self.held: list[set[int]] = [set() for _ in range(n_nodes)]
        self.state = [GossipState() for _ in range(n_nodes)]
        for d, origin in enumerate(self.origins):
            self.held[origin] = set(range(d * config.n, (d + 1) * config.n))
            self.state[origin].held = config.n
        self.online = [True] * n_nodes
        self.seized = [False] * n_nodes
        self.reached_at: list[float | None] = [None] * n_nodes
        self._readable: list[int] | None = None
        self._quotas: list[int] | None = None
        if n_docs == 1:
            self.reached_at[self.origin] = 0.0
        else:
            # documents a node can read, and its quota: the sum of one per document
            self._readable = [0] * n_nodes
            reader = self.policy.quota(Role.READER)
            self._quotas = [n_docs * self.policy.quota(role) if role is not Role.ORIGIN
                            else (n_docs - 1) * reader + config.n for role in self.roles]
            for origin in self.origins:
                self._readable[origin] = 1
        self.bytes_out = [0] * n_nodes
        self.bytes_in = [0] * n_nodes
        self.payload_in = [0] * n_nodes
        self.shards = make_shards(config.n, config.shard_bytes, n_docs)
        self._version_ids = [blake3_hash(b"samizdat sim version" + bytes((j,))
                                         + (d.to_bytes(2, "big") if d else b""))
                             for d in range(n_docs) for j in range(config.n)]
        self._seed = config.seed.to_bytes(8, "big", signed=True)
        self.stats = RunStats()
        self.rng_bytes: Callable[[int], bytes] = rng.randbytes

    # ------------------------------------------------------------ queries

    @property
    def reached(self) -> int:
        """Nodes not seized that can read every document."""
        readable = self._readable
        if readable is None:
            k = self.cfg.k
            return sum(1 for i, h in enumerate(self.held)
                       if len(h) >= k and not self.seized[i])
        docs = self.documents
        return sum(1 for i, r in enumerate(readable) if r == docs and not self.seized[i])

    def reached_per_document(self) -> list[int]:
        """For each document, the nodes not seized that can read it."""
        if self._readable is None:
            return [self.reached]
        k = self.cfg.k
        out = [0] * self.documents
        for i, held in enumerate(self.held):
            if self.seized[i] or len(held) < k:
                continue
            for d, count in enumerate(self._per_document(held)):
                if count >= k:
                    out[d] += 1
        return out

    def _of_document(self, held: set[int], document: int) -> int:
        """How many shards of ``document`` are in ``held``."""
        n = self.cfg.n
        return sum(1 for shard in held if shard // n == document)

    def _per_document(self, held: set[int]) -> list[int]:
        n = self.cfg.n
        counts = [0] * self.documents
        for shard in held:
            counts[shard // n] += 1
        return counts

    def can_read(self, node: int) -> bool:
        return len(self.held[node]) >= self.cfg.k

    # ------------------------------------------------------------ rounds

    def start_round(self, r: int) -> None:
        """Churn, then every online node that wants to call picks a contact."""
        cfg = self.cfg
        rng = self.rng
        t0 = r * cfg.round_seconds
        if cfg.churn:
            for i in range(len(self.adj)):
                self.online[i] = not self.seized[i] and rng.random() >= cfg.churn
        calls = 0
        for u in range(len(self.adj)):
            if not self.online[u] or not self.adj[u]:
                continue
            v = self.engine.next_call(self.state[u], self.adj[u], self._quota(u),
                                      self.loop.now, self.rng_bytes)
            if v is None:
                continue
            calls += 1
            delay = max(0.0, t0 + rng.uniform(0, 0.05) - self.loop.now)
            self.loop.schedule(delay, self._dial, u, v)
        self.stats.calls_by_round.append(calls)

    def seize(self, fraction: float) -> list[int]:
        """Take a fraction of nodes (never all) off the network for good, wiping them.
        Their contacts learn of it (a seizure is noticed: the node never answers, and
        word travels) and drop them from their contact lists, so calls are no longer
        wasted on them."""
        candidates = [i for i in range(len(self.adj)) if not self.seized[i]]
        count = min(len(candidates), round(fraction * len(self.adj)))
        victims = self.rng.sample(candidates, count)
        touched: set[int] = set()
        for i in victims:
            self.seized[i] = True
            self.online[i] = False
            self.held[i] = set()
            self.state[i].held = 0
            if self._readable is not None:
                self._readable[i] = 0
            touched.update(self.adj[i])
            self.adj[i] = []
        seized = self.seized
        for v in touched:
            if not seized[v]:
                self.adj[v] = [u for u in self.adj[v] if not seized[u]]
        return victims

    # ------------------------------------------------------------ one call

    def _quota(self, node: int) -> int:
        if self._quotas is not None:
            return self._quotas[node]
        return self.policy.quota(self.roles[node])

    def _document_quota(self, node: int, document: int) -> int:
        if self.origins[document] == node:
            return self.cfg.n
        role = self.roles[node]
        return self.policy.quota(Role.READER if role is Role.ORIGIN else role)

    def _rooms(self, call: _Call, side: int) -> Callable[[bytes], tuple[Hashable, int]]:
        """The quota per document of this side (``Engine.open(group_room=...)``): which
        document an offered id is, and how many more of it this node wants.

        A real node knows which ids belong to which document from its tickets, which
        name the shards' versions; the simulator reads it from the peer's map."""
        offered = call.ids[1 - side]
        node = call.nodes[side]
        n = self.cfg.n

        def room(item: bytes) -> tuple[Hashable, int]:
            document = offered[item] // n
            have = self._of_document(self.held[node], document)
            return document, self._document_quota(node, document) - have

        return room

    def _pair_key(self, u: int, v: int) -> bytes:
        a, b = (u, v) if u < v else (v, u)
        return blake3_hash(b"samizdat sim pair" + self._seed + a.to_bytes(4, "big")
                           + b.to_bytes(4, "big"))

    def _dial(self, u: int, v: int) -> None:
        cfg = self.cfg
        self.stats.calls += 1
        if not self.online[u]:
            return
        if not self.online[v]:
            self.stats.calls_failed += 1
            return
        connect, lat = links.draw(cfg.links, cfg.latency_min, cfg.latency_max, self.rng)
        if connect is None or connect >= cfg.call_timeout:
            self.stats.calls_failed += 1  # no connection within the call's time
            return
        if connect:
            self.loop.schedule(connect, self._connected, u, v, lat, cfg.call_timeout - connect)
        else:
            self._open(u, v, lat, cfg.call_timeout)

    def _connected(self, u: int, v: int, lat: float, time_left: float) -> None:
        if not (self.online[u] and self.online[v]):
            self.stats.calls_failed += 1
            return
        self._open(u, v, lat, time_left)

    def _open(self, u: int, v: int, lat: float, time_left: float) -> None:
        """The connection is up: both sides open their conversations (offering what
        they hold now) and the caller speaks first."""
        key = self._pair_key(u, v)
        call = _Call(u, v, lat, key)
        convs = []
        for side, node in enumerate(call.nodes):
            ids = call.ids[side]
            for shard in self.held[node]:
                ids[pair_item_id(key, self._version_ids[shard])] = shard
        for side, node in enumerate(call.nodes):
            ids = call.ids[side]
            rooms = None if self._readable is None else self._rooms(call, side)
            call.rooms[side] = rooms
            convs.append(self.engine.open(self.state[node], call.nodes[1 - side],
                                          ItemSet(ids), ids, initiator=side == 0,
                                          quota=self._quota(node), group_room=rooms))
        call.conv = (convs[0], convs[1])
        self._send(call, 0, convs[0].start())
        self.loop.schedule(time_left, self._timeout, call)

    def _send(self, call: _Call, side: int, frames: list[bytes]) -> None:
        if call.broken:
            return
        if not frames:
            return
        sender = call.nodes[side]
        loss = self.cfg.loss
        if loss:
            for _ in frames:
                if self.rng.random() < loss:
                    call.broken = True  # the connection dropped: nothing more gets through
                    return
        self.bytes_out[sender] += sum(map(len, frames))
        # the frames of one send leave together and arrive together, in order, one
        # latency later: one event for the batch (the same as one per frame, since
        # nothing else can come between them on the link)
        self.loop.schedule(call.lat, self._deliver, call, 1 - side, frames)

    def _deliver(self, call: _Call, side: int, frames: list[bytes]) -> None:
        if call.broken or call.closed[side] or call.conv is None:
            return
        node = call.nodes[side]
        if self.seized[node]:
            call.broken = True
            return
        conv = call.conv[side]
        # the batch arrives as one piece of the stream, as TCP may deliver it
        wire = frames[0] if len(frames) == 1 else b"".join(frames)
        self.bytes_in[node] += len(wire)
        # whatever this delivery makes us say leaves in one batch, in order
        reply: list[bytes] = []
        for frame in call.dec[side].feed(wire):
            if conv.closed:
                break
            out, events = conv.receive(frame)
            reply += out
            self._handle(call, side, events, reply)
        self._send(call, side, reply)

    def _handle(self, call: _Call, side: int, events: list[EngineEvent],
                reply: list[bytes]) -> None:
        """Act on the engine's events; frames to send are appended to ``reply``."""
        assert call.conv is not None
        conv = call.conv[side]
        node = call.nodes[side]
        for event in events:
            if isinstance(event, Ask):
                # the offer was a snapshot taken when the call began: drop what another
                # call has brought us since (a real node asks its store the same)
                items = event.items
                if items and len(self.held[node]) > len(call.ids[side]):
                    now_held = {pair_item_id(call.key, self._version_ids[s])
                                for s in self.held[node]}
                    items = [i for i in items if i not in now_held]
                    rooms = call.rooms[side]
                    if rooms is not None:  # and no more of a document than it still wants
                        items = choose_within(items, len(items), _in_order, rooms)
                reply += conv.want([(i, 0) for i in items])
            elif isinstance(event, Wanted):
                for item, offset in event.items:
                    reply += conv.send_item(item, self.shards[call.ids[side][item]], offset)
                more, closing = conv.end()
                reply += more
                self._handle(call, side, closing, reply)
            elif isinstance(event, Chunk):
                buf = call.rx[side].setdefault(event.item, bytearray())
                buf += event.data
                self.payload_in[node] += len(event.data)  # partial transfers count too
            elif isinstance(event, Completed):
                payload = bytes(call.rx[side].pop(event.item))
                self._received(conv, node, payload)
                call.traded = True
            elif isinstance(event, Closed):
                self._close_side(call, side)

    def _received(self, conv: Conversation, node: int, payload: bytes) -> None:
        document, index = shard_index(payload)
        n, k = self.cfg.n, self.cfg.k
        shard = document * n + index
        if payload != self.shards[shard]:
            raise AssertionError("a shard changed in transit")
        held = self.held[node]
        if shard in held:
            self.stats.duplicates += 1
            return
        held.add(shard)
        conv.gained(len(held))
        readable = self._readable
        if readable is None:
            if len(held) >= k and self.reached_at[node] is None:
                self.reached_at[node] = self.loop.now
        elif self._of_document(held, document) == k:  # this one is readable now
            readable[node] += 1
            if readable[node] == self.documents and self.reached_at[node] is None:
                self.reached_at[node] = self.loop.now

    def _close_side(self, call: _Call, side: int) -> None:
        if call.closed[side] or call.conv is None:
            return
        call.closed[side] = True
        call.conv[side].finish(self.loop.now)
        if side == 0 and call.traded:
            self.stats.calls_exchanged += 1

    def _timeout(self, call: _Call) -> None:
        if call.closed[0] and call.closed[1]:
            return
        call.broken = True
        if not call.closed[0]:
            self.stats.calls_failed += 1
        for side in (0, 1):
            self._close_side(call, side)
