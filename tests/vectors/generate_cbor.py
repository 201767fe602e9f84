"""Writes ``cbor.json``: golden vectors for samizdat's canonical CBOR subset.

Valid vectors are taken from RFC 8949 Appendix A (the examples that fall inside the
subset: integers, byte and text strings, arrays, maps with sorted keys, true, false,
null), written here by hand as the RFC prints them, not produced by samizdat's
encoder. Must-reject vectors are hand-made: each breaks one rule of
``docs/spec/encoding.md``. Run ``python tests/vectors/generate_cbor.py`` to rewrite.
"""

from __future__ import annotations

import json
from pathlib import Path

# (diagnostic notation, JSON form of the decoded value, hex). Byte strings are
# written in JSON as {"bytes": hex}; maps with integer keys as {"map": [[k, v]...]}.
VALID = [
    ("0", 0, "00"),
    ("1", 1, "01"),
    ("10", 10, "0a"),
    ("23", 23, "17"),
    ("24", 24, "1818"),
    ("25", 25, "1819"),
    ("100", 100, "1864"),
    ("1000", 1000, "1903e8"),
    ("1000000", 1000000, "1a000f4240"),
    ("1000000000000", 1000000000000, "1b000000e8d4a51000"),
    ("18446744073709551615", 18446744073709551615, "1bffffffffffffffff"),
    ("-18446744073709551616", -18446744073709551616, "3bffffffffffffffff"),
    ("-1", -1, "20"),
    ("-10", -10, "29"),
    ("-100", -100, "3863"),
    ("-1000", -1000, "3903e7"),
    ("false", False, "f4"),
    ("true", True, "f5"),
    ("null", None, "f6"),
    ("h''", {"bytes": ""}, "40"),
    ("h'01020304'", {"bytes": "01020304"}, "4401020304"),
    ('""', "", "60"),
    ('"a"', "a", "6161"),
    ('"IETF"', "IETF", "6449455446"),
    ('"\\"\\\\"', "\"\\", "62225c"),
    ('"\\u00fc"', "\u00fc", "62c3bc"),
    ('"\\u6c34"', "\u6c34", "63e6b0b4"),
    ('"\\ud800\\udd51"', "\U00010151", "64f0908591"),
    ("[]", [], "80"),
    ("[1, 2, 3]", [1, 2, 3], "83010203"),
    ("[1, [2, 3], [4, 5]]", [1, [2, 3], [4, 5]], "8301820203820405"),
    ("[1, ..., 25]", list(range(1, 26)),
     "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ("{}", {}, "a0"),
    ("{1: 2, 3: 4}", {"map": [[1, 2], [3, 4]]}, "a201020304"),
    ('{"a": 1, "b": [2, 3]}', {"a": 1, "b": [2, 3]}, "a26161016162820203"),
    ('["a", {"b": "c"}]', ["a", {"b": "c"}], "826161a161626163"),
    ('{"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}',
     {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"},
     "a56161614161626142616361436164614461656145"),
    # shorter keys sort first (bytewise order of encodings: length is in the head)
    ('{"z": 1, "aa": 2}', {"z": 1, "aa": 2}, "a2617a0162616102"),
    # integer keys (major 0/1) sort before text keys (major 3)
    ('{0: 1, -1: 2, "a": 3}', {"map": [[0, 1], [-1, 2], ["a", 3]]}, "a3000120026161" + "03"),
]

MUST_REJECT = [
    ("", "empty input"),
    ("18", "truncated: integer head without its byte"),
    ("1817", "integer 23 not in shortest form"),
    ("190017", "integer 23 in two bytes"),
    ("1a000000ff", "integer 255 in four bytes"),
    ("1b00000000ffffffff", "integer 2^32-1 in eight bytes"),
    ("3817", "negative integer not in shortest form"),
    ("5801ff", "byte string length not in shortest form"),
    ("44010203", "truncated byte string"),
    ("62c3", "truncated text string"),
    ("62c328", "invalid UTF-8 in a text string"),
    ("63eda080", "UTF-8 encoded surrogate"),
    ("83010203ff", "trailing byte after the value"),
    ("0000", "two values"),
    ("9f0102ff", "indefinite-length array"),
    ("5f4101ff", "indefinite-length byte string"),
    ("bf616101ff", "indefinite-length map"),
    ("f93c00", "half-precision float"),
    ("fa47c35000", "single-precision float"),
    ("fb3ff199999999999a", "double-precision float"),
    ("f7", "undefined"),
    ("f0", "simple value 16"),
    ("f818", "simple value in one extra byte"),
    ("c11a514b67b0", "tag 1 (epoch time)"),
    ("d82076687474703a2f2f7777772e6578616d706c652e636f6d", "tag 32 (URI)"),
    ("a26162016161 02", "map keys not sorted"),
    ("a2616101616102", "repeated map key"),
    ("a2026161 016162", "integer keys out of order"),
    ("a2616101 0002", "text key before an integer key"),
    ("a1f401", "map key false"),
    ("a14001", "map key byte string"),
    ("a1800102", "map key array"),
    ("9b00000000ffffffff", "array claims 2^32-1 items"),
    ("bb00000000ffffffff", "map claims 2^32-1 pairs"),
    ("5b7fffffffffffffff", "byte string claims 2^63-1 bytes"),
    ("81" * 40 + "00", "nesting deeper than 16"),
    ("1c", "reserved additional information 28"),
    ("1f", "indefinite length on an integer"),
]


def main() -> None:
    out = {
        "format": "samizdat canonical CBOR (docs/spec/encoding.md)",
        "generator": "tests/vectors/generate_cbor.py",
        "valid": [{"diag": d, "value": v, "hex": h} for d, v, h in VALID],
        "must_reject": [{"hex": h.replace(" ", ""), "why": w} for h, w in MUST_REJECT],
    }
    path = Path(__file__).with_name("cbor.json")
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
