"""Text model 2 through the documents use cases, against a real store in one
process: versions record their model, versions made under model 1 (by an earlier
samizdat) still verify under model 1's rules, and a copy is normalized under the
model of each version it is compared with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samizdat.app import documents as app
from samizdat.core import text, versions
from samizdat.core.crypto import SecretBytes
from samizdat.core.text import normalize
from samizdat.store import Store

ZWNJ = "\u200c"
PERSIAN = ["\u0645\u06cc" + ZWNJ + "\u062e\u0648\u0627\u0647\u0645 \u0627\u06cc\u0646 "
           "\u062e\u0648\u0627\u0633\u062a\u0647" + ZWNJ + "\u0647\u0627 \u0631\u0627 "
           "\u0628\u062e\u0648\u0627\u0646\u06cc\u062f.",
           "\u0628\u062e\u0648\u0627\u0646\u06cc\u062f\u060c \u0628\u0646\u0648\u06cc\u0633\u06cc"
           "\u062f \u0648 \u0628\u0647 \u062f\u06cc\u06af\u0631\u0627\u0646 \u0628\u062f\u0647"
           "\u06cc\u062f."]
CHINESE_WRAPPED = ("领导层把国家带入了\n深刻的危机。每一个党\n员都必须阅读。\n\n"
                   "请抄写并\n传给可以信任的同志。\n")


@pytest.fixture
def store(tmp_path: Path):
    s = Store.create(tmp_path / "h", SecretBytes(b"pw"))
    yield s
    s.close()


def _file(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def _made_by_model_1(monkeypatch: pytest.MonkeyPatch, store: Store, path: Path) -> bytes:
    """A version made the way the previous samizdat made it: under text model 1."""
    with monkeypatch.context() as m:
        m.setattr(text, "TEXT_MODEL", 1)
        _doc, ver = app.draft_new(store, path, "Old", os.urandom, 1)
    app.sign(store, ver.hex(), os.urandom)
    return ver


def test_new_versions_are_made_under_model_2_and_say_so(store: Store, tmp_path: Path) -> None:
    _doc, ver = app.draft_new(store, _file(tmp_path, "fa.txt", "\n\n".join(PERSIAN)),
                              "\u062e\u0648\u0627\u0633\u062a\u0647" + ZWNJ + "\u0647\u0627",
                              os.urandom, 1)
    encoded = store.version(ver).encoded
    assert encoded[0] == versions.VERSION_FORMAT
    assert versions.decode_version(encoded).text_model == 2
    assert list(app.paragraphs_of(store, ver)) == PERSIAN  # ZWNJ kept through the store
    doc = store.document(store.version(ver).doc_id)
    assert ZWNJ in doc.title


def test_a_model_1_version_still_verifies_under_model_1(
    monkeypatch: pytest.MonkeyPatch, store: Store, tmp_path: Path
) -> None:
    # The old version was made from a wrapped Chinese text: model 1 turned its line
    # ends into spaces, and that is what was signed.
    path = _file(tmp_path, "zh.txt", CHINESE_WRAPPED)
    old = _made_by_model_1(monkeypatch, store, path)
    assert versions.decode_version(store.version(old).encoded).text_model == 1
    assert store.version(old).encoded[0] == versions.FORMAT_VERSION
    signed = list(app.paragraphs_of(store, old))
    assert signed[0] == "领导层把国家带入了 深刻的危机。每一个党 员都必须阅读。"
    # the same file verifies: the copy is normalized under model 1 for this version,
    # although model 2 would join those lines
    report = app.verify_text_file(store, path)
    assert (report.status, report.version) == ("authentic", old)
    # and so does its normalized text as `read` prints it
    again = app.verify_text_file(store, _file(tmp_path, "read.txt", "\n\n".join(signed)))
    assert (again.status, again.version) == ("authentic", old)


def test_a_persian_copy_matches_model_1_and_model_2_versions_each_under_its_rules(
    monkeypatch: pytest.MonkeyPatch, store: Store, tmp_path: Path
) -> None:
    path = _file(tmp_path, "fa.txt", "\n\n".join(PERSIAN) + "\n")
    old = _made_by_model_1(monkeypatch, store, path)
    # model 1 dropped the ZWNJ: its signed text is misspelled, but a copy with the
    # ZWNJ is still authentic against it, because it is compared under model 1
    assert ZWNJ not in "".join(app.paragraphs_of(store, old))
    report = app.verify_text_file(store, path)
    assert (report.status, report.version) == ("authentic", old)
    # a new version of the same text under model 2 keeps the ZWNJ and is preferred
    # (newest first) once signed; the same copy now matches it
    _d, new = app.draft_new(store, path, "New", os.urandom, 2)
    app.sign(store, new.hex(), os.urandom)
    assert ZWNJ in "".join(app.paragraphs_of(store, new))
    report = app.verify_text_file(store, path)
    assert (report.status, report.version) == ("authentic", new)


def test_a_copy_with_joiners_added_is_not_authentic_against_model_2(
    store: Store, tmp_path: Path
) -> None:
    """The watermarking attack: hand each reader a copy with a ZWNJ in a different
    place. Under model 2 the mark is part of the text, so the copy is altered (and
    `read` prints the signed text, which carries no mark)."""
    russian = "Прочтите это обращение и передайте его дальше надёжным товарищам."
    _d, ver = app.draft_new(store, _file(tmp_path, "ru.txt", russian), "Ru", os.urandom, 1)
    app.sign(store, ver.hex(), os.urandom)
    marked = russian.replace("обращение", "обра" + ZWNJ + "щение")
    report = app.verify_text_file(store, _file(tmp_path, "marked.txt", marked))
    assert report.status == "altered"
    assert ZWNJ not in "".join(app.paragraphs_of(store, ver))


def test_chinese_inserted_space_is_not_an_exact_match(store: Store, tmp_path: Path) -> None:
    _d, ver = app.draft_new(store, _file(tmp_path, "zh.txt", CHINESE_WRAPPED), "Zh",
                            os.urandom, 1)
    app.sign(store, ver.hex(), os.urandom)
    flat = CHINESE_WRAPPED.replace("带入了\n深刻", "带入了 深刻")
    # the text model keeps the difference: another paragraph, another hash ...
    assert normalize(flat).paragraphs[0] != normalize(CHINESE_WRAPPED).paragraphs[0]
    # ... which the comparison (core/align.py) then reports as a typography-only
    # difference, never as an exact match
    first = app.verify_text_file(store, _file(tmp_path, "sp.txt", flat)).paragraphs[0]
    assert first.status == "changed" or first.detail == "typography"


def test_encoded_files_are_read_with_their_encoding(store: Store, tmp_path: Path) -> None:
    russian = "Руководство привело страну к глубокому кризису.\n\nПрочтите и передайте.\n"
    for enc in ("cp1251", "koi8-r"):
        path = tmp_path / f"ru-{enc}.txt"
        path.write_bytes(russian.encode(enc))
        _d, ver = app.draft_new(store, path, enc, os.urandom, 1, encoding=enc)
        assert list(app.paragraphs_of(store, ver)) == [
            "Руководство привело страну к глубокому кризису.", "Прочтите и передайте."]
        app.sign(store, ver.hex(), os.urandom)
        assert app.verify_text_file(store, path, encoding=enc).status == "authentic"
