"""The dealerless key generation: a whole committee in one process, and every kind of
bad round message a member can be handed."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from samizdat.core import committee_wire as wire
from samizdat.core import dkg, frost
from samizdat.core import group as g
from samizdat.errors import DecodeError, InputError


def seeded(seed: int) -> Callable[[int], bytes]:
    r = random.Random(seed)
    return lambda n: r.randbytes(n)


def run_dkg(n: int, k: int, name: str = "august") -> tuple[list[dkg.KeyShare], list[bytes],
                                                         list[bytes], list[dkg.Round2State]]:
    ctx = dkg.committee_context(name, n, k)
    s1 = [dkg.round1(ctx, n, k, i, os.urandom) for i in range(1, n + 1)]
    r1 = [s.message for s in s1]
    out2 = [dkg.round2(s, r1, os.urandom) for s in s1]
    r2 = [m for _, m in out2]
    keys = [dkg.round3(s, r2) for s, _ in out2]
    return keys, r1, r2, [s for s, _ in out2]


def frost_sign(keys: list[dkg.KeyShare], signers: list[int], message: bytes) -> bytes:
    by = {k.index: k for k in keys}
    gk = keys[0].group_key
    nonces, comms = {}, []
    for i in signers:
        n, c = frost.commit(i, by[i].signing_share, os.urandom)
        nonces[i] = n
        comms.append(c)
    shares = {i: frost.sign(i, by[i].signing_share, gk, nonces[i], message, comms)
              for i in signers}
    return frost.aggregate(gk, message, comms, shares, keys[0].verification_shares,
                           threshold=keys[0].k)


def test_all_members_agree_and_any_k_sign() -> None:
    keys, *_ = run_dkg(5, 3)
    assert len({k.group_key for k in keys}) == 1
    assert len({tuple(sorted(k.verification_shares.items())) for k in keys}) == 1
    for signers in ([1, 2, 3], [2, 4, 5], [1, 3, 5, 4]):
        sig = frost_sign(keys, signers, b"final")
        Ed25519PublicKey.from_public_bytes(keys[0].group_key).verify(sig, b"final")


def test_the_shares_interpolate_to_a_secret_nobody_held() -> None:
    keys, *_ = run_dkg(4, 2)
    ids = [1, 3]
    secret = g.ZERO
    for i in ids:
        lam = frost.lagrange_coefficient(ids, i)
        secret = g.scalar_add(secret, g.scalar_mul(lam, keys[i - 1].signing_share))
    assert g.base_mult(secret) == keys[0].group_key


def test_k_minus_one_signers_are_refused() -> None:
    keys, *_ = run_dkg(5, 3)
    with pytest.raises(InputError, match="needs 3"):
        frost_sign(keys, [2, 4], b"final")


def test_secrets_are_not_in_repr() -> None:
    keys, *_ = run_dkg(3, 2)
    assert keys[0].signing_share.hex() not in repr(keys[0])
    assert "signing_share" not in repr(keys[0])


class TestBadRound1:
    def setup_method(self) -> None:
        self.ctx = dkg.committee_context("august", 3, 2)
        self.states = [dkg.round1(self.ctx, 3, 2, i, os.urandom) for i in (1, 2, 3)]
        self.msgs = [s.message for s in self.states]

    def test_missing_member(self) -> None:
        with pytest.raises(InputError, match="no round-1 message from member 3"):
            dkg.round2(self.states[0], self.msgs[:2], os.urandom)

    def test_duplicate(self) -> None:
        with pytest.raises(InputError, match="member 2 is given twice"):
            dkg.round2(self.states[0], [*self.msgs, self.msgs[1]], os.urandom)

    def test_another_committee(self) -> None:
        other = dkg.round1(dkg.committee_context("other", 3, 2), 3, 2, 2, os.urandom)
        with pytest.raises(InputError, match="another committee"):
            dkg.round2(self.states[0], [self.msgs[0], other.message, self.msgs[2]], os.urandom)

    def test_another_session_for_our_own_index(self) -> None:
        replay = dkg.round1(self.ctx, 3, 2, 1, os.urandom)
        with pytest.raises(InputError, match="another session"):
            dkg.round2(self.states[0], [replay.message, *self.msgs[1:]], os.urandom)

    def test_two_different_messages_same_index(self) -> None:
        again = dkg.round1(self.ctx, 3, 2, 2, os.urandom)
        with pytest.raises(InputError, match="two different"):
            dkg.round2(self.states[0], [*self.msgs, again.message], os.urandom)

    def test_forged_proof_names_the_member(self) -> None:
        m = dkg.Round1Message.decode(self.msgs[2])
        forged = dkg.Round1Message(m.context, m.n, m.k, m.index, m.commitments, m.pok_r,
                                   g.scalar_add(m.pok_mu, g.scalar_from_int(1)), m.enc_key)
        with pytest.raises(dkg.DkgAbort) as info:
            dkg.round2(self.states[0], [*self.msgs[:2], forged.encode()], os.urandom)
        assert info.value.culprit == 3
        # the state is still usable with the right messages
        dkg.round2(self.states[0], self.msgs, os.urandom)

    def test_truncated(self) -> None:
        for cut in (0, 4, 5, len(self.msgs[1]) // 2, len(self.msgs[1]) - 1):
            with pytest.raises(DecodeError):
                dkg.round2(self.states[0], [self.msgs[0], self.msgs[1][:cut], self.msgs[2]],
                       os.urandom)

    def test_a_round2_file_given_for_round1(self) -> None:
        _, r2 = dkg.round2(self.states[0], self.msgs, os.urandom)
        with pytest.raises(DecodeError, match="expected a dkg1 message"):
            dkg.round2(self.states[1], [*self.msgs, r2], os.urandom)


class TestBadRound2:
    def setup_method(self) -> None:
        ctx = dkg.committee_context("august", 3, 2)
        s1 = [dkg.round1(ctx, 3, 2, i, os.urandom) for i in (1, 2, 3)]
        self.r1 = [s.message for s in s1]
        out = [dkg.round2(s, self.r1, os.urandom) for s in s1]
        self.states = [s for s, _ in out]
        self.msgs = [m for _, m in out]
        self.s1 = s1

    def test_bad_share_names_its_sender_and_state_stays_usable(self) -> None:
        m = dkg.Round2Message.decode(self.msgs[1])
        # member 2 sends member 1 a share off by one, sealed properly
        from samizdat.core import cbor
        from samizdat.core.crypto import box_seal
        r1 = dkg.Round1Message.decode(self.r1[0])
        bad_share = g.scalar_from_int(12345)
        box = box_seal(r1.enc_key, cbor.encode([m.session, 2, 1, bad_share]), os.urandom)
        forged = dkg.Round2Message(m.context, m.session, 2, {**m.boxes, 1: box}).encode()
        with pytest.raises(dkg.DkgAbort) as info:
            dkg.round3(self.states[0], [self.msgs[0], forged, self.msgs[2]])
        assert info.value.culprit == 2
        assert "member 2" in info.value.one_line()
        key = dkg.round3(self.states[0], self.msgs)
        assert key.index == 1

    def test_share_swapped_between_recipients(self) -> None:
        m = dkg.Round2Message.decode(self.msgs[1])
        swapped = dkg.Round2Message(m.context, m.session, 2, {1: m.boxes[3], 3: m.boxes[1]})
        with pytest.raises(dkg.DkgAbort, match="member 2"):
            dkg.round3(self.states[0], [swapped.encode(), self.msgs[2]])

    def test_another_session(self) -> None:
        ctx = dkg.committee_context("august", 3, 2)
        s1 = [dkg.round1(ctx, 3, 2, i, os.urandom) for i in (1, 2, 3)]
        other = dkg.round2(s1[1], [s.message for s in s1], os.urandom)[1]
        with pytest.raises(InputError, match="another key-generation session"):
            dkg.round3(self.states[0], [other, self.msgs[2]])

    def test_missing_and_duplicate(self) -> None:
        with pytest.raises(InputError, match="no round-2 message from member 3"):
            dkg.round3(self.states[0], [self.msgs[1]])
        with pytest.raises(InputError, match="given twice"):
            dkg.round3(self.states[0], [self.msgs[1], self.msgs[1], self.msgs[2]])

    def test_order_does_not_matter_and_own_message_is_ignored(self) -> None:
        a = dkg.round3(self.states[0], [self.msgs[2], self.msgs[0], self.msgs[1]])
        b = dkg.round3(self.states[0], [self.msgs[1], self.msgs[2]])
        assert a.group_key == b.group_key and a.signing_share == b.signing_share

    def test_states_round_trip_through_their_encoding(self) -> None:
        s = self.states[0]
        assert dkg.Round2State.decode(s.encode()) == s
        assert dkg.Round1State.decode(self.s1[0].encode()) == self.s1[0]
        key = dkg.round3(s, self.msgs)
        assert dkg.KeyShare.decode(key.encode()) == key


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_round_messages_reject_arbitrary_bytes(data: bytes) -> None:
    for cls in (dkg.Round1Message, dkg.Round2Message):
        with contextlib.suppress(DecodeError):
            cls.decode(data)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_round1_bit_flips_are_rejected_or_fail_the_proof(data: st.DataObject) -> None:
    ctx = dkg.committee_context("august", 3, 2)
    s = dkg.round1(ctx, 3, 2, 2, seeded(7))
    raw = bytearray(s.message)
    pos = data.draw(st.integers(0, len(raw) - 1))
    raw[pos] ^= 1 << data.draw(st.integers(0, 7))
    try:
        m = dkg.Round1Message.decode(bytes(raw))
    except DecodeError:
        return
    with pytest.raises(dkg.DkgAbort):
        m.check_proof()


def test_wire_frame_rejects_other_versions_and_oversize() -> None:
    good = dkg.round1(dkg.committee_context("a", 2, 2), 2, 2, 1, os.urandom).message
    with pytest.raises(DecodeError, match="version"):
        wire.decode(good[:4] + b"\x02" + good[5:])
    with pytest.raises(DecodeError, match="too large"):
        wire.decode(good + bytes(wire.MAX_MESSAGE_BYTES))


def test_sealed_box_is_deterministic_in_its_rng_and_opens_as_libsodiums() -> None:
    """``box_seal`` draws its ephemeral key from the rng passed in (not from
    libsodium's own generator): the same seed gives the same box, another seed
    another box, and libsodium's ``crypto_box_seal_open`` opens it."""
    import nacl.bindings as sodium

    from samizdat.core.crypto import box_open, box_seal

    pk, sk = sodium.crypto_box_keypair()
    one, again, other = (box_seal(pk, b"share", seeded(s)) for s in (1, 1, 2))
    assert one == again != other
    assert bytes(sodium.crypto_box_seal_open(one, pk, sk)) == b"share"
    assert box_open(sk, other) == b"share"
    # round 2 as a whole replays from its rng: the sealed shares are the same bytes
    ctx = dkg.committee_context("august", 3, 2)
    s1 = [dkg.round1(ctx, 3, 2, i, seeded(i)) for i in (1, 2, 3)]
    r1 = [s.message for s in s1]
    assert dkg.round2(s1[0], r1, seeded(9))[1] == dkg.round2(s1[0], r1, seeded(9))[1]
