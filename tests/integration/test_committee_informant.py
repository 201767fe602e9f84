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


def test_a_reader_learns_nothing_about_drafts_comments_or_co_authors(tmp_path: Path) -> None:
    """Co-authors in a circle draft and comment around a final version, all through
    one dead drop; a reader with the drop key gets the final and nothing else: no
    draft text, no comment, no co-author's pseudonym, not even the circle's id."""
    import os

    from samizdat.app import carry, comments, documents, trust
    from samizdat.app import circle as circles
    from samizdat.core.text import normalize
    from samizdat.testing.committee import final_version
    from samizdat.transports.deaddrop import DeadDrop

    final = final_version(tmp_path / "committee", "Платформа группы.\n\n平台的第二段。\n",
                          "Платформа", PW)
    stick = tmp_path / "stick"
    stick.mkdir()
    drop = DeadDrop(stick)
    secret_draft = "Секретный абзац черновика.\n\nپیش‌نویس محرمانه.\n\n平台的第二段。\n"
    with Store.open(final.home, PW) as anna, \
            Store.create(tmp_path / "boris", PW) as boris, \
            Store.create(tmp_path / "reader", PW) as reader:
        key = carry.new_drop_key(anna, os.urandom, 1000)
        carry.remember_drop_key(boris, key, 1000)
        carry.remember_drop_key(reader, key, 1000)
        trust.trust_add(reader, final.pub, 1000)
        ckey = circles.new_circle(anna, "редакция", os.urandom, 1000)
        circles.join_circle(boris, "editors", ckey, 1000)
        doc = anna.version(final.version).doc_id
        circles.add_document(anna, "редакция", doc.hex())
        _d, v2, _p = documents.draft_revise(anna, final.version.hex(), _write(
            tmp_path / "v2.txt", secret_draft), 1001)
        documents.sign(anna, v2.hex(), os.urandom)
        comments.add_comment(anna, final.version.hex(), 1, "Кто это написал? 谁写的？", 1002,
                             os.urandom)
        carry.deaddrop_sync(anna, drop, key, os.urandom, now=1000)
        carry.deaddrop_sync(boris, drop, key, os.urandom, now=1000)
        assert boris.has_version(v2) and boris.has_version(final.version)
        comments.add_comment(boris, v2.hex(), 2, "این بند را حذف کنید.", 1003, os.urandom)
        carry.deaddrop_sync(boris, drop, key, os.urandom, now=1000)
        got = carry.deaddrop_sync(reader, drop, key, os.urandom, now=1000)
        assert got.received == 1 and got.skipped >= 3
        assert [v.version_id for v in reader.all_versions()] == [final.version]
        co_authors = [s.key for s in anna.signatures(v2) if s.kind == "author"]
        co_authors += [c.author for c in comments.comments_on(anna, final.version)]
        co_authors += [c.author for c in comments.comments_on(boris, v2)]
        assert len(set(co_authors)) == 2  # anna's pseudonym and boris's
        circle_id, circle_key = ckey.circle_id, ckey.key
    cells, counts = _reader_dump(tmp_path / "reader")
    assert counts["comments_items"] == 0 and counts["circles_keys"] == 0
    blob = b"\x00".join(cells)
    for para in normalize(secret_draft).paragraphs[:2]:
        assert para.encode() not in blob
    for text in ("Кто это написал?", "谁写的", "این بند را حذف کنید"):
        assert text.encode() not in blob
    for value in [*co_authors, circle_id, circle_key, v2]:
        assert not _contains(blob, value), "the reader's store names a co-author or draft"
    assert final.group_key in blob


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
