"""Generate ``committee.json``: golden vectors for the committee's byte formats
(statement v1, minisign public key file, DKG round-1 message v1, sealed message
file v1 with its committee secret code), valid and must-reject. Deterministic: run
``python tests/vectors/generate_committee.py`` from the checkout and the file comes
out byte-identical.

Kept apart from the tests, which only read the JSON.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from samizdat.core import cbor, dkg
from samizdat.core import committee_wire as wire
from samizdat.core import statement as stm
from samizdat.core.crypto import Aead
from samizdat.core.merkle import merkle_root
from samizdat.core.text import normalize


def det_rng(seed: bytes):  # type: ignore[no-untyped-def]
    counter = [0]

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += hashlib.sha512(seed + counter[0].to_bytes(8, "big")).digest()
            counter[0] += 1
        return out[:n]

    return rng


def statements() -> dict[str, object]:
    t = normalize("First paragraph.\n\nSecond   one,\nwrapped.\n")
    s = stm.Statement(
        document=hashlib.sha256(b"doc").digest(), title="To all members \\ of the party",
        version=hashlib.sha256(b"ver").digest(), text_id=merkle_root(t.leaf_hashes),
        text_sha256=hashlib.sha256(t.to_bytes()).digest(), paragraph_hashes=t.leaf_hashes,
    )
    good = s.encode()
    text = good.decode()
    rejects = {
        "truncated": good[:-7],
        "no final newline": good[:-1],
        "version 2": good.replace(b"samizdat-statement: 1", b"samizdat-statement: 2"),
        "count does not match": good.replace(b"paragraphs: 2", b"paragraphs: 3"),
        "leading zero in count": good.replace(b"paragraphs: 2", b"paragraphs: 02"),
        "upper-case hex": text.replace(s.version.hex(), s.version.hex().upper()).encode(),
        "paragraph hash does not give text id": text.replace(
            t.leaf_hashes[0].hex(), "00" * 32).encode(),
        "non-canonical title escape": text.replace("\\\\", "\\u005c").encode(),
        "raw tab in title": text.replace("members", "mem\tbers").encode(),
        "CRLF line ends": good.replace(b"\n", b"\r\n"),
        "not UTF-8": good.replace(b"To all", b"To \xff"),
        "missing final line": good.replace(b"final\n", b""),
    }
    return {
        "valid": [{
            "document": s.document.hex(), "title": s.title, "version": s.version.hex(),
            "text_id": s.text_id.hex(), "text_sha256": s.text_sha256.hex(),
            "paragraph_hashes": [h.hex() for h in s.paragraph_hashes], "encoded": text,
        }],
        "reject": [{"why": k, "hex": v.hex()} for k, v in rejects.items()],
    }


def public_keys(group_key: bytes) -> dict[str, object]:
    good = stm.minisign_public_key(group_key)
    lines = good.split("\n")
    import base64

    blob = base64.b64decode(lines[1])
    rejects = {
        "key id of another key": lines[0] + "\n" + base64.b64encode(
            blob[:2] + bytes(8) + blob[10:]).decode() + "\n",
        "prehashed algorithm ED": lines[0] + "\n" + base64.b64encode(
            b"ED" + blob[2:]).decode() + "\n",
        "truncated key": lines[0] + "\n" + base64.b64encode(blob[:-1]).decode() + "\n",
        "no comment line": lines[1] + "\n",
        "bad base64": lines[0] + "\n" + lines[1][:-2] + "!!\n",
    }
    return {
        "valid": [{"group_key": group_key.hex(), "file": good,
                   "key_id": stm.minisign_key_id(group_key).hex()}],
        "reject": [{"why": k, "hex": v.encode().hex()} for k, v in rejects.items()],
    }


def round1() -> tuple[dict[str, object], bytes]:
    ctx = dkg.committee_context("vectors", 3, 2)
    state = dkg.round1(ctx, 3, 2, 2, det_rng(b"round1"))
    good = state.message
    body = cbor.decode(good[5:])
    assert isinstance(body, dict)

    def with_body(**changes: object) -> bytes:
        b = dict(body)
        for k, v in changes.items():
            if v is None:
                b.pop(k)
            else:
                b[k] = v  # type: ignore[assignment]
        return good[:5] + cbor.encode(b)  # type: ignore[arg-type]

    commitments = body["c"]
    assert isinstance(commitments, list)
    rejects = {
        "truncated": good[:-1],
        "wrong magic": b"SZCX" + good[4:],
        "version 2": good[:4] + b"\x02" + good[5:],
        "trailing byte": good + b"\x00",
        "kind dkg2": with_body(t="dkg2"),
        "unknown field": with_body(zz=1),
        "missing proof": with_body(mu=None),
        "index above n": with_body(i=4),
        "k above n": with_body(k=4),
        "one commitment short": with_body(c=commitments[:1]),
        "identity commitment": with_body(c=[b"\x01" + bytes(31), commitments[1]]),
        "scalar not reduced": with_body(mu=b"\xff" * 32),
        "short enc key": with_body(x=bytes(31)),
    }
    m = dkg.Round1Message.decode(good)
    return {
        "valid": [{"hex": good.hex(), "context": ctx.hex(), "n": 3, "k": 2, "index": 2,
                   "enc_key": m.enc_key.hex(), "commitments": [c.hex() for c in m.commitments]}],
        "reject": [{"why": k, "hex": v.hex()} for k, v in rejects.items()],
    }, state.encode()


def sealed(frame: bytes) -> dict[str, object]:
    secret = wire.CommitteeSecret.generate(det_rng(b"committee secret"))
    key = wire.seal_key(secret)
    nonce = det_rng(b"seal nonce")(wire.SEAL_NONCE_BYTES)
    good = wire.seal(key, frame, lambda n: nonce)
    assert wire.unseal(key, good) == frame

    def raw_seal(plain: bytes) -> bytes:  # a well-authenticated but malformed inside
        return nonce + Aead(key).encrypt(nonce, plain, wire.SEAL_AAD)

    size = len(good) - wire.SEAL_NONCE_BYTES - wire.SEAL_TAG_BYTES
    head = len(frame).to_bytes(4, "big") + frame
    other = wire.CommitteeSecret.generate(det_rng(b"another committee"))
    flipped = bytearray(good)
    flipped[100] ^= 0x01
    rejects = {
        "another committee secret": wire.seal(wire.seal_key(other), frame, lambda n: nonce),
        "one bit flipped": bytes(flipped),
        "tag truncated": good[:-1],
        "extra byte": good + b"\x00",
        "plaintext frame": frame,
        "non-zero padding": raw_seal(head + b"\x01" + bytes(size - len(head) - 1)),
        "length beyond the plaintext": raw_seal(
            (size).to_bytes(4, "big") + frame + bytes(size - len(head))),
        "padding not the Padme size": raw_seal(head + bytes(size - len(head) + 256)),
    }
    return {
        "valid": [{"secret": secret.danger_real_secret_string(), "key": key.hex(),
                   "nonce": nonce.hex(), "frame": frame.hex(), "hex": good.hex()}],
        "reject": [{"why": k, "secret": secret.danger_real_secret_string(), "hex": v.hex()}
                   for k, v in rejects.items()],
    }


def main() -> None:
    keys = [dkg.round1(dkg.committee_context("v", 2, 1), 2, 1, 1, det_rng(b"gk")).message]
    group_key = dkg.Round1Message.decode(keys[0]).commitments[0]
    r1, _ = round1()
    out = {
        "comment": "samizdat committee formats; generated by generate_committee.py",
        "statement_v1": statements(),
        "minisign_public_key": public_keys(group_key),
        "dkg1_v1": r1,
        "sealed_v1": sealed(bytes.fromhex(str(r1["valid"][0]["hex"]))),  # type: ignore[index]
    }
    path = Path(__file__).with_name("committee.json")
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
