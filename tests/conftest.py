"""Shared fixtures.

Every test runs with ``SAMIZDAT_INSECURE_FAST_KDF=1``: Argon2id at libsodium's
minimum cost, so that the hundreds of store unlocks in the suite take milliseconds.
The real cost is exercised by ``tests/unit/test_store_kdf.py`` and by ``bench/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ["SAMIZDAT_INSECURE_FAST_KDF"] = "1"
os.environ.pop("SAMIZDAT_HOME", None)
os.environ.pop("SAMIZDAT_PASSPHRASE", None)

PASSPHRASE = "correct horse battery staple"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.stdout.strip(), f"no JSON on stdout; stderr: {self.stderr}"
        return json.loads(self.stdout)


class Cli:
    """Runs the real ``samizdat`` command in a subprocess against one home."""

    def __init__(self, home: Path, passphrase: str | None = PASSPHRASE) -> None:
        self.home = home
        self.passphrase = passphrase

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        if self.passphrase is not None:
            env["SAMIZDAT_PASSPHRASE"] = self.passphrase
        env.update(extra or {})
        return env

    def __call__(
        self,
        *args: str | Path,
        json_out: bool = False,
        env: dict[str, str] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> CliResult:
        argv: list[str] = [sys.executable, "-m", "samizdat", "--home", str(self.home)]
        if json_out:
            argv.append("--json")
        argv += [str(a) for a in args]
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=self.env(env),
            input=input if input is not None else "",
            timeout=timeout,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    def ok(self, *args: str | Path, **kw: Any) -> Any:
        """Run with ``--json``; assert exit 0 and return the parsed object."""
        result = self(*args, json_out=True, **kw)
        shown = " ".join(map(str, args))
        assert result.code == 0, f"samizdat {shown} -> {result.code}: {result.stderr}"
        return result.json()


@pytest.fixture
def make_cli(tmp_path: Path) -> Iterator[Any]:
    """A factory of :class:`Cli` runners, each with its own home under tmp_path."""

    def factory(name: str = "home", passphrase: str | None = PASSPHRASE) -> Cli:
        return Cli(tmp_path / name, passphrase)

    yield factory


@pytest.fixture
def cli(make_cli: Any) -> Cli:
    """A runner for one fresh, not yet initialised home."""
    c: Cli = make_cli("home")
    return c


@pytest.fixture
def store_cli(cli: Cli) -> Cli:
    """A runner for one initialised home."""
    cli.ok("init")
    return cli


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def argv_of(*parts: Sequence[str]) -> list[str]:
    return [p for part in parts for p in part]


# Hypothesis measures each example against a 200 ms deadline by default. Time is not
# behaviour here (performance lives in bench/), and on a shared 2-core machine a slow
# example is noise, not a bug: a deadline failure was seen under load in tests/unit.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("samizdat", deadline=None)
_hypothesis_settings.load_profile("samizdat")
