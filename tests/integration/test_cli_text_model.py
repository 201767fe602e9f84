"""Text model 2 and legacy encodings through the real ``samizdat`` process: Persian
keeps its ZWNJ from ``draft new`` to ``read``, an honest re-wrap of a Chinese (and
a Japanese, a Thai) text verifies ``authentic``, and files in cp1251, KOI8-R, cp1256
and GB18030 are refused with the likely encoding and the flag to use, then read
with ``--encoding``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write

ZWNJ = "\u200c"
PERSIAN = (
    "ما، گروهی از اعضای قدیمی حزب، این خواسته\u200cها را به همه\u200cی اعضا می\u200cنویسیم.\n"
    "\n"
    "رهبری کشور را به بن\u200cبست کشانده است.\n"
    "\n"
    "این را بخوانید، رونویسی کنید و به دیگران بدهید.\n"
)
CHINESE = [
    "我们，一群老党员，向全体党员发出这份呼吁。领导层把国家带入了深刻的危机，"
    "它的方法是冒险家的方法。",
    "集体化是用暴力进行的，它毁掉了农村。有人说：“这是历史的必然……”我们说：“不是。”"
    "“请读一读！”",
    "请阅读、抄写，并把它传给可以信任的同志。",
]
JAPANESE = ["私たちは、古い党員の一団として、この「訴え」をすべての党員に送る。",
            "読んで、写して、信頼できる同志に渡してください。"]
THAI = ["ผู้นำได้นำประเทศเข้าสู่วิกฤตอย่างลึกซึ้ง ทุกคนต้องอ่านและส่งต่อ",
        "โปรดอ่าน คัดลอก และส่งต่อให้สหายที่ไว้ใจได้"]


def wrap(paragraphs: list[str], width: int, nl: str = "\n") -> str:
    """A re-wrap as a CJK editor makes it: a line end every ``width`` characters,
    wherever it falls (spaces that happen to end a line are kept at its end)."""
    return (nl + nl).join(nl.join(p[i : i + width] for i in range(0, len(p), width))
                          for p in paragraphs) + nl


@pytest.fixture
def home(store_cli: Any) -> Any:
    return store_cli


def _signed(cli: Any, path: Path, title: str, *extra: str) -> str:
    made = cli.ok("draft", "new", path, "--title", title, *extra)
    cli.ok("sign", made["version"])
    return str(made["version"])


def test_persian_keeps_its_zwnj_through_draft_new_and_read(home: Any, tmp_path: Path) -> None:
    ver = _signed(home, write(tmp_path / "fa.txt", PERSIAN), "خواسته\u200cها")
    out = home("read", ver)
    assert out.code == 0, out.stderr
    assert "خواسته\u200cها" in out.stdout and "بن\u200cبست" in out.stdout
    assert home.ok("read", ver)["text"] == out.stdout
    # a copy wrapped differently, with bidi marks a word processor added, is authentic
    copy = PERSIAN.replace("را به ", "را\nبه ").replace("این", "\u200fاین\u200e", 1)
    assert home.ok("verify", write(tmp_path / "copy.txt", copy))["status"] == "authentic"
    # the ZWNJ is part of the spelling: a copy without it is a change
    plain = home("--json", "verify", write(tmp_path / "no-zwnj.txt", PERSIAN.replace(ZWNJ, "")))
    assert plain.code == 1 and plain.json()["status"] == "altered"


@pytest.mark.parametrize(("name", "paragraphs", "widths"), [
    ("chinese", CHINESE, (7, 13, 22)),
    ("japanese", JAPANESE, (9, 16)),
    ("thai", THAI, (11, 20)),
])
def test_an_honest_rewrap_of_a_spaceless_text_is_authentic(
    home: Any, tmp_path: Path, name: str, paragraphs: list[str], widths: tuple[int, ...]
) -> None:
    ver = _signed(home, write(tmp_path / f"{name}.txt", "\n\n".join(paragraphs)), name)
    assert home.ok("read", ver)["text"] == "\n\n".join(paragraphs) + "\n"
    for k, width in enumerate(widths):
        nl = "\r\n" if k else "\n"
        copy = write(tmp_path / f"{name}-{width}.txt", wrap(paragraphs, width, nl))
        report = home.ok("verify", copy)
        assert (report["status"], report["version"]) == ("authentic", ver), (width, report)


def test_a_space_inserted_into_chinese_is_not_an_exact_match(home: Any, tmp_path: Path) -> None:
    _signed(home, write(tmp_path / "zh.txt", "\n\n".join(CHINESE)), "zh")
    changed = [CHINESE[0].replace("深刻的", "深刻 的"), *CHINESE[1:]]
    report = home("--json", "verify", write(tmp_path / "sp.txt", wrap(changed, 10))).json()
    # the text model keeps the space (another paragraph hash); the comparison then
    # calls it a change or, at most, a typography-only difference
    first = report["paragraphs"][0]
    assert first["status"] == "changed" or first.get("detail") == "typography", report
    assert [p["status"] for p in report["paragraphs"][1:]] == ["same", "same"]


RUSSIAN = "Руководство привело страну к глубокому кризису.\n\nПрочтите, перепишите и передайте.\n"
ARABIC = "إن القيادة قادت البلاد إلى أزمة عميقة.\n\nاقرأ هذا، وانسخه، ومرره إلى غيرك.\n"


@pytest.mark.parametrize(("encoding", "content"), [
    ("cp1251", "\n".join([RUSSIAN] * 3)),
    ("koi8-r", "\n".join([RUSSIAN] * 3)),
    ("cp1256", "\n".join([ARABIC] * 3)),
    ("gb18030", "\n\n".join(CHINESE * 2)),
])
def test_a_legacy_encoded_file_names_its_encoding_then_reads_with_the_flag(
    home: Any, tmp_path: Path, encoding: str, content: str
) -> None:
    path = write(tmp_path / f"{encoding}.txt", content.encode(encoding))
    refused = home("draft", "new", path, "--title", "T")
    assert refused.code == 3
    line = refused.stderr.strip()
    assert "\n" not in line and "Traceback" not in refused.stderr
    assert "not UTF-8" in line and f"--encoding {encoding}" in line, line
    made = home.ok("draft", "new", path, "--title", "T", "--encoding", encoding)
    text = home.ok("read", made["version"])["text"]
    paragraphs = [" ".join(p.split()) for p in content.split("\n\n") if p.strip()]
    assert text == "\n\n".join(paragraphs) + "\n"
    if encoding != "cp1251":
        return  # the rest of the flow is the same for every encoding: once is enough
    home.ok("sign", made["version"])
    assert home("verify", path).code == 3  # still not UTF-8 without the flag
    report = home.ok("verify", path, "--encoding", encoding)
    assert (report["status"], report["version"]) == ("authentic", made["version"])
    revised = write(tmp_path / "rev.txt", (content + "\n\nP.S.\n").encode(encoding))
    assert home.ok("draft", "revise", made["document"][:12], revised,
                   "--encoding", encoding)["parents"] == [made["version"]]


def test_an_unknown_encoding_is_a_usage_error(home: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "t.txt", "text")
    for bad in ("no-such-codec", "base64"):
        result = home("draft", "new", path, "--title", "T", "--encoding", bad)
        assert result.code == 2, result.stderr
        assert "encoding" in result.stderr and "Traceback" not in result.stderr
