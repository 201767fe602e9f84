"""A 3-of-5 committee in five separate stores, driven through the real command with
message files only; members 2, 4 and 5 sign; stock minisign checks the statement; a
reader who trusts the committee verifies an altered retyping. Versions travel
between the stores on USB bundles (``export`` / ``import``), as in the story.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

TEXT = (
    "We, the undersigned, hold that the leadership has betrayed the revolution.\n\n"
    "The collectivisation was carried out by force and has brought famine.\n\n"
    "The party must be returned to its members, and the press to its readers.\n\n"
    "Read this, copy it, and pass it on.\n"
)


def _copy_version(src: Any, dst: Any, version_hex: str) -> None:
    """Carry a version (with whatever signatures it has) on a USB bundle."""
    bundle = src.home.parent / f"{src.home.name}-{version_hex[:8]}.bundle"
    cap = src.ok("export", version_hex, "--out", bundle)["cap"]
    dst.ok("import", bundle, "--cap", cap)


def _dkg(tmp: Path, members: list[Any], secret_env: dict[str, str] | None = None) -> str:
    """Key generation; ``secret_env`` (the committee secret) goes to dkg1 only: the
    later commands must find it in the store."""
    r1 = []
    for i, m in enumerate(members, start=1):
        out = tmp / f"r1-{i}.msg"
        m.ok("committee", "dkg1", "august", "--n", "5", "--k", "3", "--index", str(i),
             "--out", out, env=secret_env)
        r1.append(out)
    r2 = []
    for i, m in enumerate(members, start=1):
        out = tmp / f"r2-{i}.msg"
        m.ok("committee", "dkg2", "august", *reversed(r1), "--out", out)
        r2.append(out)
    keys = {m.ok("committee", "dkg3", "august", *r2)["group_key"] for m in members}
    assert len(keys) == 1
    return keys.pop()


def run_committee(make_cli: Any, tmp_path: Path,
                  secret_env: dict[str, str] | None = None) -> dict[str, Any]:
    """The whole story up to a minisign-checkable statement; returns what was made."""
    members = [make_cli(f"member{i}") for i in range(1, 6)]
    for m in members:
        m.ok("init")
    group_key = _dkg(tmp_path, members, secret_env)

    author = make_cli("author")
    author.ok("init")
    src = tmp_path / "manifesto.txt"
    src.write_text(TEXT)
    version = author.ok("draft", "new", src, "--title", "To all members")["version"]
    signers = [members[1], members[3], members[4]]
    for m in signers:
        _copy_version(author, m, version)

    commits = []
    for m in signers:
        out = tmp_path / f"commit-{m.home.name}.msg"
        m.ok("committee", "commit", "august", "--out", out)
        commits.append(out)
    # k-1 commitments are refused, and the member stays usable
    few = signers[0]("committee", "sign", "august", version, *commits[:2], "--out",
                     tmp_path / "x.msg")
    assert few.code == 3 and "needs 3 signers" in few.stderr

    shares = []
    for m in reversed(signers):  # any order
        out = tmp_path / f"share-{m.home.name}.msg"
        m.ok("committee", "sign", "august", version[:12], *commits, "--out", out)
        shares.append(out)
    # running sign twice never reuses the nonce
    again = signers[0]("committee", "sign", "august", version, *commits, "--out",
                       tmp_path / "again.msg")
    assert again.code == 3 and "already used" in again.stderr

    final_file = tmp_path / "final.msg"
    result = signers[0].ok("committee", "finalize", "august", version, *shares, *commits,
                           "--out", final_file)
    assert result["version"] == version and len(bytes.fromhex(result["signature"])) == 64
    assert result["minisign_ready"] is False

    # second round for minisign's trusted comment, on the same commitments
    shares2 = []
    for m in signers:
        out = tmp_path / f"share2-{m.home.name}.msg"
        m.ok("committee", "sign", "august", version, *commits, final_file, "--out", out)
        shares2.append(out)
    done = signers[2].ok("committee", "finalize", "august", version, *commits, *shares2)
    assert done["minisign_ready"] is True

    sdir = tmp_path / "statement"
    signers[2].ok("statement", version, "--out-dir", sdir)
    pub = tmp_path / "committee.pub"
    members[0].ok("committee", "export", "august", "--out", pub)
    return {"members": members, "signers": signers, "version": version,
            "group_key": group_key, "signature": result["signature"], "statement_dir": sdir,
            "pub": pub, "author": author,
            "files": [*commits, *shares, *shares2, final_file,
                      *tmp_path.glob("r1-*.msg"), *tmp_path.glob("r2-*.msg")]}


def give_reader(facts: dict[str, Any], reader: Any) -> None:
    """The reader gets the final version, with its committee final, on a bundle."""
    _copy_version(facts["signers"][2], reader, facts["version"])


@pytest.fixture(scope="session")
def committee_story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One committee story shared by the tests that only read its results (it takes
    ~40 CLI runs)."""
    root = tmp_path_factory.mktemp("committee")
    facts = run_committee(lambda name: Cli(root / name), root)
    facts["root"] = root
    return facts


@pytest.mark.slow
def test_three_of_five_sign_minisign_accepts_and_reader_sees_changes(
    committee_story: dict[str, Any],
) -> None:
    facts = committee_story
    sdir = facts["statement_dir"]
    group_key = facts["group_key"]
    body = (sdir / "statement.txt").read_bytes()
    sha_line = next(ln for ln in body.decode().splitlines() if ln.startswith("text-sha256: "))
    assert hashlib.sha256((sdir / "text.txt").read_bytes()).hexdigest() == sha_line.split()[1]
    if shutil.which("minisign"):
        check = subprocess.run(["minisign", "-Vm", str(sdir / "statement.txt"), "-p",
                                str(sdir / "committee.pub")], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
    if shutil.which("sha256sum"):
        out = subprocess.run(["sha256sum", str(sdir / "text.txt")], capture_output=True,
                             text=True).stdout
        assert out.split()[0] == sha_line.split()[1]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(bytes.fromhex(group_key)).verify(
        bytes.fromhex(facts["signature"]), body)

    # a reader trusts the committee and checks an altered retyping
    reader = Cli(facts["root"] / "reader-cli")
    reader.ok("init")
    reader.ok("trust", "add", facts["pub"])
    give_reader(facts, reader)
    altered = facts["pub"].parent / "police.txt"
    altered.write_text(TEXT.replace("by force", "with enthusiasm").replace("\n\n", "\n\n\n"))
    report = reader("verify", altered, json_out=True)
    assert report.code == 1
    data = report.json()
    assert data["status"] == "altered"
    assert {"kind": "committee", "key": group_key, "trusted": True} in data["signers"]
    assert [p["index"] for p in data["paragraphs"] if p["status"] != "same"] == [2]
