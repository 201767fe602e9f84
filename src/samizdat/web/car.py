"""A static site as an IPFS CARv1 file: UnixFS over dag-pb, CIDv1, SHA-256.

An exile can ``ipfs dag import site.car`` on any Kubo node and pin the root CID; the
same CID then serves the folder through every IPFS gateway. The layout is the one
Kubo writes with ``ipfs add -r --cid-version=1`` (its defaults: raw leaves, 256 KiB
fixed-size chunks, a balanced DAG of at most 174 links a node), so the root CID of a
folder is the CID Kubo would give the same folder, and the test checks it against an
independent implementation (the IPFS project's JavaScript UnixFS importer).

Formats (all in ``docs/spec/car.md``):

* CID v1: ``varint(1) || varint(codec) || 0x12 0x20 || SHA-256(block)``; printed in
  multibase base32 (``b`` + RFC 4648 base32, lowercase, no padding). Codecs: ``raw``
  0x55 for file chunks, ``dag-pb`` 0x70 for files of several chunks and folders.
* dag-pb node: protobuf ``PBNode { repeated PBLink Links = 2; bytes Data = 1 }``,
  links written before data (the canonical order), each ``PBLink { bytes Hash = 1;
  string Name = 2; uint64 Tsize = 3 }``.
* UnixFS ``Data``: ``Type = 1`` (1 folder, 2 file), ``filesize = 3``, one
  ``blocksizes = 4`` per child of a file node.
* CARv1: ``varint(len) || DAG-CBOR {"roots": [CID], "version": 1}``, then per
  block ``varint(len(cid) + len(block)) || cid || block``.

Pure: bytes in, bytes out.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from samizdat.core.crypto import sha256
from samizdat.errors import InputError

__all__ = [
    "CHUNK_SIZE",
    "MAX_LINKS",
    "Car",
    "car_of_folder",
    "cid_string",
]

CHUNK_SIZE: Final = 256 * 1024
"""Kubo's default fixed chunk size."""
MAX_LINKS: Final = 174
"""Kubo's default fan-out of a balanced file DAG."""
MAX_ENTRIES: Final = 1000
"""Largest folder written as one node (Kubo shards bigger ones into a HAMT; a site
never needs that many files, so this refuses instead)."""

_RAW: Final = 0x55
_DAG_PB: Final = 0x70
_SHA2_256: Final = 0x12


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _uint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _cid(codec: int, block: bytes) -> bytes:
    return _varint(1) + _varint(codec) + bytes([_SHA2_256, 32]) + sha256(block)


def cid_string(cid: bytes) -> str:
    """A binary CID in its usual text form (multibase base32)."""
    return "b" + base64.b32encode(cid).decode("ascii").lower().rstrip("=")


@dataclass(frozen=True)
class _Node:
    cid: bytes
    tsize: int  # the block plus everything below it
    size: int  # file bytes under it (files only)


@dataclass(frozen=True)
class Car:
    """A CAR file and its root."""

    root: bytes
    data: bytes

    @property
    def root_cid(self) -> str:
        """The root CID as text, as ``ipfs dag import`` prints it."""
        return cid_string(self.root)


class _Writer:
    def __init__(self) -> None:
        self.blocks: dict[bytes, bytes] = {}

    def put(self, codec: int, block: bytes) -> bytes:
        cid = _cid(codec, block)
        self.blocks.setdefault(cid, block)
        return cid

    def pb_node(self, links: list[tuple[bytes, str, int]], data: bytes) -> tuple[bytes, int]:
        # file chunks are linked with an empty name, as Kubo and the JS importer do
        body = b"".join(
            _field(2, _field(1, cid) + _field(2, name.encode("utf-8")) + _uint_field(3, tsize))
            for cid, name, tsize in links
        ) + _field(1, data)
        return self.put(_DAG_PB, body), len(body) + sum(t for _c, _n, t in links)

    def file(self, content: bytes) -> _Node:
        if len(content) <= CHUNK_SIZE:
            return _Node(self.put(_RAW, content), len(content), len(content))
        level = [_Node(self.put(_RAW, content[i:i + CHUNK_SIZE]), n, n)
                 for i in range(0, len(content), CHUNK_SIZE)
                 for n in [len(content[i:i + CHUNK_SIZE])]]
        return self._balanced(level)

    def _balanced(self, leaves: list[_Node]) -> _Node:
        # Kubo's balanced layout: fill a node of MAX_LINKS leaves, then make the tree
        # one level deeper with that node as its first child, and so on.
        def build(start: int, depth: int) -> tuple[_Node, int]:
            if depth == 0:
                return leaves[start], start + 1
            kids: list[_Node] = []
            pos = start
            while pos < len(leaves) and len(kids) < MAX_LINKS:
                kid, pos = build(pos, depth - 1)
                kids.append(kid)
            return self._file_node(kids), pos

        depth = 1
        capacity = MAX_LINKS
        while capacity < len(leaves):
            depth += 1
            capacity *= MAX_LINKS
        node, _end = build(0, depth)
        return node

    def _file_node(self, kids: list[_Node]) -> _Node:
        size = sum(k.size for k in kids)
        data = (_uint_field(1, 2) + _uint_field(3, size)
                + b"".join(_uint_field(4, k.size) for k in kids))
        cid, tsize = self.pb_node([(k.cid, "", k.tsize) for k in kids], data)
        return _Node(cid, tsize, size)

    def folder(self, entries: Mapping[str, _Node]) -> _Node:
        if len(entries) > MAX_ENTRIES:
            raise InputError(f"a folder of more than {MAX_ENTRIES} files cannot go in a CAR here")
        links = [(entries[name].cid, name, entries[name].tsize)
                 for name in sorted(entries, key=lambda n: n.encode("utf-8"))]
        cid, tsize = self.pb_node(links, _uint_field(1, 1))
        return _Node(cid, tsize, 0)


def _tree(files: Mapping[str, bytes]) -> dict[str, object]:
    root: dict[str, object] = {}
    for path, content in files.items():
        parts = path.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise InputError(f"not a relative path inside the site: {path!r}")
        here = root
        for part in parts[:-1]:
            sub = here.setdefault(part, {})
            if not isinstance(sub, dict):
                raise InputError(f"{part!r} is both a file and a folder")
            here = sub
        if parts[-1] in here:
            raise InputError(f"{path!r} is both a file and a folder")
        here[parts[-1]] = content
    return root


def _blocks(blocks: Mapping[bytes, bytes]) -> Iterator[bytes]:
    for cid, block in blocks.items():
        yield _varint(len(cid) + len(block)) + cid + block


def car_of_folder(files: Mapping[str, bytes]) -> Car:
    """A CARv1 holding a folder: ``files`` maps relative paths (``a/b.txt``) to
    contents. Returns the CAR bytes and the folder's root CID."""
    if not files:
        raise InputError("an empty folder has nothing to publish")
    w = _Writer()

    def add(tree: dict[str, object]) -> _Node:
        entries = {name: add(sub) if isinstance(sub, dict) else w.file(sub)  # type: ignore[arg-type]
                   for name, sub in tree.items()}
        return w.folder(entries)

    root = add(_tree(files)).cid
    # DAG-CBOR header: map(2) {"roots": [tag 42 (0x00 || cid)], "version": 1},
    # keys in length-then-bytewise order.
    link = b"\x00" + root
    header = (b"\xa2" + b"\x65roots" + b"\x81" + b"\xd8\x2a" + b"\x58" + bytes([len(link)]) + link
              + b"\x67version" + b"\x01")
    data = _varint(len(header)) + header + b"".join(_blocks(w.blocks))
    return Car(root, data)
