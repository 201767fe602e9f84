"""Distributed key generation without a dealer: the two-round KeyGen of FROST
(Komlo and Goldberg, 2020, Figure 1), for Ed25519.

Each of the ``n`` members picks a random polynomial ``f_i`` of degree ``k - 1``; the
group secret is ``s = sum f_i(0)``, which no machine ever computes. The rounds:

1. :func:`round1` — broadcast commitments ``phi_ij = a_ij * B`` to the coefficients,
   a Schnorr proof of knowledge of ``a_i0`` (so nobody can pick its constant term as a
   function of the others' and bias or steal the group key), and a fresh X25519 key
   that round-two shares for this member are sealed to.
2. :func:`round2` — after checking everyone's proof, send ``f_i(j)`` to each ``j``,
   sealed to ``j``'s X25519 key, inside a message bound to the *session*: the hash of
   all ``n`` round-one messages, so that a message from another run cannot be mixed in.
3. :func:`round3` — check each share received against its sender's commitments (a
   bad one names its sender and aborts), sum them into this member's signing share,
   and derive the group key and every member's public verification share.

Every proof and share is bound to the *committee context*: a hash of the committee's
agreed name, ``n`` and ``k`` (:func:`committee_context`), so messages from another
committee are refused. All functions are pure and leave their inputs untouched: a
rejected message never spoils a member's state, which can simply be used again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from samizdat.core import cbor
from samizdat.core import committee_wire as wire
from samizdat.core import group as g
from samizdat.core.crypto import Rng, box_open, box_seal, derive_key, x25519_public_key
from samizdat.core.frost import MAX_SIGNERS
from samizdat.errors import CryptoError, DecodeError, InputError, UsageError

__all__ = [
    "DkgAbort",
    "KeyShare",
    "Round1Message",
    "Round1State",
    "Round2Message",
    "Round2State",
    "check_parameters",
    "committee_context",
    "round1",
    "round2",
    "round3",
]

_POK_DOMAIN: Final = b"samizdat committee dkg pok v1"
_SESSION_CONTEXT: Final = "samizdat 2026 committee dkg session v1"
_CONTEXT_CONTEXT: Final = "samizdat 2026 committee context v1"


class DkgAbort(CryptoError):
    """A member broke the key generation (a bad proof or a bad share).

    ``culprit`` is that member's index. The run cannot finish: start again without
    that member, or after asking them what went wrong.
    """

    def __init__(self, culprit: int, what: str) -> None:
        super().__init__(
            f"member {culprit} {what}; key generation aborted",
            hint=f"start a new key generation, without member {culprit} or after "
            "checking their files",
        )
        self.culprit = culprit


def check_parameters(n: int, k: int) -> None:
    """Refuse committees samizdat cannot run: ``1 <= k <= n <= 255``, ``n >= 2``."""
    if not 2 <= n <= MAX_SIGNERS:
        raise UsageError(f"a committee has between 2 and {MAX_SIGNERS} members")
    if not 1 <= k <= n:
        raise UsageError("the threshold k must be between 1 and n")


def committee_context(name: str, n: int, k: int) -> bytes:
    """32 bytes naming this committee's key generation: its agreed name, n and k.

    Only this hash travels in messages; the name itself never leaves the store.
    """
    check_parameters(n, k)
    return derive_key(_CONTEXT_CONTEXT, cbor.encode([name, n, k]))


def _poly_eval(coefficients: Sequence[g.Scalar], x: int) -> g.Scalar:
    xs = g.scalar_from_int(x)
    acc = g.ZERO
    for a in reversed(coefficients):
        acc = g.scalar_add(g.scalar_mul(acc, xs), a)
    return acc


def _commitment_eval(commitments: Sequence[g.Point], x: int) -> g.Point:
    total = g.IDENTITY
    power = 1
    for phi in commitments:
        total = g.point_add(total, g.scalar_mult(g.scalar_from_int(power), phi))
        power = power * x % g.ORDER
    return total


def _pok_challenge(
    context: bytes, n: int, k: int, index: int, commitments: Sequence[g.Point],
    enc_key: bytes, r: g.Point,
) -> g.Scalar:
    # everything else in the round-1 message is bound too, so that no field of it
    # (the X25519 key above all) can be swapped without the proof failing
    return g.sha512_scalar(
        _POK_DOMAIN, context, bytes([n, k, index]), *commitments, enc_key, r
    )


# -------------------------------------------------------------------------- round 1


@dataclass(frozen=True)
class Round1Message:
    """Member ``index``'s broadcast: commitments, proof of knowledge, X25519 key."""

    context: bytes
    n: int
    k: int
    index: int
    commitments: tuple[g.Point, ...]
    pok_r: g.Point
    pok_mu: g.Scalar
    enc_key: bytes

    def encode(self) -> bytes:
        return wire.encode(
            "dkg1",
            {
                "ctx": self.context,
                "n": self.n,
                "k": self.k,
                "i": self.index,
                "c": list(self.commitments),
                "R": self.pok_r,
                "mu": self.pok_mu,
                "x": self.enc_key,
            },
        )

    @classmethod
    def decode(cls, data: bytes) -> Round1Message:
        f = wire.decode(data, "dkg1")
        f.expect_keys("ctx", "n", "k", "i", "c", "R", "mu", "x")
        n = f.int_in("n", 2, MAX_SIGNERS)
        k = f.int_in("k", 1, n)
        return cls(
            context=f.raw("ctx", 32),
            n=n,
            k=k,
            index=f.int_in("i", 1, n),
            commitments=tuple(f.points("c", k)),
            pok_r=f.point("R"),
            pok_mu=f.scalar("mu"),
            enc_key=f.raw("x", 32),
        )

    def check_proof(self) -> None:
        """Verify the proof of knowledge of the constant term; :class:`DkgAbort`."""
        c = _pok_challenge(self.context, self.n, self.k, self.index, self.commitments,
                           self.enc_key, self.pok_r)
        expected = g.point_sub(g.base_mult(self.pok_mu), g.scalar_mult(c, self.commitments[0]))
        if expected != self.pok_r:
            raise DkgAbort(self.index, "sent a round-1 proof of knowledge that does not verify")


@dataclass(frozen=True)
class Round1State:
    """What a member keeps between round 1 and round 2. Secret fields are hidden."""

    context: bytes
    n: int
    k: int
    index: int
    coefficients: tuple[g.Scalar, ...] = field(repr=False)
    enc_secret: bytes = field(repr=False)
    message: bytes

    def encode(self) -> bytes:
        return cbor.encode(
            [self.context, self.n, self.k, self.index, list(self.coefficients),
             self.enc_secret, self.message]
        )

    @classmethod
    def decode(cls, data: bytes) -> Round1State:
        v = cbor.decode(data)
        if not isinstance(v, list) or len(v) != 7:
            raise DecodeError("bad stored round-1 state")
        ctx, n, k, index, coeffs, enc, msg = v
        if not (isinstance(ctx, bytes) and isinstance(n, int) and isinstance(k, int)
                and isinstance(index, int) and isinstance(coeffs, list)
                and isinstance(enc, bytes) and isinstance(msg, bytes)):
            raise DecodeError("bad stored round-1 state")
        return cls(ctx, n, k, index, tuple(g.scalar(_b(c)) for c in coeffs), enc, msg)


def _b(v: object) -> bytes:
    if not isinstance(v, bytes):
        raise DecodeError("bad stored state")
    return v


def round1(context: bytes, n: int, k: int, index: int, rng: Rng) -> Round1State:
    """Start a key generation as member ``index`` of ``n`` (threshold ``k``)."""
    check_parameters(n, k)
    if not 1 <= index <= n:
        raise UsageError(f"the member index must be between 1 and {n}")
    coefficients = tuple(g.random_scalar(rng) for _ in range(k))
    commitments = tuple(g.base_mult(a) for a in coefficients)
    nonce = g.random_scalar(rng)
    r = g.base_mult(nonce)
    enc_secret = rng(32)
    enc_key = x25519_public_key(enc_secret)
    c = _pok_challenge(context, n, k, index, commitments, enc_key, r)
    mu = g.scalar_add(nonce, g.scalar_mul(coefficients[0], c))
    msg = Round1Message(context, n, k, index, commitments, r, mu, enc_key)
    return Round1State(context, n, k, index, coefficients, enc_secret, msg.encode())


# -------------------------------------------------------------------------- round 2


@dataclass(frozen=True)
class Round2Message:
    """Member ``sender``'s round-2 message: one sealed share per other member."""

    context: bytes
    session: bytes
    sender: int
    boxes: dict[int, bytes]

    def encode(self) -> bytes:
        return wire.encode(
            "dkg2",
            {"ctx": self.context, "sid": self.session, "i": self.sender,
             "boxes": dict(self.boxes.items())},
        )

    @classmethod
    def decode(cls, data: bytes) -> Round2Message:
        f = wire.decode(data, "dkg2")
        f.expect_keys("ctx", "sid", "i", "boxes")
        return cls(
            context=f.raw("ctx", 32),
            session=f.raw("sid", 32),
            sender=f.int_in("i", 1, MAX_SIGNERS),
            boxes=f.int_map("boxes", 1, MAX_SIGNERS, 512),
        )


@dataclass(frozen=True)
class Round2State:
    """What a member keeps between round 2 and round 3."""

    context: bytes
    n: int
    k: int
    index: int
    session: bytes
    commitments: tuple[tuple[g.Point, ...], ...]  # by member, index 1 at position 0
    own_share: g.Scalar = field(repr=False)
    enc_secret: bytes = field(repr=False)

    def encode(self) -> bytes:
        return cbor.encode(
            [self.context, self.n, self.k, self.index, self.session,
             [list(c) for c in self.commitments], self.own_share, self.enc_secret]
        )

    @classmethod
    def decode(cls, data: bytes) -> Round2State:
        v = cbor.decode(data)
        if not isinstance(v, list) or len(v) != 8:
            raise DecodeError("bad stored round-2 state")
        ctx, n, k, index, sid, comms, share, enc = v
        if not (isinstance(n, int) and isinstance(k, int) and isinstance(index, int)
                and isinstance(comms, list)):
            raise DecodeError("bad stored round-2 state")
        commitments = []
        for row in comms:
            if not isinstance(row, list):
                raise DecodeError("bad stored round-2 state")
            commitments.append(tuple(g.point(_b(p)) for p in row))
        return cls(_b(ctx), n, k, index, _b(sid), tuple(commitments), g.scalar(_b(share)),
                   _b(enc))


def _collect_round1(state: Round1State, raw: Sequence[bytes]) -> list[Round1Message]:
    by_index: dict[int, Round1Message] = {}
    raw_by_index: dict[int, bytes] = {}
    for data in raw:
        m = Round1Message.decode(data)
        if m.context != state.context:
            raise InputError(
                f"the round-1 message of member {m.index} belongs to another committee "
                "(different name, n or k)"
            )
        if m.index in raw_by_index:
            if raw_by_index[m.index] == data:
                raise InputError(f"the round-1 message of member {m.index} is given twice")
            raise InputError(f"two different round-1 messages claim to be from member {m.index}")
        by_index[m.index] = m
        raw_by_index[m.index] = data
    if raw_by_index.get(state.index) != state.message:
        if state.index in raw_by_index:
            raise InputError(
                f"the round-1 message for member {state.index} (this member) is not the "
                "one this store made: it is from another session"
            )
        by_index[state.index] = Round1Message.decode(state.message)
    missing = [i for i in range(1, state.n + 1) if i not in by_index]
    if missing:
        raise InputError(
            f"no round-1 message from member {missing[0]} ({len(missing)} missing)",
            hint="round 2 needs the round-1 messages of all members",
        )
    return [by_index[i] for i in range(1, state.n + 1)]


def round2(
    state: Round1State, round1_messages: Sequence[bytes], rng: Rng
) -> tuple[Round2State, bytes]:
    """Check every round-1 message and make this member's round-2 message.

    ``round1_messages`` are the raw files in any order; this member's own may be
    among them or not. ``rng`` makes the ephemeral keys of the sealed boxes. Returns
    the new state and the round-2 message bytes.
    """
    messages = _collect_round1(state, round1_messages)
    for m in messages:
        m.check_proof()
    session = derive_key(_SESSION_CONTEXT, cbor.encode([m.encode() for m in messages]))
    boxes: dict[int, bytes] = {}
    for m in messages:
        if m.index == state.index:
            continue
        share = _poly_eval(state.coefficients, m.index)
        payload = cbor.encode([session, state.index, m.index, share])
        boxes[m.index] = box_seal(m.enc_key, payload, rng)
    own_share = _poly_eval(state.coefficients, state.index)
    new_state = Round2State(
        state.context, state.n, state.k, state.index, session,
        tuple(m.commitments for m in messages), own_share, state.enc_secret,
    )
    message = Round2Message(state.context, session, state.index, boxes)
    return new_state, message.encode()


# -------------------------------------------------------------------------- round 3


@dataclass(frozen=True)
class KeyShare:
    """A member's result: its signing share and the committee's public values."""

    n: int
    k: int
    index: int
    group_key: g.Point
    verification_shares: dict[int, g.Point]
    signing_share: g.Scalar = field(repr=False)

    def encode(self) -> bytes:
        return cbor.encode(
            [self.n, self.k, self.index, self.group_key,
             [self.verification_shares[i] for i in range(1, self.n + 1)], self.signing_share]
        )

    @classmethod
    def decode(cls, data: bytes) -> KeyShare:
        v = cbor.decode(data)
        if not isinstance(v, list) or len(v) != 6:
            raise DecodeError("bad stored key share")
        n, k, index, gk, vs, share = v
        if not (isinstance(n, int) and isinstance(k, int) and isinstance(index, int)
                and isinstance(vs, list) and len(vs) == n):
            raise DecodeError("bad stored key share")
        return cls(n, k, index, g.point(_b(gk)),
                   {i + 1: g.point(_b(p)) for i, p in enumerate(vs)}, g.scalar(_b(share)))


def round3(state: Round2State, round2_messages: Sequence[bytes]) -> KeyShare:
    """Open and check the shares sent to this member and derive its key share.

    A share that does not match its sender's round-1 commitments raises
    :class:`DkgAbort` naming the sender.
    """
    received: dict[int, g.Scalar] = {}
    seen: dict[int, bytes] = {}
    for data in round2_messages:
        m = Round2Message.decode(data)
        if m.context != state.context:
            raise InputError(f"the round-2 message of member {m.sender} belongs to another "
                             "committee")
        if m.session != state.session:
            raise InputError(
                f"the round-2 message of member {m.sender} is from another key-generation "
                "session (it was made from different round-1 messages)",
                hint="every member must run round 2 on the same round-1 files",
            )
        if m.sender > state.n:
            raise InputError(f"a round-2 message from member {m.sender}, but n is {state.n}")
        if m.sender in seen:
            if seen[m.sender] == data:
                raise InputError(f"the round-2 message of member {m.sender} is given twice")
            raise InputError(f"two different round-2 messages claim to be from member {m.sender}")
        seen[m.sender] = data
        if m.sender == state.index:
            continue  # our own: nothing in it is for us
        if set(m.boxes) != set(range(1, state.n + 1)) - {m.sender}:
            raise DkgAbort(m.sender, "sent a round-2 message without a share for every member")
        try:
            payload = cbor.decode(box_open(state.enc_secret, m.boxes[state.index]))
        except (CryptoError, DecodeError) as exc:
            raise DkgAbort(m.sender, "sent a share that cannot be opened") from exc
        if (not isinstance(payload, list) or len(payload) != 4
                or payload[:3] != [state.session, m.sender, state.index]):
            raise DkgAbort(m.sender, "sent a share addressed to another member or session")
        try:
            share = g.scalar(_b(payload[3]))
        except DecodeError as exc:
            raise DkgAbort(m.sender, "sent a malformed share") from exc
        expected = _commitment_eval(state.commitments[m.sender - 1], state.index)
        if g.base_mult(share) != expected:
            raise DkgAbort(m.sender, "sent a share that does not match their commitments")
        received[m.sender] = share
    missing = [i for i in range(1, state.n + 1) if i != state.index and i not in received]
    if missing:
        raise InputError(
            f"no round-2 message from member {missing[0]} ({len(missing)} missing)",
            hint="round 3 needs the round-2 messages of all other members",
        )
    signing_share = state.own_share
    for s in received.values():
        signing_share = g.scalar_add(signing_share, s)
    # sum the commitments coefficient by coefficient, then evaluate once per member
    summed = [
        g.point_sum(row[j] for row in state.commitments) for j in range(state.k)
    ]
    group_key = summed[0]
    verification = {i: _commitment_eval(summed, i) for i in range(1, state.n + 1)}
    if g.base_mult(signing_share) != verification[state.index]:
        raise CryptoError("the derived signing share does not match its verification share")
    if group_key == g.IDENTITY:
        raise CryptoError("the group key is the identity; start again")
    return KeyShare(state.n, state.k, state.index, group_key, verification, signing_share)
