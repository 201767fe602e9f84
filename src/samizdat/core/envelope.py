"""Sealed envelopes: compress, encrypt, pad and erasure-code a payload into n shards of
which any k rebuild it, in bounded memory; and the reverse.

What a courier holds is a shard: bytes indistinguishable from random without the read
capability. There is no magic number, no plaintext header, no length field: every
byte of a shard is either AEAD ciphertext, a zfec parity block computed from
ciphertext, or a keyed BLAKE3 output. Sealing the same payload twice uses a fresh root
key, so two envelopes share nothing. The full byte format, with its version byte (in
the capability), is in ``docs/spec/envelope.md``; in short::

    payload ──► 1 MiB chunks ──► zstd frame each ──► records  len32 ‖ frame
            ──► inner stream  records ‖ 0x00000000 ‖ zero padding (Padmé size)
            ──► stripes of ≈1 MiB, each ChaCha20-Poly1305 (nonce = stripe ‖ final)
            ──► each stripe ciphertext split into k blocks, zfec → n blocks
    shard i =  index tag(16) ‖ for each stripe: block_i ‖ block tag(16)

* The 16-byte *index tag* ``BLAKE3-keyed(index key, i)`` tells a holder of the cap
  which share number a shard is, and tells a shard of another envelope from ours.
* The *block tag* ``BLAKE3-keyed(block key, stripe ‖ i ‖ block)`` lets each block be
  checked on its own, so a corrupted, truncated or foreign block is skipped and the
  stripe is rebuilt from any k good ones (stripe by stripe: a shard damaged in one
  place still helps everywhere else).
* The AEAD nonce marks the final stripe, so cutting whole stripes off every shard is
  detected; the padded size follows from the shard length alone and must be the
  canonical one for the content, so extra or missing bytes are detected too.
* Padding rounds the inner stream up with Padmé (at most ~12% larger, leaking
  O(log log size) bits), then adds a random number of zero bytes smaller than the
  gap to the next Padmé size, so a shard's length is uniform within its bucket: it
  says little about which document it is, and nothing about *being* a shard (a
  fixed Padmé size + 48 would flag every bundle by its length alone).

Memory: sealing and opening hold about one stripe (≈1 MiB) per k shards plus one
zstd chunk, whatever the payload size. Nothing here touches files: shards are
written through ``sinks`` and read through :class:`ShardSource` objects the caller
provides.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import zfec
import zstandard

from samizdat.core.caps import CAP_VERSION, ReadCap
from samizdat.core.crypto import (
    AEAD_TAG_BYTES,
    Aead,
    Rng,
    constant_time_equal,
    keyed_hash,
    keyed_hasher,
)
from samizdat.errors import CryptoError, DecodeError, NotEnoughShards, UsageError

__all__ = [
    "CHUNK_BYTES",
    "DROP_WRAP_BYTES",
    "INDEX_TAG_BYTES",
    "PACKAGE_EXPANSION",
    "BytesSource",
    "Expansion",
    "Sealer",
    "ShardSource",
    "Sink",
    "drop_unwrap",
    "drop_wrap",
    "open_shards",
    "open_stream",
    "padded_range",
    "padme",
    "padme_step",
    "seal",
    "shard_size",
]

Sink = Callable[[bytes | memoryview], object]
"""Where the sealer writes one shard's bytes, in order (e.g. ``file.write``)."""

STRIPE_BYTES: Final = 1 << 20
"""Target AEAD ciphertext per stripe: the unit of streaming and of erasure coding."""
CHUNK_BYTES: Final = 1 << 20
"""Payload bytes per zstd frame (the last frame may be shorter)."""
INDEX_TAG_BYTES: Final = 16
BLOCK_TAG_BYTES: Final = 16
MIN_PADDED: Final = 256
"""The smallest inner stream: even an empty payload makes a 256-byte envelope."""
_RECORD_HEAD: Final = 4
_SMALL_BLOCK: Final = 16 * 1024
_END: Final = b"\x00\x00\x00\x00"
# zstd's worst case for one CHUNK_BYTES frame (ZSTD_COMPRESSBOUND) plus slack
_MAX_FRAME: Final = CHUNK_BYTES + (CHUNK_BYTES >> 8) + 1024
_ZSTD_LEVEL: Final = 3


def padme(length: int) -> int:
    """Padmé (Nikitin et al., PETS 2019): round ``length`` up so that only the top
    ~log2(log2(length)) bits of the mantissa remain; overhead at most ~12%."""
    if length < 2:
        return length
    e = length.bit_length() - 1
    s = e.bit_length()
    mask = (1 << (e - s)) - 1
    return (length + mask) & ~mask


def padme_step(padded: int) -> int:
    """The gap between the Padmé size ``padded`` and the next one."""
    if padded < 2:
        return 1
    e = padded.bit_length() - 1
    return 1 << (e - e.bit_length())


def padded_range(inner: int) -> tuple[int, int]:
    """The padded sizes an inner stream of ``inner`` bytes may have: from its Padmé
    size up to (not including) the next Padmé size."""
    low = padme(max(inner, MIN_PADDED))
    return low, low + padme_step(low)


def _random_target(inner: int, rng: Rng) -> int:
    low, high = padded_range(inner)
    # 8 random bytes: the modulo bias is below 2^-24 for any gap under 1 TiB
    return low + int.from_bytes(rng(8), "big") % (high - low)


_contexts = threading.local()


def _compressor(level: int) -> zstandard.ZstdCompressor:
    """A zstd compression context for this thread, made once: creating one costs
    about as much as sealing a small document. One-shot ``compress`` calls leave no
    state behind, so reuse is safe within a thread."""
    cache = getattr(_contexts, "compressors", None)
    if cache is None:
        cache = _contexts.compressors = {}
    if level not in cache:
        cache[level] = zstandard.ZstdCompressor(level=level, write_content_size=True)
    compressor: zstandard.ZstdCompressor = cache[level]
    return compressor


def _decompressor() -> zstandard.ZstdDecompressor:
    """A zstd decompression context for this thread, made once (see above)."""
    dctx = getattr(_contexts, "decompressor", None)
    if dctx is None:
        dctx = _contexts.decompressor = zstandard.ZstdDecompressor()
    return dctx


def _full_block(k: int) -> int:
    return -(-STRIPE_BYTES // k)


@dataclass(frozen=True)
class _Layout:
    """How many stripes an envelope has and the block size of the final one."""

    k: int
    stripes: int  # including the final one
    last_block: int

    @property
    def full_block(self) -> int:
        return _full_block(self.k)

    @property
    def full_plain(self) -> int:
        return self.k * self.full_block - AEAD_TAG_BYTES

    @property
    def last_plain(self) -> int:
        return self.k * self.last_block - AEAD_TAG_BYTES

    def block_size(self, stripe: int) -> int:
        return self.last_block if stripe == self.stripes - 1 else self.full_block

    def offset(self, stripe: int) -> int:
        return INDEX_TAG_BYTES + stripe * (self.full_block + BLOCK_TAG_BYTES)

    @property
    def shard_bytes(self) -> int:
        return self.offset(self.stripes - 1) + self.last_block + BLOCK_TAG_BYTES

    @property
    def capacity(self) -> int:
        return (self.stripes - 1) * self.full_plain + self.last_plain

    @classmethod
    def for_target(cls, k: int, target: int) -> _Layout:
        """The layout holding ``target`` padded bytes (the smallest one for it)."""
        full_plain = k * _full_block(k) - AEAD_TAG_BYTES
        extra = 0 if target <= full_plain else -(-target // full_plain) - 1
        last = target - extra * full_plain
        block = max(-(-(last + AEAD_TAG_BYTES) // k), 1)
        return cls(k, extra + 1, block)

    @classmethod
    def from_shard_bytes(cls, k: int, size: int) -> _Layout:
        """Invert :attr:`shard_bytes`; :class:`DecodeError` if no layout has it."""
        full = _full_block(k)
        rest = size - INDEX_TAG_BYTES - BLOCK_TAG_BYTES
        if rest < 1:
            raise DecodeError("shard too short to be part of an envelope")
        extra = (rest - 1) // (full + BLOCK_TAG_BYTES)
        last = rest - extra * (full + BLOCK_TAG_BYTES)
        if not 1 <= last <= full or k * last <= AEAD_TAG_BYTES:
            raise DecodeError("shard length fits no envelope layout")
        return cls(k, extra + 1, last)


def shard_size(k: int, payload_inner_bytes: int) -> int:
    """Largest size of each shard for an inner stream of that many bytes (padding
    is random below it; for tests, benches and for planning paper and mail sizes)."""
    _low, high = padded_range(payload_inner_bytes)
    return _Layout.for_target(k, high - 1).shard_bytes


class _Keys:
    __slots__ = ("_block_key", "_block_mac", "aad", "aead", "cap", "index_tags")

    def __init__(self, cap: ReadCap) -> None:
        # one derivation gives the three keys (fewer calls matter for small
        # envelopes), and one keyed-BLAKE3 XOF output gives all n index tags
        keys = cap.subkey_bytes("keys", 96)
        self.cap = cap
        self.aead = Aead(keys[:32])
        self._block_key = keys[32:64]
        self._block_mac = keyed_hasher(self._block_key)
        tags = keyed_hash(keys[64:], b"shard index tags", length=INDEX_TAG_BYTES * cap.n)
        self.index_tags = [
            tags[i * INDEX_TAG_BYTES : (i + 1) * INDEX_TAG_BYTES] for i in range(cap.n)
        ]
        self.aad = bytes([CAP_VERSION, cap.k, cap.n])

    @staticmethod
    def nonce(stripe: int, final: bool) -> bytes:
        return stripe.to_bytes(8, "big") + (b"\x00\x00\x00\x01" if final else bytes(4))

    def block_tag(self, stripe: int, index: int, block: bytes | memoryview) -> bytes:
        head = stripe.to_bytes(8, "big") + bytes([index])
        if len(block) <= _SMALL_BLOCK:  # one call is cheaper than copy + updates
            return keyed_hash(self._block_key, head + bytes(block), length=BLOCK_TAG_BYTES)
        h = self._block_mac.copy()  # the keyed state, without copying a large block
        h.update(head)
        h.update(block)
        return bytes(h.digest(length=BLOCK_TAG_BYTES))


# ---------------------------------------------------------------------------- seal


class Sealer:
    """Streaming sealer: ``write()`` payload bytes as they come, then ``close()`` to
    get the :class:`ReadCap`. Shard ``i``'s bytes go to ``sinks[i]`` in order.

    Memory stays around one stripe per k shards plus one chunk, whatever the payload
    size. The shards are complete only after ``close()`` returns; a caller writing
    files should write them under temporary names and rename them afterwards.
    """

    def __init__(
        self,
        *,
        k: int,
        n: int,
        rng: Rng,
        sinks: Sequence[Sink],
        level: int = _ZSTD_LEVEL,
        root_key: bytes | None = None,
    ) -> None:
        if not 1 <= k <= n <= 255:
            raise UsageError("need 1 <= k <= n <= 255 shards", hint="check --k and --n")
        if len(sinks) != n:
            raise UsageError("one sink per shard is needed")
        # root_key is for callers that must know the key before the first byte (a
        # dead-drop file starts with the wrapped key); it must be fresh and random
        self._cap = ReadCap(k=k, n=n, root_key=rng(32) if root_key is None else root_key)
        self._keys = _Keys(self._cap)
        self._sinks = list(sinks)
        self._zstd = _compressor(level)
        self._encoder = zfec.Encoder(k, n) if n > k else None
        self._pending = bytearray()  # payload not yet compressed (< CHUNK_BYTES)
        self._inner = bytearray()  # inner stream not yet sealed (< one stripe)
        self._inner_total = 0
        self._stripe = 0
        self._full_plain = k * _full_block(k) - AEAD_TAG_BYTES
        self._closed = False
        self._rng = rng
        for i, sink in enumerate(self._sinks):
            sink(self._keys.index_tags[i])

    def write(self, data: bytes | memoryview) -> None:
        """Add payload bytes."""
        if self._closed:
            raise UsageError("sealer already closed")
        view = memoryview(data)
        while len(view):
            room = CHUNK_BYTES - len(self._pending)
            self._pending += view[:room]
            view = view[room:]
            if len(self._pending) == CHUNK_BYTES:
                self._record(bytes(self._pending))
                self._pending.clear()

    def close(self) -> ReadCap:
        """Finish: the last chunk, the end marker, padding and the final stripe."""
        if self._closed:
            raise UsageError("sealer already closed")
        self._closed = True
        if self._pending:
            self._record(bytes(self._pending))
            self._pending.clear()
        self._append(_END)
        layout = _Layout.for_target(self._cap.k, _random_target(self._inner_total, self._rng))
        # pad: whole padding stripes, then the final stripe, all zeros after the end
        while self._stripe < layout.stripes - 1:
            self._inner += bytes(self._full_plain - len(self._inner))
            self._seal_stripe(bytes(self._inner), final=False)
            self._inner.clear()
        self._inner += bytes(layout.last_plain - len(self._inner))
        self._seal_stripe(bytes(self._inner), final=True)
        self._inner.clear()
        return self._cap

    def _record(self, chunk: bytes) -> None:
        frame = self._zstd.compress(chunk)
        self._append(len(frame).to_bytes(_RECORD_HEAD, "big"))
        self._append(frame)

    def _append(self, data: bytes) -> None:
        self._inner_total += len(data)
        self._inner += data
        full = self._full_plain
        if len(self._inner) >= full:
            view = memoryview(self._inner)
            start = 0
            # never seal the very last bytes here: the final stripe is sealed by close()
            while len(self._inner) - start > full:
                self._seal_stripe(bytes(view[start : start + full]), final=False)
                start += full
            view.release()
            del self._inner[:start]

    def _seal_stripe(self, plain: bytes, *, final: bool) -> None:
        keys, k = self._keys, self._cap.k
        ct = keys.aead.encrypt(keys.nonce(self._stripe, final), plain, keys.aad)
        size = len(ct) // k
        view = memoryview(ct)
        blocks: list[bytes | memoryview] = [view[i * size : (i + 1) * size] for i in range(k)]
        if self._encoder is not None:
            blocks = self._encoder.encode(tuple(blocks))
        for i, (sink, block) in enumerate(zip(self._sinks, blocks, strict=True)):
            sink(block)
            sink(keys.block_tag(self._stripe, i, block))
        self._stripe += 1


def seal(
    payload: bytes, *, k: int, n: int, rng: Rng, level: int = _ZSTD_LEVEL
) -> tuple[ReadCap, list[bytes]]:
    """Seal ``payload`` into ``n`` shards of which any ``k`` rebuild it.

    ``k = n = 1`` gives one self-contained sealed file (a bundle).
    """
    # pieces are kept as given and joined once: one copy, not two
    outs: list[list[bytes | memoryview]] = [[] for _ in range(n)]
    sealer = Sealer(k=k, n=n, rng=rng, sinks=[o.append for o in outs], level=level)
    sealer.write(payload)
    cap = sealer.close()
    return cap, [b"".join(o) for o in outs]


# ---------------------------------------------------------------------------- open


class ShardSource(Protocol):
    """Random access to one candidate shard (a file, a blob in memory...)."""

    def size(self) -> int:
        """Its length in bytes."""
        ...

    def read_at(self, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` (fewer only if the shard is shorter)."""
        ...


class BytesSource:
    """A :class:`ShardSource` over bytes already in memory."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._data = memoryview(bytes(data))

    def size(self) -> int:
        return len(self._data)

    def read_at(self, offset: int, length: int) -> bytes:
        return bytes(self._data[offset : offset + length])


@dataclass(frozen=True)
class Expansion:
    """How much decompressed output an envelope may yield for what arrived: at most
    ``floor + ratio x`` the compressed bytes read so far, checked before each
    frame is decompressed. Text compresses about 3:1; a decompression bomb
    compresses 20,000:1, so a small file can no longer claim megabytes of content
    whose decoding and checks cost time and memory out of proportion to it."""

    ratio: int
    floor: int

    def allows(self, output: int, compressed: int) -> bool:
        """Whether ``output`` decompressed bytes are in proportion to ``compressed``."""
        return output <= self.floor + self.ratio * compressed


PACKAGE_EXPANSION: Final = Expansion(ratio=100, floor=128 * 1024)
"""The bound :func:`open_stream` callers use for packages (``docs/spec/envelope.md``)."""


class _Inner:
    """Parses the decrypted inner stream: records, end marker, zero padding."""

    def __init__(self, sink: Sink, max_output: int, expansion: Expansion | None) -> None:
        self._sink = sink
        self._max_output = max_output
        self._expansion = expansion
        self._compressed = 0
        self._buf = bytearray()
        self._dctx = _decompressor()
        self.output = 0
        self.inner_len = 0  # bytes up to and including the end marker, once seen
        self.ended = False
        self._consumed = 0
        self._last_short = False

    def feed(self, plain: bytes) -> None:
        if self.ended:
            if plain.count(0) != len(plain):
                raise DecodeError("envelope padding is not zero")
            return
        self._buf += plain
        pos = 0
        buf = self._buf
        while len(buf) - pos >= _RECORD_HEAD:
            size = int.from_bytes(buf[pos : pos + _RECORD_HEAD], "big")
            if size == 0:
                pos += _RECORD_HEAD
                self.ended = True
                self.inner_len = self._consumed + pos
                rest = memoryview(buf)[pos:]
                zero = rest.tobytes().count(0) == len(rest)
                rest.release()
                if not zero:
                    raise DecodeError("envelope padding is not zero")
                break
            if size > _MAX_FRAME:
                raise DecodeError("envelope record larger than allowed")
            if len(buf) - pos - _RECORD_HEAD < size:
                break
            start = pos + _RECORD_HEAD
            self._frame(bytes(buf[start : start + size]))
            pos = start + size
        self._consumed += pos
        del buf[:pos]

    def _frame(self, frame: bytes) -> None:
        if self._last_short:
            raise DecodeError("envelope chunk shorter than allowed before the last one")
        try:
            declared = zstandard.get_frame_parameters(frame).content_size
        except zstandard.ZstdError as exc:
            raise DecodeError("envelope record is not a compressed frame") from exc
        if not 1 <= declared <= CHUNK_BYTES:
            raise DecodeError("envelope chunk has an impossible size")
        if self.output + declared > self._max_output:
            raise DecodeError(
                "envelope content larger than the limit",
                hint="the limit protects against decompression bombs",
            )
        self._compressed += len(frame) + _RECORD_HEAD
        if self._expansion is not None and not self._expansion.allows(
            self.output + declared, self._compressed
        ):
            raise DecodeError(
                "envelope content is out of proportion to its size (a decompression bomb)",
                hint="nothing was imported; the file was made to exhaust memory or time",
            )
        try:
            data = self._dctx.decompress(frame, max_output_size=CHUNK_BYTES)
        except zstandard.ZstdError as exc:
            raise DecodeError("envelope record does not decompress") from exc
        if len(data) != declared:
            raise DecodeError("envelope chunk size does not match its frame")
        self._last_short = declared < CHUNK_BYTES
        self.output += declared
        self._sink(data)


def _recognise(keys: _Keys, sources: Iterable[ShardSource]) -> list[tuple[int, ShardSource]]:
    """Keep the sources that start with one of our index tags, as (index, source),
    restricted to one shard length: a truncated or padded copy has another length.

    The length kept is the one where the most distinct shards have a good tag on
    their final block (where a wrong length shows: the layout shifts), so a padded
    copy cannot outvote the intact one; ties go to the most distinct indices."""
    tag_to_index = {tag: i for i, tag in enumerate(keys.index_tags)}
    found: dict[int, list[tuple[int, ShardSource]]] = {}
    for source in sources:
        size = source.size()
        if size < INDEX_TAG_BYTES:
            continue
        head = source.read_at(0, INDEX_TAG_BYTES)
        index = tag_to_index.get(head)
        if index is None:
            continue  # another envelope's shard, or not a shard at all
        found.setdefault(size, []).append((index, source))
    if not found:
        return []
    if len(found) == 1:
        ((_size, members),) = found.items()
        members.sort(key=lambda m: m[0])  # primaries first: decoding them is free
        return members

    def final_ok(size: int, members: list[tuple[int, ShardSource]]) -> int:
        try:
            layout = _Layout.from_shard_bytes(keys.cap.k, size)
        except DecodeError:
            return 0
        last = layout.stripes - 1
        offset, block = layout.offset(last), layout.block_size(last)
        good = set()
        for index, source in members:
            if index in good:
                continue
            raw = source.read_at(offset, block + BLOCK_TAG_BYTES)
            if constant_time_equal(raw[block:], keys.block_tag(last, index, raw[:block])):
                good.add(index)
        return len(good)

    def rank(item: tuple[int, list[tuple[int, ShardSource]]]) -> tuple[int, int, int]:
        size, members = item
        return (final_ok(size, members), len({i for i, _ in members}), size)

    _size, members = max(found.items(), key=rank)
    members.sort(key=lambda m: m[0])
    return members


def open_stream(
    cap: ReadCap,
    sources: Iterable[ShardSource],
    sink: Sink,
    *,
    max_output: int = 1 << 40,
    expansion: Expansion | None = None,
) -> int:
    """Rebuild an envelope from any shards (in any order, with duplicates, corrupted
    and foreign ones mixed in) and write its payload to ``sink``; returns its length.

    Each stripe is rebuilt from k blocks whose tags check. What ``sink`` receives is
    authenticated stripe by stripe, but it is the whole payload only when this
    function returns: a caller must treat it as tentative until then (write it to a
    temporary place, commit after). Raises :class:`NotEnoughShards` when some stripe
    has fewer than k good blocks, :class:`DecodeError` for an envelope that opens but
    is malformed (or larger than ``max_output``, or expands beyond ``expansion``).
    """
    keys = _Keys(cap)
    members = _recognise(keys, sources)
    if len({i for i, _ in members}) < cap.k:
        if cap.n == 1:
            raise NotEnoughShards(
                "this capability does not open this file",
                hint="the file is not the bundle this capability was made for, or its "
                "start is damaged",
            )
        raise NotEnoughShards(
            f"found {len({i for i, _ in members})} shard(s) of this envelope, {cap.k} needed",
            hint="bring more shards, or check that the capability is for these files",
        )
    layout = _Layout.from_shard_bytes(cap.k, members[0][1].size())
    decoder = zfec.Decoder(cap.k, cap.n) if cap.n > cap.k else None
    inner = _Inner(sink, max_output, expansion)
    for stripe in range(layout.stripes):
        final = stripe == layout.stripes - 1
        size = layout.block_size(stripe)
        offset = layout.offset(stripe)
        blocks: list[bytes] = []
        nums: list[int] = []
        for index, source in members:
            if len(blocks) == cap.k:
                break
            if index in nums:
                continue
            raw = source.read_at(offset, size + BLOCK_TAG_BYTES)
            block, tag = raw[:size], raw[size:]
            if len(tag) != BLOCK_TAG_BYTES or not constant_time_equal(
                tag, keys.block_tag(stripe, index, block)
            ):
                continue  # corrupted here: another shard may have this stripe intact
            blocks.append(block)
            nums.append(index)
        if len(blocks) < cap.k:
            if cap.n == 1:
                raise NotEnoughShards(
                    "the bundle is damaged (truncated, extended or changed)",
                    hint="get another copy; nothing was imported",
                )
            raise NotEnoughShards(
                f"only {len(blocks)} good shard(s) for part {stripe + 1} of "
                f"{layout.stripes}, {cap.k} needed",
                hint="some shards are damaged; bring more of them",
            )
        if decoder is not None and nums != list(range(cap.k)):
            blocks = [bytes(b) for b in decoder.decode(tuple(blocks), tuple(nums))]
        ct = b"".join(blocks)
        try:
            plain = keys.aead.decrypt(keys.nonce(stripe, final), ct, keys.aad)
        except CryptoError as exc:
            raise DecodeError("envelope does not decrypt although its shards check") from exc
        inner.feed(plain)
    if not inner.ended:
        raise DecodeError("envelope ends before its end marker")
    low, high = padded_range(inner.inner_len)
    if not (
        _Layout.for_target(cap.k, low).capacity
        <= layout.capacity
        <= _Layout.for_target(cap.k, high - 1).capacity
    ):
        raise DecodeError("envelope is padded beyond its size's range")
    return inner.output


def open_shards(
    cap: ReadCap, shards: Iterable[bytes], *, max_output: int = 1 << 30
) -> bytes:
    """Rebuild an envelope held in memory; see :func:`open_stream`."""
    out: list[bytes | memoryview] = []
    open_stream(cap, [BytesSource(s) for s in shards], out.append, max_output=max_output)
    return b"".join(out)


# ----------------------------------------------------------------- dead drops

DROP_WRAP_BYTES: Final = 12 + 32 + AEAD_TAG_BYTES
"""A dead-drop file starts with its bundle's root key wrapped under the drop key."""
_DROP_AAD: Final = b"samizdat 2026-11 dead drop file v1"


def drop_wrap(drop: ReadCap, root_key: bytes, rng: Rng) -> bytes:
    """The 60 bytes that start a dead-drop file: a random nonce and the bundle's root
    key, encrypted under the drop's key. Random-looking like the rest of the file."""
    nonce = rng(12)
    return nonce + Aead(drop.subkey("dead drop wrap")).encrypt(nonce, root_key, _DROP_AAD)


def drop_unwrap(drop: ReadCap, head: bytes) -> ReadCap:
    """The bundle capability of a dead-drop file, from its first 60 bytes; raises
    :class:`DecodeError` if the file was not made with this drop's key."""
    if len(head) != DROP_WRAP_BYTES:
        raise DecodeError("too short to be a dead-drop file")
    try:
        root = Aead(drop.subkey("dead drop wrap")).decrypt(head[:12], head[12:], _DROP_AAD)
    except CryptoError as exc:
        raise DecodeError("not a file of this dead drop") from exc
    return ReadCap(k=1, n=1, root_key=root)
