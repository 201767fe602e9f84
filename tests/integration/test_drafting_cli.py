"""Drafting together through the real command: co-authors in separate stores branch
from one draft (``draft revise VER``), edit in parallel, and merge, one conflict
resolved by hand; every bad merge is a one-line error and leaves the store as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import Cli, write

BASE = ("Comrades, we write to you.\n\nThe harvest failed.\n\nThe congress must act.\n\n"
        "Read, copy, pass it on.\n")


def _hand_over(src: Cli, dst: Cli, ver: str, tmp: Path, name: str) -> None:
    """A version travels from one co-author to another on a stick."""
    out = src.ok("export", ver, "--out", tmp / f"{name}.bin")
    dst.ok("import", tmp / f"{name}.bin", env={"SAMIZDAT_CAP": out["cap"]})


def test_two_coauthors_branch_edit_and_merge(make_cli: Any, tmp_path: Path) -> None:
    anna, boris = make_cli("anna"), make_cli("boris")
    anna.ok("init")
    boris.ok("init")
    first = anna.ok("draft", "new", write(tmp_path / "v1.txt", BASE), "--title", "Platform")
    v1 = first["version"]
    _hand_over(anna, boris, v1, tmp_path, "v1")
    # both start from v1, by version id
    a2 = anna.ok("draft", "revise", v1, write(tmp_path / "a2.txt", BASE.replace(
        "The harvest failed.", "The harvest failed in the Volga.")))
    assert a2["parents"] == [v1]
    b2 = boris.ok("draft", "revise", v1[:8], write(tmp_path / "b2.txt", BASE.replace(
        "The congress must act.", "The congress must act now.")))
    assert b2["parents"] == [v1]
    _hand_over(boris, anna, b2["version"], tmp_path, "b2")
    clean = anna.ok("draft", "merge", a2["version"], b2["version"])
    assert clean["conflicts"] == [] and clean["parents"] == sorted([a2["version"], b2["version"]])
    text = anna.ok("read", clean["version"])["text"]
    assert "in the Volga" in text and "must act now" in text
    # a fast-forward: merging with an ancestor makes nothing new
    ff = anna.ok("draft", "merge", clean["version"], v1)
    assert ff["version"] == clean["version"] and ff["fast_forward"] is True

    # now both change the same paragraph
    a3 = anna.ok("draft", "revise", clean["version"], write(tmp_path / "a3.txt", text.replace(
        "Comrades, we write to you.", "Comrades, we write to you in secret.")))
    _hand_over(anna, boris, clean["version"], tmp_path, "m")
    b3 = boris.ok("draft", "revise", clean["version"], write(tmp_path / "b3.txt", text.replace(
        "Comrades, we write to you.", "Friends, we write to you.")))
    _hand_over(boris, anna, b3["version"], tmp_path, "b3")
    before = anna.ok("log", first["document"])
    res = anna("draft", "merge", a3["version"], b3["version"], "--out", tmp_path / "c.txt",
               json_out=True)
    assert res.code == 1, res.stderr
    got = res.json()
    assert got["conflicts"] == [{"index": 1}] and got["version"] is None
    marked = (tmp_path / "c.txt").read_text(encoding="utf-8")
    assert "<<<<<<<" in marked and "in secret" in marked and "Friends," in marked
    assert anna.ok("log", first["document"]) == before  # nothing stored

    # a resolution that keeps a marker, or edits outside the conflict, is refused
    res = anna("draft", "merge", a3["version"], b3["version"], "--resolved",
               tmp_path / "c.txt")
    assert res.code == 3 and "markers" in res.stderr and "\n" not in res.stderr.strip()
    outside = "Friends, we write to you in secret.\n\n" + text.split("\n\n", 1)[1].replace(
        "Read, copy", "Read and copy")
    res = anna("draft", "merge", a3["version"], b3["version"], "--resolved",
               write(tmp_path / "bad.txt", outside))
    assert res.code == 3 and "outside the conflicts" in res.stderr
    good = "Friends, we write to you in secret.\n\n" + text.split("\n\n", 1)[1]
    merged = anna.ok("draft", "merge", a3["version"], b3["version"], "--resolved",
                     write(tmp_path / "good.txt", good))
    assert merged["parents"] == sorted([a3["version"], b3["version"]])
    assert anna.ok("read", merged["version"])["text"].startswith("Friends, we write to you in")


def test_bad_merges_are_refused_with_one_line(store_cli: Cli, tmp_path: Path) -> None:
    one = store_cli.ok("draft", "new", write(tmp_path / "a.txt", BASE), "--title", "A")
    two = store_cli.ok("draft", "new", write(tmp_path / "b.txt", "Other.\n"), "--title", "B")
    res = store_cli("draft", "merge", one["version"], two["version"])
    assert res.code == 3 and "different documents" in res.stderr
    res = store_cli("draft", "merge", one["version"], one["version"])
    assert res.code == 3 and "itself" in res.stderr
    res = store_cli("draft", "merge", one["version"], "ffffffffffff")
    assert res.code == 3 and "ffffffff" in res.stderr


def test_comments_follow_their_paragraph_until_it_changes(store_cli: Cli, tmp_path: Path) -> None:
    v1 = store_cli.ok("draft", "new", write(tmp_path / "a.txt", BASE), "--title", "A")["version"]
    c = store_cli.ok("draft", "comment", v1, "--paragraph", "2", "Which harvest? Say where.")
    assert c["version"] == v1 and c["paragraph"] == 2 and len(c["comment"]) == 64
    note = write(tmp_path / "note.txt", "Too weak:\nsay what the congress must do.\n")
    store_cli.ok("draft", "comment", v1, "--paragraph", "3", "--file", note)
    # a paragraph inserted before: the comment moves with its paragraph
    v2 = store_cli.ok("draft", "revise", v1, write(tmp_path / "b.txt", "A new opening.\n\n" + BASE))
    shown = store_cli.ok("read", v2["version"], "--comments")["comments"]
    by_text = {x["text"]: x for x in shown}
    assert by_text["Which harvest? Say where."]["paragraph"] == 3
    assert by_text["Which harvest? Say where."]["outdated"] is False
    assert by_text["Too weak: say what the congress must do."]["paragraph"] == 4
    # the commented paragraph changes: the comment is outdated there
    v3 = store_cli.ok("draft", "revise", v2["version"], write(
        tmp_path / "c.txt", "A new opening.\n\n" + BASE.replace("failed.", "failed in 1932.")))
    shown = {x["text"]: x for x in store_cli.ok("read", v3["version"], "--comments")["comments"]}
    assert shown["Which harvest? Say where."]["outdated"] is True
    assert shown["Which harvest? Say where."]["paragraph"] is None
    human = store_cli("read", v3["version"], "--comments").stdout
    assert "outdated" in human and "Too weak: say what the congress must do." in human
    # bad input
    res = store_cli("draft", "comment", v1, "--paragraph", "99", "x")
    assert res.code == 3 and "no paragraph 99" in res.stderr
    res = store_cli("draft", "comment", v1, "--paragraph", "1")
    assert res.code == 2
