"""The carrying commands through the real ``samizdat`` process: export/import,
disperse/recover, dead drops, capabilities from argv, file or environment, and every
kind of bad input ending in exit 1 or 3 with one line and nothing stored."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write

TEXT = """We, a group of old party members, address this appeal to all.

The leadership has led the country into a dead end.

Read this, copy it and pass it on.
"""


@pytest.fixture
def signed(store_cli: Any, tmp_path: Path) -> dict[str, str]:
    made = store_cli.ok("draft", "new", write(tmp_path / "t.txt", TEXT), "--title", "Appeal")
    store_cli.ok("sign", made["version"])
    return {"document": made["document"], "version": made["version"]}


def _empty(cli: Any) -> bool:
    return bool(cli.ok("log")["documents"] == [])


def _one_line_error(result: Any, *secrets: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("samizdat: ")
    assert "Traceback" not in result.stderr
    for s in secrets:
        assert s[4:] not in result.stderr


def test_export_import_round_trip(
    store_cli: Any, signed: dict[str, str], make_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "stick" / "copy.bin"
    out.parent.mkdir()
    made = store_cli.ok("export", signed["document"][:12], "--out", out)
    assert made["bytes"] == out.stat().st_size
    assert made["cap"].startswith("sz1-")
    assert not list(out.parent.glob("*.part"))
    bob = make_cli("bob")
    bob.ok("init")
    got = bob.ok("import", out, "--cap", made["cap"])
    assert got["document"] == signed["document"]
    assert got["version"] == signed["version"]
    assert got["status"] == "authentic"
    assert bob.ok("read", signed["version"])["text"] == store_cli.ok(
        "read", signed["version"]
    )["text"]


def test_cap_from_file_and_environment(
    store_cli: Any, signed: dict[str, str], make_cli: Any, tmp_path: Path
) -> None:
    out, cap_file = tmp_path / "copy.bin", tmp_path / "cap.txt"
    made = store_cli.ok("export", signed["version"], "--out", out, "--cap-out", cap_file)
    assert made["cap"] is None  # written to the file, not printed
    assert cap_file.read_text().startswith("sz1-")
    assert cap_file.stat().st_mode & 0o077 == 0
    bob = make_cli("bob")
    bob.ok("init")
    assert bob.ok("import", out, "--cap-file", cap_file)["status"] == "authentic"
    carol = make_cli("carol")
    carol.ok("init")
    env = {"SAMIZDAT_CAP": cap_file.read_text().strip()}
    assert carol.ok("import", out, env=env)["version"] == signed["version"]
    help_text = carol("import", "--help").stdout
    assert "SAMIZDAT_CAP" in help_text and "--cap-file" in help_text


def test_bad_bundles_and_caps(
    store_cli: Any, signed: dict[str, str], make_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "copy.bin"
    cap = store_cli.ok("export", signed["version"], "--out", out)["cap"]
    other_cap = store_cli.ok("export", signed["version"], "--out", tmp_path / "o.bin")["cap"]
    bob = make_cli("bob")
    bob.ok("init")
    data = out.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 4
    cases = {
        "truncated": (data[:-1], cap, 1),
        "half": (data[: len(data) // 2], cap, 1),
        "padded": (data + os.urandom(100), cap, 1),
        "zero-padded": (data + bytes(16), cap, 1),
        "flipped": (bytes(flipped), cap, 1),
        "empty": (b"", cap, 1),
        "other cap": (data, other_cap, 1),
        "typo cap": (data, cap[:-3] + ("a" if cap[-3] != "a" else "b") + cap[-2:], 3),
        "not a cap": (data, "hello", 3),
    }
    for name, (blob, c, code) in cases.items():
        path = write(tmp_path / f"{name}.bin", blob)
        result = bob("import", path, "--cap", c)
        assert result.code == code, (name, result.stderr)
        _one_line_error(result, cap)
    missing = bob("import", out)
    assert missing.code == 2
    assert _empty(bob)


def test_disperse_three_of_ten_survives_losing_any_seven(
    store_cli: Any, signed: dict[str, str], make_cli: Any, tmp_path: Path
) -> None:
    made = store_cli.ok("disperse", signed["version"], "--k", "3", "--n", "10",
                        "--out", tmp_path / "couriers")
    files = [Path(f) for f in made["files"]]
    assert len(files) == 10 and len({f.stat().st_size for f in files}) == 1
    bob = make_cli("bob")
    bob.ok("init")
    # every 3-subset works in-process (tests/unit); through the CLI a sample of them,
    # each in a fresh folder holding only the survivors
    subsets = list(itertools.combinations(range(10), 3))
    for kept in random.Random(4).sample(subsets, 2):
        folder = tmp_path / ("kept-" + "-".join(map(str, kept)))
        folder.mkdir()
        for i in kept:
            shutil.copy(files[i], folder)
        got = bob.ok("recover", folder, "--cap", made["cap"])
        assert got["version"] == signed["version"]
    two = bob("recover", files[0], files[5], "--cap", made["cap"])
    assert two.code == 1
    _one_line_error(two, made["cap"])


def test_recover_from_a_mess(
    store_cli: Any, signed: dict[str, str], make_cli: Any, tmp_path: Path
) -> None:
    a = store_cli.ok("disperse", signed["version"], "--k", "2", "--n", "4", "--out", tmp_path / "a")
    b = store_cli.ok("disperse", signed["version"], "--k", "2", "--n", "4", "--out", tmp_path / "b")
    mess = tmp_path / "mess"
    mess.mkdir()
    fa = [Path(f) for f in a["files"]]
    # a's shards: 0 corrupted, 1 truncated, 2 intact (twice), 3 missing; b's all there
    damaged = bytearray(fa[0].read_bytes())
    damaged[40] ^= 1
    write(mess / "x0", bytes(damaged))
    write(mess / "x1", fa[1].read_bytes()[:-10])
    shutil.copy(fa[2], mess / "x2")
    shutil.copy(fa[2], mess / "x2-copy")
    for f in b["files"]:
        shutil.copy(f, mess)
    write(mess / "notes.txt", "shopping list")
    bob = make_cli("bob")
    bob.ok("init")
    one_short = bob("recover", mess, "--cap", a["cap"])
    assert one_short.code == 1
    assert _empty(bob)
    shutil.copy(fa[3], mess / "x3")
    assert bob.ok("recover", mess, "--cap", a["cap"])["version"] == signed["version"]
    assert bob.ok("recover", mess, "--cap", b["cap"])["version"] == signed["version"]


def test_disperse_usage_errors(store_cli: Any, signed: dict[str, str], tmp_path: Path) -> None:
    for k, n in (("0", "3"), ("4", "3"), ("1", "300")):
        result = store_cli("disperse", signed["version"], "--k", k, "--n", n,
                           "--out", tmp_path / "x")
        assert result.code == 2, result.stderr


def test_dead_drop_two_way(
    store_cli: Any, signed: dict[str, str], make_cli: Any, tmp_path: Path
) -> None:
    drop = tmp_path / "stick"
    drop.mkdir()
    key = store_cli.ok("deaddrop", "key")["cap"]
    assert store_cli.ok("deaddrop", "sync", drop) == {
        "sent": 1, "received": 0, "skipped": 0, "removed_partial": 0, "skips": []}
    bob = make_cli("bob")
    bob.ok("init")
    made = bob.ok("draft", "new", write(tmp_path / "b.txt", "Bob's own text.\n"),
                  "--title", "Other")
    # an unsigned draft stays home (docs/spec/circle.md); signed, it goes
    got = bob.ok("deaddrop", "sync", drop, "--cap", key)
    assert (got["received"], got["sent"]) == (1, 0)
    bob.ok("sign", made["version"])
    got = bob.ok("deaddrop", "sync", drop, "--cap", key)
    assert (got["received"], got["sent"]) == (0, 1)
    assert bob.ok("read", signed["version"])["version"] == signed["version"]
    # nothing new either way now; alice picks up bob's draft
    assert bob.ok("deaddrop", "sync", drop)["sent"] == 0
    back = store_cli.ok("deaddrop", "sync", drop)
    assert (back["received"], back["sent"]) == (1, 0)
    assert store_cli.ok("read", made["version"])["version"] == made["version"]
    names = [p.name for p in drop.iterdir()]
    assert len(names) == 2
    assert all(len(n) == 32 and set(n) <= set("0123456789abcdef") for n in names)


def test_dead_drop_survives_a_pulled_stick(
    store_cli: Any, signed: dict[str, str], make_cli: Any, tmp_path: Path
) -> None:
    drop = tmp_path / "stick"
    drop.mkdir()
    key = store_cli.ok("deaddrop", "key")["cap"]
    store_cli.ok("deaddrop", "sync", drop)
    (complete,) = list(drop.iterdir())
    data = complete.read_bytes()
    # what a pulled stick leaves: a partial temp file (fresh, and an old one)
    fresh = write(drop / ("ab" * 16 + ".part"), data[: len(data) // 2])
    old = write(drop / ("cd" * 16 + ".part"), data[: len(data) // 3])
    hour_ago = time.time() - 7200
    os.utime(old, (hour_ago, hour_ago))
    # and a complete-looking name holding a cut file (a copy made with cp, cut short)
    write(drop / ("ef" * 16), data[:-7])
    bob = make_cli("bob")
    bob.ok("init")
    got = bob.ok("deaddrop", "sync", drop, "--cap", key)
    assert got["received"] == 1
    assert got["skipped"] == 1
    assert got["removed_partial"] == 1
    assert fresh.exists() and not old.exists()
    assert bob.ok("deaddrop", "sync", drop)["skipped"] == 1  # remembered, not reopened


def test_dead_drop_needs_a_key(store_cli: Any, tmp_path: Path) -> None:
    drop = tmp_path / "stick"
    drop.mkdir()
    result = store_cli("deaddrop", "sync", drop)
    assert result.code == 2
    _one_line_error(result)


def test_verify_accepts_bundles(
    store_cli: Any, signed: dict[str, str], make_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "copy.bin"
    cap = store_cli.ok("export", signed["version"], "--out", out)["cap"]
    bob = make_cli("bob")
    bob.ok("init")
    # bob trusts nobody yet: the signature verifies, but vouches for nothing
    first = bob("verify", out, "--cap", cap, json_out=True)
    assert first.code == 1 and first.json()["status"] == "untrusted"
    key = store_cli.ok("log", signed["document"])["versions"][0]["signatures"][0]["key"]
    report = bob.ok("verify", out, "--cap", cap, "--key", write(tmp_path / "a.key", key))
    assert report["status"] == "authentic"
    assert report["version"] == signed["version"]
    assert [s["kind"] for s in report["signers"]] == ["author"]
    assert [p["status"] for p in report["paragraphs"]] == ["same"] * 3
    assert [p["index"] for p in report["paragraphs"]] == [1, 2, 3]
    assert _empty(bob)  # verify stores nothing
    bad = bytearray(out.read_bytes())
    bad[-20] ^= 1
    result = bob("verify", write(tmp_path / "bad.bin", bytes(bad)), "--cap", cap, json_out=True)
    assert result.code == 1
    # an exported SAMIZDAT_CAP does not turn a text file into a bundle
    retyped = write(tmp_path / "retyped.txt", TEXT.replace("\n\n", "\n\n\n"))
    again = store_cli.ok("verify", retyped, env={"SAMIZDAT_CAP": cap})
    assert again["status"] == "authentic"


def test_verify_unsigned_bundle_is_unknown(store_cli: Any, tmp_path: Path) -> None:
    made = store_cli.ok("draft", "new", write(tmp_path / "d.txt", "A draft.\n"), "--title", "D")
    cap = store_cli.ok("export", made["version"], "--out", tmp_path / "d.bin")["cap"]
    result = store_cli("verify", tmp_path / "d.bin", "--cap", cap, json_out=True)
    assert result.code == 1
    assert result.json()["status"] == "unknown"
