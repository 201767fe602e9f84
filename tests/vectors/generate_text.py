"""Writes ``text.json``: golden vectors for text normalization (``docs/spec/text.md``).

Each valid case pairs raw input with the text model and the paragraphs a person
applying that model's rules by hand expects; they are written here, not computed
by samizdat. Cases in ``VALID`` hold under both models; ``MODEL_1_ONLY`` and
``MODEL_2`` are where the models differ or model 2 adds rules (joiners, line ends
in scripts written without spaces), in Russian, Persian, Arabic, Hebrew, Chinese,
Japanese, Hindi, Thai, Burmese, Lao, Khmer and Korean. The hashes are
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
    # canonical order: the 16 marks of class 220 go before the 16 of class 230, then
    # the first acute composes with e (nothing of class >= 230 between them)
    ("a long paragraph with a long run of mixed combining marks",
     "a" * 1100 + "e" + "\u0301\u0316" * 16,
     ["a" * 1100 + "\u00e9" + "\u0316" * 16 + "\u0301" * 15]),
]

MODEL_1_ONLY: list[tuple[str, str, list[str]]] = [
    ("zero-width characters dropped", "a\u200bb\u200cc\u200dd\u2060e", ["abcde"]),
    ("Persian ZWNJ dropped (the misspelling model 2 fixes)",
     "\u062e\u0648\u0627\u0633\u062a\u0647\u200c\u0647\u0627",
     ["\u062e\u0648\u0627\u0633\u062a\u0647\u0647\u0627"]),
    ("Chinese line end becomes a space", "\u9886\u5bfc\n\u5c42", ["\u9886\u5bfc \u5c42"]),
]

ZWNJ, ZWJ = "\u200c", "\u200d"
PERSIAN_WORD = "\u062e\u0648\u0627\u0633\u062a\u0647" + ZWNJ + "\u0647\u0627"  # خواسته‌ها
MODEL_2: list[tuple[str, str, list[str]]] = [
    # joiners
    ("zero-width space and word joiner dropped, joiners kept",
     "a\u200bb\u200cc\u200dd\u2060e", ["ab\u200cc\u200dde"]),
    ("Persian keeps its ZWNJ", PERSIAN_WORD, [PERSIAN_WORD]),
    ("Persian wrapped lines, ZWNJ inside a word kept",
     "\u0645\u06cc" + ZWNJ + "\u062e\u0648\u0627\u0647\u0645\n\u0628\u0631\u0648\u0645",
     ["\u0645\u06cc" + ZWNJ + "\u062e\u0648\u0627\u0647\u0645 \u0628\u0631\u0648\u0645"]),
    ("a run of ZWNJ collapses to one",
     "\u062e\u0648\u0627\u0633\u062a\u0647" + ZWNJ * 3 + "\u0647\u0627", [PERSIAN_WORD]),
    ("a mixed run of joiners becomes its first", "a" + ZWJ + ZWNJ + ZWJ + "b", ["a" + ZWJ + "b"]),
    ("joiner next to a space dropped",
     "\u06a9\u062a\u0627\u0628 " + ZWNJ + "\u0647\u0627 " + ZWNJ,
     ["\u06a9\u062a\u0627\u0628 \u0647\u0627"]),
    ("joiner next to a line end dropped (the line end is a space)",
     "\u062e\u0648\u0627\u0633\u062a\u0647" + ZWNJ + "\n\u0647\u0627",
     ["\u062e\u0648\u0627\u0633\u062a\u0647 \u0647\u0627"]),
    ("joiners at paragraph edges dropped", ZWNJ + "abc" + ZWJ + "\n\n" + ZWJ + ZWNJ + "d",
     ["abc", "d"]),
    ("line holding only joiners is blank", "a\n" + ZWNJ + ZWJ + "\nb", ["a", "b"]),
    ("joiner after an invisible that is dropped", "a\u00ad" + ZWNJ + "\u200bb", ["a" + ZWNJ + "b"]),
    ("Persian bidi marks still dropped", "\u200f\u0633\u0644\u0627\u0645\u200e\u061c",
     ["\u0633\u0644\u0627\u0645"]),
    ("bidi override still dropped (spoofing)", "\u202eevil\u202c \u2067x\u2069", ["evil x"]),
    ("Devanagari half form with ZWJ after virama",
     "\u0915\u094d" + ZWJ + "\u0937", ["\u0915\u094d" + ZWJ + "\u0937"]),
    ("Devanagari explicit virama with ZWNJ",
     "\u0915\u094d" + ZWNJ + "\u0937", ["\u0915\u094d" + ZWNJ + "\u0937"]),
    ("Marathi eyelash ra: ZWJ before virama",
     "\u0930" + ZWJ + "\u094d\u092f", ["\u0930" + ZWJ + "\u094d\u092f"]),
    ("emoji ZWJ sequence kept", "\U0001f469" + ZWJ + "\U0001f4bb",
     ["\U0001f469" + ZWJ + "\U0001f4bb"]),
    ("joiner in Cyrillic kept too (a copy with one more is a change)",
     "\u043f\u0440\u043e" + ZWNJ + "\u0447\u0442\u0438",
     ["\u043f\u0440\u043e" + ZWNJ + "\u0447\u0442\u0438"]),
    # line ends in scripts written without spaces
    ("Chinese line end joins without a space",
     "\u9886\u5bfc\u5c42\u628a\u56fd\u5bb6\n\u5e26\u5165\u4e86\u5371\u673a\u3002",
     ["\u9886\u5bfc\u5c42\u628a\u56fd\u5bb6\u5e26\u5165\u4e86\u5371\u673a\u3002"]),
    ("Chinese after fullwidth punctuation and around quotes and ellipsis",
     "\u4ed6\u8bf4\uff1a\n\u201c\u6211\u4eec\u5fc5\u987b\u56e2\u7ed3\u2026\u2026\u201d\n"
     "\u4ed6\u4eec\n\u90fd\u540c\u610f\u3002",
     ["\u4ed6\u8bf4\uff1a\u201c\u6211\u4eec\u5fc5\u987b\u56e2\u7ed3\u2026\u2026\u201d"
      "\u4ed6\u4eec\u90fd\u540c\u610f\u3002"]),
    ("Chinese between closing and opening quotes",
     "\u597d\u3002\u201d\n\u201c\u4e0d", ["\u597d\u3002\u201d\u201c\u4e0d"]),
    ("Chinese: a space typed before the line end stays one space",
     "\u9886\u5bfc \n\u5c42", ["\u9886\u5bfc \u5c42"]),
    ("Chinese: blank line still separates paragraphs",
     "\u9886\u5bfc\n\n\u5c42", ["\u9886\u5bfc", "\u5c42"]),
    ("Chinese: ideographic space indent dropped", "\u3000\u3000\u7b2c\u4e00\u6bb5",
     ["\u7b2c\u4e00\u6bb5"]),
    ("Chinese next to Latin: the line end is a space",
     "\u4f7f\u7528\nPython\n\u7f16\u7a0b", ["\u4f7f\u7528 Python \u7f16\u7a0b"]),
    ("Chinese next to digits: the line end is a space (as in CSS)",
     "2024\n\u5e74", ["2024 \u5e74"]),
    ("quote after Latin: the line end is a space", "word\n\u201c\u4e2d",
     ["word \u201c\u4e2d"]),
    ("Japanese kana, kanji and brackets join",
     "\u65e5\u672c\u8a9e\u306e\n\u30c6\u30ad\u30b9\u30c8\u3001\n\u300c\u5f15\u7528\u300d"
     "\u3067\u3059\u3002",
     ["\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3001\u300c\u5f15\u7528\u300d"
      "\u3067\u3059\u3002"]),
    ("Japanese voiced mark split over a line end composes", "\u304b\n\u3099", ["\u304c"]),
    ("Japanese halfwidth katakana join, not folded (no NFKC)",
     "\uff76\uff80\n\uff76\uff85", ["\uff76\uff80\uff76\uff85"]),
    ("Thai line end joins", "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22\n\u0e40\u0e1b\u0e47\u0e19",
     ["\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22\u0e40\u0e1b\u0e47\u0e19"]),
    ("Thai: a space before the line end stays",
     "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 \n\u0e04\u0e23\u0e31\u0e1a",
     ["\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 \u0e04\u0e23\u0e31\u0e1a"]),
    ("Burmese line end joins",
     "\u1019\u103c\u1014\u103a\u1019\u102c\n\u1005\u102c\u104b",
     ["\u1019\u103c\u1014\u103a\u1019\u102c\u1005\u102c\u104b"]),
    ("Lao line end joins", "\u0e9e\u0eb2\u0eaa\u0eb2\n\u0ea5\u0eb2\u0ea7",
     ["\u0e9e\u0eb2\u0eaa\u0eb2\u0ea5\u0eb2\u0ea7"]),
    ("Khmer line end joins", "\u1797\u17b6\u179f\u17b6\n\u1781\u17d2\u1798\u17c2\u179a",
     ["\u1797\u17b6\u179f\u17b6\u1781\u17d2\u1798\u17c2\u179a"]),
    ("Korean is written with spaces: the line end is a space",
     "\ud55c\uad6d\uc5b4\n\ubb38\uc7a5", ["\ud55c\uad6d\uc5b4 \ubb38\uc7a5"]),
    ("Hindi line end is a space",
     "\u0928\u092e\u0938\u094d\u0924\u0947\n\u0926\u0941\u0928\u093f\u092f\u093e",
     ["\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e"]),
    ("Hindi nukta letter stays decomposed (composition exclusion)", "\u0958",
     ["\u0915\u093c"]),
    ("Russian wrapped, decomposed short i composed",
     "\u0420\u0443\u043a\u043e\u0432\u043e\u0434\u0441\u0442\u0432\u043e\n\u0438\u0306",
     ["\u0420\u0443\u043a\u043e\u0432\u043e\u0434\u0441\u0442\u0432\u043e \u0439"]),
    ("Arabic harakat put in canonical order (shadda after fatha)",
     "\u0625\u0646\u0651\u064e\n\u0627\u0644\u0644\u0647",
     ["\u0625\u0646\u064e\u0651 \u0627\u0644\u0644\u0647"]),
    ("Arabic presentation-form ligature kept (no NFKC)", "\ufefb", ["\ufefb"]),
    ("Hebrew points put in canonical order, RLM dropped",
     "\u200f\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd\n\u05e2\u05d5\u05dc\u05dd",
     ["\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd \u05e2\u05d5\u05dc\u05dd"]),
    ("mixed scripts in one paragraph",
     "Samizdat \u0441\u0430\u043c\u0438\u0437\u0434\u0430\u0442 \u5730\u4e0b\u51fa\u7248\n"
     + PERSIAN_WORD + "\n\u05e2\u05d1\u05e8\u05d9\u05ea",
     ["Samizdat \u0441\u0430\u043c\u0438\u0437\u0434\u0430\u0442 \u5730\u4e0b\u51fa\u7248 "
      + PERSIAN_WORD + " \u05e2\u05d1\u05e8\u05d9\u05ea"]),
    ("a text of combining marks only is kept as it is", "\u0301\u0316", ["\u0316\u0301"]),
    ("title-like line with CRLF in Chinese", "\u6807\r\n\u9898", ["\u6807\u9898"]),
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
    cases = [(1, *c) for c in VALID + MODEL_1_ONLY] + [(2, *c) for c in VALID + MODEL_2]
    valid = []
    for model, name, raw, paras in cases:
        leaves = [sha(b"\x00" + p.encode()) for p in paras]
        normalized = ("\n\n".join(paras) + "\n").encode()
        valid.append({
            "name": name, "model": model, "input_utf8_hex": raw.encode().hex(),
            "paragraphs": paras,
            "leaf_hashes": [h.hex() for h in leaves], "text_id": mth(leaves).hex(),
            "normalized_hex": normalized.hex(), "text_sha256": sha(normalized).hex(),
        })
    reject = []
    for model in (1, 2):
        for name, data, why in MUST_REJECT:
            if len(data) > 4096:  # keep the file small: describe big inputs by repetition
                unit = b"word "
                assert data == unit * (len(data) // len(unit))
                reject.append({"name": name, "model": model, "repeat_hex": unit.hex(),
                               "times": len(data) // len(unit), "error": why})
            else:
                reject.append({"name": name, "model": model, "input_hex": data.hex(),
                               "error": why})
    out = {
        "format": "samizdat text normalization, text models 1 and 2 (docs/spec/text.md)",
        "generator": "tests/vectors/generate_text.py",
        "valid": valid,
        "must_reject": reject,
    }
    path = Path(__file__).with_name("text.json")
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
