"""Committee use cases: key generation, signing across days, statements.

Each function takes the unlocked store, and ``rng`` / ``now`` where it needs them,
and returns bytes to write or a typed result (:class:`GroupKey`, :class:`Final`,
:class:`MemberStatus`); the CLI only parses, and prints the JSON the contract names.

One member's life (the state machine, drawn in ``docs/spec/committee.md``)::

    (none) --dkg1--> ROUND1 --dkg2--> ROUND2 --dkg3--> READY
                                                      |  commit / sign / finalize
                                                      +--(loops; state unchanged)

A rejected message leaves the state as it was. A member who was given the committee
secret at ``dkg1`` seals every message file it writes and opens every one it reads
with the key kept in its store (``core/committee_wire.py``); one without a secret
reads and writes plaintext frames. A final version needs two FROST
signatures (see ``core/statement.py``): the statement signature (round "statement",
slot 0) and minisign's comment signature (slot 1), each from any ``k`` members.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from samizdat.core import cbor, dkg, frost
from samizdat.core import committee_wire as wire
from samizdat.core import group as g
from samizdat.core import statement as stm
from samizdat.core.crypto import Rng, constant_time_equal, ed25519_verify, sha256
from samizdat.core.text import digest_paragraphs, normalized_bytes, paragraph_hash
from samizdat.core.versions import decode_version
from samizdat.errors import DecodeError, InputError, NotFound, UsageError
from samizdat.store import committee as tables
from samizdat.store.store import Store

__all__ = [
    "NONCE_LIFETIME",
    "Final",
    "GroupKey",
    "MemberState",
    "MemberStatus",
    "commit",
    "dkg1",
    "dkg2",
    "dkg3",
    "export",
    "finalize",
    "sign",
    "statement_files",
    "statement_for",
    "status",
]

NONCE_LIFETIME = 60 * 24 * 3600
"""Unused nonces older than this (60 days) are destroyed as abandoned."""

SLOT_STATEMENT = 0
SLOT_COMMENT = 1


class MemberState(enum.Enum):
    """Where one member is in the committee's life."""

    ROUND1 = "round1"  # sent its round-1 message, waits for everyone's
    ROUND2 = "round2"  # sent its round-2 message, waits for everyone's
    READY = "ready"  # holds its key share; can commit, sign and finalize


TRANSITIONS: dict[tuple[MemberState | None, str], MemberState] = {
    (None, "dkg1"): MemberState.ROUND1,
    (MemberState.ROUND1, "dkg1 --restart"): MemberState.ROUND1,
    (MemberState.ROUND2, "dkg1 --restart"): MemberState.ROUND1,
    (MemberState.ROUND1, "dkg2"): MemberState.ROUND2,
    (MemberState.ROUND2, "dkg3"): MemberState.READY,
    (MemberState.READY, "commit"): MemberState.READY,
    (MemberState.READY, "sign"): MemberState.READY,
    (MemberState.READY, "finalize"): MemberState.READY,
}
"""Every allowed step; anything else is refused with the member's state untouched."""


@dataclass(frozen=True)
class GroupKey:
    """What ``dkg3`` ends with: the committee's public group key and its k of n."""

    committee: str
    group_key: bytes
    k: int
    n: int


@dataclass(frozen=True)
class Final:
    """What ``finalize`` did: the version is final under ``signature``;
    ``minisign_ready`` once the trusted-comment round is done too. ``final_file``
    is the message the signers need for that second round."""

    version: bytes
    signature: bytes
    minisign_ready: bool
    final_file: bytes = field(repr=False)


@dataclass(frozen=True)
class MemberStatus:
    """Where one member is (no secret value): ``group_key`` once ``READY``."""

    committee: str
    state: MemberState
    index: int
    n: int
    k: int
    unused_nonces: int
    sealed: bool
    group_key: bytes | None = None


def _state(store: Store, name: str, step: str) -> tables.MemberRecord:
    rec = tables.member(store.db, name)
    state = MemberState(rec.state)
    if (state, step) not in TRANSITIONS:
        raise UsageError(
            f"committee {name!r} is at {state.value}; '{step}' is not possible now",
            hint={MemberState.ROUND1: "next is 'committee dkg2'",
                  MemberState.ROUND2: "next is 'committee dkg3'",
                  MemberState.READY: "key generation is done; sign with commit/sign/finalize"
                  }[state],
        )
    return rec


# --------------------------------------------------------------- key generation


def _seal(store: Store, name: str, frame: bytes, rng: Rng) -> bytes:
    """The file to write: sealed if this member keeps a committee key."""
    key = tables.member(store.db, name).seal_key
    if key is None:
        return frame
    return wire.seal(key, frame, rng)


def _open(rec: tables.MemberRecord, files: Sequence[bytes]) -> list[bytes]:
    """The frames inside the files read; with a committee key every file must open
    under it (a plaintext or foreign file is refused before anything is parsed)."""
    if rec.seal_key is None:
        return list(files)
    return [wire.unseal(rec.seal_key, data) for data in files]


def dkg1(store: Store, name: str, n: int, k: int, index: int, rng: Rng, now: int,
         *, restart: bool = False, secret: wire.CommitteeSecret | None = None) -> bytes:
    """Round 1; returns this member's broadcast message. With ``secret`` (or, on
    ``restart``, a secret kept from before) it is sealed, and so is every later
    message of this member."""
    if restart:
        rec = None
        with contextlib.suppress(NotFound):
            rec = tables.member(store.db, name)
        if rec is not None:
            _state(store, name, "dkg1 --restart")
    state = dkg.round1(dkg.committee_context(name, n, k), n, k, index, rng)
    tables.put_member(
        store.db,
        tables.MemberRecord(name, MemberState.ROUND1.value, state.encode(), None,
                            None if secret is None else wire.seal_key(secret)),
        now, replace=restart,
    )
    return _seal(store, name, state.message, rng)


def dkg2(store: Store, name: str, round1: Sequence[bytes], now: int, rng: Rng) -> bytes:
    """Round 2; returns this member's message (shares sealed to each recipient)."""
    rec = _state(store, name, "dkg2")
    new_state, message = dkg.round2(dkg.Round1State.decode(rec.data), _open(rec, round1), rng)
    tables.put_member(
        store.db, tables.MemberRecord(name, MemberState.ROUND2.value, new_state.encode(), None),
        now, expect_state=MemberState.ROUND1.value,
    )
    return _seal(store, name, message, rng)


def dkg3(store: Store, name: str, round2: Sequence[bytes], now: int) -> GroupKey:
    """Round 3: check the shares, keep the key share; returns the group key."""
    rec = _state(store, name, "dkg3")
    key = dkg.round3(dkg.Round2State.decode(rec.data), _open(rec, round2))
    tables.put_member(
        store.db,
        tables.MemberRecord(name, MemberState.READY.value, key.encode(), key.group_key),
        now, expect_state=MemberState.ROUND2.value,
    )
    return GroupKey(name, key.group_key, key.k, key.n)


def _key(store: Store, name: str, step: str) -> dkg.KeyShare:
    return dkg.KeyShare.decode(_state(store, name, step).data)


def _key_and_frames(store: Store, name: str, step: str,
                    files: Sequence[bytes]) -> tuple[dkg.KeyShare, list[bytes]]:
    rec = _state(store, name, step)
    frames = _open(rec, files)
    return dkg.KeyShare.decode(rec.data), frames


# ------------------------------------------------------------------- statements


def statement_for(store: Store, version_id: bytes) -> stm.Statement:
    """The canonical statement of a stored version."""
    rec = store.version(version_id)
    doc = store.document(rec.doc_id)
    version = decode_version(rec.encoded)
    paragraphs = [p.decode("utf-8") for p in store.paragraphs(version_id)]
    digest = digest_paragraphs(paragraphs)
    s = stm.Statement(
        document=rec.doc_id, title=doc.title, version=version_id, text_id=digest.text_id,
        text_sha256=digest.text_sha256,
        paragraph_hashes=tuple(paragraph_hash(p) for p in paragraphs),
    )
    if s.text_id != version.text_id or s.text_sha256 != version.text_sha256:
        raise InputError("the stored text does not match its version; the store is damaged")
    return s


# ---------------------------------------------------------------------- signing


def commit(store: Store, name: str, rng: Rng, now: int) -> bytes:
    """Signing round 1: fresh single-use nonces for both signatures of a final
    version, kept in the store; returns the commitment message."""
    key = _key(store, name, "commit")
    tables.purge_nonces(store.db, now - NONCE_LIFETIME)
    commit_id = rng(16)
    slots, hiding, binding = [], [], []
    for _ in (SLOT_STATEMENT, SLOT_COMMENT):
        nonces, c = frost.commit(key.index, key.signing_share, rng)
        slots.append(cbor.encode([nonces.hiding, nonces.binding]))
        hiding.append(c.hiding)
        binding.append(c.binding)
    tables.add_nonces(store.db, name, commit_id, slots, now)
    return _seal(store, name, wire.encode(
        "commit", {"gk": key.group_key, "i": key.index, "cid": commit_id,
                   "D": list(hiding), "E": list(binding)}), rng)


class _Commit:
    def __init__(self, data: bytes) -> None:
        f = wire.decode(data, "commit")
        f.expect_keys("gk", "i", "cid", "D", "E")
        self.raw = data
        self.group_key = f.raw("gk", 32)
        self.index = f.int_in("i", 1, frost.MAX_SIGNERS)
        self.cid = f.raw("cid", 16)
        self.hiding = f.points("D", 2)
        self.binding = f.points("E", 2)

    def commitment(self, slot: int) -> frost.Commitment:
        return frost.Commitment(self.index, self.hiding[slot], self.binding[slot])


def _sort_files(files: Sequence[bytes]) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {"commit": [], "share": [], "final": []}
    for data in files:
        kind = wire.decode(data).kind
        if kind not in out:
            raise InputError(f"a {kind} message cannot be used here")
        out[kind].append(data)
    return out


def _commitments(key: dkg.KeyShare, raw: Sequence[bytes]) -> list[_Commit]:
    commits: dict[int, _Commit] = {}
    for data in raw:
        c = _Commit(data)
        if not constant_time_equal(c.group_key, key.group_key):
            raise InputError(f"the commitment of member {c.index} is for another committee")
        if c.index > key.n:
            raise InputError(f"a commitment from member {c.index}, but the committee has {key.n}")
        if c.index in commits:
            raise InputError(f"two commitments from member {c.index}",
                             hint="give each signer's commitment file once")
        commits[c.index] = c
    if len(commits) < key.k:
        raise InputError(
            f"{len(commits)} commitments, but this committee needs {key.k} signers",
            hint="collect the commitment files of more members",
        )
    return [commits[i] for i in sorted(commits)]


def _set_id(commits: Sequence[_Commit]) -> bytes:
    """Names the exact commitment files a share was made over (both slots), so any
    change to any of them, even to the slot not being signed, is caught."""
    return sha256(b"".join(sha256(c.raw) for c in commits))


def _message(store: Store, key: dkg.KeyShare, version: bytes, slot: int) -> bytes:
    s = statement_for(store, version)
    if slot == SLOT_STATEMENT:
        return s.encode()
    rec = [f for f in tables.final(store.db, version) if f.group_key == key.group_key]
    if not rec:
        raise InputError("the statement signature of this version is not known here yet",
                         hint="give the final file written by 'committee finalize --out'")
    return stm.MinisignSignature.global_message(rec[0].signature, rec[0].comment)


def _record_final(store: Store, group_key: bytes, version: bytes, signature: bytes) -> None:
    s = statement_for(store, version)
    body = s.encode()
    ed25519_verify(group_key, body, signature)
    with store.db.transaction():
        tables.put_final(store.db, tables.FinalRecord(
            version, group_key, body, signature, stm.trusted_comment(s), None))
        store.add_signature(version, "committee", group_key, signature)


def sign(store: Store, name: str, version: bytes, files: Sequence[bytes], rng: Rng) -> bytes:
    """Signing round 2: this member's share. Its nonce is deleted in the transaction
    that computes the share, before the share is returned."""
    key, frames = _key_and_frames(store, name, "sign", files)
    sorted_files = _sort_files(frames)
    for data in sorted_files["final"]:
        f = wire.decode(data, "final")
        f.expect_keys("gk", "ver", "sig")
        if f.raw("gk", 32) != key.group_key or f.raw("ver", 32) != version:
            raise InputError("the final file is for another committee or version")
        _record_final(store, key.group_key, version, f.raw("sig", 64))
    commits = _commitments(key, sorted_files["commit"])
    own = [c for c in commits if c.index == key.index]
    if not own:
        raise InputError("this member's own commitment is not among the files")
    known = tables.final(store.db, version)
    slot = SLOT_COMMENT if any(r.group_key == key.group_key for r in known) else SLOT_STATEMENT
    message = _message(store, key, version, slot)
    commitments = [c.commitment(slot) for c in commits]

    def use(data: bytes) -> g.Scalar:
        v = cbor.decode(data)
        if not isinstance(v, list) or len(v) != 2:
            raise DecodeError("bad stored nonce")
        nonces = frost.Nonces(g.scalar(bytes(v[0])), g.scalar(bytes(v[1])))
        return frost.sign(key.index, key.signing_share, key.group_key, nonces, message,
                          commitments)

    share = tables.take_nonce(store.db, own[0].cid, slot, use)
    return _seal(store, name, wire.encode(
        "share", {"gk": key.group_key, "i": key.index, "ver": version, "slot": slot,
                  "set": _set_id(commits), "z": share}), rng)


def finalize(store: Store, name: str, version: bytes, files: Sequence[bytes],
             rng: Rng) -> Final:
    """Aggregate the shares, check them (naming a bad signer) and the signature, and
    record the version as final."""
    key, frames = _key_and_frames(store, name, "finalize", files)
    sorted_files = _sort_files(frames)
    commits = _commitments(key, sorted_files["commit"])
    set_id = _set_id(commits)
    shares: dict[int, g.Scalar] = {}
    slots = set()
    for data in sorted_files["share"]:
        f = wire.decode(data, "share")
        f.expect_keys("gk", "i", "ver", "slot", "set", "z")
        i = f.int_in("i", 1, frost.MAX_SIGNERS)
        if f.raw("gk", 32) != key.group_key:
            raise InputError(f"the share of member {i} is for another committee")
        if f.raw("ver", 32) != version:
            raise InputError(f"the share of member {i} is for another version")
        if f.raw("set", 32) != set_id:
            raise InputError(f"member {i} signed with a different set of commitments")
        if i in shares:
            raise InputError(f"two shares from member {i}")
        slots.add(f.int_in("slot", 0, 1))
        shares[i] = f.scalar("z")
    if not shares:
        raise InputError("no signature shares given")
    if len(slots) != 1:
        raise InputError("the shares mix the statement round and the comment round")
    slot = slots.pop()
    message = _message(store, key, version, slot)
    signature = frost.aggregate(
        key.group_key, message, [c.commitment(slot) for c in commits], shares,
        key.verification_shares, threshold=key.k,
    )
    if slot == SLOT_STATEMENT:
        _record_final(store, key.group_key, version, signature)
    else:
        tables.set_comment_signature(store.db, version, key.group_key, signature)
    rec = next(r for r in tables.final(store.db, version) if r.group_key == key.group_key)
    out = _seal(store, name, wire.encode(
        "final", {"gk": key.group_key, "ver": version, "sig": rec.signature}), rng)
    return Final(version, rec.signature, rec.comment_signature is not None, out)


# ------------------------------------------------------------ export and trust


def status(store: Store, name: str) -> MemberStatus:
    """Where this member is: state, index, n, k, the group key once ready, and how
    many unused commitments it holds (secret values are never shown)."""
    rec = tables.member(store.db, name)
    state = MemberState(rec.state)
    group_key = None
    part: dkg.KeyShare | dkg.Round1State | dkg.Round2State
    if state is MemberState.READY:
        part = dkg.KeyShare.decode(rec.data)
        group_key = part.group_key
    elif state is MemberState.ROUND1:
        part = dkg.Round1State.decode(rec.data)
    else:
        part = dkg.Round2State.decode(rec.data)
    return MemberStatus(name, state, part.index, part.n, part.k,
                        tables.count_nonces(store.db, name), rec.seal_key is not None,
                        group_key)


def export(store: Store, name: str) -> str:
    """The committee's public key file (minisign format: the group key, nothing else)."""
    return stm.minisign_public_key(_key(store, name, "commit").group_key)


def statement_files(store: Store, version: bytes) -> dict[str, bytes]:
    """The files of ``samizdat statement``: ``statement.txt``, ``text.txt``, the key
    as ``committee.pub`` (minisign), ``committee.sig.pub`` (signify) and
    ``committee.pem`` (OpenSSL), ``statement.txt.sig`` (signify, after the first
    signing round) and ``statement.txt.minisig`` only once the comment signature of
    the second round exists."""
    recs = tables.final(store.db, version)
    if not recs:
        raise NotFound(f"version {version.hex()[:16]} has no committee signature here")
    rec = next((r for r in recs if r.comment_signature is not None), recs[0])
    s = stm.Statement.parse(rec.statement)
    text = normalized_bytes([p.decode("utf-8") for p in store.paragraphs(version)])
    if sha256(text) != s.text_sha256:
        raise InputError("the stored text does not match the statement")
    out = {
        "statement.txt": rec.statement,
        "committee.pub": stm.minisign_public_key(rec.group_key).encode(),
        "text.txt": text,
        # one signing round is enough for signify and OpenSSL: a plain Ed25519
        # signature over statement.txt, which the first finalize already made
        "statement.txt.sig": stm.signify_signature(rec.group_key, rec.signature),
        "committee.sig.pub": stm.signify_public_key(rec.group_key).encode(),
        "committee.pem": stm.openssl_public_key_pem(rec.group_key).encode(),
    }
    if rec.comment_signature is not None:
        out["statement.txt.minisig"] = stm.MinisignSignature(
            stm.minisign_key_id(rec.group_key), rec.signature, rec.comment,
            rec.comment_signature).encode()
    return out
