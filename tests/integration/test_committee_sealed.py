"""Sealed committee message files, through the real command with five homes.

Member 1 makes the committee secret (``committee secret --out``); all five give it
to ``dkg1`` in the environment, never in argv, and every later command finds it in
the member's store. What a courier carries must look random: no magic, no byte in
common across files, a flat byte histogram, one size for every file of a 3-of-5
committee. A file sealed under another secret, a bit-flipped file or a plaintext
file is refused with one precise line, exit 3, and the member's state unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, ClassVar

import pytest

from samizdat.core import committee_wire as wire
from tests.conftest import Cli, CliResult
from tests.integration.test_committee_cli import run_committee

NOT_OURS = "not a message of this committee, or the committee secret is wrong"
ENV = "SAMIZDAT_COMMITTEE_SECRET"


class RecordingCli(Cli):
    """The real command, with every argv and output kept so the test can show the
    secret never reached a process list or an error message."""

    seen: ClassVar[list[tuple[list[str], CliResult]]] = []

    def __call__(self, *args: str | Path, **kw: Any) -> CliResult:
        result = super().__call__(*args, **kw)
        RecordingCli.seen.append(([str(a) for a in args], result))
        return result


@pytest.fixture(scope="session")
def sealed_story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("sealed")
    first = RecordingCli(root / "member1")
    secret_file = root / "ed.secret"
    first.ok("committee", "secret", "--out", secret_file)
    code = secret_file.read_text().strip()
    facts = run_committee(lambda name: RecordingCli(root / name), root, {ENV: code})
    facts.update(root=root, secret=code, secret_file=secret_file)
    return facts


def _chi_square(data: bytes) -> float:
    counts = [0] * 256
    for b in data:
        counts[b] += 1
    expected = len(data) / 256
    return sum((c - expected) ** 2 / expected for c in counts)


@pytest.mark.slow
def test_sealed_run_signs_and_minisign_accepts(sealed_story: dict[str, Any]) -> None:
    facts = sealed_story
    sdir = facts["statement_dir"]
    assert (sdir / "statement.txt.minisig").exists()
    if shutil.which("minisign"):
        check = subprocess.run(["minisign", "-Vm", str(sdir / "statement.txt"), "-p",
                                str(sdir / "committee.pub")], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
    for m in facts["members"]:
        assert m.ok("committee", "status", "august")["sealed"] is True
    assert (facts["secret_file"].stat().st_mode & 0o777) == 0o600


@pytest.mark.slow
def test_sealed_files_look_random_to_a_courier(sealed_story: dict[str, Any]) -> None:
    files = [Path(p).read_bytes() for p in sealed_story["files"]]
    assert len(files) >= 20  # 5 round-1, 5 round-2, 3 commits, 6 shares, the final
    for data in files:
        assert wire.MAGIC not in data
    # no byte position holds the same value in every file (no header, no fixed field)
    shortest = min(len(d) for d in files)
    fixed = [i for i in range(shortest) if len({d[i] for d in files}) == 1]
    assert fixed == []
    # one size for every kind at n = 5: the size says neither the kind nor n
    assert len({len(d) for d in files}) == 1
    # byte histogram: chi-square with 255 degrees of freedom; mean 255, sd ~22.6;
    # 255 + 6 sd is far beyond chance for random bytes and far below any structure
    stat = _chi_square(b"".join(files))
    assert stat < 255 + 6 * 22.6, stat


@pytest.mark.slow
def test_foreign_changed_and_plain_files_are_refused_state_kept(
    sealed_story: dict[str, Any],
) -> None:
    facts = sealed_story
    m = facts["signers"][0]
    key = wire.seal_key(wire.CommitteeSecret.parse(facts["secret"]))
    commit = next(p for p in facts["files"] if p.name.startswith("commit-"))
    sealed = commit.read_bytes()
    frame = wire.unseal(key, sealed)
    other_secret = wire.CommitteeSecret.generate(os.urandom)
    foreign = commit.parent / "foreign.msg"
    foreign.write_bytes(wire.seal(wire.seal_key(other_secret), frame, os.urandom))
    flipped = commit.parent / "flipped.msg"
    flipped.write_bytes(sealed[:40] + bytes([sealed[40] ^ 0x01]) + sealed[41:])
    plain = commit.parent / "plain.msg"
    plain.write_bytes(frame)
    before = m.ok("committee", "status", "august")
    for bad in (foreign, flipped, plain):
        got = m("committee", "sign", "august", facts["version"], bad, "--out",
                commit.parent / "never.msg")
        assert got.code == 3, got.stderr
        lines = got.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"samizdat: {NOT_OURS}"), got.stderr
        assert not (commit.parent / "never.msg").exists()
    assert m.ok("committee", "status", "august") == before
    # still usable: a fresh commitment is made and sealed
    again = commit.parent / "again-commit.msg"
    m.ok("committee", "commit", "august", "--out", again)
    assert wire.unseal(key, again.read_bytes()).startswith(wire.MAGIC)


@pytest.mark.slow
def test_the_secret_is_never_in_argv_or_output(sealed_story: dict[str, Any]) -> None:
    code = sealed_story["secret"]
    body = code[len(wire.SECRET_PREFIX):]
    assert len(RecordingCli.seen) > 40
    for argv, result in RecordingCli.seen:
        for text in (" ".join(argv), result.stdout, result.stderr):
            assert body not in text.lower()


def test_dkg1_without_a_secret_warns_and_with_a_file_seals(make_cli: Any,
                                                          tmp_path: Path) -> None:
    a, b = make_cli("a"), make_cli("b")
    a.ok("init")
    b.ok("init")
    plain = a("committee", "dkg1", "c", "--n", "3", "--k", "2", "--index", "1", "--out",
              tmp_path / "a.msg")
    assert plain.code == 0 and "readable by couriers" in plain.stderr
    assert (tmp_path / "a.msg").read_bytes().startswith(wire.MAGIC)
    quiet = a("committee", "dkg1", "d", "--n", "3", "--k", "2", "--index", "1", "--out",
              tmp_path / "d.msg", json_out=True)
    assert quiet.code == 0 and quiet.stderr == ""  # --json: stdout only, no warning
    secret_file = tmp_path / "c.secret"
    b.ok("committee", "secret", "--out", secret_file)
    sealed = b("committee", "dkg1", "c", "--n", "3", "--k", "2", "--index", "2",
               "--secret-file", secret_file, "--out", tmp_path / "b.msg")
    assert sealed.code == 0 and "readable" not in sealed.stderr
    assert wire.MAGIC not in (tmp_path / "b.msg").read_bytes()
    # b cannot read a's plaintext message: one precise line, b stays at round 1
    got = b("committee", "dkg2", "c", tmp_path / "a.msg", tmp_path / "b.msg", "--out",
            tmp_path / "b2.msg")
    assert got.code == 3 and NOT_OURS in got.stderr
    assert b.ok("committee", "status", "c")["state"] == "round1"


def test_a_mistyped_secret_is_refused_without_echo(make_cli: Any, tmp_path: Path) -> None:
    a = make_cli("a")
    a.ok("init")
    code = a.ok("committee", "secret")["secret"]
    assert code.startswith(wire.SECRET_PREFIX) and len(code) == 45
    typo = code[:-3] + ("a" if code[-3] != "a" else "b") + code[-2:]
    got = a("committee", "dkg1", "c", "--n", "3", "--k", "2", "--index", "1", "--out",
            tmp_path / "a.msg", env={ENV: typo})
    assert got.code == 3 and "checksum" in got.stderr
    assert typo[len(wire.SECRET_PREFIX):] not in got.stderr
    assert not (tmp_path / "a.msg").exists()
