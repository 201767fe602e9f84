"""A signing nonce is never used twice, even when ``sign`` is killed with SIGKILL at
any moment: after the kill, signing a *different* version with the same commitment
must fail unless the killed run left no share behind.

(Two shares from one nonce on two messages would reveal the member's key share.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from samizdat.core import committee_wire as wire
from tests.integration.test_committee_cli import _copy_version


def _two_member_committee(make_cli: Any, tmp: Path) -> list[Any]:
    members = [make_cli("m1"), make_cli("m2")]
    for m in members:
        m.ok("init")
    r1 = [tmp / "r1-1.msg", tmp / "r1-2.msg"]
    for i, m in enumerate(members, start=1):
        m.ok("committee", "dkg1", "c", "--n", "2", "--k", "2", "--index", str(i),
             "--out", r1[i - 1])
    r2 = [tmp / "r2-1.msg", tmp / "r2-2.msg"]
    for i, m in enumerate(members):
        m.ok("committee", "dkg2", "c", *r1, "--out", r2[i])
    for m in members:
        m.ok("committee", "dkg3", "c", *r2)
    return members


@pytest.mark.slow
def test_sign_killed_at_any_moment_never_reuses_a_nonce(make_cli: Any, tmp_path: Path) -> None:
    m1, m2 = _two_member_committee(make_cli, tmp_path)
    versions = []
    for name in ("a", "b"):
        src = tmp_path / f"{name}.txt"
        src.write_text(f"Version {name}.\n\nSecond paragraph.\n")
        versions.append(m1.ok("draft", "new", src, "--title", name)["version"])
        _copy_version(m1, m2, versions[-1])
    ver_a, ver_b = versions
    outcomes = []
    for round_no, delay in enumerate((0.05, 0.5, 0.9, 1.4, 2.5)):
        commits = [tmp_path / f"c{round_no}-1.msg", tmp_path / f"c{round_no}-2.msg"]
        m1.ok("committee", "commit", "c", "--out", commits[0])
        m2.ok("committee", "commit", "c", "--out", commits[1])
        share_a = tmp_path / f"share{round_no}-a.msg"
        argv = [sys.executable, "-m", "samizdat", "--home", str(m1.home), "committee", "sign",
                "c", ver_a, *map(str, commits), "--out", str(share_a)]
        proc = subprocess.Popen(argv, env=m1.env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        a_exists = share_a.exists()
        if a_exists:  # never half-written: it is a whole share message
            assert wire.decode(share_a.read_bytes(), "share").kind == "share"
        b = m1("committee", "sign", "c", ver_b, *commits, "--out",
               tmp_path / f"share{round_no}-b.msg")
        assert not (a_exists and b.code == 0), "one nonce signed two versions"
        if b.code != 0:
            assert "already used" in b.stderr
        outcomes.append((proc.returncode, a_exists, b.code))
    # the loop really did interrupt some runs and let others finish
    assert any(rc == -signal.SIGKILL for rc, _, _ in outcomes)
    assert any(a for _, a, _ in outcomes)
