"""RFC 9591 Appendix E.1 vectors for FROST(Ed25519, SHA-512): every intermediate value.

The final signature is also checked with pyca ``cryptography``'s Ed25519, an
implementation independent of the libsodium calls FROST is built on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from samizdat.core import frost
from samizdat.core import group as g
from samizdat.errors import InputError

VECTORS = json.loads(
    (Path(__file__).parent.parent / "vectors" / "frost-ed25519-sha512.json").read_text()
)
INPUTS = VECTORS["inputs"]
GROUP_KEY = g.point(bytes.fromhex(INPUTS["group_public_key"]))
MESSAGE = bytes.fromhex(INPUTS["message"])
SHARES = {
    s["identifier"]: g.scalar(bytes.fromhex(s["participant_share"]))
    for s in INPUTS["participant_shares"]
}
ROUND1 = {o["identifier"]: o for o in VECTORS["round_one_outputs"]["outputs"]}
ROUND2 = {o["identifier"]: o for o in VECTORS["round_two_outputs"]["outputs"]}


def _round_one() -> tuple[dict[int, frost.Nonces], list[frost.Commitment]]:
    nonces = {}
    commitments = []
    for i in INPUTS["participant_list"]:
        o = ROUND1[i]
        n, c = frost.commit_with_randomness(
            i,
            SHARES[i],
            bytes.fromhex(o["hiding_nonce_randomness"]),
            bytes.fromhex(o["binding_nonce_randomness"]),
        )
        nonces[i] = n
        commitments.append(c)
    return nonces, commitments


def test_group_key_and_shares_come_from_the_polynomial() -> None:
    secret = g.scalar(bytes.fromhex(INPUTS["group_secret_key"]))
    assert g.base_mult(secret) == GROUP_KEY
    a1 = g.scalar(bytes.fromhex(INPUTS["share_polynomial_coefficients"][0]))
    for i, share in SHARES.items():
        assert g.scalar_add(secret, g.scalar_mul(a1, g.scalar_from_int(i))) == share


def test_nonces_and_commitments() -> None:
    nonces, commitments = _round_one()
    for c in commitments:
        o = ROUND1[c.identifier]
        assert nonces[c.identifier].hiding.hex() == o["hiding_nonce"]
        assert nonces[c.identifier].binding.hex() == o["binding_nonce"]
        assert c.hiding.hex() == o["hiding_nonce_commitment"]
        assert c.binding.hex() == o["binding_nonce_commitment"]


def test_binding_factor_inputs_and_factors() -> None:
    _, commitments = _round_one()
    factors = frost.binding_factors(GROUP_KEY, commitments, MESSAGE)
    for i in INPUTS["participant_list"]:
        o = ROUND1[i]
        assert frost.binding_factor_input(GROUP_KEY, commitments, MESSAGE, i).hex() == (
            o["binding_factor_input"]
        )
        assert factors[i].hex() == o["binding_factor"]


def test_signature_shares() -> None:
    nonces, commitments = _round_one()
    for i in INPUTS["participant_list"]:
        z = frost.sign(i, SHARES[i], GROUP_KEY, nonces[i], MESSAGE, commitments)
        assert z.hex() == ROUND2[i]["sig_share"]


def test_group_commitment_and_final_signature() -> None:
    nonces, commitments = _round_one()
    shares = {
        i: frost.sign(i, SHARES[i], GROUP_KEY, nonces[i], MESSAGE, commitments)
        for i in INPUTS["participant_list"]
    }
    verification = {i: g.base_mult(s) for i, s in SHARES.items()}
    sig = frost.aggregate(GROUP_KEY, MESSAGE, commitments, shares, verification, threshold=2)
    expected = VECTORS["final_output"]["sig"]
    assert sig.hex() == expected
    factors = frost.binding_factors(GROUP_KEY, commitments, MESSAGE)
    assert frost.group_commitment(commitments, factors).hex() == expected[:64]
    # an independent Ed25519 implementation accepts it as a standard signature
    Ed25519PublicKey.from_public_bytes(GROUP_KEY).verify(sig, MESSAGE)


def test_a_bad_share_is_named_before_aggregation() -> None:
    nonces, commitments = _round_one()
    shares = {
        i: frost.sign(i, SHARES[i], GROUP_KEY, nonces[i], MESSAGE, commitments)
        for i in INPUTS["participant_list"]
    }
    shares[3] = g.scalar_add(shares[3], g.scalar_from_int(1))
    verification = {i: g.base_mult(s) for i, s in SHARES.items()}
    with pytest.raises(frost.BadShare) as info:
        frost.aggregate(GROUP_KEY, MESSAGE, commitments, shares, verification, threshold=2)
    assert info.value.identifier == 3


def test_fewer_than_threshold_signers_is_refused() -> None:
    nonces, commitments = _round_one()
    one = [c for c in commitments if c.identifier == 1]
    share = frost.sign(1, SHARES[1], GROUP_KEY, nonces[1], MESSAGE, one)
    verification = {i: g.base_mult(s) for i, s in SHARES.items()}
    with pytest.raises(InputError, match="needs 2"):
        frost.aggregate(GROUP_KEY, MESSAGE, one, {1: share}, verification, threshold=2)
