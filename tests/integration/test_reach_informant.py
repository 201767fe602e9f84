"""The informant property for reach sketches: what an informant receives says how
many, never who.

The attack: an informant who has the public keys of suspects (their transport keys,
identity keys, author pseudonyms, a contact's certificate) tries to link the sketch
it received to one of them. The sketch must be a function of the *set* of random
tokens only: nothing derived from a key, and the same bytes whoever holds which
token."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from samizdat.core import reach
from samizdat.core.crypto import SecretBytes, blake3_hash, derive_key
from samizdat.demo.audit import view
from samizdat.store import reach as tables
from samizdat.store.store import Store
from tests.conftest import PASSPHRASE, write
from tests.integration.network_helpers import NodeProcess

PW = SecretBytes(PASSPHRASE.encode(), "passphrase")


def _token(home: Path, doc: bytes) -> tables.Token:
    with Store.open(home, PW) as s:
        (tok,) = [t for t in tables.tokens(s.db) if t.doc_id == doc]
        return tok


def _public_values(home: Path) -> list[bytes]:
    """What an informant may know of a suspect: its public keys."""
    seen = view(home, PASSPHRASE)
    found = [seen.identity_key, *seen.contact_keys]
    if seen.transport_key is not None:
        found.append(seen.transport_key)
    with Store.open(home, PW) as s:
        found += [bytes(r[0]) for r in s.db.query("SELECT key FROM signatures")]
    return found


def test_the_informant_learns_how_many_and_not_who(make_cli: Any, tmp_path: Path) -> None:
    alice, bob, carol, informant = (make_cli(n) for n in ("alice", "bob", "carol", "informant"))
    for c in (alice, bob, carol, informant):
        c.ok("init")
    made = alice.ok("draft", "new", write(tmp_path / "t.txt", "Прочти и передай.\n\n读它。\n"),
                    "--title", "Обращение")
    doc, ver = bytes.fromhex(made["document"]), made["version"]
    # alice hands bundles to bob and carol; carol's copy reaches bob; bob's node
    # passes it to the informant in a real session
    for who in (bob, carol):
        cap = alice.ok("export", ver, "--out", tmp_path / f"to-{who.home.name}")["cap"]
        who.ok("import", tmp_path / f"to-{who.home.name}", env={"SAMIZDAT_CAP": cap})
    cap = carol.ok("export", ver, "--out", tmp_path / "carol-to-bob")["cap"]
    bob.ok("import", tmp_path / "carol-to-bob", env={"SAMIZDAT_CAP": cap})
    bob.ok("share", ver)
    node = NodeProcess(bob.home)
    try:
        node.wait_ready()
        informant.ok("contact", "accept", bob.ok("contact", "invite")["code"])
        informant.ok("sync")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _got(informant.home, doc):
            time.sleep(0.3)
    finally:
        assert node.terminate() == 0
    (received,) = _got(informant.home, doc)
    assert received.source.startswith("pair:")

    people = {p.home.name: p.home for p in (alice, bob, carol)}
    tokens = {name: _token(home, doc) for name, home in people.items()}
    # 1. the sketch is exactly the maximum of the three holders' contributions:
    # register values and nothing else
    contributions = {n: reach.contribution(t.token, t.role) for n, t in tokens.items()}
    union = reach.ReachSketch.empty()
    for c in contributions.values():
        union = union.merge(c)
    assert received.sketch == union
    # 2. the same bytes whoever holds which token: the sketch depends on the set of
    # tokens, so it cannot say which person holds which
    order = list(contributions.values())
    for perm in (order[::-1], order[1:] + order[:1]):
        again = reach.ReachSketch.empty()
        for c in perm:
            again = again.merge(c)
        assert again.encode() == received.sketch.encode()
    # 3. the attack: derive tokens from every public value the informant may know
    # of each suspect, the way a careless build might have; none is a holder's token.
    # (Comparing contributions instead is too coarse: a contribution is one register
    # of about 800, so an unrelated guess matches one by chance (estimated) about once in 2,700
    # pairs, and the full suite saw it happen.)
    suspects = [v for home in people.values() for v in _public_values(home)]
    assert len(suspects) >= 5
    real = {t.token for t in tokens.values()}
    for value in suspects:
        for guess in (value[:32].ljust(32, b"\0"), blake3_hash(value),
                      derive_key("samizdat reach v1 token", value)):
            assert guess not in real
    for name, tok in tokens.items():
        assert tok.token not in suspects and blake3_hash(tok.token) not in suspects, name
    # 4. the informant's whole store holds no suspect's token and no other store's
    # key beyond its one contact's
    seen = view(informant.home, PASSPHRASE)
    for name, tok in tokens.items():
        assert not seen.holds(tok.token), f"{name}'s token reached the informant"
    for name in ("alice", "carol"):  # whose sketches reached it through bob
        assert not seen.holds(view(people[name], PASSPHRASE).identity_key), name
    # 5. and what the informant learns is the count
    est = reach.estimate_readers(received.sketch)
    assert est.low <= 3 <= est.high


def _got(home: Path, doc: bytes) -> list[tables.SourceSketch]:
    with Store.open(home, PW) as s:
        return tables.sketches(s.db, doc)
