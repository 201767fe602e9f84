"""Writes ``versions.json``: golden vectors for documents, versions and author
signatures (``docs/spec/versions.md``).

Kept apart from the code under test on purpose: the encodings are built with the
twenty-line CBOR writer of `independent.py`, the ids with :mod:`hashlib`, the Merkle root with
a direct transcription of RFC 6962, and the signatures with pyca/cryptography
(samizdat signs with libsodium). Run ``python tests/vectors/generate_versions.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from independent import ed25519_key, enc, mth, sha

DOC_TAG = b"samizdat/v1/document-id\x00"
VER_TAG = b"samizdat/v1/version-id\x00"
SIG_CTX = b"samizdat/v1/author-signature\x00"

TITLE = "Appeal to all members of the party"
NONCE = bytes(range(16))
DRAFT = ["To all members of the party.", "The leadership has led the country into a crisis."]
FINAL = [*DRAFT, "Read it, copy it, pass it on."]
# a revision made under text model 2 (docs/spec/text.md): Persian with its ZWNJ kept
MODEL2 = [*FINAL, "\u062e\u0648\u0627\u0633\u062a\u0647\u200c\u0647\u0627"]
SEED = bytes(range(32, 64))


def text_fields(paras: list[str]) -> dict[str, object]:
    leaves = [sha(b"\x00" + p.encode()) for p in paras]
    normalized = ("\n\n".join(paras) + "\n").encode()
    return {"text_id": mth(leaves), "paragraphs": len(paras), "text_sha256": sha(normalized)}


def main() -> None:
    doc_body = {"title": TITLE, "nonce": NONCE}
    doc_enc = b"\x01" + enc(doc_body)
    doc_id = sha(DOC_TAG + doc_enc)

    v1_body = {"document": doc_id, **text_fields(DRAFT), "parents": []}
    v1_enc = b"\x01" + enc(v1_body)
    v1_id = sha(VER_TAG + v1_enc)
    other = sha(b"a parallel draft")
    v2_body = {"document": doc_id, **text_fields(FINAL), "parents": sorted([v1_id, other])}
    v2_enc = b"\x01" + enc(v2_body)
    v2_id = sha(VER_TAG + v2_enc)

    # text model 2: version byte 0x02 and a "text_model" field
    v3_body = {"document": doc_id, **text_fields(MODEL2), "parents": [v2_id], "text_model": 2}
    v3_enc = b"\x02" + enc(v3_body)
    v3_id = sha(VER_TAG + v3_enc)

    def model2_variant(byte: bytes = b"\x02", **changes: object) -> str:
        body = dict(v3_body)
        body.update(changes)
        return (byte + enc({k: v for k, v in body.items() if v is not None})).hex()

    key, pub = ed25519_key(SEED)
    sig = key.sign(SIG_CTX + v2_id)
    sig_enc = b"\x01" + enc({"version": v2_id, "key": pub, "signature": sig})

    def version_variant(**changes: object) -> str:
        body = dict(v1_body)
        body.update(changes)
        return (b"\x01" + enc({k: v for k, v in body.items() if v is not None})).hex()

    must_reject = [
        {"kind": "document", "hex": "", "why": "empty"},
        {"kind": "document", "hex": "02" + doc_enc[1:].hex(), "why": "unknown version byte"},
        {"kind": "document", "hex": doc_enc.hex() + "00", "why": "trailing byte"},
        {"kind": "document", "hex": doc_enc[:-1].hex(), "why": "truncated"},
        {"kind": "document", "hex": (b"\x01" + enc({"title": TITLE, "nonce": NONCE[:15]})).hex(),
         "why": "nonce of 15 bytes"},
        {"kind": "document", "hex": (b"\x01" + enc({"title": " Appeal", "nonce": NONCE})).hex(),
         "why": "title not in canonical form (leading space)"},
        {"kind": "document", "hex": (b"\x01" + enc({"title": "", "nonce": NONCE})).hex(),
         "why": "empty title"},
        {"kind": "document", "hex": (b"\x01" + enc({"title": TITLE})).hex(),
         "why": "missing field"},
        {"kind": "document",
         "hex": (b"\x01" + enc({"title": TITLE, "nonce": NONCE, "x": 1})).hex(),
         "why": "extra field"},
        {"kind": "document", "hex": "01" + enc([TITLE, NONCE]).hex(), "why": "array, not map"},
        {"kind": "version", "hex": version_variant(paragraphs=0), "why": "zero paragraphs"},
        {"kind": "version", "hex": version_variant(document=doc_id[:31]),
         "why": "document id of 31 bytes"},
        {"kind": "version", "hex": version_variant(parents=[v1_id, v1_id]),
         "why": "repeated parent"},
        {"kind": "version", "hex": version_variant(parents=sorted([v1_id, other])[::-1]),
         "why": "parents not sorted"},
        {"kind": "version", "hex": version_variant(parents=[other] * 1 + [b"x"]),
         "why": "parent that is not a 32-byte id"},
        {"kind": "version", "hex": version_variant(parents=[sha(bytes([i])) for i in range(65)]),
         "why": "more than 64 parents"},
        {"kind": "version", "hex": version_variant(text_sha256=None), "why": "missing field"},
        {"kind": "version", "hex": version_variant(paragraphs="2"), "why": "count as text"},
        {"kind": "version",
         "hex": v1_enc.hex().replace("6a7061726167726170687302", "6a706172616772617068731802"),
         "why": "count not in shortest form"},
        {"kind": "version", "hex": "01f5", "why": "not a map"},
        {"kind": "version", "hex": model2_variant(text_model=1),
         "why": "text model 1 in the model-2 format (one version, one encoding)"},
        {"kind": "version", "hex": model2_variant(text_model=3), "why": "unknown text model"},
        {"kind": "version", "hex": model2_variant(text_model="2"), "why": "model as text"},
        {"kind": "version", "hex": model2_variant(text_model=None),
         "why": "format 2 without a text model"},
        {"kind": "version", "hex": model2_variant(b"\x01"),
         "why": "format 1 with a text model"},
        {"kind": "version", "hex": model2_variant(b"\x03"), "why": "unknown version byte"},
        {"kind": "version", "hex": "01" + "ff" * 9000, "why": "oversized"},
        {"kind": "author_signature", "hex": sig_enc[:-5].hex(), "why": "truncated"},
        {"kind": "author_signature",
         "hex": (b"\x01" + enc({"version": v2_id, "key": pub, "signature": sig[:63]})).hex(),
         "why": "signature of 63 bytes"},
    ]

    out = {
        "format": "samizdat documents, versions, author signatures (docs/spec/versions.md)",
        "generator": "tests/vectors/generate_versions.py",
        "document": {"title": TITLE, "nonce": NONCE.hex(), "encoding": doc_enc.hex(),
                     "document_id": doc_id.hex()},
        "versions": [
            {"paragraphs_text": DRAFT, "encoding": v1_enc.hex(), "version_id": v1_id.hex(),
             "text_id": v1_body["text_id"].hex(),  # type: ignore[union-attr]
             "text_sha256": v1_body["text_sha256"].hex(),  # type: ignore[union-attr]
             "parents": [], "text_model": 1},
            {"paragraphs_text": FINAL, "encoding": v2_enc.hex(), "version_id": v2_id.hex(),
             "text_id": v2_body["text_id"].hex(),  # type: ignore[union-attr]
             "text_sha256": v2_body["text_sha256"].hex(),  # type: ignore[union-attr]
             "parents": [p.hex() for p in v2_body["parents"]],  # type: ignore[attr-defined]
             "text_model": 1},
            {"paragraphs_text": MODEL2, "encoding": v3_enc.hex(), "version_id": v3_id.hex(),
             "text_id": v3_body["text_id"].hex(),  # type: ignore[union-attr]
             "text_sha256": v3_body["text_sha256"].hex(),  # type: ignore[union-attr]
             "parents": [v2_id.hex()], "text_model": 2},
        ],
        "author_signature": {"seed": SEED.hex(), "public_key": pub.hex(),
                             "version_id": v2_id.hex(),
                             "message": (SIG_CTX + v2_id).hex(), "signature": sig.hex(),
                             "encoding": sig_enc.hex()},
        "must_reject": must_reject,
    }
    path = Path(__file__).with_name("versions.json")
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
