"""Committee use cases against real encrypted stores, in one process (the fast tier):
every bad round input is refused with a precise error and leaves the member usable."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from samizdat.app import committee as app
from samizdat.app import documents as docs
from samizdat.core import committee_wire as wire
from samizdat.core import frost
from samizdat.core import group as g
from samizdat.core import statement as stm
from samizdat.core.crypto import SecretBytes
from samizdat.errors import DecodeError, InputError, NotFound, UsageError
from samizdat.store import committee as tables
from samizdat.store.store import Store

PW = SecretBytes(b"pw", "passphrase")
NOW = 1_700_000_000


def _copy(src: Store, dst: Store, vid: bytes) -> None:
    rec = src.version(vid)
    doc = src.document(rec.doc_id)
    dst.add_document(rec.doc_id, doc.title, doc.created)
    dst.add_version(rec, list(src.paragraphs(vid)))


@pytest.fixture
def committee(tmp_path: Path) -> Iterator[tuple[list[Store], bytes, bytes]]:
    """Three stores, a 2-of-3 committee "c", and two versions known to all."""
    stores = [Store.create(tmp_path / f"m{i}", PW) for i in (1, 2, 3)]
    r1 = [app.dkg1(s, "c", 3, 2, i, os.urandom, NOW) for i, s in enumerate(stores, start=1)]
    r2 = [app.dkg2(s, "c", r1, NOW, os.urandom) for s in stores]
    for s in stores:
        app.dkg3(s, "c", r2, NOW)
    vids = []
    for text in ("One.\n\nTwo.\n", "Uno.\n\nDos.\n"):
        _, vid = docs.draft_new(stores[0], [text], "T", os.urandom, NOW)
        for other in stores[1:]:
            _copy(stores[0], other, vid)
        vids.append(vid)
    yield stores, vids[0], vids[1]
    for s in stores:
        s.close()


def _round(stores: list[Store], ver: bytes) -> tuple[list[bytes], list[bytes]]:
    commits = [app.commit(s, "c", os.urandom, NOW) for s in stores]
    shares = [app.sign(s, "c", ver, commits, os.urandom) for s in stores]
    return commits, shares


def test_bad_share_is_named_before_aggregation(committee: tuple[list[Store], bytes, bytes]) -> None:
    stores, ver, _ = committee
    commits, shares = _round(stores[:2], ver)
    f = wire.decode(shares[1], "share")
    body = {k: f._data[k] for k in ("gk", "i", "ver", "slot", "set")}
    z = g.scalar_add(f.scalar("z"), g.scalar_from_int(1))
    forged = wire.encode("share", {**body, "z": z})  # type: ignore[dict-item]
    with pytest.raises(frost.BadShare, match="member 2"):
        app.finalize(stores[0], "c", ver, [*commits, shares[0], forged], os.urandom)
    result = app.finalize(stores[0], "c", ver, [*commits, *shares], os.urandom)
    assert result.version == ver


def test_share_for_the_wrong_version(committee: tuple[list[Store], bytes, bytes]) -> None:
    stores, ver, other = committee
    commits, shares = _round(stores[:2], ver)
    with pytest.raises(InputError, match="member 1 is for another version"):
        app.finalize(stores[2], "c", other, [*commits, *shares], os.urandom)


def test_k_minus_one_shares_and_commitments(committee: tuple[list[Store], bytes, bytes]) -> None:
    stores, ver, _ = committee
    commits, shares = _round(stores[:2], ver)
    with pytest.raises(InputError, match="no signature share from member 2"):
        app.finalize(stores[0], "c", ver, [*commits, shares[0]], os.urandom)
    with pytest.raises(InputError, match="needs 2 signers"):
        app.finalize(stores[0], "c", ver, [commits[0], shares[0]], os.urandom)


def test_duplicated_truncated_and_foreign_files(
    committee: tuple[list[Store], bytes, bytes], tmp_path: Path
) -> None:
    stores, ver, _ = committee
    commits = [app.commit(s, "c", os.urandom, NOW) for s in stores[:2]]
    with pytest.raises(InputError, match="two commitments from member 2"):
        app.sign(stores[0], "c", ver, [*commits, commits[1]], os.urandom)
    with pytest.raises(DecodeError):
        app.sign(stores[0], "c", ver, [commits[0], commits[1][:-3]], os.urandom)
    # a commitment from another committee
    other = [Store.create(tmp_path / f"o{i}", PW) for i in (1, 2)]
    o1 = [app.dkg1(s, "c", 2, 2, i, os.urandom, NOW) for i, s in enumerate(other, start=1)]
    o2 = [app.dkg2(s, "c", o1, NOW, os.urandom) for s in other]
    app.dkg3(other[1], "c", o2, NOW)
    foreign = app.commit(other[1], "c", os.urandom, NOW)
    with pytest.raises(InputError, match="another committee"):
        app.sign(stores[0], "c", ver, [commits[0], foreign], os.urandom)
    # after all that, the member's nonce is still there and signing works
    share = app.sign(stores[0], "c", ver, commits, os.urandom)
    assert wire.decode(share, "share").kind == "share"
    for s in other:
        s.close()


def test_shares_made_over_different_commitment_sets(
    committee: tuple[list[Store], bytes, bytes],
) -> None:
    stores, ver, _ = committee
    c = [app.commit(s, "c", os.urandom, NOW) for s in stores]
    s1 = app.sign(stores[0], "c", ver, [c[0], c[1]], os.urandom)
    s2 = app.sign(stores[1], "c", ver, [c[0], c[1], c[2]], os.urandom)
    with pytest.raises(InputError, match="different set of commitments"):
        app.finalize(stores[0], "c", ver, [c[0], c[1], s1, s2], os.urandom)


def test_sign_twice_refuses_and_comment_round_completes(
    committee: tuple[list[Store], bytes, bytes],
) -> None:
    stores, ver, _ = committee
    commits, shares = _round(stores[1:], ver)
    with pytest.raises(NotFound, match="already used"):
        app.sign(stores[1], "c", ver, commits, os.urandom)
    result = app.finalize(stores[1], "c", ver, [*commits, *shares], os.urandom)
    final = result.final_file
    assert result.minisign_ready is False
    with pytest.raises(InputError, match="statement round and the comment round"):
        mixed = [shares[0], app.sign(stores[2], "c", ver, [*commits, final], os.urandom)]
        app.finalize(stores[1], "c", ver, [*commits, *mixed], os.urandom)
    second = [app.sign(stores[1], "c", ver, [*commits, final], os.urandom), mixed[1]]
    done = app.finalize(stores[2], "c", ver, [*commits, *second], os.urandom)
    assert done.minisign_ready is True
    files = app.statement_files(stores[2], ver)
    assert set(files) == {"statement.txt", "statement.txt.minisig", "committee.pub", "text.txt",
                          "statement.txt.sig", "committee.sig.pub", "committee.pem"}


def test_steps_out_of_order_leave_the_state(tmp_path: Path) -> None:
    with Store.create(tmp_path / "s", PW) as s:
        app.dkg1(s, "c", 3, 2, 1, os.urandom, NOW)
        with pytest.raises(UsageError, match="round1"):
            app.dkg3(s, "c", [], NOW)
        with pytest.raises(UsageError, match="round1"):
            app.commit(s, "c", os.urandom, NOW)
        with pytest.raises(UsageError, match="already exists"):
            app.dkg1(s, "c", 3, 2, 1, os.urandom, NOW)
        assert tables.member(s.db, "c").state == "round1"
        app.dkg1(s, "c", 3, 2, 1, os.urandom, NOW, restart=True)
        assert tables.member(s.db, "c").state == "round1"
        assert "hidden" in repr(tables.member(s.db, "c"))


def test_abandoned_nonces_are_destroyed(committee: tuple[list[Store], bytes, bytes]) -> None:
    stores, ver, _ = committee
    commits = [app.commit(s, "c", os.urandom, NOW) for s in stores[:2]]
    app.commit(stores[0], "c", os.urandom, NOW + app.NONCE_LIFETIME + 1)
    with pytest.raises(NotFound, match="already used, abandoned"):
        app.sign(stores[0], "c", ver, commits, os.urandom)


def test_mutated_message_files_are_refused_cleanly(
    committee: tuple[list[Store], bytes, bytes],
) -> None:
    """Bit flips, truncations and splices of real commit/share/final files: finalize
    answers with a SamizdatError every time (never a crash), and the good files still
    work afterwards."""
    import random

    from samizdat.errors import SamizdatError

    stores, ver, _ = committee
    commits, shares = _round(stores[:2], ver)
    rnd = random.Random(1932)
    good = [*commits, *shares]
    for _ in range(300):
        files = list(good)
        i = rnd.randrange(len(files))
        raw = bytearray(files[i])
        action = rnd.randrange(3)
        if action == 0:
            pos = rnd.randrange(len(raw))
            raw[pos] ^= 1 << rnd.randrange(8)
        elif action == 1:
            del raw[rnd.randrange(len(raw)):]
        else:
            raw[rnd.randrange(len(raw))] ^= rnd.randrange(1, 256)
        files[i] = bytes(raw)
        try:
            app.finalize(stores[2], "c", ver, files, os.urandom)
        except SamizdatError:
            continue
        raise AssertionError(f"mutated file {i} was accepted: action {action}, "
                             f"{files[i].hex()} vs {good[i].hex()}")
    result = app.finalize(stores[2], "c", ver, good, os.urandom)
    assert result.version == ver


def test_status_shows_the_state_and_no_secret(committee: tuple[list[Store], bytes, bytes]) -> None:
    stores, _, _ = committee
    app.commit(stores[0], "c", os.urandom, NOW)
    info = app.status(stores[0], "c")
    assert info.state is app.MemberState.READY and (info.index, info.n, info.k) == (1, 3, 2)
    assert info.unused_nonces == 2
    # public values only: no field can hold a share, a nonce or the committee secret
    assert {f.name for f in dataclasses.fields(info)} == {
        "committee", "state", "index", "n", "k", "group_key", "unused_nonces", "sealed"}
    assert info.group_key is not None
    assert app.export(stores[0], "c") == stm.minisign_public_key(info.group_key)
