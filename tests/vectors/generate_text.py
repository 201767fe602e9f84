"""Writes ``text.json``: golden vectors for text normalization (``docs/spec/text.md``).

Each valid case pairs raw input with the paragraphs a person applying the spec by
hand expects; they are written here, not computed by samizdat. The hashes are
computed with :mod:`hashlib` and a direct transcription of RFC 6962, independent of
``samizdat.core``. Must-reject cases are raw bytes with the reason they are refused.
Run ``python tests/vectors/generate_text.py`` to rewrite the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from independent import mth, sha

VALID: list[tuple[str, str, list[str]]] = [
    ("one word", "samizdat", ["samizdat"]),
    ("final newline and no newline agree", "a\n", ["a"]),
    ("wrapped lines join with one space",
     "Workers of the\nworld, unite!\n", ["Workers of the world, unite!"]),
    ("runs of spaces and tabs fold", "a  b\t\tc \t d", ["a b c d"]),
    ("leading and trailing whitespace dropped", "   a b   \n", ["a b"]),
    ("blank line splits paragraphs", "one\n\ntwo\n", ["one", "two"]),
    ("runs of blank lines are one break", "one\n\n\n\n\ntwo", ["one", "two"]),
    ("whitespace-only lines are blank", "one\n \t \n\u00a0\ntwo", ["one", "two"]),
    ("CRLF line ends", "one\r\ntwo\r\n\r\nthree\r\n", ["one two", "three"]),
    ("lone CR line ends", "one\rtwo\r\rthree\r", ["one two", "three"]),
    ("BOM dropped", "\ufeffHello", ["Hello"]),
    ("NFD becomes NFC", "Cafe\u0301 Zu\u0308rich", ["Caf\u00e9 Z\u00fcrich"]),
    ("Cyrillic short i composed", "\u0438\u0306", ["\u0439"]),
    ("NBSP and Unicode spaces fold", "a\u00a0b\u2003c\u3000d\u202fe", ["a b c d e"]),
    ("soft hyphen dropped", "propa\u00adganda", ["propaganda"]),
    ("zero-width characters dropped", "a\u200bb\u200cc\u200dd\u2060e", ["abcde"]),
    ("bidi controls dropped", "\u202bright\u202c \u200eleft\u200f", ["right left"]),
    ("tag characters dropped", "flag\U000e0067\U000e0062\U000e007f", ["flag"]),
    ("typographic quotes kept", "\u201cno\u201d \u2018yes\u2019 \u00abnet\u00bb",
     ["\u201cno\u201d \u2018yes\u2019 \u00abnet\u00bb"]),
    ("dashes and ellipsis kept", "a \u2014 b \u2013 c\u2026", ["a \u2014 b \u2013 c\u2026"]),
    ("ligature kept (no NFKC)", "\ufb01ne", ["\ufb01ne"]),
    ("line-end hyphen kept", "exam-\nple", ["exam- ple"]),
    ("NEL and LINE SEPARATOR wrap", "a\x85b\u2028c", ["a b c"]),
    ("PARAGRAPH SEPARATOR splits", "a\u2029b", ["a", "b"]),
    ("form feed line is blank", "page one\n\f\npage two", ["page one", "page two"]),
    ("vertical tab is a space", "a\vb", ["a b"]),
    ("line of invisibles is blank", "a\n\u200b\u00ad\nb", ["a", "b"]),
    ("combining mark after a space stays", "a \u0301b", ["a \u0301b"]),
    ("private use and emoji kept", "\ue000 \U0001f4dc", ["\ue000 \U0001f4dc"]),
]

MUST_REJECT: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "empty"),
    ("only whitespace", b" \n\t\r\n", "empty"),
    ("only invisibles", "\ufeff\u200b\n\u00ad".encode(), "empty"),
    ("NUL byte", b"text\x00more", "NUL"),
    ("ESC control character", b"a\x1b[31mred", "control character"),
    ("DEL", b"a\x7f", "control character"),
    ("C1 control", "a\u0090".encode(), "control character"),
    ("Latin-1, not UTF-8", b"caf\xe9", "not UTF-8"),
    ("UTF-16 with BOM", "hi".encode("utf-16"), "not UTF-8"),
    ("overlong UTF-8", b"\xc0\xaf", "not UTF-8"),
    ("UTF-8 surrogate", b"\xed\xa0\x80", "not UTF-8"),
    ("truncated multibyte character", "\u00e9".encode()[:1], "ends inside a character"),
    ("a paragraph over 1 MiB", (b"word " * 220_000), "paragraph is larger"),
]


def main() -> None:
    valid = []
    for name, raw, paras in VALID:
        leaves = [sha(b"\x00" + p.encode()) for p in paras]
        normalized = ("\n\n".join(paras) + "\n").encode()
        valid.append({
            "name": name, "input_utf8_hex": raw.encode().hex(), "paragraphs": paras,
            "leaf_hashes": [h.hex() for h in leaves], "text_id": mth(leaves).hex(),
            "normalized_hex": normalized.hex(), "text_sha256": sha(normalized).hex(),
        })
    reject = []
    for name, data, why in MUST_REJECT:
        if len(data) > 4096:  # keep the file small: describe big inputs by repetition
            unit = b"word "
            assert data == unit * (len(data) // len(unit))
            reject.append({"name": name, "repeat_hex": unit.hex(),
                           "times": len(data) // len(unit), "error": why})
        else:
            reject.append({"name": name, "input_hex": data.hex(), "error": why})
    out = {
        "format": "samizdat text normalization (docs/spec/text.md)",
        "generator": "tests/vectors/generate_text.py",
        "valid": valid,
        "must_reject": reject,
    }
    path = Path(__file__).with_name("text.json")
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
