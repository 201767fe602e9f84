"""Writes ``envelope_package.json``: golden vectors for the package format
(``docs/spec/package.md``), the plaintext inside an envelope.

Independent of samizdat: its own canonical CBOR writer, ids with :mod:`hashlib`, the
Merkle root transcribed from RFC 6962, signatures with pyca/cryptography, and the
committee statement written from ``docs/spec/committee.md``'s layout. Run
``python tests/vectors/generate_envelope_package.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from independent import ed25519_key as key
from independent import enc, sha
from independent import mth as merkle


def main() -> None:
    title, nonce = "Appeal to all party members", bytes(range(16))
    doc = b"\x01" + enc({"title": title, "nonce": nonce})
    doc_id = sha(b"samizdat/v1/document-id\x00" + doc)
    paras = [
        "We, a group of old party members, address this appeal to all.",
        "The leadership has led the country into a dead end.",
        "Read this, copy it and pass it on.",
    ]
    leaves = [sha(b"\x00" + p.encode()) for p in paras]
    text_id = merkle(leaves)
    text_sha = sha(("\n\n".join(paras) + "\n").encode())
    version = b"\x01" + enc({"document": doc_id, "text_id": text_id, "paragraphs": len(paras),
                             "text_sha256": text_sha, "parents": []})
    vid = sha(b"samizdat/v1/version-id\x00" + version)
    author_sk, author_pk = key(bytes([7]) * 32)
    author_sig = author_sk.sign(b"samizdat/v1/author-signature\x00" + vid)
    authors = [b"\x01" + enc({"version": vid, "key": author_pk, "signature": author_sig})]
    lines = [
        "samizdat-statement: 1", f"document: {doc_id.hex()}", f"title: {title}",
        f"version: {vid.hex()}", f"text-id: {text_id.hex()}",
        f"text-sha256: {text_sha.hex()}", f"paragraphs: {len(paras)}",
        *[f"p {i} {h.hex()}" for i, h in enumerate(leaves, start=1)], "final",
    ]
    statement = ("\n".join(lines) + "\n").encode()
    group_sk, group_pk = key(bytes([9]) * 32)
    group_sig = group_sk.sign(statement)
    comment = f"samizdat final: version {vid.hex()} text-sha256 {text_sha.hex()}"
    comment_sig = group_sk.sign(group_sig + comment.encode())
    final = {"key": group_pk, "signature": group_sig, "statement": statement,
             "comment": comment, "comment_signature": comment_sig}

    def package(**over: object) -> bytes:
        body: dict[str, object] = {"doc": doc, "authors": authors, "history": [],
                                   "version": version, "committee": [final],
                                   "paragraphs": paras}
        body.update(over)
        return b"\x01" + enc(body)

    good = package()
    other_stmt = statement.replace(vid.hex().encode(), bytes(32).hex().encode())
    reject = [
        ("altered paragraph", package(paragraphs=[paras[0], paras[1] + "!", paras[2]]),
         "VerificationFailed"),
        ("forged author signature", package(authors=[b"\x01" + enc(
            {"version": vid, "key": author_pk, "signature": bytes(64)})]), "VerificationFailed"),
        ("statement for another version", package(committee=[
            {**final, "statement": other_stmt, "signature": group_sk.sign(other_stmt)}]),
         "VerificationFailed"),
        ("forged committee signature", package(committee=[{**final, "signature": bytes(64)}]),
         "VerificationFailed"),
        ("paragraph not normalized", package(paragraphs=[paras[0], paras[1] + "  ", paras[2]]),
         "DecodeError"),
        ("paragraph count differs", package(paragraphs=paras[:2]), "DecodeError"),
        ("unknown format version", b"\x02" + good[1:], "DecodeError"),
        ("truncated", good[:-1], "DecodeError"),
        ("trailing byte", good + b"\x00", "DecodeError"),
        ("extra field", b"\x01" + enc({"doc": doc, "authors": authors, "history": [],
                                      "version": version, "committee": [],
                                      "paragraphs": paras, "x": 1}), "DecodeError"),
    ]
    out = {
        "format": "samizdat package v1",
        "generator": "tests/vectors/generate_envelope_package.py (independent of samizdat)",
        "valid": [{"name": "signed final version", "package": good.hex(),
                   "document": doc_id.hex(), "version": vid.hex(),
                   "signers": [["author", author_pk.hex()], ["committee", group_pk.hex()]]}],
        "must_reject": [{"name": n, "package": p.hex(), "error": e} for n, p, e in reject],
    }
    path = Path(__file__).with_name("envelope_package.json")
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
