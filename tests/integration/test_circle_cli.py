"""Three co-authors in a circle, through the real command: they exchange only a dead
drop and circle-item files, branch from one draft, comment, merge (one conflict
resolved by hand), and give the merged version to readers. A courier and a reader
using the same stick hold no draft and no comment in readable form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import Cli, write

BASE = ("Товарищи, мы пишем вам.\n\n收成失败了。\n\nکنگره باید اقدام کند.\n\n"
        "Read, copy, pass it on.\n")


def _cells(cli: Cli) -> bytes:
    """Every cell of the store, decrypted (what an informant who seized it reads)."""
    from samizdat.core.crypto import SecretBytes
    from samizdat.store import Store
    from tests.conftest import PASSPHRASE

    with Store.open(cli.home, SecretBytes(PASSPHRASE.encode())) as s:
        out = []
        for (name,) in s.db.query("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in s.db.query(f'SELECT * FROM "{name}"'):
                out += [bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
                        for v in row if v is not None]
    return b"\x00".join(out)


def test_three_coauthors_in_a_circle_over_a_dead_drop(make_cli: Any, tmp_path: Path) -> None:
    anna, boris, vera, courier = (make_cli(n) for n in ("anna", "boris", "vera", "courier"))
    for c in (anna, boris, vera, courier):
        c.ok("init")
    stick = tmp_path / "stick"
    stick.mkdir()
    drop = anna.ok("deaddrop", "key")["cap"]
    made = anna.ok("circle", "new", "редакция", "--key-out", tmp_path / "circle.key")
    assert made["key"] is None and (tmp_path / "circle.key").stat().st_mode & 0o077 == 0
    for c in (boris, vera):
        c.ok("circle", "join", "редакция", "--code-file", tmp_path / "circle.key")
    # the wrong kind of code is refused by name
    res = courier("circle", "join", "x", "--code-file", write(tmp_path / "d", drop + "\n"))
    assert res.code == 3 and "dead-drop key, not a circle key" in res.stderr

    first = anna.ok("draft", "new", write(tmp_path / "v1.txt", BASE), "--title", "Платформа",
                    "--circle", "редакция")
    v1, doc = first["version"], first["document"]
    anna.ok("sign", v1)  # signed by its author, still a draft of the circle
    anna.ok("draft", "comment", v1, "--paragraph", "2", "哪里的收成？")
    for c in (anna, boris, vera, courier):
        c.ok("deaddrop", "sync", stick, "--cap", drop)
    assert boris.ok("read", v1)["version"] == v1
    assert [x["text"] for x in vera.ok("read", v1, "--comments")["comments"]] == ["哪里的收成？"]
    res = courier("read", v1)
    assert res.code != 0

    # boris and vera branch from v1; boris's branch travels as a circle-item file
    b2 = boris.ok("draft", "revise", v1, write(tmp_path / "b2.txt", BASE.replace(
        "收成失败了。", "伏尔加河的收成失败了。")))["version"]
    out = boris.ok("export", b2, "--out", tmp_path / "b2.item")
    assert out["cap"] is None and out["circle"] == "редакция"
    got = anna.ok("import", tmp_path / "b2.item")
    assert got["version"] == b2 and got["status"] == "circle"
    v2 = vera.ok("draft", "revise", v1, write(tmp_path / "v2.txt", BASE.replace(
        "Товарищи, мы пишем вам.", "Друзья, мы пишем вам.")))["version"]
    vera.ok("deaddrop", "sync", stick)
    anna.ok("deaddrop", "sync", stick)
    clean = anna.ok("draft", "merge", b2, v2)
    assert clean["conflicts"] == []
    # a conflict: anna and boris both change the last paragraph
    text = anna.ok("read", clean["version"])["text"]
    a3 = anna.ok("draft", "revise", clean["version"], write(
        tmp_path / "a3.txt", text.replace("pass it on.", "pass it on, quietly.")))["version"]
    anna.ok("deaddrop", "sync", stick)
    boris.ok("deaddrop", "sync", stick)
    b3 = boris.ok("draft", "revise", clean["version"], write(
        tmp_path / "b3.txt", text.replace("Read, copy", "Copy")))["version"]
    boris.ok("deaddrop", "sync", stick)
    anna.ok("deaddrop", "sync", stick)
    res = anna("draft", "merge", a3, b3, "--out", tmp_path / "c.txt", json_out=True)
    assert res.code == 1
    resolved = text.replace("Read, copy, pass it on.", "Copy, pass it on, quietly.")
    merged = anna.ok("draft", "merge", a3, b3, "--resolved",
                     write(tmp_path / "r.txt", resolved))["version"]
    listed = {d["document"]: d for d in anna.ok("list")["documents"]}[doc]
    assert listed["comments"] == 1 and listed["versions"] == 7

    # the merged version is given to readers; drafts and comments still are not
    anna.ok("share", merged, "--public")
    assert anna.ok("deaddrop", "sync", stick)["sent"] >= 1
    reader = make_cli("reader")
    reader.ok("init")
    for c in (courier, reader):
        c.ok("deaddrop", "sync", stick, "--cap", drop)
        assert c.ok("read", merged)["version"] == merged
        for draft in (v1, b2, v2, a3, b3):
            assert c("read", draft).code != 0
        blob = _cells(c)
        assert "哪里的收成".encode() not in blob
        # paragraphs of the drafts that the public version does not have
        for para in ("Товарищи, мы пишем вам.", "Read, copy, pass it on, quietly.",
                     "Copy, pass it on."):
            assert para.encode() not in blob
        assert b"Copy, pass it on, quietly." in blob  # the public version is there
    # a circle item given to someone outside the circle: one line, with a hint
    res = reader("import", tmp_path / "b2.item")
    assert res.code == 2 and "a read capability is needed" in res.stderr
    assert "circle join" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    # and to someone in another circle
    reader.ok("circle", "new", "друзья")
    res = reader("import", tmp_path / "b2.item")
    assert res.code == 3 and "no circle of this store opens b2.item" in res.stderr
    assert "circle join" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_circle_commands_refuse_bad_input_with_one_line(store_cli: Cli, tmp_path: Path) -> None:
    made = store_cli.ok("circle", "new", "编辑部")
    assert made["key"].startswith("szk1-") and made["name"] == "编辑部"
    assert store_cli.ok("circle", "list") == {
        "circles": [{"name": "编辑部", "circle": made["circle"], "documents": 0}]}
    assert made["key"] not in store_cli("circle", "list").stdout
    for args, code, words in (
        (("circle", "new", "编辑部"), 2, "already a circle"),
        (("circle", "new", " "), 2, "1 to 64 characters"),
        (("circle", "add", "nobody", "00000000"), 3, "no circle 'nobody'"),
        (("circle", "join", "again", "--code-file", write(tmp_path / "k", made["key"])),
         2, "already in that circle"),
        (("circle", "join", "x", "--code-file", write(tmp_path / "bad", "szk1-abc\n")),
         3, "circle key"),
        (("draft", "new", write(tmp_path / "t.txt", "Текст.\n"), "--title", "T",
          "--circle", "nobody"), 3, "no circle 'nobody'"),
    ):
        res = store_cli(*args)
        assert res.code == code and words in res.stderr, (args, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert store_cli.ok("list")["documents"] == []  # the refused draft left nothing


def test_share_of_a_circle_draft_marks_it_for_the_circle(make_cli: Any, tmp_path: Path) -> None:
    anna = make_cli("anna")
    anna.ok("init")
    anna.ok("circle", "new", "编辑部", "--key-out", tmp_path / "circle.key")
    made = anna.ok("draft", "new", write(tmp_path / "v1.txt", BASE), "--title", "Платформа",
                   "--circle", "编辑部")
    got = anna.ok("share", made["version"])
    assert got == {"version": made["version"], "shared": True, "circle": "编辑部"}
    plain = anna.ok("draft", "new", write(tmp_path / "p.txt", BASE), "--title", "بیانیه")
    assert anna.ok("share", plain["version"])["circle"] is None
    res = anna("share", made["version"])
    assert res.code == 0 and "circle '编辑部' only" in res.stdout
