"""Circles of co-authors: drafts and comments travel only sealed to the circle.

Real stores, real envelopes, a real folder as the dead drop. The first test is the
attack the circle closes: before it, ``deaddrop sync`` left every unsigned draft
under the drop key, so whoever held the stick (any courier) read work in progress.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from samizdat.app import carry, comments, documents
from samizdat.app import circle as circles
from samizdat.core import crypto
from samizdat.core.circle import CircleItem, CircleKey, encode_item
from samizdat.core.text import normalize
from samizdat.errors import InputError, UsageError, VerificationFailed
from samizdat.store import Store
from samizdat.store.shards import ShardBook
from samizdat.transports.deaddrop import DeadDrop

TEXTS = {
    "Воззвание": "Первый абзац черновика.\n\nВторой абзац, о котором спорят.\n",
    "بیانیه": "بند نخست پیش‌نویس.\n\nبند دوم که درباره‌اش بحث است.\n",
    "宣言": "草稿的第一段。\n\n大家争论的第二段。\n",
}


def _store(path: Path) -> Store:
    return Store.create(path, crypto.SecretBytes(b"pass phrase"), os.urandom)


@pytest.fixture
def people(tmp_path: Path) -> Iterator[dict[str, Store]]:
    stores = {n: _store(tmp_path / n) for n in ("alice", "bob", "courier", "eve")}
    yield stores
    for s in stores.values():
        s.close()


def _drop(tmp_path: Path, people: dict[str, Store]) -> tuple[DeadDrop, carry.DropKey]:
    folder = tmp_path / "stick"
    folder.mkdir()
    key = carry.new_drop_key(people["alice"], os.urandom, 1000)
    for name in ("bob", "courier", "eve"):
        carry.remember_drop_key(people[name], key, 1000)
    return DeadDrop(folder), key


def _draft(store: Store, title: str, text: str) -> tuple[bytes, bytes]:
    return documents.draft_new(store, normalize(text).paragraphs, title, os.urandom, 1000)


def _every_cell(store: Store) -> bytes:
    cells: list[bytes] = []
    for (name,) in store.db.query("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in store.db.query(f'SELECT * FROM "{name}"'):
            cells += [bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
                      for v in row if v is not None]
    return b"\x00".join(cells)


def test_attack_a_courier_with_the_stick_reads_no_unsigned_draft(
    people: dict[str, Store], tmp_path: Path
) -> None:
    # on the code before circles this sent the draft, and the courier read it
    drop, key = _drop(tmp_path, people)
    _doc, ver = _draft(people["alice"], "Воззвание", TEXTS["Воззвание"])
    carry.deaddrop_sync(people["alice"], drop, key, os.urandom, now=1000)
    got = carry.deaddrop_sync(people["courier"], drop, key, os.urandom, now=1000)
    assert got.received == 0
    assert not people["courier"].has_version(ver)
    assert "черновика".encode() not in _every_cell(people["courier"])


def test_circle_drafts_and_comments_reach_co_authors_only(
    people: dict[str, Store], tmp_path: Path
) -> None:
    alice, bob, courier = people["alice"], people["bob"], people["courier"]
    drop, key = _drop(tmp_path, people)
    ckey = circles.new_circle(alice, "редакция", os.urandom, 1000)
    circles.join_circle(bob, "editors", CircleKey.parse(ckey.danger_real_key_string()), 1000)
    vers = []
    for title, text in TEXTS.items():
        doc, ver = _draft(alice, title, text)
        documents.sign(alice, ver.hex(), os.urandom)  # signed, but still a draft
        circles.add_document(alice, "редакция", doc.hex())
        comments.add_comment(alice, ver.hex(), 2, f"{title}: 再想想 / подумать", 1001,
                             os.urandom)
        vers.append(ver)
    sent = carry.deaddrop_sync(alice, drop, key, os.urandom, now=1000)
    assert sent.sent == 3  # one circle item each, no readable copy
    assert carry.deaddrop_sync(alice, drop, key, os.urandom, now=1000).sent == 0
    got = carry.deaddrop_sync(courier, drop, key, os.urandom, now=1000)
    assert (got.received, got.skipped) == (0, 3)
    assert list(courier.all_versions()) == []
    blob = _every_cell(courier)
    for text in TEXTS.values():
        for para in normalize(text).paragraphs:
            assert para.encode() not in blob
    got = carry.deaddrop_sync(bob, drop, key, os.urandom, now=1000)
    assert got.received == 3
    for ver in vers:
        assert bob.has_version(ver)
        (c,) = comments.comments_on(bob, ver)
        assert c.paragraph == 2 and "再想想" in c.text
    assert {i.name: i.documents for i in circles.list_circles(bob)} == {"editors": 3}
    # bob has nothing new for the drop, and alice takes nothing twice
    assert carry.deaddrop_sync(bob, drop, key, os.urandom, now=1000).sent == 0
    # a new comment by bob travels back to alice as a heavier item
    comments.add_comment(bob, vers[0].hex(), 1, "Согласен.", 1002, os.urandom)
    assert carry.deaddrop_sync(bob, drop, key, os.urandom, now=1000).sent == 1
    carry.deaddrop_sync(alice, drop, key, os.urandom, now=1000)
    assert len(comments.comments_on(alice, vers[0])) == 2


def test_public_versions_go_to_readers_and_other_forms_refuse_drafts(
    people: dict[str, Store], tmp_path: Path
) -> None:
    alice, courier = people["alice"], people["courier"]
    drop, key = _drop(tmp_path, people)
    circles.new_circle(alice, "c", os.urandom, 1000)
    doc, ver = _draft(alice, "宣言", TEXTS["宣言"])
    circles.add_document(alice, "c", doc.hex())
    with pytest.raises(UsageError, match="draft of circle 'c'"):
        carry.export_bundle(alice, ver.hex(), os.urandom)
    with pytest.raises(UsageError, match="draft of circle 'c'"):
        carry.disperse(alice, ver.hex(), 2, 3, os.urandom)
    assert circles.offerable(alice, [ver]) == []
    circles.make_public(alice, ver, 1001)
    assert circles.offerable(alice, [ver]) == [ver]
    carry.export_bundle(alice, ver.hex(), os.urandom)
    carry.deaddrop_sync(alice, drop, key, os.urandom, now=1000)
    assert carry.deaddrop_sync(courier, drop, key, os.urandom, now=1000).received == 1
    assert courier.has_version(ver)


def test_an_item_of_another_circle_is_refused_with_a_hint(
    people: dict[str, Store], tmp_path: Path
) -> None:
    alice, eve = people["alice"], people["eve"]
    circles.new_circle(alice, "c", os.urandom, 1000)
    circles.new_circle(eve, "other", os.urandom, 1000)
    doc, ver = _draft(alice, "بیانیه", TEXTS["بیانیه"])
    circles.add_document(alice, "c", doc.hex())
    path = tmp_path / "item"
    circles.export_item(alice, ver, path, os.urandom)
    with pytest.raises(InputError, match="no circle of this store opens item") as got:
        circles.import_item(eve, path, 1000)
    assert got.value.hint and "circle join" in got.value.hint
    assert list(eve.all_versions()) == []


def test_an_item_naming_another_circle_inside_is_refused(
    people: dict[str, Store], tmp_path: Path
) -> None:
    alice, bob = people["alice"], people["bob"]
    ckey = circles.new_circle(alice, "c", os.urandom, 1000)
    circles.join_circle(bob, "c", ckey, 1000)
    doc, ver = _draft(alice, "宣言", TEXTS["宣言"])
    circles.add_document(alice, "c", doc.hex())
    payload = encode_item(CircleItem(b"\x00" * 16, carry.package_version(alice, ver)))
    rec = circles.circle_named(bob, "c")
    with pytest.raises(VerificationFailed, match="names another circle"):
        circles.accept_item(bob, rec, payload, 1000)
    assert list(bob.all_versions()) == []


def test_a_circle_draft_is_not_published_as_a_web_page(
    people: dict[str, Store], tmp_path: Path
) -> None:
    from samizdat.app import publish

    alice = people["alice"]
    circles.new_circle(alice, "c", os.urandom, 1000)
    doc, ver = _draft(alice, "Воззвание", TEXTS["Воззвание"])
    publish.site_files(alice, ver.hex(), draft=True)  # outside a circle: allowed
    circles.add_document(alice, "c", doc.hex())
    with pytest.raises(UsageError, match="draft of circle 'c'"):
        publish.site_files(alice, ver.hex(), draft=True)
    circles.make_public(alice, ver, 1001)
    assert "text.txt" in publish.site_files(alice, ver.hex(), draft=True)


def test_items_skipped_before_joining_are_opened_after(
    people: dict[str, Store], tmp_path: Path
) -> None:
    alice, bob = people["alice"], people["bob"]
    drop, key = _drop(tmp_path, people)
    ckey = circles.new_circle(alice, "c", os.urandom, 1000)
    doc, ver = _draft(alice, "宣言", TEXTS["宣言"])
    circles.add_document(alice, "c", doc.hex())
    carry.deaddrop_sync(alice, drop, key, os.urandom, now=1000)
    assert carry.deaddrop_sync(bob, drop, key, os.urandom, now=1000).skipped == 1
    circles.join_circle(bob, "c", ckey, 1001)
    assert carry.deaddrop_sync(bob, drop, key, os.urandom, now=1000).received == 1
    assert bob.has_version(ver)


def test_a_reader_passes_on_what_was_given_to_readers(
    people: dict[str, Store], tmp_path: Path
) -> None:
    alice, courier, eve = people["alice"], people["courier"], people["eve"]
    drop, key = _drop(tmp_path, people)
    circles.new_circle(alice, "c", os.urandom, 1000)
    doc, ver = _draft(alice, "Воззвание", TEXTS["Воззвание"])
    circles.add_document(alice, "c", doc.hex())
    circles.make_public(alice, ver, 1001)  # unsigned, but given to readers
    carry.deaddrop_sync(alice, drop, key, os.urandom, now=1000)
    assert carry.deaddrop_sync(courier, drop, key, os.urandom, now=1000).received == 1
    # the courier carries it on to another stick, which eve reads
    other = tmp_path / "other"
    other.mkdir()
    key2 = carry.new_drop_key(courier, os.urandom, 1000)
    carry.remember_drop_key(eve, key2, 1000)
    assert carry.deaddrop_sync(courier, DeadDrop(other), key2, os.urandom, now=1000).sent == 1
    assert carry.deaddrop_sync(eve, DeadDrop(other), key2, os.urandom, now=1000).received == 1
    assert eve.has_version(ver)


def test_an_item_with_a_forged_or_foreign_comment_is_refused_whole(
    people: dict[str, Store], tmp_path: Path
) -> None:
    from samizdat.core.circle import ItemComment

    alice, bob = people["alice"], people["bob"]
    ckey = circles.new_circle(alice, "c", os.urandom, 1000)
    circles.join_circle(bob, "c", ckey, 1000)
    doc, ver = _draft(alice, "宣言", TEXTS["宣言"])
    other_doc, other = _draft(alice, "Воззвание", TEXTS["Воззвание"])
    circles.add_document(alice, "c", doc.hex())
    comments.add_comment(alice, ver.hex(), 1, "хорошо", 1001, os.urandom)
    comments.add_comment(alice, other.hex(), 1, "чужой", 1001, os.urandom)
    rec = circles.circle_named(bob, "c")
    from samizdat.store import comments as tables

    good = tables.for_document(alice.db, doc)[0]
    foreign = tables.for_document(alice.db, other_doc)[0]
    package = carry.package_version(alice, ver)
    forged = ItemComment(good.encoded, good.author, bytes(64))
    stranger = ItemComment(foreign.encoded, foreign.author, foreign.signature)
    for bad, words in ((forged, "bad signature"), (stranger, "another document")):
        payload = encode_item(CircleItem(ckey.circle_id, package, (bad,)))
        with pytest.raises(VerificationFailed, match=words):
            circles.accept_item(bob, rec, payload, 1002)
        assert list(bob.all_versions()) == []


def test_the_network_offers_readers_and_couriers_no_circle_draft(
    people: dict[str, Store], tmp_path: Path
) -> None:
    # attack: alice shares a circle's draft with `share VER` (not --public). Before the
    # network learnt of circles, her node offered it to every reader contact as a copy
    # and a ticket, and to couriers as shards a ticket-holder could open.
    from samizdat.app import network
    from samizdat.store.contacts import COURIER, READER, ContactBook
    from samizdat.transports.tls import TransportIdentity

    alice = people["alice"]
    circles.new_circle(alice, "редакция", os.urandom, 1000)
    _doc, draft = _draft(alice, "宣言", TEXTS["宣言"])
    circles.add_document(alice, "редакция", draft.hex())
    _doc2, public = _draft(alice, "بیانیه", TEXTS["بیانیه"])
    # `share` of a circle's draft marks it for the circle only (sealed as a circle
    # item, docs/spec/circle.md); before circle items it was refused
    assert network.share(alice, draft, 1000, os.urandom) == "редакция"
    ids = {}
    with alice.transaction():
        for name, role in (("reader", READER), ("courier", COURIER)):
            peer = TransportIdentity.from_seed(os.urandom(32))
            ids[name] = ContactBook(alice.db).add(
                peer.public_key, peer.certificate, "", 1000, role).id
    # shared before its document joined the circle: still held back from then on
    _doc3, early = _draft(alice, "Воззвание", TEXTS["Воззвание"])
    network.share(alice, early, 1000, os.urandom)
    circles.add_document(alice, "редакция", early.hex())
    network.share(alice, public, 1000, os.urandom)
    library = network.StoreLibrary(alice, lambda: 1000, os.urandom)
    reader = library.for_contact(ids["reader"])
    courier = library.for_contact(ids["courier"])
    offered_to_reader = set(reader.offered())
    assert draft not in offered_to_reader and public in offered_to_reader
    book = ShardBook(alice.db)
    assert early not in offered_to_reader
    draft_items = {r.ticket_id for r in book.tickets() if r.ticket.version_id == early}
    draft_items |= {s for r in book.tickets() if r.ticket.version_id == early
                    for s in r.ticket.shards}
    assert draft_items, "the early share was sealed for the courier"
    assert not draft_items & offered_to_reader
    offered_to_courier = set(courier.offered())
    assert offered_to_courier, "the public version's shards go to the courier"
    assert not draft_items & offered_to_courier
    assert not {draft, early} & set(library.offered())
    # what they are offered of the drafts: circle items only, which no reader opens
    items = set(book.circle_ids())
    assert len(items) == 2  # the draft and the early share
    assert offered_to_reader - items == {public} | {
        r.ticket_id for r in book.tickets() if r.ticket.version_id == public}
    for item in items:
        assert reader.package(item)[0] == 0xF3
