"""Where an item's bytes wait while it arrives: an encrypted spill file on disk.

A session receives an item (up to ``node.session.MAX_ITEM_BYTES``) in DATA chunks,
and the item can only be checked once it is whole. Held in a growing buffer, one
contact's item would cost the node its size in RAM; so its chunks go to a
:class:`SpillFile` instead, and are read back once, in a worker thread, for the
check (``docs/spec/frames.md``, "Receiving an item").

* The file is created in the store's home (the same disk and permissions as the
  store), mode ``0600`` from its creation, with ``O_TMPFILE`` where the system has
  it (it never has a name) or else ``O_EXCL`` under a random name that is unlinked
  at once; a spill therefore leaves nothing behind whatever ends the process, and
  :meth:`SpillFile.close` closes the only handle.
* Each chunk is sealed with ChaCha20-Poly1305 (``core.crypto.Aead``) under a key drawn
  for this one item and held only in this object's memory, the nonce being the
  chunk's number: neither the item's bytes nor any store ciphertext touch the disk
  in the clear, and a spill altered on disk fails :meth:`read` with a
  :class:`~samizdat.errors.CryptoError`. The key is not kept once the file is
  closed.

Spill record (not a wire or file format anyone else reads; it lives as long as one
item's transfer): ``u32 length || ciphertext+tag`` per chunk, chunk ``i`` sealed
with the 12-byte big-endian nonce ``i``.
"""

from __future__ import annotations

import os
import struct
import threading
from pathlib import Path
from typing import Final

from samizdat.core.crypto import AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, Aead, Rng
from samizdat.errors import CryptoError, StoreError

__all__ = ["SpillFile"]

_LEN: Final = struct.Struct(">I")
_MAX_CHUNK: Final = 1 << 24
"""Largest chunk appended at once (a DATA frame carries far less)."""


def _open_unnamed(directory: Path, rng: Rng) -> int:
    """A read-write file descriptor on a new file in ``directory`` that has no name
    (``O_TMPFILE``) or whose name is already unlinked."""
    cloexec = getattr(os, "O_CLOEXEC", 0)
    tmpfile = getattr(os, "O_TMPFILE", 0)
    if tmpfile:
        try:
            return os.open(directory, os.O_RDWR | tmpfile | cloexec, 0o600)
        except OSError:
            pass  # a file system without O_TMPFILE: a named file, unlinked at once
    path = directory / f".spill-{rng(12).hex()}"
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | cloexec
    fd = os.open(path, flags, 0o600)
    try:
        os.unlink(path)
    except OSError:  # pragma: no cover - a system that cannot unlink an open file
        os.close(fd)
        raise
    return fd


class SpillFile:
    """One item's bytes so far, sealed on disk; see the module docstring.

    :meth:`append` runs on the event loop (a chunk is one small write to the page
    cache); :meth:`read` is meant for a worker thread. :meth:`close` may be called
    any number of times, from either; it waits for a :meth:`read` under way.
    """

    __slots__ = ("_aead", "_chunks", "_fd", "_lock", "size")

    def __init__(self, directory: Path, rng: Rng) -> None:
        try:
            self._fd: int | None = _open_unnamed(directory, rng)
        except OSError as exc:
            raise StoreError(f"cannot make a spill file in the store's home: "
                             f"{exc.strerror}") from None
        self._aead: Aead | None = Aead(rng(AEAD_KEY_BYTES))
        self._chunks = 0
        self._lock = threading.Lock()
        self.size = 0
        """Plaintext bytes appended so far."""

    def __repr__(self) -> str:
        return f"<SpillFile: {self.size} bytes, key hidden>"

    def __enter__(self) -> SpillFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._fd is None

    def _open(self) -> tuple[int, Aead]:
        if self._fd is None or self._aead is None:
            raise StoreError("the spill file is closed")
        return self._fd, self._aead

    def append(self, data: bytes) -> None:
        """Seal ``data`` as the next chunk and write it at the end."""
        if len(data) > _MAX_CHUNK:
            raise ValueError("append at most 16 MiB at once")
        if not data:
            return
        with self._lock:
            fd, aead = self._open()
            sealed = aead.encrypt(self._chunks.to_bytes(AEAD_NONCE_BYTES, "big"), data)
            record = _LEN.pack(len(sealed)) + sealed
            try:
                written = os.write(fd, record)
                while written < len(record):
                    written += os.write(fd, record[written:])
            except OSError as exc:
                raise StoreError(f"cannot write the spill file: {exc.strerror}") from None
            self._chunks += 1
            self.size += len(data)

    def read(self) -> bytes:
        """Every byte appended, in order, checked against the key (a spill changed
        on disk raises :class:`CryptoError`)."""
        with self._lock:
            fd, aead = self._open()
            parts: list[bytes] = []
            offset = 0
            for index in range(self._chunks):
                head = os.pread(fd, _LEN.size, offset)
                if len(head) != _LEN.size:
                    raise CryptoError("the spill file was cut short")
                (length,) = _LEN.unpack(head)
                if not AEAD_TAG_BYTES <= length <= _MAX_CHUNK + AEAD_TAG_BYTES:
                    raise CryptoError("the spill file was changed")
                sealed = os.pread(fd, length, offset + _LEN.size)
                if len(sealed) != length:
                    raise CryptoError("the spill file was cut short")
                parts.append(aead.decrypt(index.to_bytes(AEAD_NONCE_BYTES, "big"), sealed))
                offset += _LEN.size + length
            data = b"".join(parts)
            if len(data) != self.size:  # pragma: no cover - guarded by the tags
                raise CryptoError("the spill file was changed")
            return data

    def close(self) -> None:
        """Close the file (the system frees it: it has no name) and forget the key."""
        with self._lock:
            fd, self._fd, self._aead = self._fd, None, None
            if fd is not None:
                os.close(fd)
