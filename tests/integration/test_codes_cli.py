"""Hand-held codes through the real command: each kind refused by name where
another is expected, codes taken from files, standard input and the environment
rather than argv, and secret files that are never readable by others."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from samizdat.core import invite as inv
from samizdat.core.caps import DropKey, ReadCap
from tests.conftest import write


def _signed(cli: Any, tmp_path: Path) -> str:
    made = cli.ok("draft", "new", write(tmp_path / "m.txt", "To all members.\n"),
                  "--title", "Manifesto")
    cli.ok("sign", made["version"])
    return str(made["version"])


def test_a_bundle_capability_given_as_a_dead_drop_key_is_refused(
    store_cli: Any, tmp_path: Path
) -> None:
    # the attack: a bundle's cap (k=1, n=1, like every drop key of the first format)
    # passed to 'deaddrop sync' sealed files into the drop that nobody could open
    version = _signed(store_cli, tmp_path)
    bundle_cap = store_cli.ok("export", version, "--out", tmp_path / "copy.bin")["cap"]
    drop = tmp_path / "stick"
    drop.mkdir()
    result = store_cli("deaddrop", "sync", drop, "--cap", bundle_cap)
    assert result.code == 3
    assert "this is a read capability, not a dead-drop key" in result.stderr
    assert bundle_cap[4:] not in result.stderr
    assert list(drop.iterdir()) == []  # nothing was written under the wrong key
    # the real key is its own kind and works
    key = store_cli.ok("deaddrop", "key")["cap"]
    assert key.startswith("szd1-")
    assert store_cli.ok("deaddrop", "sync", drop, "--cap", key)["sent"] == 1


def test_a_dead_drop_key_or_an_invite_is_not_a_read_capability(
    store_cli: Any, tmp_path: Path
) -> None:
    version = _signed(store_cli, tmp_path)
    store_cli.ok("export", version, "--out", tmp_path / "copy.bin")
    for code, kind in ((DropKey(os.urandom(32)).danger_real_key_string(), "a dead-drop key"),
                       (inv.encode_invite(inv.Invite(b"k" * 16, "127.0.0.1:9", 2**31,
                                                     b"s" * 12)), "an invite")):
        result = store_cli("import", tmp_path / "copy.bin", "--cap-file",
                           write(tmp_path / "c.txt", code + "\n"))
        assert result.code == 3
        assert f"this is {kind}, not a read capability" in result.stderr


def test_a_read_capability_from_standard_input(store_cli: Any, make_cli: Any,
                                               tmp_path: Path) -> None:
    version = _signed(store_cli, tmp_path)
    cap = store_cli.ok("export", version, "--out", tmp_path / "copy.bin")["cap"]
    bob = make_cli("bob")
    bob.ok("init")
    got = bob.ok("import", tmp_path / "copy.bin", "--cap", "-", input=cap + "\n")
    assert got["status"] == "authentic"


def test_contact_accept_reads_the_invite_from_file_stdin_or_environment(
    store_cli: Any, tmp_path: Path
) -> None:
    # an invite to a closed port: reading and parsing it succeeds, reaching fails,
    # so exit 3 (unreachable) and not 2 (no code) proves where the code came from
    code = inv.encode_invite(inv.Invite(b"k" * 16, "127.0.0.1:9", 2**31, b"s" * 12))
    missing = store_cli("contact", "accept")
    assert missing.code == 2 and "invite code is needed" in missing.stderr
    for args, kw in (
        (("--code-file", write(tmp_path / "invite.txt", code + "\n")), {}),
        (("-",), {"input": code + "\n"}),
        ((), {"env": {"SAMIZDAT_INVITE": code}}),
    ):
        result = store_cli("contact", "accept", *args, **kw)
        assert result.code == 3, (args, result.stderr)
        assert "invite" not in result.stderr.split(":")[0]
        assert code[5:] not in result.stderr
        assert "command line can be seen" not in result.stderr
    on_argv = store_cli("contact", "accept", code)
    assert on_argv.code == 3 and "command line can be seen" in on_argv.stderr
    wrong = store_cli("contact", "accept", "-",
                      input=ReadCap(1, 1, os.urandom(32)).danger_real_capability_string())
    assert wrong.code == 3 and "this is a read capability, not an invite" in wrong.stderr


def test_print_keeps_the_capability_off_the_terminal(store_cli: Any, tmp_path: Path) -> None:
    version = _signed(store_cli, tmp_path)
    out = tmp_path / "copy.pdf"
    human = store_cli("print", version, "--out", out)
    assert human.code == 0, human.stderr
    sheet = tmp_path / "copy.key.pdf"
    assert "key sheet" in human.stdout and str(sheet) in human.stdout
    assert "sz1-" not in (human.stdout + human.stderr).lower()
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    # --json carries `cap`, as the scripting contract says
    scripted = store_cli.ok("print", version, "--out", tmp_path / "again.pdf")
    assert scripted["cap"].startswith("sz1-")


def test_secret_files_are_never_readable_by_others(store_cli: Any, tmp_path: Path) -> None:
    version = _signed(store_cli, tmp_path)
    cap_out = tmp_path / "cap.txt"
    store_cli.ok("export", version, "--out", tmp_path / "copy.bin", "--cap-out", cap_out)
    key_out = tmp_path / "drop.txt"
    store_cli.ok("deaddrop", "key", "--cap-out", key_out)
    for path in (cap_out, key_out):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for name in os.listdir(store_cli.home):
        assert stat.S_IMODE((store_cli.home / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(store_cli.home.stat().st_mode) == 0o700


def test_an_existing_open_home_is_tightened_and_the_person_told(make_cli: Any) -> None:
    cli = make_cli("shared")
    cli.home.mkdir(mode=0o755)
    os.chmod(cli.home, 0o755)
    result = cli("init")
    assert result.code == 0, result.stderr
    assert stat.S_IMODE(cli.home.stat().st_mode) == 0o700
    assert "0755" in result.stderr and "0700" in result.stderr


def test_a_store_home_opened_up_later_is_tightened_on_next_use(store_cli: Any) -> None:
    os.chmod(store_cli.home, 0o755)
    result = store_cli("log", "--all")
    assert result.code == 0, result.stderr
    assert stat.S_IMODE(store_cli.home.stat().st_mode) == 0o700
    assert "0755" in result.stderr
