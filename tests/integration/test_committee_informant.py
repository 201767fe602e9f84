"""The informant property: everything a non-member holds about a final version (the
statement files, the committee key file, and every byte of its decrypted store)
names the committee's group key and nothing else about it: no member's key, index,
count, name or round message."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from samizdat.core import committee_wire as wire
from samizdat.core import dkg
from samizdat.core import statement as stm
from samizdat.core.crypto import SecretBytes
from samizdat.store import committee as tables
from samizdat.store.store import Store
from tests.conftest import PASSPHRASE, Cli
from tests.integration.test_committee_cli import (  # noqa: F401 (a fixture)
    committee_story,
    give_reader,
)

PW = SecretBytes(PASSPHRASE.encode(), "passphrase")


def _member_secrets(facts: dict[str, Any]) -> list[bytes]:
    """Every value that belongs to a member rather than to the committee as a whole."""
    found: list[bytes] = [b"august", dkg.committee_context("august", 5, 3)]
    for m in facts["members"]:
        with Store.open(m.home, PW) as s:
            key = dkg.KeyShare.decode(tables.member(s.db, "august").data)
        found.append(key.signing_share)
        found += list(key.verification_shares.values())
    for path in facts["files"]:
        data = Path(path).read_bytes()
        f = wire.decode(data)
        if f.kind == "dkg1":
            m = dkg.Round1Message.decode(data)
            found += [*m.commitments, m.pok_r, m.pok_mu, m.enc_key]
        elif f.kind == "dkg2":
            found += list(dkg.Round2Message.decode(data).boxes.values())
        elif f.kind == "commit":
            found += [*f.points("D", 2), *f.points("E", 2), f.raw("cid", 16)]
        elif f.kind == "share":
            found += [f.raw("z", 32), f.raw("set", 32)]
    assert len(found) > 50
    return found


def _reader_dump(home: Path) -> tuple[list[bytes], dict[str, int]]:
    """Every cell of every table of the reader's decrypted store, as bytes."""
    cells: list[bytes] = []
    counts: dict[str, int] = {}
    with Store.open(home, PW) as s:
        names = [str(r[0]) for r in s.db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            rows = s.db.query(f'SELECT * FROM "{name}"')
            counts[name] = len(rows)
            for row in rows:
                for v in row:
                    if isinstance(v, bytes | bytearray | memoryview):
                        cells.append(bytes(v))
                    elif v is not None:
                        cells.append(str(v).encode())
    return cells, counts


def _contains(haystack: bytes, needle: bytes) -> bool:
    return (needle in haystack or needle.hex().encode() in haystack
            or base64.b64encode(needle) in haystack)


@pytest.mark.slow
def test_a_reader_holds_the_group_key_and_nothing_about_members(
    committee_story: dict[str, Any],  # noqa: F811 (the imported fixture)
) -> None:
    facts = committee_story
    group_key = bytes.fromhex(facts["group_key"])
    secrets = _member_secrets(facts)

    reader = Cli(facts["root"] / "reader-informant")
    reader.ok("init")
    reader.ok("trust", "add", facts["pub"])
    give_reader(facts, reader)

    # 1. the files a non-member receives
    sdir = facts["statement_dir"]
    received = {p.name: p.read_bytes() for p in sdir.iterdir()}
    received["exported.pub"] = facts["pub"].read_bytes()
    assert set(received) == {"statement.txt", "statement.txt.minisig", "committee.pub",
                             "statement.txt.sig", "committee.sig.pub", "committee.pem",
                             "text.txt", "exported.pub"}
    for name, data in received.items():
        for value in secrets:
            assert not _contains(data, value), f"{name} holds a member's value"
    # the key files are exactly: algorithm, key id derived from the group key, group key
    for pub in (received["committee.pub"], received["exported.pub"]):
        assert pub == stm.minisign_public_key(group_key).encode()
    assert received["committee.sig.pub"] == stm.signify_public_key(group_key).encode()
    assert received["committee.pem"] == stm.openssl_public_key_pem(group_key).encode()

    sig = stm.MinisignSignature.parse(received["statement.txt.minisig"])
    # the signify file carries the same statement signature: nothing more about anyone
    assert stm.parse_signify_signature(received["statement.txt.sig"]) == (
        stm.minisign_key_id(group_key), sig.signature)
    statement = stm.Statement.parse(received["statement.txt"])
    assert sig.key_id == stm.minisign_key_id(group_key)
    assert sig.comment == stm.trusted_comment(statement)
    keys = [ln.split(":")[0] for ln in received["statement.txt"].decode().splitlines()[:7]]
    assert keys == ["samizdat-statement", "document", "title", "version", "text-id",
                    "text-sha256", "paragraphs"]

    # 2. every byte the reader's decrypted store holds
    cells, counts = _reader_dump(reader.home)
    assert counts["committee_members"] == 0 and counts["committee_nonces"] == 0
    blob = b"\x00".join(cells)
    assert group_key in blob
    for value in secrets:
        assert not _contains(blob, value), "the reader's store holds a member's value"
