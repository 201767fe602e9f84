"""The paper frame: what one QR code of a printed copy carries (format version 1).

A print turns one payload (a sealed bundle: opaque bytes) into ``n`` QR codes, any
``k`` of which rebuild it, whatever page they sit on and in whatever order they are
scanned. This module is the pure part of that: payload → frames → payload. It does
no I/O; images and PDFs are :mod:`samizdat.transports.paper_scan` and
:mod:`samizdat.transports.paper_pdf`. The byte format is specified in
``docs/spec/paper.md``.

Why the frame looks the way it does:

* **erasure coding across the whole print** (zfec, systematic Reed–Solomon): the
  payload is split into ``k`` equal blocks and extended to ``n``; a blot, a torn
  corner or a lost page only costs the codes it covers;
* **a per-code check** (16-byte keyed BLAKE3 of the body under a public, fixed key):
  a code zxing misreads, or a code from another source, is dropped instead of
  poisoning the rebuild. It protects against accidents, not adversaries; forged
  frames can at worst make a rebuild fail, and the bundle inside carries its own
  authentication;
* **a masked body**: the header (version, print id, k, n, index, length) is XORed
  with a keystream derived from the check value, SIV-style. Every code of every
  print is then 16 + len(body) bytes that look uniformly random to anyone reading it
  with a stock QR app: no magic number, no visible structure, nothing that groups
  codes of one print together. The mask key is public, so this is camouflage rather
  than secrecy: the secret that matters (the read capability) is never in a frame;
* **a random print id**, chosen per print: codes of two prints (even of the same
  document) are never mixed into one rebuild, and the id names no document.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import zfec

from samizdat.core.crypto import Rng, constant_time_equal, derive_key, keyed_hash
from samizdat.errors import DecodeError, NotEnoughShards, UsageError

__all__ = [
    "FRAME_OVERHEAD",
    "FRAME_VERSION",
    "MAX_CODES",
    "MAX_FRAME_BYTES",
    "PRINT_ID_BYTES",
    "Frame",
    "FramePlan",
    "decode_frame",
    "encode_frames",
    "plan_frames",
    "rebuild",
]

FRAME_VERSION: Final = 1
"""First byte of the unmasked body."""

PRINT_ID_BYTES: Final = 8
TAG_BYTES: Final = 16
HEADER_BYTES: Final = 1 + PRINT_ID_BYTES + 1 + 1 + 1 + 4
FRAME_OVERHEAD: Final = TAG_BYTES + HEADER_BYTES
"""Bytes of every frame that are not payload share (32)."""

MAX_CODES: Final = 255
"""zfec allows 256 blocks; one byte holds n."""

MAX_FRAME_BYTES: Final = 2953
"""The most a QR code (version 40, level L, byte mode) can hold; anything longer did
not come from a QR code and is rejected before any work is done."""

# Public keys: the check catches misreads, the mask hides structure (see above).
_TAG_KEY: Final = derive_key("samizdat 2026-11 paper frame check", b"")
_MASK_KEY: Final = derive_key("samizdat 2026-11 paper frame mask", b"")


@dataclass(frozen=True)
class Frame:
    """One decoded, checked QR code of a print."""

    print_id: bytes
    k: int
    n: int
    index: int
    length: int
    share: bytes

    @property
    def group(self) -> tuple[bytes, int, int, int]:
        """Frames that can be combined share all four of these."""
        return (self.print_id, self.k, self.n, self.length)


@dataclass(frozen=True)
class FramePlan:
    """How a payload of ``length`` bytes is spread over ``n`` codes, any ``k`` of which
    rebuild it; each code holds a share of ``share_bytes``."""

    length: int
    k: int
    n: int

    @property
    def share_bytes(self) -> int:
        return -(-self.length // self.k)

    @property
    def frame_bytes(self) -> int:
        return FRAME_OVERHEAD + self.share_bytes


def plan_frames(
    length: int, *, frame_capacity: int, loss: float = 0.3, fill_to: int = 1
) -> FramePlan:
    """Choose ``k`` and ``n`` for a payload of ``length`` bytes.

    ``frame_capacity`` is what one QR code holds at the chosen version and error
    correction level; ``loss`` the fraction of all codes that may be destroyed with
    the payload still rebuilding (``n - k >= loss * n``, and always at least one
    spare code); ``n`` is then rounded up to a multiple of ``fill_to`` (the codes per
    page) so the last page is filled with extra parity instead of left blank.
    Raises :class:`UsageError` when the payload cannot fit in :data:`MAX_CODES` codes.
    """
    if length < 1:
        raise UsageError("nothing to print: the payload is empty")
    if not 0.0 <= loss < 0.9:
        raise UsageError("the tolerated loss must be between 0 and 0.9")
    share_max = min(frame_capacity, MAX_FRAME_BYTES) - FRAME_OVERHEAD
    if share_max < 1:
        raise UsageError("the QR code is too small to hold a frame")
    k = -(-length // share_max)
    n = max(k + 1, math.ceil(k / (1.0 - loss)))
    if n > MAX_CODES:
        raise UsageError(
            f"the copy is too large for paper ({length} bytes)",
            hint="use 'samizdat export' or 'samizdat disperse' for documents this large",
        )
    if fill_to > 1:
        n = min(-(-n // fill_to) * fill_to, MAX_CODES)
    return FramePlan(length=length, k=k, n=n)


def _xor(data: bytes, mask: bytes) -> bytes:
    # one big-integer XOR is ~50x faster than a byte loop in CPython
    return (int.from_bytes(data, "big") ^ int.from_bytes(mask, "big")).to_bytes(
        len(data), "big"
    )


def _seal(body: bytes) -> bytes:
    tag = keyed_hash(_TAG_KEY, body, length=TAG_BYTES)
    return tag + _xor(body, keyed_hash(_MASK_KEY, tag, length=len(body)))


def encode_frames(payload: bytes, plan: FramePlan, rng: Rng) -> list[bytes]:
    """The ``plan.n`` frames (bytes to put in QR codes, in index order) of one print
    of ``payload``. ``rng`` gives the random print id."""
    if len(payload) != plan.length:
        raise ValueError("the plan was made for another payload length")
    print_id = rng(PRINT_ID_BYTES)
    if len(print_id) != PRINT_ID_BYTES:
        raise ValueError("rng returned the wrong number of bytes")
    size = plan.share_bytes
    padded = payload + bytes(size * plan.k - len(payload))
    blocks = tuple(padded[i * size : (i + 1) * size] for i in range(plan.k))
    shares = list(zfec.Encoder(plan.k, plan.n).encode(blocks))
    head = bytes([FRAME_VERSION]) + print_id + bytes([plan.k, plan.n])
    length = plan.length.to_bytes(4, "big")
    return [
        _seal(head + bytes([i]) + length + bytes(share)) for i, share in enumerate(shares)
    ]


def decode_frame(data: bytes) -> Frame:
    """Unmask and check one frame. Raises :class:`DecodeError` for anything that is
    not an intact version-1 frame: too short or too long, a failed check (a misread,
    or not ours), an unknown version, or inconsistent header fields."""
    if not isinstance(data, bytes | bytearray):
        raise DecodeError("a paper frame is bytes")
    if len(data) > MAX_FRAME_BYTES:
        raise DecodeError("a paper frame is longer than any QR code holds")
    if len(data) < FRAME_OVERHEAD + 1:
        raise DecodeError("a paper frame is too short")
    tag, masked = bytes(data[:TAG_BYTES]), bytes(data[TAG_BYTES:])
    body = _xor(masked, keyed_hash(_MASK_KEY, tag, length=len(masked)))
    if not constant_time_equal(keyed_hash(_TAG_KEY, body, length=TAG_BYTES), tag):
        raise DecodeError("this QR code is not an intact samizdat paper frame")
    if body[0] != FRAME_VERSION:
        raise DecodeError(
            "this paper copy was printed by a newer version of samizdat",
            hint="upgrade samizdat",
        )
    p = 1 + PRINT_ID_BYTES
    print_id = body[1:p]
    k, n, index = body[p], body[p + 1], body[p + 2]
    length = int.from_bytes(body[p + 3 : p + 7], "big")
    share = body[HEADER_BYTES:]
    if not 1 <= k <= n <= MAX_CODES:
        raise DecodeError("a paper frame has an impossible k-of-n")
    if index >= n:
        raise DecodeError("a paper frame's index is out of range")
    if length < 1 or -(-length // k) != len(share):
        raise DecodeError("a paper frame's share does not match the payload length")
    return Frame(print_id=print_id, k=k, n=n, index=index, length=length, share=share)


def rebuild(frames: Iterable[Frame]) -> bytes:
    """The payload from frames of ONE print (same :attr:`Frame.group`), duplicates
    allowed, any order. Raises :class:`NotEnoughShards` with fewer than ``k``
    distinct indices, :class:`ValueError` if frames of different prints are given."""
    by_index: dict[int, Frame] = {}
    group: tuple[bytes, int, int, int] | None = None
    for frame in frames:
        if group is None:
            group = frame.group
        elif frame.group != group:
            raise ValueError("frames of different prints cannot be combined")
        by_index.setdefault(frame.index, frame)
    if group is None:
        raise NotEnoughShards("no paper codes to rebuild from")
    _, k, n, length = group
    if len(by_index) < k:
        raise NotEnoughShards(
            f"only {len(by_index)} of the {k} codes needed were readable "
            f"(the print has {n})",
            hint="scan more pages, or rescan damaged pages at a higher resolution",
        )
    chosen = sorted(by_index)[:k]
    if chosen == list(range(k)):  # all primary blocks: no decoding needed
        blocks = [by_index[i].share for i in chosen]
    else:
        blocks = list(
            zfec.Decoder(k, n).decode(tuple(by_index[i].share for i in chosen), tuple(chosen))
        )
    return b"".join(bytes(b) for b in blocks)[:length]
