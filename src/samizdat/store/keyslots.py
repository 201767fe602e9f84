"""The key slot file: the only thing a passphrase unlocks.

A store's home holds one ``keyslots`` file of exactly :data:`FILE_BYTES` bytes. It
has :data:`SLOT_COUNT` slots at fixed offsets; every byte outside a used slot, and
every byte of an unused slot, is random. A used slot is::

    salt (16) || ChaCha20-Poly1305(key = Argon2id(passphrase, salt),
                                   nonce = 12 zero bytes,
                                   aad = "samizdat keyslot v1" || slot index,
                                   payload (35)) || tag (16)

    payload = version (0x01) || role (0 primary, 1 duress) || database (0 or 1)
              || the database's raw 32-byte SQLCipher key

Why this shape (see ``docs/spec/store.md``):

* no header, no magic, no count of used slots: a file with one slot in use is the
  same size and looks as random as a file with two, so nobody can tell whether a
  duress passphrase was ever set;
* the nonce can be fixed because every slot write draws a fresh salt, so the AEAD
  key is used once;
* slots sit 2048 bytes apart, in different disk sectors, and are rewritten in place:
  a torn write damages at most the slot being written, and destroying a slot
  overwrites the very blocks that held it (a rename would leave the old blocks on
  disk, readable by anyone who images it).

The pure half (:func:`seal_slot`, :func:`open_slot`) takes every input as an
argument; the file half (:func:`read_file`, :func:`write_slot`...) does the I/O.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Final

from samizdat.core import crypto
from samizdat.core.crypto import Rng, SecretBytes
from samizdat.errors import CryptoError, DecodeError, NotAStore

__all__ = [
    "FILE_BYTES",
    "PAYLOAD_BYTES",
    "SLOT_BYTES",
    "SLOT_COUNT",
    "SLOT_OFFSETS",
    "VERSION",
    "KdfCost",
    "Role",
    "SlotPayload",
    "costs_to_try",
    "destroy_all",
    "destroy_slot",
    "fsync_dir",
    "kdf_cost",
    "open_slot",
    "read_file",
    "seal_slot",
    "write_new_file",
    "write_slot",
]

VERSION: Final = 1
FILE_BYTES: Final = 4096
SLOT_COUNT: Final = 2
SLOT_OFFSETS: Final = (0, 2048)
PAYLOAD_BYTES: Final = 3 + 32
SLOT_BYTES: Final = crypto.ARGON2_SALT_BYTES + PAYLOAD_BYTES + crypto.AEAD_TAG_BYTES
_NONCE: Final = bytes(crypto.AEAD_NONCE_BYTES)
_AAD: Final = b"samizdat keyslot v1"


class Role(IntEnum):
    """What opening a slot means."""

    PRIMARY = 0
    """The person's own passphrase: open the database, touch nothing else."""
    DURESS = 1
    """The duress passphrase: open the decoy and destroy every other slot first."""


@dataclass(frozen=True)
class KdfCost:
    """Argon2id limits. Not stored anywhere: a store is opened at the cost it was
    made with, which is the cost its caller chose (see :func:`kdf_cost`)."""

    opslimit: int
    memlimit: int
    insecure: bool = False


def kdf_cost(fast: bool) -> KdfCost:
    """libsodium's INTERACTIVE limits, or its MIN limits when ``fast`` (the caller
    passes it from the top: ``runtime.insecure_fast_kdf()``, i.e.
    ``SAMIZDAT_INSECURE_FAST_KDF=1``; the store never reads the environment).

    The MIN limits (8 KiB, one pass) make a passphrase guess cost microseconds: they
    exist only so that test suites and the demo can unlock hundreds of stores. A store
    made with them must never hold anything real.
    """
    if fast:
        ops, mem = crypto.ARGON2_MIN
        return KdfCost(ops, mem, insecure=True)
    ops, mem = crypto.ARGON2_INTERACTIVE
    return KdfCost(ops, mem)


def costs_to_try(fast: bool) -> list[KdfCost]:
    """The costs :meth:`~samizdat.store.Store.open` tries, in order: the chosen
    one, then (when that is the real cost) libsodium's MIN cost.

    The second try lets a process at the real cost open a store made at the fast
    one (the demo's own checks, a test harness); it adds microseconds and gives an
    attacker nothing, who can try the MIN cost anyway. The opened store says so in
    ``Store.kdf_cost.insecure``.
    """
    cost = kdf_cost(fast)
    if cost.insecure:
        return [cost]
    ops, mem = crypto.ARGON2_MIN
    return [cost, KdfCost(ops, mem, insecure=True)]


@dataclass(frozen=True)
class SlotPayload:
    """What a slot holds once opened. The key never shows in ``repr``."""

    role: Role
    database: int
    key: SecretBytes = field(repr=False)

    def encode(self) -> bytes:
        raw = self.key.reveal()
        if len(raw) != 32 or self.database not in (0, 1):
            raise ValueError("a slot holds a 32-byte key for database 0 or 1")
        return bytes([VERSION, int(self.role), self.database]) + raw

    @classmethod
    def decode(cls, data: bytes) -> SlotPayload:
        """Strict decoding of an authenticated payload (it can still be hostile if
        someone who knew the passphrase wrote it)."""
        if len(data) != PAYLOAD_BYTES:
            raise DecodeError("key slot payload has the wrong length")
        if data[0] != VERSION:
            raise DecodeError(f"key slot version {data[0]} is not supported")
        if data[1] not in (0, 1) or data[2] not in (0, 1):
            raise DecodeError("key slot names an unknown role or database")
        return cls(Role(data[1]), data[2], SecretBytes(data[3:], "database key"))


def _slot_key(passphrase: SecretBytes, salt: bytes, cost: KdfCost) -> bytes:
    return crypto.argon2id(
        passphrase.reveal(), salt, opslimit=cost.opslimit, memlimit=cost.memlimit
    )


def seal_slot(
    index: int, passphrase: SecretBytes, payload: SlotPayload, cost: KdfCost, rng: Rng
) -> bytes:
    """The :data:`SLOT_BYTES` bytes of slot ``index`` holding ``payload``."""
    salt = rng(crypto.ARGON2_SALT_BYTES)
    key = _slot_key(passphrase, salt, cost)
    sealed = crypto.aead_encrypt(key, _NONCE, payload.encode(), _AAD + bytes([index]))
    return salt + sealed


def open_slot(
    index: int, raw: bytes, passphrase: SecretBytes, cost: KdfCost
) -> SlotPayload | None:
    """The payload of slot ``index`` if ``passphrase`` opens it, else ``None``.

    ``None`` here is not a failed check swallowed: "this slot is not yours" is the
    normal answer for all but one slot, and the caller raises
    :class:`~samizdat.errors.WrongPassphrase` when no slot opens.
    """
    if len(raw) != SLOT_BYTES:
        raise DecodeError("key slot has the wrong length")
    salt, sealed = raw[: crypto.ARGON2_SALT_BYTES], raw[crypto.ARGON2_SALT_BYTES :]
    key = _slot_key(passphrase, salt, cost)
    try:
        plain = crypto.aead_decrypt(key, _NONCE, sealed, _AAD + bytes([index]))
    except CryptoError:
        return None
    return SlotPayload.decode(plain)


# ------------------------------------------------------------------------ the file


def read_file(path: Path) -> list[bytes]:
    """The raw bytes of every slot; :class:`NotAStore` if the file is missing or is
    not exactly :data:`FILE_BYTES` long."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotAStore(f"no samizdat store at {path.parent}") from exc
    except OSError as exc:
        raise NotAStore(f"cannot read the store at {path.parent}: {exc.strerror}") from exc
    if len(data) != FILE_BYTES:
        raise NotAStore(
            f"the store at {path.parent} is damaged or not a samizdat store "
            "(its key file has the wrong size)"
        )
    return [data[off : off + SLOT_BYTES] for off in SLOT_OFFSETS]


def fsync_dir(path: Path) -> None:
    """fsync a folder, so that a rename or unlink in it is on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_file(path: Path, slots: dict[int, bytes], rng: Rng) -> None:
    """Create the key file: random bytes with ``slots`` written at their offsets.

    Written to a temporary name, fsynced, then renamed, so a crash during ``init``
    never leaves a half-written key file under the real name.
    """
    data = bytearray(rng(FILE_BYTES))
    for index, raw in slots.items():
        if len(raw) != SLOT_BYTES:
            raise ValueError("a sealed slot has the wrong length")
        data[SLOT_OFFSETS[index] : SLOT_OFFSETS[index] + SLOT_BYTES] = raw
    tmp = path.with_name(path.name + ".new")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)  # left by an init killed half-way
    # mode 0600 from the first moment: never a window where others may read it
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_slot(path: Path, index: int, raw: bytes) -> None:
    """Overwrite slot ``index`` in place and fsync before returning."""
    if len(raw) != SLOT_BYTES:
        raise ValueError("a sealed slot has the wrong length")
    with open(path, "r+b") as f:
        f.seek(SLOT_OFFSETS[index])
        f.write(raw)
        f.flush()
        os.fsync(f.fileno())


def destroy_slot(path: Path, index: int, rng: Rng) -> None:
    """Overwrite slot ``index`` with random bytes, in place, and fsync."""
    write_slot(path, index, rng(SLOT_BYTES))


def destroy_all(path: Path, rng: Rng) -> None:
    """Overwrite the whole key file with random bytes, in place, and fsync.

    After this no passphrase opens anything: the databases' keys existed nowhere
    else. It costs the same for a store of any size.
    """
    with open(path, "r+b") as f:
        f.write(rng(FILE_BYTES))
        f.truncate(FILE_BYTES)
        f.flush()
        os.fsync(f.fileno())
