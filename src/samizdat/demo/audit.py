"""What a seized store reveals: the demo's audit of the informant.

This opens stores directly, as the police would with a seized disk and the
passphrase its owner gave up; it reads and changes nothing else. It is measurement,
not part of the story, so it is the one place the demo calls below the command line.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

from samizdat.core import dkg
from samizdat.core.crypto import SecretBytes, ed25519_public_key
from samizdat.store import committee as committee_tables
from samizdat.store.contacts import ContactBook
from samizdat.store.store import Store

__all__ = ["StoreView", "member_values", "view"]


@dataclass
class StoreView:
    """Everything one store holds, as the person who opens it sees it."""

    cells: list[bytes] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    identity_key: bytes = b""
    transport_key: bytes | None = None
    contact_keys: list[bytes] = field(default_factory=list)

    def holds(self, value: bytes) -> bool:
        """Whether ``value`` appears anywhere, raw, as hex or as base64."""
        forms = (value, value.hex().encode(), base64.b64encode(value))
        return any(form in cell for cell in self.cells for form in forms)


def view(home: Path, passphrase: str) -> StoreView:
    """Every cell of every table of the decrypted store at ``home``."""
    out = StoreView()
    with Store.open(home, SecretBytes(passphrase.encode(), "passphrase")) as store:
        names = [str(r[0]) for r in store.db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            rows = store.db.query(f'SELECT * FROM "{name}"')  # noqa: S608 (names from the schema)
            out.tables[name] = len(rows)
            for row in rows:
                for v in row:
                    if isinstance(v, bytes | bytearray | memoryview):
                        out.cells.append(bytes(v))
                    elif v is not None:
                        out.cells.append(str(v).encode())
        out.identity_key = store.identity_key()
        seed = store.db.query("SELECT seed FROM network_identity WHERE id = 1")
        if seed:
            out.transport_key = ed25519_public_key(bytes(seed[0][0]))
        out.contact_keys = [c.public_key for c in ContactBook(store.db).all()]
    return out


def member_values(home: Path, passphrase: str) -> list[bytes]:
    """What belongs to one committee member, not to the committee as a whole: the
    member's signing share, every member's verification share, its identity and
    transport keys."""
    found: list[bytes] = []
    with Store.open(home, SecretBytes(passphrase.encode(), "passphrase")) as store:
        for record in committee_tables.members(store.db):
            key = dkg.KeyShare.decode(record.data)
            found.append(bytes(key.signing_share))
            found += [bytes(p) for p in key.verification_shares.values()]
        found.append(store.identity_key())
        seed = store.db.query("SELECT seed FROM network_identity WHERE id = 1")
        if seed:
            found.append(ed25519_public_key(bytes(seed[0][0])))
    return found
