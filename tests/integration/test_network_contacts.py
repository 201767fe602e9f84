"""The network area of a real (encrypted) store: invites, contacts, shares, partials."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from samizdat.app import documents
from samizdat.core.crypto import SecretBytes
from samizdat.errors import NotFound
from samizdat.store import Store
from samizdat.store import contacts as contacts_mod
from samizdat.store.contacts import ContactBook
from samizdat.transports.tls import TransportIdentity

PW = SecretBytes(b"contacts test passphrase")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    documents.init(tmp_path / "s", PW, os.urandom)
    s = Store.open(tmp_path / "s", PW)
    yield s
    s.close()


def test_invite_is_single_use_and_expires(store: Store) -> None:
    book = ContactBook(store.db)
    secret, other = os.urandom(12), os.urandom(12)
    book.add_invite(secret, expires=1000)
    book.add_invite(other, expires=1000)
    assert book.open_invites(now=999) == 2
    assert not book.redeem_invite(os.urandom(12), now=10)  # unknown
    assert book.redeem_invite(secret, now=10)
    assert not book.redeem_invite(secret, now=11)  # used
    assert not book.redeem_invite(other, now=1000)  # expired
    assert book.open_invites(now=999) == 1
    # only a hash of the secret is stored
    rows = store.db.query("SELECT secret_hash FROM network_invites")
    assert all(secret not in bytes(r[0]) and other not in bytes(r[0]) for r in rows)


def test_contacts_add_find_remove(store: Store) -> None:
    book = ContactBook(store.db)
    a, b = (TransportIdentity.from_seed(os.urandom(32)) for _ in range(2))
    ca = book.add(a.public_key, a.certificate, "127.0.0.1:1", 5)
    cb = book.add(b.public_key, b.certificate, "", 6)
    assert [c.id for c in book.all()] == [ca.id, cb.id]
    assert book.find(str(ca.id)) == ca
    assert book.find(cb.fingerprint[:6]) == cb
    # re-adding refreshes the address but keeps a known one when the new is empty
    assert book.add(a.public_key, a.certificate, "", 7).address == "127.0.0.1:1"
    book.remove(ca.id)
    with pytest.raises(NotFound):
        book.by_key(a.public_key)
    with pytest.raises(NotFound):
        book.remove(ca.id)
    assert ca.address not in repr(ca) and a.certificate.hex()[:32] not in repr(ca)


def test_share_unshare(store: Store) -> None:
    book = ContactBook(store.db)
    v1, v2 = os.urandom(32), os.urandom(32)
    book.share(v1, 1)
    book.share(v2, 2)
    book.share(v1, 3)  # idempotent
    assert book.shared() == [v1, v2]
    assert book.unshare(v1)
    assert not book.unshare(v1)
    assert book.shared() == [v2]


def test_partials_are_bounded(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    book = ContactBook(store.db)
    monkeypatch.setattr(contacts_mod, "MAX_PARTIAL_BYTES", 1000)
    assert book.save_partial(b"a" * 16, 5000, b"x" * 600)
    assert not book.save_partial(b"b" * 16, 5000, b"y" * 600)  # would pass the bound
    assert book.save_partial(b"a" * 16, 5000, b"x" * 900)  # replacing its own prefix
    assert book.partial(b"a" * 16) == (5000, b"x" * 900)
    book.drop_partial(b"a" * 16)
    assert book.partial(b"a" * 16) == (0, b"")


def test_transport_seed_is_made_once(store: Store) -> None:
    book = ContactBook(store.db)
    first = book.transport_seed(os.urandom(32))
    assert book.transport_seed(os.urandom(32)) == first


def test_roles_default_to_reader_and_invites_carry_theirs(store: Store) -> None:
    from samizdat.store.contacts import COURIER, READER

    book = ContactBook(store.db)
    a, b, c = (TransportIdentity.from_seed(os.urandom(32)) for _ in range(3))
    assert book.add(a.public_key, a.certificate, "", 1).role == READER
    secret = os.urandom(12)
    book.add_invite(secret, expires=1000, role=COURIER)
    assert book.redeem_invite(secret, now=10)  # the node adds the acceptor next
    assert book.add(b.public_key, b.certificate, "", 2).role == COURIER
    assert book.add(c.public_key, c.certificate, "", 3).role == READER  # used once only
    # re-adding a known contact keeps its role; set_role changes it
    assert book.add(b.public_key, b.certificate, "127.0.0.1:9", 4).role == COURIER
    book.set_role(book.by_key(b.public_key).id, READER)
    assert book.by_key(b.public_key).role == READER
    with pytest.raises(ValueError):
        book.set_role(1, "informant")
    with pytest.raises(NotFound):
        book.set_role(999, COURIER)


def test_an_invites_role_never_changes_a_known_contact(store: Store) -> None:
    from samizdat.store.contacts import COURIER, READER

    book = ContactBook(store.db)
    a = TransportIdentity.from_seed(os.urandom(32))
    book.add(a.public_key, a.certificate, "", 1)
    secret = os.urandom(12)
    book.add_invite(secret, expires=1000, role=COURIER)
    assert book.redeem_invite(secret, now=10)
    # a known contact answering a courier invite again keeps the role it had
    assert book.add(a.public_key, a.certificate, "127.0.0.1:5", 2).role == READER
