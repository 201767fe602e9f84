"""The editorial committee: key generation, signing rounds, and checking finals.

* DKG wall time (all n members' three rounds, run one after another on one core, as
  the sum a single machine would spend simulating them) and the bytes of message
  files produced, for (k, n) = (3, 5), (5, 9), (11, 21);
* one signing session for k = 3 and k = 11: commit + sign per member, and the
  finalizer's aggregation (which checks every share);
* the verification rate of final signatures (a committee statement checked with
  :func:`samizdat.core.crypto.ed25519_verify`, as ``verify`` does) against raw
  libsodium Ed25519 verification of the same bytes in the same run (goal: >= 80%).
"""

from __future__ import annotations

import os
import time

import nacl.bindings as sodium

from bench.harness import Row, best_of
from samizdat.core import dkg, frost
from samizdat.core import statement as stm
from samizdat.core.crypto import ed25519_verify
from samizdat.core.merkle import merkle_root

NAME = "committee"


def _dkg(k: int, n: int) -> tuple[float, int, list[dkg.KeyShare]]:
    ctx = dkg.committee_context("bench", n, k)
    t0 = time.perf_counter()
    s1 = [dkg.round1(ctx, n, k, i, os.urandom) for i in range(1, n + 1)]
    r1 = [s.message for s in s1]
    out2 = [dkg.round2(s, r1, os.urandom) for s in s1]
    r2 = [m for _, m in out2]
    keys = [dkg.round3(s, r2) for s, _ in out2]
    elapsed = time.perf_counter() - t0
    return elapsed, sum(map(len, r1)) + sum(map(len, r2)), keys


def _signing(keys: list[dkg.KeyShare], k: int, message: bytes) -> tuple[float, float, float]:
    signers = keys[:k]
    gk = signers[0].group_key
    t0 = time.perf_counter()
    pairs = [frost.commit(s.index, s.signing_share, os.urandom) for s in signers]
    t1 = time.perf_counter()
    comms = [c for _, c in pairs]
    shares = {s.index: frost.sign(s.index, s.signing_share, gk, n, message, comms)
              for s, (n, _) in zip(signers, pairs, strict=True)}
    t2 = time.perf_counter()
    sig = frost.aggregate(gk, message, comms, shares, signers[0].verification_shares,
                          threshold=signers[0].k)
    t3 = time.perf_counter()
    ed25519_verify(gk, message, sig)
    return (t1 - t0) / k, (t2 - t1) / k, t3 - t2


def _statement() -> bytes:
    leaves = tuple(os.urandom(32) for _ in range(40))
    return stm.Statement(os.urandom(32), "bench", os.urandom(32), merkle_root(leaves),
                         os.urandom(32), leaves).encode()


def run(smoke: bool) -> list[Row]:
    rows: list[Row] = []
    sizes = [(3, 5)] if smoke else [(3, 5), (5, 9), (11, 21)]
    keysets: dict[int, list[dkg.KeyShare]] = {}
    for k, n in sizes:
        elapsed, nbytes, keys = _dkg(k, n)
        keysets[k] = keys
        rows.append(Row(NAME, f"DKG ({k},{n}) wall time, all members", elapsed * 1e3, "ms"))
        rows.append(Row(NAME, f"DKG ({k},{n}) bytes of message files", nbytes / 1e3, "kB"))
    message = _statement()
    for k in [3] if smoke else [3, 11]:
        if k not in keysets:
            keysets[k] = _dkg(k, 2 * k - 1)[2]
        commit_s, sign_s, agg_s = _signing(keysets[k], k, message)
        rows.append(Row(NAME, f"signing k={k}: commit per member", commit_s * 1e3, "ms"))
        rows.append(Row(NAME, f"signing k={k}: sign per member", sign_s * 1e3, "ms"))
        rows.append(Row(NAME, f"signing k={k}: finalize (check shares, aggregate)",
                        agg_s * 1e3, "ms"))

    # verification of a final signature vs raw libsodium on the same bytes
    keys = keysets[3]
    gk = keys[0].group_key
    pairs = [frost.commit(s.index, s.signing_share, os.urandom) for s in keys[:3]]
    comms = [c for _, c in pairs]
    shares = {s.index: frost.sign(s.index, s.signing_share, gk, nn, message, comms)
              for s, (nn, _) in zip(keys[:3], pairs, strict=True)}
    sig = frost.aggregate(gk, message, comms, shares, keys[0].verification_shares, threshold=3)
    count = 200 if smoke else 3000
    signed = sig + message

    def ours() -> None:
        for _ in range(count):
            ed25519_verify(gk, message, sig)

    def raw() -> None:
        for _ in range(count):
            sodium.crypto_sign_open(signed, gk)

    # alternate the two, several times, and keep the best of each: the machine is
    # shared and a noisy neighbour must not land on only one side
    t_raw = t_ours = float("inf")
    for _ in range(1 if smoke else 7):
        t_raw = min(t_raw, best_of(raw, 1))
        t_ours = min(t_ours, best_of(ours, 1))
    ours_rate, raw_rate = count / t_ours, count / t_raw
    rows.append(Row(NAME, "final signature verification rate", ours_rate, "/s",
                    reference=raw_rate, goal=">= 80% of raw libsodium",
                    met=None if smoke else ours_rate >= 0.8 * raw_rate))
    return rows
