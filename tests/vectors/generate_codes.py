"""Generate tests/vectors/codes.json: one valid code of every kind built here from
docs/spec/codes.md with hashlib/base64 only (not with samizdat's codec), and codes
every reader must refuse, each with the kind it is offered as and the kind of
refusal (``WrongCode`` when it is a good code of another kind).

Run: .venv/bin/python tests/vectors/generate_codes.py
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

KINDS = {
    "read capability": ("sz1-", b"samizdat 2026 read capability checksum v1\x00"),
    "invite": ("szi1-", b"samizdat 2026 invite checksum v1\x00"),
    "dead-drop key": ("szd1-", b"samizdat 2026 dead-drop key checksum v1\x00"),
    "committee secret": ("szc1-", b"samizdat 2026 committee secret checksum v1\x00"),
}


def code(kind: str, body: bytes, *, check: bytes | None = None, prefix: str | None = None) -> str:
    pre, context = KINDS[kind]
    chk = hashlib.sha256(context + body).digest()[:4] if check is None else check
    return (pre if prefix is None else prefix) + base64.b32encode(body + chk).decode().rstrip(
        "=").lower()


def main() -> None:
    root = bytes(range(32))
    bodies = {
        "read capability": bytes([1, 3, 10]) + root,
        "invite": bytes([1]) + bytes(range(16)) + bytes(range(100, 112))
        + (1_900_000_000).to_bytes(4, "big") + b"\x01\x7f\x00\x00\x01\x11\x51",
        "dead-drop key": bytes([1]) + root,
        "committee secret": bytes([1]) + bytes(range(50, 70)),
    }
    valid = [{"kind": k, "code": code(k, b), "body": b.hex()} for k, b in bodies.items()]
    reject = []
    for kind, body in bodies.items():
        good = code(kind, body)
        reject += [
            {"name": f"{kind}: one character changed", "as": kind, "error": "DecodeError",
             "code": good[:12] + ("a" if good[12] != "a" else "b") + good[13:]},
            {"name": f"{kind}: truncated", "as": kind, "error": "DecodeError",
             "code": good[:-2]},
            {"name": f"{kind}: bad checksum", "as": kind, "error": "DecodeError",
             "code": code(kind, body, check=b"\x00\x00\x00\x00")},
            {"name": f"{kind}: version 2", "as": kind, "error": "DecodeError",
             "code": code(kind, b"\x02" + body[1:])},
            {"name": f"{kind}: not base32", "as": kind, "error": "DecodeError",
             "code": good[:-1] + "1"},
            {"name": f"{kind}: no prefix", "as": kind, "error": "DecodeError",
             "code": good.split("-", 1)[1]},
        ]
        # another kind's body, checksummed under this kind's context, given a third
        # kind's prefix: refused as the kind its prefix says
        for other in KINDS:
            if other != kind:
                reject.append({"name": f"a {other} offered as {kind}", "as": kind,
                               "error": "WrongCode", "code": code(other, bodies[other])})
        # this kind's body with another kind's prefix: the checksum context differs
        for other, (pre, _ctx) in KINDS.items():
            if other != kind:
                reject.append({"name": f"{kind} body under the {other} prefix", "as": other,
                               "error": "DecodeError",
                               "code": code(kind, body, prefix=pre)})
    # non-canonical: the read capability's last character carries one unused bit
    cap = code("read capability", bodies["read capability"])
    last = "abcdefghijklmnopqrstuvwxyz234567".index(cap[-1])
    reject.append({"name": "read capability: non-zero padding bit", "as": "read capability",
                   "error": "DecodeError",
                   "code": cap[:-1] + "abcdefghijklmnopqrstuvwxyz234567"[last ^ 1]})
    reject.append({"name": "too long", "as": "invite", "error": "DecodeError",
                   "code": "szi1-" + "a" * 2000})
    reject.append({"name": "empty", "as": "read capability", "error": "DecodeError",
                   "code": ""})
    out = {
        "format": "samizdat hand-held codes v1 (docs/spec/codes.md)",
        "generator": "tests/vectors/generate_codes.py (independent of samizdat)",
        "valid": valid,
        "must_reject": reject,
    }
    Path(__file__).with_name("codes.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
