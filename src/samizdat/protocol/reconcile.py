"""Range-based set reconciliation (RBSR), sans-io: two contacts learn exactly which
items each lacks, in a few round trips and O(d log N) bytes.

In the style of Negentropy / Meyer's RBSR, with three changes that cut bytes
(measured in ``bench/bench_reconcile.py``; spec in ``docs/spec/reconcile.md``):

* **ids are keyed per contact pair** and 16 bytes long:
  ``item_id = BLAKE3-keyed(pair_key, "samizdat rbsr item" || version_id)[:16]``
  (:func:`pair_item_id`). The ids one pair exchanges say nothing to anyone who
  watches another pair, and an informant cannot match them against its own
  copies. 16 bytes are enough: the ids are PRF outputs nobody without the pair key
  can choose, so only accidental collisions matter, and among 10^6 items their
  probability is about 10^12 / 2^129 ≈ 10^-27.
* **ranges are id prefixes**, not bounds: since keyed ids are uniform, splitting a
  range into the 16 (or 256 at the root) ranges of its next hex digit(s) balances
  them without sending any bound. A range is addressed by its position in the
  conversation: every entry answers one open entry of the peer's last message, in
  order, so no range is ever named on the wire.
* **fingerprints are 8 bytes**: ``BLAKE3(sum of ids mod 2^128 || count)[:8]``. A
  false "equal" needs a 2^-64 accident per comparison. The sum (not XOR) follows
  Negentropy's argument: XOR fingerprints can be forced equal by anyone who can pick
  ids (Gaussian elimination), sums are much harder, and here no third party can
  pick ids at all since they are keyed. Sums are incremental: an :class:`ItemSet`
  keeps prefix sums, so any range's fingerprint costs two bisections and one hash.

Usage (both sides hold an :class:`ItemSet` of the pair-keyed ids of what they
offer)::

    a, b = Reconciler(items_a), Reconciler(items_b)
    msg = a.initiate()
    side, other = b, a
    while msg is not None:
        msg = side.receive(msg)        # bytes to send back, or None when finished
        side, other = other, side
    a.need   # ids b has and a lacks (a should request them)
    a.offer  # ids a has and b lacks

A message is at most ``limits.max_message`` bytes (default fits one 1 MiB frame);
work per message is proportional to its size; a conversation that runs past
``limits.max_messages`` is cut off. Malformed bytes raise
:class:`~samizdat.errors.DecodeError`, well-formed but illegal moves (an entry that
cannot answer what we asked, ids outside their range, more rounds than allowed)
raise :class:`~samizdat.errors.RemoteProtocolError` (driving the machine wrongly
raises :class:`~samizdat.errors.LocalProtocolError`). After either, the machine is failed.
"""

from __future__ import annotations

import enum
import math
import operator
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, islice, repeat
from typing import Final, Literal

from samizdat.core.crypto import blake3_hash, keyed_hash
from samizdat.errors import DecodeError, LocalProtocolError, ProtocolError, RemoteProtocolError

__all__ = [
    "FP_BYTES",
    "ID_BYTES",
    "RECONCILE_VERSION",
    "ItemSet",
    "Limits",
    "Reconciler",
    "full_list_bytes",
    "pair_item_id",
]

RECONCILE_VERSION: Final = 1
ID_BYTES: Final = 16
FP_BYTES: Final = 8
_ID_BITS: Final = 8 * ID_BYTES
_MAX_DEPTH: Final = 2 * ID_BYTES  # in hex digits
_MOD: Final = 1 << _ID_BITS
_FP_DOMAIN: Final = b"samizdat rbsr fp v1"
_ITEM_DOMAIN: Final = b"samizdat rbsr item v1"

# entry tags
_MATCH: Final = 0
_FP: Final = 1
_FPS: Final = 2
_IDS: Final = 3
_DONE: Final = 4
_MASK: Final = 5
_DEFER_COST: Final = 1 + FP_BYTES  # an FP entry: the fallback answer to anything
_ROOT_IDS: Final = 256  # at most this many ids in all: list them rather than split


def pair_item_id(pair_key: bytes, version_id: bytes) -> bytes:
    """The 16-byte id under which one contact pair reconciles an item.

    ``pair_key`` is a 32-byte secret both contacts derive for their pair; a third
    party cannot compute or recognise these ids.
    """
    return keyed_hash(pair_key, _ITEM_DOMAIN + version_id, length=ID_BYTES)


def full_list_bytes(n_initiator: int, n_missing_at_initiator: int) -> int:
    """Bytes of the naive exchange this protocol must never exceed by more than 5%:
    one side sends all its ids, the other answers with the ids the first lacks and a
    bitmap of the ones it lacks itself."""
    return ID_BYTES * (n_initiator + n_missing_at_initiator) + (n_initiator + 7) // 8


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile (or buggy) peer from costing us unbounded work."""

    max_message: int = (1 << 20) - 64
    """Largest message we send or accept (fits one frame with room to spare)."""
    max_open: int = 32768
    """Most open entries (ones the peer must answer) in one message."""
    max_messages: int = 256
    """Most messages in one conversation, both directions together."""
    ids_threshold: int = 32
    """A range with at most this many of our ids is always sent as an id list."""
    max_ids: int = 1024
    """Most ids in one IDS or DONE entry."""

    def __post_init__(self) -> None:
        if self.max_open * _DEFER_COST + self.max_ids * (ID_BYTES + 1) + 64 > self.max_message:
            raise ValueError("limits leave no room to answer every open entry")
        if not 1 <= self.ids_threshold <= self.max_ids:
            raise ValueError("ids_threshold must be between 1 and max_ids")


_DEFAULT_LIMITS: Final = Limits()
"""Shared by every reconciler not given its own (the object is immutable)."""


class ItemSet:
    """A sorted set of 16-byte ids with prefix sums, for O(log N) range fingerprints.

    Immutable once built. Building 10^6 ids takes about a second in pure Python.
    """

    __slots__ = ("_ids", "_sums")

    def __init__(self, ids: Iterable[bytes] = ()) -> None:
        unique = list(ids)
        if not all(map(operator.lt, unique, islice(unique, 1, None))):
            unique = sorted(set(unique))  # callers that keep ids sorted skip this
        if unique and not min(map(len, unique)) == max(map(len, unique)) == ID_BYTES:
            raise ValueError("item ids are 16 bytes")
        self._ids: list[bytes] = unique
        # prefix sums of the ids as big-endian integers: map() keeps the loop in C
        big: Literal["big"] = "big"
        self._sums: list[int] = [0, *accumulate(map(int.from_bytes, unique, repeat(big)))]

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, bytes):
            return False
        i = bisect_left(self._ids, item)
        return i < len(self._ids) and self._ids[i] == item

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._ids)

    def __repr__(self) -> str:
        return f"<ItemSet of {len(self._ids)} ids>"

    def bounds(self, prefix: int, depth: int) -> tuple[int, int]:
        """Index range [lo, hi) of the ids starting with ``prefix`` (``depth`` hex
        digits)."""
        if depth == 0:
            return 0, len(self._ids)
        shift = _ID_BITS - 4 * depth
        lo = bisect_left(self._ids, (prefix << shift).to_bytes(ID_BYTES, "big"))
        if prefix + 1 >= 1 << (4 * depth):
            return lo, len(self._ids)
        hi = bisect_left(self._ids, ((prefix + 1) << shift).to_bytes(ID_BYTES, "big"), lo)
        return lo, hi

    def child_bounds(self, prefix: int, depth: int, lo: int, hi: int, digits: int) -> list[int]:
        """The 16**digits + 1 boundaries splitting [lo, hi) by the next digits."""
        ids = self._ids
        count = 1 << (4 * digits)
        shift = _ID_BITS - 4 * (depth + digits)
        base = prefix << (4 * digits)
        cuts = [lo]
        pos = lo
        for j in range(1, count):
            pos = bisect_left(ids, ((base + j) << shift).to_bytes(ID_BYTES, "big"), pos, hi)
            cuts.append(pos)
        cuts.append(hi)
        return cuts

    def fingerprint(self, lo: int, hi: int) -> bytes:
        """8-byte fingerprint of ids[lo:hi]: hash of (sum mod 2^128, count)."""
        total = (self._sums[hi] - self._sums[lo]) % _MOD
        return blake3_hash(
            _FP_DOMAIN + total.to_bytes(ID_BYTES, "little") + (hi - lo).to_bytes(8, "little"),
            length=FP_BYTES,
        )

    def slice(self, lo: int, hi: int) -> list[bytes]:
        return self._ids[lo:hi]


# ---------------------------------------------------------------- wire helpers


class _In:
    """Bounded reader over one received message."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise DecodeError("truncated reconciliation message")
        out = self.data[self.pos : end]
        self.pos = end
        return out

    def u8(self) -> int:
        if self.pos >= len(self.data):
            raise DecodeError("truncated reconciliation message")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self, limit: int) -> int:
        """Unsigned LEB128, shortest form, at most ``limit``."""
        value = 0
        for i in range(4):
            b = self.u8()
            value |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                if b == 0 and i > 0:
                    raise DecodeError("varint not in its shortest form")
                if value > limit:
                    raise DecodeError(f"count {value} exceeds the limit {limit}")
                return value
        raise DecodeError("varint too long")


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _varint_len(n: int) -> int:
    return max(1, (n.bit_length() + 6) // 7)


# ---------------------------------------------------------------- the machine


class _Kind(enum.Enum):
    ROOT = "root"  # nothing received yet: answer with an open entry for the root
    FP = "fp"
    FPS = "fps"
    IDS = "ids"


@dataclass(slots=True)
class _Open:
    """One entry we sent that the peer must answer (or the implicit root)."""

    kind: _Kind
    prefix: int
    depth: int
    lo: int
    hi: int
    digits: int = 0
    cuts: list[int] | None = None  # FPS: our child boundaries
    fp: bytes = b""


class State(enum.Enum):
    """Where a :class:`Reconciler` is. Transitions: IDLE -initiate-> WAITING;
    IDLE -receive-> WAITING | DONE; WAITING -receive-> WAITING | DONE; any -bad input->
    FAILED."""

    IDLE = "idle"
    WAITING = "waiting"
    DONE = "done"
    FAILED = "failed"


class Reconciler:
    """One side of one reconciliation conversation (sans-io).

    Feed each message from the peer to :meth:`receive`; send back what it returns.
    ``need`` / ``offer`` are complete once :attr:`done` is true.
    """

    def __init__(self, items: ItemSet, *, limits: Limits | None = None) -> None:
        self.items = items
        self.limits = limits or _DEFAULT_LIMITS
        self.state = State.IDLE
        self._pending: list[_Open] = []
        self._need: list[bytes] = []
        self._offer: list[bytes] = []
        self.messages_sent = 0
        self.messages_received = 0
        self.bytes_sent = 0
        self.bytes_received = 0

    def __repr__(self) -> str:
        return (
            f"<Reconciler {self.state.value} items={len(self.items)} "
            f"sent={self.messages_sent} received={self.messages_received}>"
        )

    @property
    def done(self) -> bool:
        return self.state is State.DONE

    @property
    def need(self) -> list[bytes]:
        """Ids the peer has and we lack, sorted (complete once :attr:`done`)."""
        return sorted(self._need)

    @property
    def offer(self) -> list[bytes]:
        """Ids we have and the peer lacks, sorted (complete once :attr:`done`)."""
        return sorted(self._offer)

    @property
    def round_trips(self) -> int:
        """Round trips this conversation took (a final one-way message counts as one)."""
        return (self.messages_sent + self.messages_received + 1) // 2

    # ------------------------------------------------------------ public steps

    def initiate(self) -> bytes:
        """The first message (the side that dials calls this once)."""
        if self.state is not State.IDLE:
            raise LocalProtocolError("reconciliation already started")
        root = _Open(_Kind.ROOT, 0, 0, 0, len(self.items))
        out = bytearray((RECONCILE_VERSION,))
        opens: list[_Open] = []
        self._open_range(root.prefix, root.depth, root.lo, root.hi, None, out, opens)
        return self._finish(out, opens)

    def receive(self, message: bytes) -> bytes | None:
        """Take the peer's message; return our answer, or None when nothing remains."""
        if self.state is State.FAILED:
            raise LocalProtocolError("reconciliation already failed")
        if self.state is State.DONE:
            self.state = State.FAILED
            raise RemoteProtocolError("a reconciliation message arrived after the end")
        try:
            return self._receive(bytes(message))
        except (DecodeError, ProtocolError):
            self.state = State.FAILED
            raise

    # ------------------------------------------------------------ internals

    def _receive(self, message: bytes) -> bytes | None:
        lim = self.limits
        if len(message) > lim.max_message:
            raise DecodeError(f"reconciliation message of {len(message)} bytes is too large")
        self.messages_received += 1
        self.bytes_received += len(message)
        if self.messages_sent + self.messages_received > lim.max_messages:
            raise RemoteProtocolError(f"reconciliation ran past {lim.max_messages} messages")
        src = _In(message)
        version = src.u8()
        if version != RECONCILE_VERSION:
            raise DecodeError(f"reconciliation version {version} is not supported")
        pending = self._pending
        if self.state is State.IDLE:
            pending = [_Open(_Kind.ROOT, 0, 0, 0, len(self.items))]
        # pass 1: parse and check the whole message before acting on any of it
        asks: list[_Ask] = []
        need: list[bytes] = []
        offer: list[bytes] = []
        for entry in pending:
            self._parse_answer(entry, src, asks, need, offer)
        if src.pos != len(message):
            raise DecodeError("trailing bytes after the last reconciliation entry")
        self._need.extend(need)
        self._offer.extend(offer)
        # pass 2: answer every range the peer opened, in order
        out = bytearray((RECONCILE_VERSION,))
        opens: list[_Open] = []
        n = len(asks)
        for index, ask in enumerate(asks):
            self._reply(ask, out, opens, n - index - 1)
        if not asks:
            # the peer opened nothing, so nothing is left to say: the conversation is over
            self._pending = []
            self.state = State.DONE
            return None
        return self._finish(out, opens)

    def _finish(self, out: bytearray, opens: list[_Open]) -> bytes:
        self._pending = opens
        self.messages_sent += 1
        self.bytes_sent += len(out)
        self.state = State.WAITING if opens else State.DONE
        if self.messages_sent + self.messages_received > self.limits.max_messages and opens:
            raise RemoteProtocolError(
                f"reconciliation ran past {self.limits.max_messages} messages")
        return bytes(out)

    # ---------------------------------------------------------- pass 1: parse

    def _parse_answer(self, entry: _Open, src: _In, asks: list[_Ask], need: list[bytes],
                      offer: list[bytes]) -> None:
        """Read the peer's entry answering ``entry`` (one of ours)."""
        tag = src.u8()
        kind = entry.kind
        if kind is _Kind.ROOT:
            allowed: tuple[int, ...] = (_FP, _FPS, _IDS)
        elif kind is _Kind.FP:
            allowed = (_MATCH, _FP, _FPS, _IDS)
        elif kind is _Kind.FPS:
            allowed = (_MASK, _FP)
        else:
            allowed = (_DONE, _FP, _FPS)
        if tag not in allowed:
            raise RemoteProtocolError(f"entry type {tag} cannot answer a {kind.value} entry")
        if tag == _MATCH:
            return
        if tag == _DONE:
            self._parse_done(entry, src, need, offer)
            return
        if tag == _MASK:
            assert entry.cuts is not None
            fanout = 1 << (4 * entry.digits)
            mask = int.from_bytes(src.take(fanout // 8), "little")
            base = entry.prefix << (4 * entry.digits)
            depth = entry.depth + entry.digits
            p = _child_mismatch(mask.bit_count(), fanout)
            for j in range(fanout):
                if mask >> j & 1:
                    child_tag = src.u8()
                    if child_tag not in (_FP, _FPS, _IDS):
                        raise RemoteProtocolError(f"entry type {child_tag} cannot open a range")
                    self._parse_open(child_tag, base + j, depth, entry.cuts[j],
                                     entry.cuts[j + 1], p, src, asks)
            return
        self._parse_open(tag, entry.prefix, entry.depth, entry.lo, entry.hi, None, src, asks)

    def _parse_open(self, tag: int, prefix: int, depth: int, lo: int, hi: int,
                    p: float | None, src: _In, asks: list[_Ask]) -> None:
        if len(asks) >= self.limits.max_open:
            raise RemoteProtocolError(
                f"more than {self.limits.max_open} ranges opened in one message")
        if tag == _FP:
            asks.append(_Ask(tag, prefix, depth, lo, hi, p, src.take(FP_BYTES)))
        elif tag == _FPS:
            digits = src.u8()
            if digits not in (1, 2) or (digits == 2 and depth != 0):
                raise RemoteProtocolError("a range may split into 16 parts (256 at the root only)")
            if depth + digits > _MAX_DEPTH:
                raise RemoteProtocolError("a range was split past the length of an id")
            asks.append(_Ask(tag, prefix, depth, lo, hi, p, src.take(FP_BYTES << (4 * digits)),
                             digits=digits))
        else:
            count = src.varint(self.limits.max_ids)
            raw = src.take(ID_BYTES * count)
            ids = [raw[ID_BYTES * j : ID_BYTES * (j + 1)] for j in range(count)]
            _check_ids(ids, prefix, depth)
            asks.append(_Ask(tag, prefix, depth, lo, hi, p, b"", ids=ids))

    def _parse_done(self, entry: _Open, src: _In, need: list[bytes], offer: list[bytes]) -> None:
        """The peer answered our id list: the ids it has that we lack, and a bitmap of
        ours it lacks."""
        count = src.varint(self.limits.max_ids)
        raw = src.take(ID_BYTES * count)
        theirs = [raw[ID_BYTES * j : ID_BYTES * (j + 1)] for j in range(count)]
        _check_ids(theirs, entry.prefix, entry.depth)
        for item in theirs:
            if item in self.items:
                raise RemoteProtocolError("the peer says we lack an id we sent it")
        mine = self.items.slice(entry.lo, entry.hi)
        bitmap = int.from_bytes(src.take((len(mine) + 7) // 8), "little")
        if bitmap >> len(mine):
            raise DecodeError("bitmap bits set past the end of the id list")
        need.extend(theirs)
        offer.extend(item for j, item in enumerate(mine) if bitmap >> j & 1)

    # ---------------------------------------------------------- pass 2: reply

    def _fits(self, out: bytearray, extra: int, opens: list[_Open], new_opens: int,
              remaining: int) -> bool:
        """Whether ``extra`` bytes and ``new_opens`` open entries fit while keeping
        room to defer every one of the ``remaining`` ranges still to answer."""
        lim = self.limits
        return (
            len(out) + extra + remaining * _DEFER_COST <= lim.max_message
            and len(opens) + new_opens + remaining <= lim.max_open
        )

    def _defer(self, prefix: int, depth: int, lo: int, hi: int, out: bytearray,
               opens: list[_Open]) -> None:
        """The cheapest answer to anything: our fingerprint of the whole range, which
        hands the next move back to the peer."""
        fp = self.items.fingerprint(lo, hi)
        out.append(_FP)
        out += fp
        opens.append(_Open(_Kind.FP, prefix, depth, lo, hi, fp=fp))

    def _open_range(self, prefix: int, depth: int, lo: int, hi: int, p_mismatch: float | None,
                    out: bytearray, opens: list[_Open], remaining: int = 0) -> None:
        """Write our opening move for a range known (or assumed) to differ.

        ``p_mismatch`` estimates how likely each of its children is to differ too
        (None when unknown); it decides between splitting and listing ids.
        """
        lim = self.limits
        items = self.items
        count = hi - lo
        split = False
        if depth == 0 and p_mismatch is None and count <= _ROOT_IDS:
            split = False  # a small set: listing it costs little and saves a round
        elif count > lim.ids_threshold and depth < _MAX_DEPTH:
            if count > lim.max_ids:
                split = True
            elif p_mismatch is not None:
                # split when the ids expected to be skipped outweigh 16 fingerprints
                # plus the cost of one more round (valued at 256 bytes)
                split = count * ID_BYTES * (1.0 - p_mismatch) > 16 * FP_BYTES + 2 + 256
            else:
                split = True
        if not split:
            ids_cost = 1 + _varint_len(count) + count * ID_BYTES
            if self._fits(out, ids_cost, opens, 1, remaining):
                out.append(_IDS)
                _varint(count, out)
                for item in items.slice(lo, hi):
                    out += item
                opens.append(_Open(_Kind.IDS, prefix, depth, lo, hi))
            else:
                self._defer(prefix, depth, lo, hi, out, opens)
            return
        digits = 2 if depth == 0 and count > 4096 else 1
        cost = 2 + FP_BYTES * (1 << (4 * digits))
        if not self._fits(out, cost, opens, 1, remaining):
            self._defer(prefix, depth, lo, hi, out, opens)
            return
        cuts = items.child_bounds(prefix, depth, lo, hi, digits)
        out.append(_FPS)
        out.append(digits)
        for j in range(1 << (4 * digits)):
            out += items.fingerprint(cuts[j], cuts[j + 1])
        opens.append(_Open(_Kind.FPS, prefix, depth, lo, hi, digits=digits, cuts=cuts))

    def _reply(self, ask: _Ask, out: bytearray, opens: list[_Open], remaining: int) -> None:
        """Answer one range the peer opened."""
        items = self.items
        lim = self.limits
        prefix, depth, lo, hi = ask.prefix, ask.depth, ask.lo, ask.hi
        if ask.tag == _FP:
            if ask.data == items.fingerprint(lo, hi):
                out.append(_MATCH)
            else:
                self._open_range(prefix, depth, lo, hi, ask.p, out, opens, remaining)
            return
        if ask.tag == _FPS:
            digits = ask.digits
            fanout = 1 << (4 * digits)
            cuts = items.child_bounds(prefix, depth, lo, hi, digits)
            theirs = ask.data
            mismatched = [
                j for j in range(fanout)
                if theirs[FP_BYTES * j : FP_BYTES * (j + 1)]
                != items.fingerprint(cuts[j], cuts[j + 1])
            ]
            worst = 1 + fanout // 8 + len(mismatched) * _DEFER_COST
            if not self._fits(out, worst, opens, len(mismatched), remaining):
                self._defer(prefix, depth, lo, hi, out, opens)
                return
            mask = 0
            for j in mismatched:
                mask |= 1 << j
            out.append(_MASK)
            out += mask.to_bytes(fanout // 8, "little")
            p = _child_mismatch(len(mismatched), fanout)
            base = prefix << (4 * digits)
            left = len(mismatched)
            for j in mismatched:
                left -= 1
                self._open_range(base + j, depth + digits, cuts[j], cuts[j + 1], p, out, opens,
                                 remaining + left)
            return
        # _IDS: the peer listed all its ids in the range; answer with DONE
        their_ids = ask.ids
        if hi - lo > lim.max_ids + len(their_ids):
            # we hold too many here to list at once: split the range instead
            self._open_range(prefix, depth, lo, hi, None, out, opens, remaining)
            return
        mine = items.slice(lo, hi)
        theirs_set = set(their_ids)
        extra = [i for i in mine if i not in theirs_set]
        if len(extra) > lim.max_ids:
            self._open_range(prefix, depth, lo, hi, None, out, opens, remaining)
            return
        cost = 1 + _varint_len(len(extra)) + len(extra) * ID_BYTES + (len(their_ids) + 7) // 8
        if not self._fits(out, cost, opens, 0, remaining):
            self._defer(prefix, depth, lo, hi, out, opens)
            return
        mine_set = set(mine)
        bitmap = 0
        for j, item in enumerate(their_ids):
            if item not in mine_set:
                bitmap |= 1 << j
                self._need.append(item)
        self._offer.extend(extra)
        out.append(_DONE)
        _varint(len(extra), out)
        for item in extra:
            out += item
        out += bitmap.to_bytes((len(their_ids) + 7) // 8, "little")


@dataclass(slots=True)
class _Ask:
    """A range the peer opened in its last message, waiting for our answer."""

    tag: int
    prefix: int
    depth: int
    lo: int
    hi: int
    p: float | None
    data: bytes
    digits: int = 0
    ids: list[bytes] = field(default_factory=list)


def _child_mismatch(mismatched: int, fanout: int) -> float:
    """Estimated chance that a child of a differing range differs too, from how many
    of its siblings' peers differed (differences modelled as Poisson)."""
    if mismatched >= fanout:
        return 1.0
    lam = -math.log(1.0 - mismatched / fanout)  # differences per sibling
    return 1.0 - math.exp(-lam / 16.0)


def _check_ids(ids: list[bytes], prefix: int, depth: int) -> None:
    """Ids must be strictly ascending and inside the range they answer."""
    shift = _ID_BITS - 4 * depth
    previous = b""
    for item in ids:
        if item <= previous:
            raise RemoteProtocolError("ids in an entry are not strictly ascending")
        if depth and int.from_bytes(item, "big") >> shift != prefix:
            raise RemoteProtocolError("an id lies outside the range it answers")
        previous = item
