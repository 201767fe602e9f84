"""Word-level verdicts through the real ``samizdat`` process: ``verify`` and ``diff``
name what changed, tell typography and OCR noise from changed words, and warn when
two versions are unrelated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write

ORIGINAL = "\u201cRead this,\u201d the committee wrote \u2014 " \
    "\u201ccopy it and pass it on\u2026\u201d\n" + """
The modern leadership keeps the secret ballot from every member of the party.

The committee demands that the conference be called before the autumn.

Collectivisation was carried out by force and has ruined the village.

The \ufb01nal word belongs to the members, not to the apparatus.
"""

# What an honest retyping and an OCR run do to it.
TYPED = """"Read this," the committee wrote -- "copy it and pass it on..."

The modern leadership keeps the secret ballot from every mem-
ber of the party.

The committee demands that the conference be called
before the autumn.

Collectivisation was carried out by force and has ruined the village.

The final word belongs to the members, not to the apparatus.
"""
OCR = TYPED.replace("modern", "rnodern").replace("demands", "dernands").replace(
    "village", "vil1age").replace("members, not", "rnembers, not")


@pytest.fixture
def signed(store_cli: Any, tmp_path: Path) -> dict[str, str]:
    made = store_cli.ok("draft", "new", write(tmp_path / "o.txt", ORIGINAL), "--title", "Appeal")
    store_cli.ok("sign", made["version"])
    return {"document": made["document"], "version": made["version"]}


def test_typography_only_retyping_is_authentic(store_cli: Any, signed: dict[str, str],
                                               tmp_path: Path) -> None:
    result = store_cli("verify", write(tmp_path / "t.txt", TYPED), json_out=True)
    assert result.code == 0, result.stdout
    report = result.json()
    assert report["status"] == "authentic"
    details = [p.get("detail") for p in report["paragraphs"]]
    assert [p["status"] for p in report["paragraphs"]] == ["same"] * 5
    assert details == ["typography", "typography", None, None, "typography"]
    # the split paragraph is mapped to its pieces
    split = store_cli("verify", write(tmp_path / "s.txt", TYPED.replace(
        "conference be called\nbefore", "conference be called\n\nbefore")), json_out=True)
    assert split.code == 0
    third = split.json()["paragraphs"][2]
    assert (third["status"], third["detail"], third["copy"]) == ("same", "split", [3, 4])


def test_planted_word_in_ocr_noise_is_named(store_cli: Any, signed: dict[str, str],
                                            tmp_path: Path) -> None:
    honest = store_cli("verify", write(tmp_path / "ocr.txt", OCR), json_out=True).json()
    assert honest["status"] == "altered"
    assert {p.get("detail") for p in honest["paragraphs"] if p["status"] == "changed"} == {"ocr"}
    planted = write(tmp_path / "planted.txt", OCR.replace("secret", "open"))
    result = store_cli("verify", planted, json_out=True)
    assert result.code == 1
    second = result.json()["paragraphs"][1]
    assert (second["status"], second["detail"]) == ("changed", "words")
    assert {"from": "secret", "to": "open", "kind": "words"} in second["changes"]
    text = store_cli("verify", planted)
    assert text.code == 1
    assert "3 paragraphs differ only as OCR would misread" in text.stdout
    assert "1 paragraph has changed words: 'secret' → 'open'" in text.stdout


def test_diff_names_words_and_warns_on_unrelated_versions(
        store_cli: Any, signed: dict[str, str], tmp_path: Path) -> None:
    v2 = store_cli.ok("draft", "revise", signed["document"],
                      write(tmp_path / "v2.txt", ORIGINAL.replace("secret", "open")))
    got = store_cli.ok("diff", signed["version"], v2["version"])
    assert "warning" not in got
    changed = [p for p in got["paragraphs"] if p["status"] == "changed"]
    assert [(p["index"], p["detail"], p["changes"]) for p in changed] == [
        (2, "words", [{"from": "secret", "to": "open", "kind": "words"}])]
    human = store_cli("diff", signed["version"], v2["version"])
    assert "'secret' → 'open'" in human.stdout
    other = store_cli.ok("draft", "new", write(tmp_path / "r.txt",
                                               "Two eggs.\n\nFlour and milk.\n\nBake it."),
                         "--title", "Recipe")
    unrelated = store_cli.ok("diff", signed["version"], other["version"])
    assert "unrelated" in unrelated["warning"]
    assert "warning:" in store_cli("diff", signed["version"], other["version"]).stdout
