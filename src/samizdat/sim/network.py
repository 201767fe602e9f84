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
A node is *reached* once it holds ``k`` distinct shards. The shard bytes are
synthetic (a header naming the shard index and filler): the simulator studies the
spread, not the cryptography, and the receiving node learns which shard it got only
from the bytes, as a real node does after decrypting.

Per-node state is small (role, a set of shard indices, a few counters), so 10,000
nodes fit in memory and run in minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from samizdat.core.crypto import blake3_hash
from samizdat.protocol.engine import Ask, Conversation, Engine, EngineEvent
from samizdat.protocol.frames import FrameDecoder
from samizdat.protocol.gossip import GossipState, PassAlongPolicy, Role
from samizdat.protocol.reconcile import ItemSet, pair_item_id
from samizdat.protocol.session import Chunk, Closed, Completed, Wanted
from samizdat.sim.config import SimConfig
from samizdat.sim.engine import EventLoop

__all__ = ["Network", "RunStats"]

_SHARD_MAGIC = b"SIMSHARD"


def make_shards(n: int, size: int) -> list[bytes]:
    """Synthetic shard payloads: magic, index, filler (``size`` bytes each)."""
    out = []
    for i in range(n):
        head = _SHARD_MAGIC + bytes((i,))
        filler = blake3_hash(head, length=max(0, size - len(head)))
        out.append((head + filler)[:size] if size >= len(head) else head)
    return out


def shard_index(payload: bytes) -> int:
    """Which shard these bytes are (the simulator's stand-in for opening a shard)."""
    if not payload.startswith(_SHARD_MAGIC) or len(payload) <= len(_SHARD_MAGIC):
        raise ValueError("not a simulated shard")
    return payload[len(_SHARD_MAGIC)]


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

    __slots__ = ("broken", "closed", "conv", "dec", "ids", "key", "lat", "nodes", "rx",
                 "traded")

    def __init__(self, u: int, v: int, lat: float, key: bytes) -> None:
        self.nodes = (u, v)
        self.key = key
        self.lat = lat
        self.conv: tuple[Conversation, Conversation] | None = None
        self.dec = (FrameDecoder(), FrameDecoder())
        self.ids: tuple[dict[bytes, int], dict[bytes, int]] = ({}, {})
        self.rx: tuple[dict[bytes, bytearray], dict[bytes, bytearray]] = ({}, {})
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
        self.origin = rng.randrange(n_nodes)
        self.roles = [Role.COURIER if rng.random() < config.couriers else Role.READER
                      for _ in range(n_nodes)]
        self.roles[self.origin] = Role.ORIGIN
        self.held: list[set[int]] = [set() for _ in range(n_nodes)]
        self.held[self.origin] = set(range(config.n))
        self.state = [GossipState() for _ in range(n_nodes)]
        self.state[self.origin].held = config.n
        self.online = [True] * n_nodes
        self.seized = [False] * n_nodes
        self.reached_at: list[float | None] = [None] * n_nodes
        self.reached_at[self.origin] = 0.0
        self.bytes_out = [0] * n_nodes
        self.bytes_in = [0] * n_nodes
        self.payload_in = [0] * n_nodes
        self.shards = make_shards(config.n, config.shard_bytes)
        self._version_ids = [blake3_hash(b"samizdat sim version" + bytes((i,)))
                             for i in range(config.n)]
        self._seed = config.seed.to_bytes(8, "big", signed=True)
        self.stats = RunStats()
        self.rng_bytes: Callable[[int], bytes] = rng.randbytes

    # ------------------------------------------------------------ queries

    @property
    def reached(self) -> int:
        k = self.cfg.k
        return sum(1 for i, h in enumerate(self.held) if len(h) >= k and not self.seized[i])

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
            touched.update(self.adj[i])
            self.adj[i] = []
        seized = self.seized
        for v in touched:
            if not seized[v]:
                self.adj[v] = [u for u in self.adj[v] if not seized[u]]
        return victims

    # ------------------------------------------------------------ one call

    def _quota(self, node: int) -> int:
        return self.policy.quota(self.roles[node])

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
        key = self._pair_key(u, v)
        call = _Call(u, v, self.rng.uniform(cfg.latency_min, cfg.latency_max), key)
        convs = []
        for side, node in enumerate(call.nodes):
            ids = call.ids[side]
            for shard in self.held[node]:
                ids[pair_item_id(key, self._version_ids[shard])] = shard
            convs.append(self.engine.open(self.state[node], call.nodes[1 - side],
                                          ItemSet(ids), ids, initiator=side == 0,
                                          quota=self._quota(node)))
        call.conv = (convs[0], convs[1])
        self._send(call, 0, convs[0].start())
        self.loop.schedule(cfg.call_timeout, self._timeout, call)

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
        shard = shard_index(payload)
        if payload != self.shards[shard]:
            raise AssertionError("a shard changed in transit")
        held = self.held[node]
        if shard in held:
            self.stats.duplicates += 1
            return
        held.add(shard)
        conv.gained(len(held))
        if len(held) >= self.cfg.k and self.reached_at[node] is None:
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
