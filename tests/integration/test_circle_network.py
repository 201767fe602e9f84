"""A circle's drafts travel over the network as circle items (``docs/spec/circle.md``).

Real nodes in-process: real stores, real TLS sessions on loopback. Alice and Bob are
co-authors in one circle; Rita, a reader contact of both, sits between them and is
in no circle. Before circle items existed ``share`` refused a circle's draft and the
network never carried one, so Bob got nothing over the network (the first test fails
there at ``share``).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from samizdat.app import carry, comments, couriers, documents, network
from samizdat.app import circle as circles
from samizdat.core.circle import CircleItem, ItemComment, encode_item
from samizdat.core.crypto import SecretBytes
from samizdat.core.envelope import Sealer
from samizdat.core.text import normalize
from samizdat.core.tickets import ITEM_CIRCLE, circle_item_id
from samizdat.errors import VerificationFailed
from samizdat.node.node import NodeConfig
from samizdat.node.session import pair_key
from samizdat.protocol.reconcile import pair_item_id
from samizdat.store import Store
from samizdat.store import comments as comment_tables
from samizdat.store.contacts import COURIER, READER, ContactBook
from samizdat.store.shards import ShardBook
from samizdat.transports.tls import TransportIdentity
from tests.integration.network_helpers import befriend
from tests.integration.test_circle_app import _every_cell

PW = SecretBytes(b"circle network test passphrase")
DRAFT = "草稿的第一段：秘密。\n\nВторой абзац черновика, о котором спорят.\n\nبند سوم پیش‌نویس.\n"
OTHER = "Чужой черновик другого круга.\n\n另一个圈子的草稿。\n"
COMMENT = "Подумать ещё / 再想想 / بیشتر فکر کنیم"


def now() -> int:
    return int(time.time())


def _store(tmp_path: Path, name: str) -> Store:
    documents.init(tmp_path / name, PW, os.urandom)
    return Store.open(tmp_path / name, PW)


def _draft(store: Store, title: str, text: str) -> tuple[bytes, bytes]:
    return documents.draft_new(store, normalize(text).paragraphs, title, os.urandom, now())


def test_a_co_author_gets_a_draft_and_its_comment_through_a_reader_who_reads_nothing(
    tmp_path: Path,
) -> None:
    stores = {n: _store(tmp_path, n) for n in ("alice", "rita", "bob")}
    alice, rita, bob = stores["alice"], stores["rita"], stores["bob"]
    key = circles.new_circle(alice, "редакция", os.urandom, now())
    circles.join_circle(bob, "редакция", key, now())
    circles.new_circle(alice, "другие", os.urandom, now())  # Bob is not in this one
    doc, ver = _draft(alice, "Воззвание", DRAFT)
    circles.add_document(alice, "редакция", doc.hex())
    comments.add_comment(alice, ver.hex(), 2, COMMENT, now(), os.urandom)
    other_doc, other = _draft(alice, "宣言", OTHER)
    circles.add_document(alice, "другие", other_doc.hex())
    assert network.share(alice, ver, now(), os.urandom) == "редакция"
    assert network.share(alice, other, now(), os.urandom) == "другие"
    sealed = ShardBook(alice.db).circle_ids(own=True)
    assert len(sealed) == 2

    async def main() -> None:
        nodes = {n: network.make_node(s, os.urandom, now, NodeConfig(port=0, interval=3600))
                 for n, s in stores.items()}
        addr = {}
        for n, node in nodes.items():
            host, port = await node.start()
            addr[n] = f"{host}:{port}"
        try:
            _, alice_in_rita = befriend(nodes["alice"], alice, nodes["rita"], rita,
                                         addr["alice"], addr["rita"])
            _, rita_in_bob = befriend(nodes["rita"], rita, nodes["bob"], bob,
                                       addr["rita"], addr["bob"])
            await nodes["rita"].sync_with(alice_in_rita)
            assert nodes["rita"].totals.received == 2  # the two sealed items
            await nodes["bob"].sync_with(rita_in_bob)
            assert nodes["bob"].totals.received == 2
            assert nodes["bob"].cut_off == 0 and nodes["rita"].cut_off == 0
        finally:
            for node in nodes.values():
                await node.close()

    try:
        asyncio.run(main())
        # Bob, in the circle, opened his circle's item: the draft and the comment
        assert bob.has_version(ver)
        assert circles.circle_of(bob, doc) is not None
        (c,) = comments.comments_on(bob, ver)
        assert c.text == COMMENT
        # the other circle's item: kept sealed to pass along, never opened
        assert not bob.has_version(other)
        assert circles.circle_of(bob, other_doc) is None
        assert set(sealed) <= set(ShardBook(bob.db).circle_ids())
        # Bob passes the sealed bytes along, not a readable copy of the draft
        assert ver not in couriers.passed_along(bob)
        # Rita, a reader in no circle, holds the sealed bytes and nothing readable
        assert not rita.has_version(ver) and not rita.has_version(other)
        assert set(ShardBook(rita.db).circle_ids()) == set(sealed)
        cells = _every_cell(rita)
        for secret in (*DRAFT.split("\n\n"), *OTHER.split("\n\n"), COMMENT,
                       "черновика", "秘密", "Воззвание", "宣言"):
            assert secret.strip().encode() not in cells, secret
        for ident in (ver, other, doc, other_doc, key.circle_id, key.key):
            assert ident not in cells
    finally:
        for s in stores.values():
            s.close()


def _seal(rec: object, payload: bytes) -> bytes:
    """Seal a payload to a circle as ``app.circle.seal_item`` does (a forger with
    the circle's key, or a co-author's damaged build, could make these bytes)."""
    root = os.urandom(32)
    out: list[bytes | memoryview] = [circles.item_head(rec, root, os.urandom)]  # type: ignore[arg-type]
    sealer = Sealer(k=1, n=1, rng=os.urandom, sinks=[out.append], root_key=root)
    sealer.write(payload)
    sealer.close()
    return b"".join(out)


def _view(store: Store, role: str) -> couriers.ContactLibrary:
    peer = TransportIdentity.from_seed(os.urandom(32))
    with store.transaction():
        contact = ContactBook(store.db).add(peer.public_key, peer.certificate, "", now(), role)
    lib = network.StoreLibrary(store, now, os.urandom).for_contact(contact.id)
    assert lib.pair == pair_key(network.identity(store, os.urandom).public_key,
                                peer.public_key)
    return lib


def test_a_forged_circle_item_is_refused_and_nothing_stored(tmp_path: Path) -> None:
    # the same check() the node runs on every item that arrives (in a worker thread)
    alice, bob = _store(tmp_path, "alice"), _store(tmp_path, "bob")
    try:
        key = circles.new_circle(alice, "c", os.urandom, now())
        circles.join_circle(bob, "c", key, now())
        doc, ver = _draft(alice, "Воззвание", DRAFT)
        circles.add_document(alice, "c", doc.hex())
        comments.add_comment(alice, ver.hex(), 1, COMMENT, now(), os.urandom)
        good = comment_tables.for_document(alice.db, doc)[0]
        package = carry.package_version(alice, ver)
        rec = circles.circle_named(bob, "c")
        lib = _view(bob, READER)
        forged_comment = ItemComment(good.encoded, good.author, bytes(64))
        for payload, words in (
            (encode_item(CircleItem(key.circle_id, package, (forged_comment,))),
             "bad signature"),
            (encode_item(CircleItem(b"\x01" * 16, package)), "another circle"),
        ):
            body = _seal(rec, payload)
            lib.chooses(pair_item_id(lib.pair, circle_item_id(body)))
            with pytest.raises(VerificationFailed, match=words):
                lib.check(bytes([ITEM_CIRCLE]) + body)
        # a good item's body cut short: a circle key opens its head, not its body
        good_body = circles.seal_item(alice, ver, os.urandom)[1]
        cut = good_body[: len(good_body) // 2]
        lib.chooses(pair_item_id(lib.pair, circle_item_id(cut)))
        with pytest.raises(VerificationFailed, match="damaged"):
            lib.check(bytes([ITEM_CIRCLE]) + cut)
        # an item we did not ask for (a substituted one) is refused before opening
        with pytest.raises(VerificationFailed, match="not one we asked for"):
            lib.check(bytes([ITEM_CIRCLE]) + good_body)
        assert list(bob.all_versions()) == []
        assert ShardBook(bob.db).circle_ids() == []
        assert comment_tables.for_document(bob.db, doc) == []
    finally:
        alice.close()
        bob.close()


def test_readers_and_couriers_are_offered_the_sealed_item_only(tmp_path: Path) -> None:
    alice = _store(tmp_path, "alice")
    try:
        circles.new_circle(alice, "c", os.urandom, now())
        doc, ver = _draft(alice, "Воззвание", DRAFT)
        circles.add_document(alice, "c", doc.hex())
        reader, courier = _view(alice, READER), _view(alice, COURIER)
        assert network.share(alice, ver, now(), os.urandom) == "c"
        book = ShardBook(alice.db)
        (iid,) = book.circle_ids(own=True)
        for lib in (reader, courier):
            offered = set(lib.offered())
            assert offered == {iid}  # no copy, no ticket, no shard of the draft
            assert lib.package(iid)[0] == ITEM_CIRCLE
        assert not any(t.ticket.version_id == ver for t in book.tickets())
        # sealed once: another session offers the same item
        assert set(reader.offered()) == {iid}
        # a new comment makes it heavier: sealed again, so the comment travels
        comments.add_comment(alice, ver.hex(), 1, COMMENT, now(), os.urandom)
        assert len(set(reader.offered())) == 2
        # unshare stops offering our own seals of it
        assert network.unshare(alice, ver)
        assert set(reader.offered()) == set() == set(courier.offered())
    finally:
        alice.close()


def test_items_carried_for_others_count_with_carried_shards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a flood of sealed items must not fill the disk: one cap for shards and items
    from samizdat.store import shards

    monkeypatch.setattr(shards, "MAX_CARRIED_ITEMS", 2)
    rita = _store(tmp_path, "rita")
    try:
        book = ShardBook(rita.db)
        with rita.transaction():
            assert book.carry(b"s" * 32, os.urandom(100), now())
            assert book.carry_circle(b"a" * 32, os.urandom(100), now())
            assert not book.carry_circle(b"b" * 32, os.urandom(100), now())
            assert not book.carry(b"t" * 32, os.urandom(100), now())
            assert book.carry_circle(b"a" * 32, b"", now())  # already held
        assert book.circle_ids() == [b"a" * 32]
    finally:
        rita.close()
