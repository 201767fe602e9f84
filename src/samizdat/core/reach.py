"""How far did it spread? Anonymous, mergeable reader counts (``docs/spec/reach.md``).

Every node that holds a document draws, once, a random 32-byte *token* known only to
itself, and adds it to two HyperLogLog sketches for that document:

* **holders** (256 registers): every holder adds its token: readers, and couriers who
  carry shards they cannot open;
* **reads** (1,024 registers): by *randomized response*, a reader adds its token with
  probability ``q`` and a courier with probability ``1 - q`` (the coin is drawn from
  the token itself, so it is the same every time the node sends). With the default
  ε = ln 9, ``q = 0.9``: whatever a contact sees, it is at most 9 times likelier if the
  node reads the text than if it only carries it.

A register holds the largest "rank" (position of the first 1 bit) of the token hashes
that fall in it, so two sketches merge by a register-wise maximum: idempotent,
commutative, safe to gossip. The estimate of readers inverts the randomized
response: ``(reads - (1 - q) holders) / (2q - 1)``.

Robustness: a maximum can be inflated by one hostile contact (registers set high)
but never lowered, and whatever one node lets in spreads to everyone. :func:`admit`
refuses a sketch that no honest union of tokens can produce (a register far above
the rest, or a count above :data:`MAX_PLAUSIBLE`), so the blatant attack (every
register at its maximum) never enters. What it cannot stop is a hostile node adding
tokens of its own invention, which keeps the registers' shape: such tokens cannot be
told from readers without identifying readers. A median over contacts does not help
either: applied to what is passed on it stalls the count (a token's register is
first known to one contact only), and applied only to the reported figure it is too
late (inflation has already spread by the maximum). ``docs/spec/reach.md`` measures
both attacks.

Wire format, version 1 (801 bytes): ``0x01 || holders registers || reads registers``,
registers 5 bits each, packed big-endian, no other field: a sketch can carry nothing
but register values. Pure: tokens, coins and sketches in, sketches and numbers out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from samizdat.core import crypto
from samizdat.errors import DecodeError

__all__ = [
    "DEFAULT_EPSILON",
    "HOLDER_REGISTERS",
    "INTERVAL_SE",
    "MAX_FRAME_SKETCHES",
    "MAX_PLAUSIBLE",
    "MAX_RANK",
    "MIN_SOURCES",
    "OUTLIER_FACTOR",
    "PAIR_ID_BYTES",
    "READ_REGISTERS",
    "SHAPE_LEVELS",
    "SKETCH_BYTES",
    "SKETCH_ENTRY_BYTES",
    "SKETCH_VERSION",
    "SPREAD",
    "Estimate",
    "ReachSketch",
    "Role",
    "Sketch",
    "admit",
    "combine",
    "contribution",
    "decode_sketch",
    "decode_sketch_frame",
    "encode_sketch_frame",
    "estimate_readers",
    "low_registers_missing",
    "pair_document_id",
]

SKETCH_VERSION: Final = 1
HOLDER_REGISTERS: Final = 256
READ_REGISTERS: Final = 1024
MAX_RANK: Final = 31
"""Largest register value (5 bits)."""
DEFAULT_EPSILON: Final = math.log(9)
"""Randomized response strength: a reader and a courier are told apart by at most
this factor's logarithm (q = 0.9)."""
SKETCH_BYTES: Final = 1 + (HOLDER_REGISTERS + READ_REGISTERS) * 5 // 8

Role = Literal["reader", "courier"]


def _hash64(context: str, token: bytes) -> int:
    return int.from_bytes(crypto.derive_key(context, token, length=8), "big")


@dataclass(frozen=True)
class Sketch:
    """One HyperLogLog sketch: ``registers`` (one byte each, values 0..31)."""

    registers: bytes

    @classmethod
    def empty(cls, size: int) -> Sketch:
        return cls(bytes(size))

    def with_token(self, context: str, token: bytes) -> Sketch:
        """This sketch with ``token`` added (hashed under ``context``)."""
        m = len(self.registers)
        bits = m.bit_length() - 1
        h = _hash64(context, token)
        index, rest = h >> (64 - bits), h & ((1 << (64 - bits)) - 1)
        rank = min(MAX_RANK, (64 - bits) - rest.bit_length() + 1)
        if rank <= self.registers[index]:
            return self
        regs = bytearray(self.registers)
        regs[index] = rank
        return Sketch(bytes(regs))

    def merge(self, other: Sketch) -> Sketch:
        """Register-wise maximum."""
        return Sketch(bytes(map(max, self.registers, other.registers)))

    def estimate(self) -> float:
        """HyperLogLog's estimate (Flajolet et al. 2007) with the small-range
        (linear counting) correction."""
        m = len(self.registers)
        alpha = 0.7213 / (1 + 1.079 / m)
        raw = alpha * m * m / sum(2.0 ** -r for r in self.registers)
        zeros = self.registers.count(0)
        if raw <= 2.5 * m and zeros:
            return m * math.log(m / zeros)
        return raw

    @property
    def relative_error(self) -> float:
        """One standard error of :meth:`estimate`, relative."""
        return 1.04 / math.sqrt(len(self.registers))


@dataclass(frozen=True)
class ReachSketch:
    """The two sketches of one document."""

    holders: Sketch
    reads: Sketch

    @classmethod
    def empty(cls) -> ReachSketch:
        return cls(Sketch.empty(HOLDER_REGISTERS), Sketch.empty(READ_REGISTERS))

    def merge(self, other: ReachSketch) -> ReachSketch:
        return ReachSketch(self.holders.merge(other.holders), self.reads.merge(other.reads))

    def encode(self) -> bytes:
        acc = 0
        for r in self.holders.registers + self.reads.registers:
            acc = acc << 5 | r
        nbits = (HOLDER_REGISTERS + READ_REGISTERS) * 5
        return bytes([SKETCH_VERSION]) + acc.to_bytes(nbits // 8, "big")

    def __repr__(self) -> str:
        return "ReachSketch(<registers>)"


def decode_sketch(data: bytes) -> ReachSketch:
    """Parse a sketch; :class:`DecodeError` for a wrong version or length."""
    if len(data) != SKETCH_BYTES:
        raise DecodeError(f"reach sketch: {len(data)} bytes, not {SKETCH_BYTES}")
    if data[0] != SKETCH_VERSION:
        raise DecodeError(f"reach sketch: version {data[0]} is not known here")
    acc = int.from_bytes(data[1:], "big")
    total = HOLDER_REGISTERS + READ_REGISTERS
    regs = bytes((acc >> (5 * (total - 1 - i))) & 31 for i in range(total))
    return ReachSketch(Sketch(regs[:HOLDER_REGISTERS]), Sketch(regs[HOLDER_REGISTERS:]))


def _q(epsilon: float) -> float:
    return math.exp(epsilon) / (1 + math.exp(epsilon))


def contribution(token: bytes, role: Role, *, epsilon: float = DEFAULT_EPSILON) -> ReachSketch:
    """What one holder adds: its token in ``holders``, and in ``reads`` by the
    randomized response of its role (the coin comes from the token, so it never
    changes and repeating the contribution reveals nothing new)."""
    if len(token) != 32:
        raise ValueError("a reach token is 32 random bytes")
    s = ReachSketch.empty()
    holders = s.holders.with_token("samizdat reach v1 holders", token)
    coin = _hash64("samizdat reach v1 coin", token) / 2.0**64
    q = _q(epsilon)
    reads = s.reads
    if (role == "reader" and coin < q) or (role == "courier" and coin >= q):
        reads = reads.with_token("samizdat reach v1 reads", token)
    return ReachSketch(holders, reads)


MAX_PLAUSIBLE: Final = 100_000_000
"""Largest number of holders a sketch may claim: more than any movement's readers."""
SPREAD: Final = 20
"""How far above the sketch's median register one register may stand: an honest
union exceeds it with probability about 1024 * 2**-20 = 0.1% per sketch."""


SHAPE_LEVELS: Final = 4
"""How many low levels :func:`low_registers_missing` checks (registers ≤ 0 .. ≤ 3)."""


def low_registers_missing(s: Sketch) -> bool:
    """Whether ``s`` has far fewer low registers than any union of tokens of its
    size has: after N tokens, a register is ≤ k with probability exp(−N / (m·2^k))
    (no token of rank > k fell in it). A sketch whose low registers were raised
    (every register set to at least 3, say) claims a size its registers do not
    have. The margin allows for the size estimate's own error (±4 of its standard
    errors) and 5 standard deviations of the count, so an honest sketch is refused
    with a negligible probability."""
    m = len(s.registers)
    n = s.estimate()
    slack = 4 * s.relative_error
    for k in range(SHAPE_LEVELS):
        x = n / (m * 2.0**k)
        expected = m * math.exp(-x * (1 + slack))
        observed = sum(1 for r in s.registers if r <= k)
        if observed < expected - 5 * math.sqrt(expected) - 3:
            return True
    return False


def admit(view: ReachSketch, incoming: ReachSketch) -> ReachSketch:
    """``view`` merged with a contact's sketch, if that sketch is one an honest union
    of tokens could be; :class:`DecodeError` (and nothing merged) otherwise."""
    for s in (incoming.holders, incoming.reads):
        regs = sorted(s.registers)
        if regs[-1] > regs[len(regs) // 2] + SPREAD:
            raise DecodeError("reach sketch: a register stands impossibly far above the rest")
        if s.estimate() > MAX_PLAUSIBLE:
            raise DecodeError("reach sketch: it claims more holders than is plausible")
        if low_registers_missing(s):
            raise DecodeError("reach sketch: its low registers were raised")
    return view.merge(incoming)


INTERVAL_SE: Final = 3.0
"""The interval is the estimate ± this many standard errors (99.7% for a normal
error): a committee that is told "between 16 and 28" should be able to rely on it,
and at a few dozen readers the coins of the randomized response dominate."""


OUTLIER_FACTOR: Final = 4.0
"""A source whose sketch claims more than this many times the median of what all
sources claim (holders or reads) is kept apart and not merged (:func:`combine`)."""
MIN_SOURCES: Final = 3
"""With fewer sources than this there is no median to speak of: all are merged."""


def combine(own: ReachSketch, sources: list[ReachSketch], *,
            factor: float = OUTLIER_FACTOR) -> ReachSketch:
    """What a node knows and passes on: its own contribution merged with every
    source's sketch, except sources whose holders or reads estimate is more than
    ``factor`` times the median over all sources (when there are at least
    :data:`MIN_SOURCES`). Sources are kept apart in the store, so one refused now
    is merged again once the others catch up with it: honest lag costs time only.

    What this stops: one contact inflating what it sends well above what the
    node's other contacts report (measured in ``docs/spec/reach.md``). What it
    cannot stop: inflation by less than ``factor`` per hop, repeated."""
    merged = own
    if len(sources) < MIN_SOURCES:
        for s in sources:
            merged = merged.merge(s)
        return merged
    claims = [(s.holders.estimate(), s.reads.estimate()) for s in sources]
    mid_h = sorted(c[0] for c in claims)[len(claims) // 2]
    mid_r = sorted(c[1] for c in claims)[len(claims) // 2]
    for s, (h, r) in zip(sources, claims, strict=True):
        if h <= factor * max(mid_h, 1.0) and r <= factor * max(mid_r, 1.0):
            merged = merged.merge(s)
    return merged


@dataclass(frozen=True)
class Estimate:
    """Estimated readers, with an interval of ±:data:`INTERVAL_SE` standard errors."""

    readers: float
    low: float
    high: float
    holders: float


def estimate_readers(sketch: ReachSketch, *, epsilon: float = DEFAULT_EPSILON) -> Estimate:
    """Invert the randomized response: readers ≈ (reads − (1 − q)·holders) / (2q − 1)."""
    q = _q(epsilon)
    holders = sketch.holders.estimate()
    reads = sketch.reads.estimate()
    readers = min(holders, max(0.0, (reads - (1 - q) * holders) / (2 * q - 1)))
    # the sketches' own error, and the coins of the randomized response
    sd = math.sqrt((reads * sketch.reads.relative_error) ** 2
                   + ((1 - q) * holders * sketch.holders.relative_error) ** 2
                   + holders * q * (1 - q)) / (2 * q - 1)
    return Estimate(readers, max(0.0, readers - INTERVAL_SE * sd), readers + INTERVAL_SE * sd,
                    holders)


# ------------------------------------------------------------ in a session

PAIR_ID_BYTES: Final = 16
SKETCH_ENTRY_BYTES: Final = PAIR_ID_BYTES + SKETCH_BYTES
"""One document in a SKETCH frame: its pair-keyed id, then its sketch."""
MAX_FRAME_SKETCHES: Final = 1024
"""Most documents one SKETCH frame carries (836,610 bytes: under a frame's 1 MiB)."""


def pair_document_id(pair_key: bytes, doc_id: bytes) -> bytes:
    """The 16-byte id under which one contact pair names a document's sketch: keyed
    by the pair's secret, so no one else can compute or match it, and in another
    domain than the pair's version ids (``protocol.reconcile.pair_item_id``)."""
    if len(pair_key) != 32:
        raise ValueError("a pair key is 32 bytes")
    return crypto.keyed_hash(pair_key, b"samizdat reach v1 document" + doc_id,
                             length=PAIR_ID_BYTES)


def encode_sketch_frame(entries: list[tuple[bytes, ReachSketch]]) -> bytes:
    """``u16 count || count x (pair id[16] || sketch[801])``: the payload of the one
    SKETCH frame of a session (1 .. :data:`MAX_FRAME_SKETCHES` documents, distinct
    ids)."""
    if not 1 <= len(entries) <= MAX_FRAME_SKETCHES:
        raise ValueError(f"a SKETCH frame carries 1 to {MAX_FRAME_SKETCHES} sketches")
    if len({pid for pid, _ in entries}) != len(entries) or any(
            len(pid) != PAIR_ID_BYTES for pid, _ in entries):
        raise ValueError("distinct 16-byte pair document ids")
    return len(entries).to_bytes(2, "big") + b"".join(pid + s.encode() for pid, s in entries)


def decode_sketch_frame(payload: bytes) -> list[tuple[bytes, ReachSketch]]:
    """Parse a SKETCH frame's payload; :class:`DecodeError` for a count out of range
    or that does not match the length, a repeated id, or a sketch
    :func:`decode_sketch` refuses."""
    if len(payload) < 2:
        raise DecodeError("SKETCH frame: truncated")
    count = int.from_bytes(payload[:2], "big")
    if not 1 <= count <= MAX_FRAME_SKETCHES:
        raise DecodeError(f"SKETCH frame: {count} sketches, not 1 to {MAX_FRAME_SKETCHES}")
    if len(payload) != 2 + count * SKETCH_ENTRY_BYTES:
        raise DecodeError("SKETCH frame: its length does not match its count")
    out: list[tuple[bytes, ReachSketch]] = []
    seen: set[bytes] = set()
    for i in range(count):
        at = 2 + i * SKETCH_ENTRY_BYTES
        pid = bytes(payload[at : at + PAIR_ID_BYTES])
        if pid in seen:
            raise DecodeError("SKETCH frame: one document twice")
        seen.add(pid)
        out.append((pid, decode_sketch(bytes(payload[at + PAIR_ID_BYTES : at +
                                                      SKETCH_ENTRY_BYTES]))))
    return out
