"""One registry of fuzz harnesses: one function per decoder of untrusted bytes.

Every harness takes arbitrary bytes and feeds them to one decoder the way the
program does with what arrives from outside (a bundle, a shard, a QR code, a mail,
a peer's frame...). The contract every decoder promises, and that :func:`run_one`
checks, is:

* it returns, or raises a :class:`~samizdat.errors.SamizdatError` subclass (the typed
  errors written for users); any other exception is a crash;
* it finishes in well under a second and does not blow up memory (the fuzzer runs
  with ``-timeout=1`` and ``-rss_limit_mb``; see :mod:`tests.fuzz.run`);
* where a format is canonical, what decodes re-encodes to the same bytes, and what
  authenticates is what was sealed: a harness checks these with :func:`expect`,
  whose :class:`FuzzFinding` is a crash too.

Several decoders sit behind a checksum, a MAC or an AEAD that random bytes never pass.
Where an attacker can produce valid ones (a public checksum, a committee member who
knows the secret, a sealer who holds the cap) the harness wraps the fuzz input the
same way first, using the module's own private helper, so the fuzzer explores what
lies behind the check; where the attacker cannot (a courier without the cap), the
harness mutates a real sealed envelope instead.

Adding a decoder is a few lines::

    @harness("thing", seeds=lambda: [b"..."])
    def _thing(data: bytes) -> None:
        thing.decode(data)

then ``python -m tests.fuzz seed thing`` writes its seed corpus.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from samizdat.errors import SamizdatError

__all__ = [
    "HARNESSES",
    "OPTIONAL",
    "FuzzFinding",
    "Harness",
    "expect",
    "harness",
    "run_one",
]


class FuzzFinding(Exception):
    """A decoder broke one of its promises (round trip, authenticity...)."""


@dataclass(frozen=True)
class Harness:
    """One fuzz target: ``target(data)`` feeds ``data`` to one decoder."""

    name: str
    target: Callable[[bytes], None]
    seeds: Callable[[], Iterable[bytes]]
    max_len: int
    doc: str
    modules: tuple[str, ...]
    """The decoder's own modules: what ``coverage`` measures."""
    instrument: tuple[str, ...]
    """Packages besides ``samizdat`` whose coverage guides the fuzzer (``email``)."""


HARNESSES: dict[str, Harness] = {}
"""Every harness by name (the name is also its corpus folder)."""


def harness(
    name: str,
    *modules: str,
    seeds: Callable[[], Iterable[bytes]] = lambda: [b""],
    max_len: int = 4096,
    instrument: tuple[str, ...] = (),
) -> Callable[[Callable[[bytes], None]], Callable[[bytes], None]]:
    """Register ``fn`` as the harness ``name`` for the decoder in ``modules``, with
    its seed inputs and the longest input the fuzzer tries."""

    def register(fn: Callable[[bytes], None]) -> Callable[[bytes], None]:
        if name in HARNESSES:
            raise ValueError(f"two harnesses named {name}")
        HARNESSES[name] = Harness(
            name, fn, seeds, max_len, (fn.__doc__ or "").strip(), modules, instrument
        )
        return fn

    return register


def expect(condition: bool, what: str) -> None:
    """Raise :class:`FuzzFinding` unless ``condition`` (``assert`` vanishes under -O)."""
    if not condition:
        raise FuzzFinding(what)


def run_one(name: str, data: bytes) -> None:
    """Run harness ``name`` on ``data``: typed errors are fine, anything else raises."""
    with contextlib.suppress(SamizdatError):
        HARNESSES[name].target(data)


# ------------------------------------------------------------------- helpers


def det_rng(seed: bytes = b"fuzz") -> Callable[[int], bytes]:
    """A deterministic byte source (SHAKE-256 stream): replays must be exact."""
    counter = 0

    def rng(n: int) -> bytes:
        nonlocal counter
        counter += 1
        return hashlib.shake_256(seed + counter.to_bytes(8, "big")).digest(n)

    return rng


def split(data: bytes, limit: int = 8) -> list[bytes]:
    """Cut ``data`` into pieces: each piece is a 2-byte big-endian length and that
    many bytes (the last piece takes what is left). Lets one input carry several
    messages, frames or shards."""
    out: list[bytes] = []
    pos = 0
    while pos < len(data) and len(out) < limit - 1:
        if pos + 2 > len(data):
            break
        (n,) = struct.unpack_from(">H", data, pos)
        pos += 2
        out.append(data[pos : pos + n])
        pos += n
    if pos < len(data):
        out.append(data[pos:])
    return out


def join(pieces: Iterable[bytes]) -> bytes:
    """The inverse of :func:`split` (for seeds): every piece length-prefixed."""
    return b"".join(struct.pack(">H", len(p)) + p for p in pieces)


def text_of(data: bytes) -> str:
    """Bytes as the str a decoder of typed or pasted text receives. Surrogate
    escapes included: that is what Python gives for undecodable argv bytes."""
    return data.decode("utf-8", "surrogateescape")


@functools.cache
def _has_codes() -> bool:
    import importlib.util

    return importlib.util.find_spec("samizdat.core.codes") is not None


def _behind_checksum(kind: str, body: bytes) -> str:
    """``body`` as a hand-held code of ``kind`` ("READ_CAP", "INVITE") with a valid
    checksum: the checksums are public, so any attacker can write one. Uses
    ``core/codes.py`` where it exists, else the format each module had before it."""
    import base64

    # the ignores cover both trees, with and without core/codes.py
    prefix: str
    if _has_codes():
        from samizdat.core import codes  # type: ignore[attr-defined,unused-ignore]

        code_kind = getattr(codes, kind)
        raw = body + codes.checksum(code_kind, body)
        prefix = code_kind.prefix
    elif kind == "READ_CAP":
        from samizdat.core import caps

        raw = body + caps._checksum(body)  # type: ignore[attr-defined,unused-ignore]
        prefix = caps.CAP_PREFIX
    else:
        from samizdat.core import invite
        from samizdat.core.crypto import blake3_hash

        raw = body + blake3_hash(body, length=2)
        prefix = invite.PREFIX  # type: ignore[attr-defined,unused-ignore]
    return prefix + base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def _vectors(name: str) -> dict[str, object]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "vectors" / name
    data: dict[str, object] = json.loads(path.read_text("utf-8"))
    return data


def _hexes(items: object, *keys: str) -> Iterator[bytes]:
    """Every hex string under ``keys`` in a list of vector records."""
    assert isinstance(items, list)
    for item in items:
        for key in keys:
            value = item.get(key)
            if isinstance(value, str):
                try:
                    yield bytes.fromhex(value)
                except ValueError:
                    yield value.encode("utf-8")
            elif isinstance(value, list):
                for v in value:
                    if isinstance(v, str):
                        yield bytes.fromhex(v)


def _from_vectors(name: str, *where: tuple[str, str]) -> Callable[[], Iterator[bytes]]:
    """Seeds: the hex strings under (section, key) of each pair in vector file ``name``."""

    def seeds() -> Iterator[bytes]:
        v = _vectors(name)
        for section, key in where:
            yield from _hexes(v[section], key)

    return seeds


def _texts(mode: bytes, key: str, *sections: object) -> Iterator[bytes]:
    """Seeds: ``mode`` then the UTF-8 of each record's text field ``key``."""
    for section in sections:
        assert isinstance(section, list)
        for item in section:
            yield mode + item[key].encode("utf-8")


# ----------------------------------------------------------------------- CBOR


_cbor_seeds = _from_vectors("cbor.json", ("valid", "hex"), ("must_reject", "hex"))


@harness("cbor", "samizdat.core.cbor", seeds=_cbor_seeds)
def _cbor(data: bytes) -> None:
    """core/cbor.py: strict decoding; whatever decodes re-encodes to the same bytes."""
    from samizdat.core import cbor

    value = cbor.decode(data)
    expect(cbor.encode(value) == data, "cbor: decode then encode is not the identity")


# -------------------------------------------------------------------- package


_package_seeds = _from_vectors(
    "envelope_package.json", ("valid", "package"), ("must_reject", "package")
)


@harness("package", "samizdat.core.package", seeds=_package_seeds, max_len=16384)
def _package(data: bytes) -> None:
    """core/package.py: decode_package (canonical), then check_package."""
    from samizdat.core.package import check_package, decode_package, encode_package

    package = decode_package(data)
    expect(encode_package(package) == data, "package: not canonical")
    check_package(package)


# ------------------------------------------------------------------- versions


def _versions_seeds() -> Iterator[bytes]:
    v = _vectors("versions.json")
    doc = v["document"]
    assert isinstance(doc, dict)
    yield b"\x00" + bytes.fromhex(doc["encoding"])
    for ver in _hexes(v["versions"], "encoding"):
        yield b"\x01" + ver
    sig = v["author_signature"]
    assert isinstance(sig, dict)
    yield b"\x02" + bytes.fromhex(sig["encoding"])
    kinds = {"document": 0, "version": 1, "author_signature": 2, "signature": 2}
    for item in v["must_reject"]:  # type: ignore[attr-defined]
        yield bytes([kinds.get(item["kind"], 0)]) + bytes.fromhex(item["hex"])


@harness("versions",
         "samizdat.core.versions:_unframe,_bytes_field,_frame,_check_len,decode_document,"
         "decode_version,decode_author_signature,encode_document,encode_version,"
         "encode_author_signature,Version,Document", seeds=_versions_seeds)
def _versions(data: bytes) -> None:
    """core/versions.py: document, version and author signature (first byte picks)."""
    from samizdat.core import versions as v

    if not data:
        return
    body = data[1:]
    kind = data[0] % 3
    if kind == 0:
        expect(v.encode_document(v.decode_document(body)) == body, "document: not canonical")
    elif kind == 1:
        expect(v.encode_version(v.decode_version(body)) == body, "version: not canonical")
    else:
        sig = v.decode_author_signature(body)
        expect(v.encode_author_signature(sig) == body, "signature: not canonical")


# ------------------------------------------------------------------- envelope

_OPEN = "samizdat.core.envelope:open_stream,open_shards,_recognise,_Inner,_Layout,_Keys,BytesSource"
"""The functions that open an envelope: what the envelope harnesses' coverage counts."""

_ENVELOPE_PAYLOAD = b"The text that was sealed. " * 40


def _sealed(k: int, n: int) -> tuple[object, list[bytes]]:
    from samizdat.core.envelope import seal

    return seal(_ENVELOPE_PAYLOAD, k=k, n=n, rng=det_rng(bytes([k, n])))


_SEALED_CACHE: dict[tuple[int, int], tuple[object, list[bytes]]] = {}


def _sealed_cached(k: int, n: int) -> tuple[object, list[bytes]]:
    if (k, n) not in _SEALED_CACHE:
        _SEALED_CACHE[(k, n)] = _sealed(k, n)
    return _SEALED_CACHE[(k, n)]


def _apply_edits(shards: list[bytes], edits: bytes) -> list[bytes]:
    """What a courier can do without the cap: each 4-byte edit names a shard, an
    operation (flip, truncate, extend, drop, duplicate, overwrite with the rest of
    the input, swap) and an offset."""
    out = [bytearray(s) for s in shards]
    pos = 0
    while pos + 4 <= len(edits) and out:
        which, op, off = edits[pos], edits[pos + 1], int.from_bytes(edits[pos + 2 : pos + 4])
        pos += 4
        s = out[which % len(out)]
        where = off % (len(s) + 1)
        kind = op % 8
        if kind == 0 and s:
            s[where % len(s)] ^= 1 << (op >> 5)
        elif kind == 1:
            del s[where:]
        elif kind == 2:
            s.extend(bytes(op >> 3))
        elif kind == 3:
            out.remove(s)
        elif kind == 4:
            out.append(bytearray(s))
        elif kind == 5:
            rest = edits[pos:]
            s[where : where + len(rest)] = rest
            break
        elif kind == 6:
            j = off % len(out)
            out[which % len(out)], out[j] = out[j], out[which % len(out)]
        elif kind == 7 and s:
            del s[where % len(s) : where % len(s) + (op >> 3) + 1]
    return [bytes(s) for s in out]


def _envelope_seeds() -> Iterator[bytes]:
    yield b"\x00"
    yield b"\x01"
    yield b"\x02"
    yield b"\x01" + b"\x00\x03\x00\x00"  # one shard dropped
    yield b"\x01" + b"\x01\x00\x00\x40"  # a bit flipped
    yield b"\x02" + b"\x00\x01\x01\x00"  # truncated
    yield b"\x00" + b"\x00\x02\x00\x00"  # extended


@harness("envelope", _OPEN, seeds=_envelope_seeds)
def _envelope(data: bytes) -> None:
    """core/envelope.py: open real shards a courier tampered with (no cap needed to
    tamper). Opening either fails typed or gives back exactly what was sealed."""
    from samizdat.core.envelope import open_shards

    if not data:
        return
    k, n = ((1, 1), (2, 3), (3, 5))[data[0] % 3]
    cap, shards = _sealed_cached(k, n)
    edited = _apply_edits(shards, data[1:])
    payload = open_shards(cap, edited, max_output=1 << 20)  # type: ignore[arg-type]
    expect(payload == _ENVELOPE_PAYLOAD, "envelope: opened to something not sealed")


def _inner_seeds() -> Iterator[bytes]:
    import zstandard

    frame = zstandard.ZstdCompressor(level=3, write_content_size=True).compress(b"hello" * 20)
    yield b"\x00"
    yield len(frame).to_bytes(4, "big") + frame
    yield len(frame).to_bytes(4, "big") + frame + b"\x00\x00\x00\x00\x01"
    yield (5).to_bytes(4, "big") + b"\x28\xb5\x2f\xfd\x00"


@harness("envelope_inner", _OPEN, seeds=_inner_seeds)
def _envelope_inner(data: bytes) -> None:
    """core/envelope.py: the inner stream (records of zstd frames, end marker,
    padding) as a hostile sealer who holds the cap may write it, sealed for real and
    opened. Bounded output (1 MiB) so a bomb shows up as an error, not as RSS."""
    from samizdat.core.envelope import Sealer, open_shards

    shards: list[list[bytes]] = [[]]
    sealer = Sealer(k=1, n=1, rng=det_rng(), sinks=[lambda b: shards[0].append(bytes(b))])
    sealer._append(bytes(data))  # raw inner bytes: records the sealer would not write
    cap = sealer.close()
    open_shards(cap, [b"".join(shards[0])], max_output=1 << 20)


def _drop_seeds() -> Iterator[bytes]:
    yield b""
    yield b"\x00\x00\x00\x10"  # a bit flipped in the key wrap
    yield b"\x00\x01\x00\x3c"  # cut right after the key wrap
    yield b"\x00\x05\x00\x00" + bytes(60)  # a planted wrap


@harness("dead_drop", _OPEN + ",drop_unwrap", seeds=_drop_seeds)
def _dead_drop(data: bytes) -> None:
    """core/envelope.py drop_unwrap then open: the real dead-drop file of the
    vectors, edited as anyone with access to the folder can (see the envelope
    harness). It opens to its payload or fails typed."""
    from samizdat.core.caps import ReadCap
    from samizdat.core.envelope import DROP_WRAP_BYTES, drop_unwrap, open_shards

    v = _vectors_cached("envelope.json")["dead_drop"]
    assert isinstance(v, dict)
    drop = ReadCap.parse(v["drop_cap"])
    files = _apply_edits([bytes.fromhex(v["file"])], data)
    for file in files:
        cap = drop_unwrap(drop, file[:DROP_WRAP_BYTES])
        payload = open_shards(cap, [file[DROP_WRAP_BYTES:]], max_output=1 << 20)
        expect(payload == bytes.fromhex(v["payload"]), "dead drop: opened to another payload")


_VECTOR_CACHE: dict[str, dict[str, object]] = {}


def _vectors_cached(name: str) -> dict[str, object]:
    if name not in _VECTOR_CACHE:
        _VECTOR_CACHE[name] = _vectors(name)
    return _VECTOR_CACHE[name]


# ----------------------------------------------------------------------- caps


def _cap_seeds() -> Iterator[bytes]:
    v = _vectors("envelope.json")
    yield from _texts(b"\x00", "cap", v["valid"], v["capability_must_reject"])
    yield b"\x01" + bytes([1, 2, 3]) + bytes(32)
    yield b"\x01" + bytes([1, 0, 3]) + bytes(32)


@harness("caps", "samizdat.core.caps", seeds=_cap_seeds, max_len=512)
def _caps(data: bytes) -> None:
    """core/caps.py ReadCap.parse: text as typed (mode 0), or a body behind a valid
    checksum (mode 1: the checksum is public). Parsed caps print back canonically."""
    from samizdat.core import caps

    if not data:
        return
    text = _behind_checksum("READ_CAP", data[1:]) if data[0] & 1 else text_of(data[1:])
    cap = caps.ReadCap.parse(text)
    again = caps.ReadCap.parse(cap.danger_real_capability_string())
    expect(again == cap, "caps: printing and parsing again gives another cap")
    expect(caps.ReadCap.parse(cap.danger_real_capability_qr_text()) == cap, "caps: QR form")


# -------------------------------------------------------------------- invites


def _invite_seeds() -> Iterator[bytes]:
    v = _vectors("invite.json")
    yield from _texts(b"\x00", "code", v["valid"], v["reject"])
    from samizdat.core import invite

    yield b"\x02" + invite.accept_message(bytes(16), b"cert", "127.0.0.1:9")
    yield b"\x03" + invite.reply_message(True, b"cert", "[::1]:9")
    yield b"\x03" + invite.reply_message(False)


@harness("invite",
         "samizdat.core.invite:decode_invite,decode_accept,decode_reply,_map,_check_address,"
         "Invite,onion_address,onion_key,encode_invite,_encode_address,_split_address",
         seeds=_invite_seeds, max_len=2048)
def _invite(data: bytes) -> None:
    """core/invite.py: invite codes as typed (0), invite bodies behind a valid
    check (1: the check is public), accept (2) and reply (3) messages."""
    from samizdat.core import invite

    if not data:
        return
    mode, body = data[0] % 4, data[1:]
    if mode == 0:
        invite.decode_invite(text_of(body))
    elif mode == 1:
        got = invite.decode_invite(_behind_checksum("INVITE", body))
        expect(invite.decode_invite(invite.encode_invite(got)) == got, "invite: round trip")
    elif mode == 2:
        invite.decode_accept(body)
    else:
        invite.decode_reply(body)


# --------------------------------------------------------------------- frames


def _frames_seeds() -> Iterator[bytes]:
    v = _vectors("frames.json")
    for wire in _hexes(v["valid"], "wire"):
        yield b"\x00" + wire
    for wire in _hexes(v["reject"], "wire"):
        yield b"\x00" + wire
    yield b"\x01" + b"\x01\x01"


@harness("frames", "samizdat.protocol.frames", seeds=_frames_seeds)
def _frames(data: bytes) -> None:
    """protocol/frames.py: a byte stream fed to FrameDecoder in chunks whose sizes
    the first byte sets (0), or one delimited body to decode_body (1)."""
    from samizdat.protocol import frames

    if not data:
        return
    if data[0] & 1:
        frame = frames.decode_body(data[1:])
        expect(frames.encode_body(frame.type, frame.payload) == data[1:], "frame: round trip")
        return
    step = (data[0] >> 1) + 1
    decoder = frames.FrameDecoder(max_frame=1 << 16)
    stream = data[1:]
    got = []
    for pos in range(0, len(stream), step):
        got += decoder.feed(stream[pos : pos + step])
        expect(decoder.buffered <= (1 << 16) + 6, "frames: buffered past max_frame")
    rebuilt = b"".join(frames.encode_frame(f.type, f.payload, max_frame=1 << 16) for f in got)
    expect(stream.startswith(rebuilt), "frames: decoded frames do not re-encode the stream")


# ------------------------------------------------------------------ reconcile

_RECONCILE_IDS = sorted(hashlib.shake_256(b"ids" + bytes([i])).digest(16) for i in range(60))


def _reconcile_seeds() -> Iterator[bytes]:
    v = _vectors("reconcile.json")
    for item in v["valid"]:  # type: ignore[attr-defined]
        messages = [bytes.fromhex(m) for m in item["messages"]]
        yield b"\x00" + messages[0]
        if len(messages) > 1:
            yield b"\x01" + join(messages[1::2])
    for key in ("reject", "reject_responder"):
        for item in v.get(key, []):  # type: ignore[attr-defined]
            if isinstance(item, dict) and isinstance(item.get("message"), str):
                yield b"\x00" + bytes.fromhex(item["message"])
    records = b"".join(bytes([i % 3]) + bytes([i]) * 16 for i in range(80))
    yield b"\x02" + records


@harness("reconcile", "samizdat.protocol.reconcile", seeds=_reconcile_seeds, max_len=8192)
def _reconcile(data: bytes) -> None:
    """protocol/reconcile.py: a hostile peer's messages to a responder (0) or to an
    initiator (1); or (2) an honest conversation over item sets the input chooses
    (17-byte records: which side, id), whose result must be the exact difference."""
    from samizdat.protocol.reconcile import ItemSet, Reconciler

    if not data:
        return
    mode, body = data[0] % 3, data[1:]
    if mode == 2:
        a_ids, b_ids = set(), set()
        for pos in range(0, len(body) - 16, 17):
            side, item = body[pos] % 3, body[pos + 1 : pos + 17]
            if side != 1:
                a_ids.add(item)
            if side != 0:
                b_ids.add(item)
        a, b = Reconciler(ItemSet(a_ids)), Reconciler(ItemSet(b_ids))
        msg: bytes | None = a.initiate()
        side_r, other = b, a
        while msg is not None:
            msg = side_r.receive(msg)
            side_r, other = other, side_r
        expect(a.done, "reconcile: honest conversation did not finish")
        expect(set(a.need) == b_ids - a_ids, "reconcile: wrong need")
        expect(set(a.offer) == a_ids - b_ids, "reconcile: wrong offer")
        return
    r = Reconciler(ItemSet(_RECONCILE_IDS))
    messages = [body] if mode == 0 else split(body, 6)
    if mode == 1:
        r.initiate()
    for m in messages:
        if r.receive(m) is None:
            break


# ------------------------------------------------------------------ committee


def _committee_seeds() -> Iterator[bytes]:
    v = _vectors("committee.json")
    dkg1 = v["dkg1_v1"]
    assert isinstance(dkg1, dict)
    yield b"\x00" + bytes.fromhex(dkg1["valid"][0]["hex"])
    for item in dkg1["reject"]:
        yield b"\x00" + bytes.fromhex(item["hex"])
    from samizdat.core import committee_wire as wire

    yield b"\x01" + wire.encode("dkg2", {"i": 1, "j": 2, "s": b"x" * 48})
    yield b"\x04" + wire.encode("commit", {"gk": bytes(32), "i": 1, "cid": bytes(16),
                                           "D": [], "E": []})


@harness("committee",
         "samizdat.core.committee_wire:decode,Fields,unseal,seal,_padded_size,is_sealable_size,"
         "encode",
         "samizdat.core.dkg:Round1Message,Round2Message,Round1State,Round2State,KeyShare,"
         "_pok_challenge,_b",
         "samizdat.app.committee:_Commit", seeds=_committee_seeds)
def _committee(data: bytes) -> None:
    """core/committee_wire.py and core/dkg.py: the committee message files (dkg1,
    dkg2, commit) and the stored states (round-1 state, round-2 state, key share);
    the first byte picks. Mode 5 runs a frame through a real seal/unseal first, as a
    member who knows the committee secret can."""
    from samizdat.app.committee import _Commit
    from samizdat.core import committee_wire as wire
    from samizdat.core import dkg

    if not data:
        return
    mode, body = data[0] % 8, data[1:]
    if mode == 0:
        msg = dkg.Round1Message.decode(body)
        msg.check_proof()
    elif mode == 1:
        dkg.Round2Message.decode(body)
    elif mode == 2:
        dkg.Round1State.decode(body)
    elif mode == 3:
        dkg.Round2State.decode(body)
    elif mode == 4:
        _Commit(body)
    elif mode == 5:
        key = bytes(32)
        if wire.is_sealable_size(len(body)):
            expect(wire.unseal(key, wire.seal(key, body, det_rng())) == body, "sealed: round")
        wire.decode(body)
    elif mode == 6:
        dkg.KeyShare.decode(body)
    else:
        wire.unseal(bytes(32), body)


def _secret_seeds() -> Iterator[bytes]:
    from samizdat.core.committee_wire import CommitteeSecret

    yield CommitteeSecret(bytes(20)).danger_real_secret_string().encode()
    yield b"szc1-"


@harness("committee_secret",
         "samizdat.core.committee_wire:CommitteeSecret,_secret_checksum",
         seeds=_secret_seeds, max_len=256)
def _committee_secret(data: bytes) -> None:
    """core/committee_wire.py CommitteeSecret.parse on typed text; round trip."""
    from samizdat.core.committee_wire import CommitteeSecret

    secret = CommitteeSecret.parse(text_of(data))
    again = CommitteeSecret.parse(secret.danger_real_secret_string())
    expect(again.value == secret.value, "committee secret: round trip")


# ---------------------------------------------------------------- paper frame


def _paper_seeds() -> Iterator[bytes]:
    v = _vectors("paper_frame.json")
    for item in v["valid"]:  # type: ignore[attr-defined]
        frames = [bytes.fromhex(f) for f in item["frames"]]
        yield b"\x00" + join(frames)
    for item in v["reject"]:  # type: ignore[attr-defined]
        yield b"\x00" + bytes.fromhex(item["frame"])
    yield b"\x01" + join([b"\x01" + bytes(8) + bytes([1, 2, 0]) + (3).to_bytes(4, "big")
                          + b"abc"])


@harness("paper_frame",
         "samizdat.transports.paper_frame:decode_frame,rebuild,_seal,_xor,Frame",
         seeds=_paper_seeds, max_len=8192)
def _paper_frame(data: bytes) -> None:
    """transports/paper_frame.py: QR contents (mode 0: as read; mode 1: bodies given
    a valid check and mask, which are public) decoded and grouped by print as
    ``scan`` does, then rebuilt."""
    from collections import defaultdict

    from samizdat.transports import paper_frame as pf

    if not data:
        return
    pieces = split(data[1:], 12)
    if data[0] & 1:
        pieces = [pf._seal(p) for p in pieces]
    groups: dict[object, list[pf.Frame]] = defaultdict(list)
    for piece in pieces:
        try:
            frame = pf.decode_frame(piece)
        except SamizdatError:
            continue
        groups[frame.group].append(frame)
    for members in groups.values():
        payload = pf.rebuild(members)
        expect(len(payload) == members[0].length, "paper: rebuilt length differs")


# ----------------------------------------------------------------------- mail


def _mail_seeds() -> Iterator[bytes]:
    from samizdat.transports.mail import build_message

    out = build_message(b"x" * 300, sender="a@example.org", to="b@example.org",
                        rng=det_rng(), now=1.8e9)
    yield out.raw
    yield (b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
           b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
           b"\r\nAAECAwQ=\r\n--b--\r\n")
    nested = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
                      for i in range(12))
    yield b"Subject: x\r\n" + nested


@harness("mail", "samizdat.transports.mail:extract_attachments,_leaves,_is_candidate",
         seeds=_mail_seeds, max_len=65536, instrument=("email",))
def _mail(data: bytes) -> None:
    """transports/mail.py extract_attachments: a received message, whole."""
    from samizdat.transports.mail import Limits, extract_attachments

    found, _oversized = extract_attachments(data, Limits())
    expect(all(isinstance(a, bytes) and a for a in found), "mail: empty attachment returned")


# ------------------------------------------------------------------ statement


def _statement_seeds() -> Iterator[bytes]:
    v = _vectors("committee.json")
    st = v["statement_v1"]
    pk = v["minisign_public_key"]
    assert isinstance(st, dict) and isinstance(pk, dict)
    yield b"\x00" + st["valid"][0]["encoded"].encode()
    for item in st["reject"]:
        yield b"\x00" + bytes.fromhex(item["hex"])
    yield b"\x01" + pk["valid"][0]["file"].encode()
    for item in pk["reject"]:
        yield b"\x01" + bytes.fromhex(item["hex"])
    from samizdat.core.statement import MinisignSignature

    yield b"\x02" + MinisignSignature(bytes(8), bytes(64), "c", bytes(64)).encode()


@harness("statement", "samizdat.core.statement", seeds=_statement_seeds)
def _statement(data: bytes) -> None:
    """core/statement.py: the committee statement (0), a minisign public key file
    (1), a .minisig file (2); the first byte picks."""
    from samizdat.core import statement as stm

    if not data:
        return
    mode, body = data[0] % 3, data[1:]
    if mode == 0:
        expect(stm.Statement.parse(body).encode() == body, "statement: not canonical")
    elif mode == 1:
        key = stm.parse_minisign_public_key(body)
        again = stm.parse_minisign_public_key(stm.minisign_public_key(key).encode())
        expect(again == key, "minisign key: round trip")
    else:
        sig = stm.MinisignSignature.parse(body)
        expect(stm.MinisignSignature.parse(sig.encode()) == sig, "minisig: round trip")


# ------------------------------------------------------------------- key slot


def _keyslot_seeds() -> list[bytes]:
    return [bytes([1, 0, 0]) + bytes(32), bytes([1, 1, 1]) + bytes(32)]


@harness("keyslot", "samizdat.store.keyslots:SlotPayload", seeds=_keyslot_seeds, max_len=128)
def _keyslot(data: bytes) -> None:
    """store/keyslots.py SlotPayload.decode: an authenticated payload that whoever
    knew the passphrase could still have written badly."""
    from samizdat.store.keyslots import SlotPayload

    payload = SlotPayload.decode(data)
    expect(payload.encode() == data, "keyslot: round trip")


# ----------------------------------------------------------------------- text


_text_seeds = _from_vectors(
    "text.json", ("valid", "input_utf8_hex"), ("must_reject", "input_hex")
)


@harness("text", "samizdat.core.text", seeds=_text_seeds, max_len=8192)
def _text(data: bytes) -> None:
    """core/text.py: a file's bytes decoded and normalized, as ``draft new`` and
    ``verify`` take them; normalizing the normal form changes nothing."""
    from samizdat.core.text import decode_text_bytes, normalize

    paragraphs = normalize(decode_text_bytes(data)).paragraphs
    again = normalize("\n\n".join(paragraphs)).paragraphs
    expect(again == paragraphs, "text: normalization is not idempotent")


# ------------------------------------------------------------------- comments


def _comment_seeds() -> Iterator[bytes]:
    from samizdat.core.comments import Comment

    yield Comment(bytes(32), bytes(32), 1, bytes(32), "a note", 1_800_000_000).encode()
    yield Comment(b"d" * 32, b"v" * 32, 7, b"h" * 32, "\u0436" * 40, 0).encode()


@harness("comments", "samizdat.core.comments", seeds=_comment_seeds)
def _comments(data: bytes) -> None:
    """core/comments.py decode_comment: a co-author's comment file; canonical."""
    from samizdat.core.comments import decode_comment

    expect(decode_comment(data).encode() == data, "comment: not canonical")


# --------------------------------------------------------------------- circle


def _circle_item_seeds() -> Iterator[bytes]:
    from samizdat.core.circle import CircleItem, ItemComment, encode_item

    yield encode_item(CircleItem(b"c" * 16, b"package"))
    yield encode_item(CircleItem(b"c" * 16, b"", (ItemComment(b"\x01x", b"a" * 32,
                                                               b"s" * 64),)))


@harness("circle_item", "samizdat.core.circle", seeds=_circle_item_seeds, max_len=4096)
def _circle_item(data: bytes) -> None:
    """core/circle.py decode_item: the payload of a co-author's circle item; canonical."""
    from samizdat.core.circle import decode_item, encode_item

    expect(encode_item(decode_item(data, 1 << 16)) == data, "circle item: not canonical")


# ---------------------------------------------------------------------- reach


def _reach_seeds() -> Iterator[bytes]:
    from samizdat.core.reach import SKETCH_BYTES, ReachSketch

    yield ReachSketch.empty().encode()
    yield b"\x01" + b"\xff" * (SKETCH_BYTES - 1)


@harness("reach", "samizdat.core.reach:decode_sketch,ReachSketch,Sketch,admit,estimate_readers",
         seeds=_reach_seeds, max_len=1024)
def _reach(data: bytes) -> None:
    """core/reach.py decode_sketch and admit: a sketch a contact sent, decoded
    (canonical), admitted into an empty view as the receiver does, estimated."""
    from samizdat.core.reach import ReachSketch, admit, decode_sketch, estimate_readers

    sketch = decode_sketch(data)
    expect(sketch.encode() == data, "reach: not canonical")
    estimate_readers(admit(ReachSketch.empty(), sketch))


def _reach_frame_seeds() -> Iterator[bytes]:
    from samizdat.core.reach import decode_sketch, encode_sketch_frame

    sketches = [decode_sketch(seed) for seed in _reach_seeds()]
    yield encode_sketch_frame([(bytes(range(16)), sketches[0])])
    yield encode_sketch_frame([(bytes([i]) * 16, s) for i, s in enumerate(sketches)])


@harness("reach_frame",
         "samizdat.core.reach:decode_sketch_frame,encode_sketch_frame,combine,"
         "low_registers_missing",
         seeds=_reach_frame_seeds, max_len=4096)
def _reach_frame(data: bytes) -> None:
    """A SKETCH frame's payload as the session's extension decodes it (count, pair
    ids, sketches), each admitted and combined the way app/reach.py does."""
    from samizdat.core.reach import ReachSketch, admit, combine, decode_sketch_frame
    from samizdat.core.reach import encode_sketch_frame as encode
    from samizdat.errors import DecodeError

    entries = decode_sketch_frame(data)
    expect(encode(entries) == data, "reach frame: not canonical")
    kept = []
    for _pid, sketch in entries:
        with contextlib.suppress(DecodeError):
            kept.append(admit(ReachSketch.empty(), sketch))
    combine(ReachSketch.empty(), kept)


# -------------------------------------------------------------------- tickets


def _ticket_seeds() -> Iterator[bytes]:
    from samizdat.core.caps import ReadCap
    from samizdat.core.tickets import Ticket, encode_ticket

    for k, n in ((1, 1), (3, 10)):
        yield encode_ticket(Ticket(ReadCap(k=k, n=n, root_key=bytes(32)), b"v" * 32,
                                   tuple(bytes([i]) * 32 for i in range(n))))


@harness("tickets", "samizdat.core.tickets", seeds=_ticket_seeds, max_len=16 * 1024)
def _tickets(data: bytes) -> None:
    """core/tickets.py decode_ticket: a ticket a reader contact sent or a file a
    person was handed; canonical."""
    from samizdat.core.tickets import decode_ticket, encode_ticket

    expect(encode_ticket(decode_ticket(data)) == data, "ticket: not canonical")


# ------------------------------------------------ decoders other branches add
#
# Registered only when the decoder exists in this tree (checked without importing
# it, so that the fuzzer's import hook still instruments it). Their corpora are
# committed either way; the replay test skips a corpus whose decoder is absent.


def _defines(module: str, function: str) -> bool:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return False
    return f"\ndef {function}(" in Path(spec.origin).read_text("utf-8")


OPTIONAL: dict[str, str] = {
    "codes": "samizdat.core.codes (one codec for every hand-held code)",
    "signify": "samizdat.core.statement.parse_signify_signature (signify files)",
}
"""Harnesses whose decoder another branch adds: name -> what is missing without it."""


def _codes_seeds() -> Iterator[bytes]:
    for mode, prefix in enumerate(("sz1-", "szi1-", "szd1-", "szc1-")):
        yield bytes([mode]) + prefix.encode() + b"a" * 60
        yield bytes([mode]) + b"SZ1-" + b"A" * 63
    yield bytes([4]) + b"\x01" + bytes(34)  # a read-cap body behind a good checksum
    yield bytes([5]) + b"\x01" + bytes(35) + b"\x01\x7f\x00\x00\x01\x1f\x90"
    yield bytes([6]) + b"\x01" + bytes(32)
    yield bytes([7]) + b"\x01" + bytes(20)


if _defines("samizdat.core.codes", "decode"):

    @harness("codes", "samizdat.core.codes", seeds=_codes_seeds, max_len=1200)
    def _codes(data: bytes) -> None:
        """core/codes.py: a code of each kind as typed (modes 0-3), or a body behind a
        valid checksum (4-7: the checksum is public); identify() on the same text.
        A decoded body encodes back to a code that decodes to it."""
        import base64

        from samizdat.core import codes  # type: ignore[attr-defined,unused-ignore]

        if not data:
            return
        kind = codes.KINDS[data[0] % 4]
        body = data[1:]
        if data[0] & 4:
            raw = body + codes.checksum(kind, body)
            text = kind.prefix + base64.b32encode(raw).decode().rstrip("=").lower()
        else:
            text = text_of(body)
        codes.identify(text)
        got = codes.decode(kind, text)
        expect(codes.decode(kind, codes.encode(kind, got)) == got, "codes: round trip")


def _signify_seeds() -> Iterator[bytes]:
    import base64

    sig = base64.b64encode(b"Ed" + bytes(8) + bytes(64)).decode()
    key = base64.b64encode(b"Ed" + bytes(8) + bytes(32)).decode()
    der = base64.b64encode(bytes.fromhex("302a300506032b6570032100") + bytes(32)).decode()
    yield b"\x00" + f"untrusted comment: verify with committee.sig.pub\n{sig}\n".encode()
    yield b"\x01" + f"untrusted comment: samizdat committee public key\n{key}\n".encode()
    yield b"\x01" + f"-----BEGIN PUBLIC KEY-----\n{der}\n-----END PUBLIC KEY-----\n".encode()


if _defines("samizdat.core.statement", "parse_signify_signature"):

    @harness("signify", "samizdat.core.statement", seeds=_signify_seeds)
    def _signify(data: bytes) -> None:
        """core/statement.py: a signify signature file (0), or any committee public
        key file samizdat reads (1: minisign, signify or PEM)."""
        from samizdat.core import statement as stm

        if not data:
            return
        if data[0] & 1:
            key = stm.parse_public_key_file(data[1:])  # type: ignore[attr-defined,unused-ignore]
            pub = stm.minisign_public_key(key).encode()
            again = stm.parse_public_key_file(pub)  # type: ignore[attr-defined,unused-ignore]
            expect(again == key, "public key file: round trip")
        else:
            stm.parse_signify_signature(data[1:])  # type: ignore[attr-defined,unused-ignore]
