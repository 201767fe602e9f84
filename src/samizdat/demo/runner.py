"""The 1932 replay: the story of the manifesto, played with real samizdat processes.

Every step runs the real ``samizdat`` command in a subprocess, each person with their
own home (store) under one temporary folder, exactly as people would type it. The
demo narrates what happens and measures each guarantee; the summary table shows
PASS or FAIL with the measured figure, and the exit code is 0 only if every
guarantee that was played held.

A part of the product that is not built yet makes its steps ``SKIP`` (shown in the
table, never counted as a pass); the demo still plays the rest of the story.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["Demo", "Guarantee", "run_demo"]


class StepFailed(Exception):
    """A command in the story did not do what the story needs."""


class NotBuilt(Exception):
    """A command the story needs does not exist yet in this build."""


class MissingTool(Exception):
    """A program the story needs (pdftoppm, tesseract...) is not installed on this
    machine: its chapter is skipped, not failed."""


@dataclass
class Guarantee:
    """One row of the summary: a promise of DESIGN.md and what was measured."""

    name: str
    status: str  # PASS, FAIL or SKIP
    figure: str


@dataclass
class Person:
    name: str
    home: Path
    passphrase: str
    facts: dict[str, Any] = field(default_factory=dict)


class Demo:
    """Plays the story in ``root``; every person is a home under it."""

    def __init__(self, root: Path, console: Console, *, fast_kdf: bool) -> None:
        self.root = root
        self.console = console
        self.fast_kdf = fast_kdf
        self.people: dict[str, Person] = {}
        self.guarantees: list[Guarantee] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.commands_run = 0
        self._available: dict[str, bool] = {}

    # ------------------------------------------------------------ plumbing

    def person(self, name: str) -> Person:
        if name not in self.people:
            self.people[name] = Person(name, self.root / "people" / name, f"{name} secret words")
        return self.people[name]

    def env(self, who: Person, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMIZDAT_")}
        env["SAMIZDAT_PASSPHRASE"] = who.passphrase
        if self.fast_kdf:
            env["SAMIZDAT_INSECURE_FAST_KDF"] = "1"
        env.update(extra or {})
        return env

    def available(self, *command: str) -> bool:
        """Whether this build has ``samizdat COMMAND...``."""
        key = " ".join(command)
        if key not in self._available:
            proc = subprocess.run(
                [sys.executable, "-m", "samizdat", *command, "--help"],
                capture_output=True,
                text=True,
                env=self.env(self.person("_probe")),
                timeout=60,
            )
            self._available[key] = proc.returncode == 0
        return self._available[key]

    def need(self, *command: str) -> None:
        if not self.available(*command):
            raise NotBuilt(f"'samizdat {' '.join(command)}' is not built yet")

    def run(
        self,
        who: Person,
        *args: str | Path,
        expect: Sequence[int] = (0,),
        extra_env: dict[str, str] | None = None,
        json_out: bool = True,
        timeout: float = 120,
    ) -> Any:
        """Run ``samizdat --home WHO --json ARGS`` and return the parsed JSON."""
        argv = [sys.executable, "-m", "samizdat", "--home", str(who.home)]
        if json_out:
            argv.append("--json")
        argv += [str(a) for a in args]
        self.commands_run += 1
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=self.env(who, extra_env),
            timeout=timeout,
        )
        if proc.returncode not in expect:
            shown = " ".join(str(a) for a in args[:3])
            raise StepFailed(
                f"{who.name}: samizdat {shown} exited {proc.returncode}: "
                f"{proc.stderr.strip()[-300:]}"
            )
        if not json_out:
            return proc.stdout
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    def say(self, text: str) -> None:
        self.console.print(text)

    def chapter(self, title: str, then: str = "") -> None:
        """Start a chapter; ``then`` says what happened in 1932 (or today)."""
        self.console.rule(f"[bold]{title}")
        if then:
            self.console.print(f"[dim italic]{then}[/]")

    def record(self, name: str, ok: bool, figure: str) -> None:
        self.guarantees.append(Guarantee(name, "PASS" if ok else "FAIL", figure))
        mark = "[green]PASS" if ok else "[red]FAIL"
        self.say(f"  {mark}[/] {name}: {figure}")

    @contextlib.contextmanager
    def step(self, names: Sequence[str]) -> Iterator[None]:
        """Run a chapter; a missing part marks its guarantees SKIP, an error FAIL."""
        before = len(self.guarantees)
        try:
            yield
        except (NotBuilt, MissingTool) as exc:
            for name in names[len(self.guarantees) - before :]:
                self.guarantees.append(Guarantee(name, "SKIP", str(exc)))
            self.say(f"  [yellow]SKIP[/] {exc}")
        except (StepFailed, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as exc:
            done = len(self.guarantees) - before
            for name in names[done:]:
                self.guarantees.append(Guarantee(name, "FAIL", f"{type(exc).__name__}: {exc}"))
            self.say(f"  [red]FAIL[/] {exc}")

    def write(self, name: str, text: str) -> Path:
        path = self.root / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def stop_processes(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in self.processes:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.processes.clear()

    # ---------------------------------------------------------------- story

    def play(self, chapters: Sequence[Callable[[Demo], None]]) -> None:
        for chapter in chapters:
            chapter(self)

    def summary(self) -> Table:
        table = Table(title="What samizdat guaranteed in this run")
        table.add_column("guarantee")
        table.add_column("result")
        table.add_column("measured")
        colour = {"PASS": "green", "FAIL": "red", "SKIP": "yellow"}
        for g in self.guarantees:
            table.add_row(g.name, f"[{colour[g.status]}]{g.status}", g.figure)
        return table

    @property
    def ok(self) -> bool:
        played = [g for g in self.guarantees if g.status != "SKIP"]
        return bool(played) and all(g.status == "PASS" for g in played)


def run_demo(
    chapters: Sequence[Callable[[Demo], None]],
    *,
    console: Console | None = None,
    keep: Path | None = None,
    fast_kdf: bool = True,
) -> tuple[bool, list[Guarantee]]:
    """Play ``chapters`` (``demo.chapters.CHAPTERS``: the whole story) in a temporary
    folder (or ``keep``), then clean up every process and file it started, also on
    Ctrl-C. Returns (all held, the rows). The chapters are passed in, so that this
    module does not import the one that imports it."""
    console = console or Console()
    root = keep if keep is not None else Path(tempfile.mkdtemp(prefix="samizdat-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    demo = Demo(root, console, fast_kdf=fast_kdf)
    started = time.monotonic()
    try:
        demo.play(chapters)
    finally:
        demo.stop_processes()
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    elapsed = time.monotonic() - started
    console.print(demo.summary())
    console.print(
        f"{demo.commands_run} samizdat commands by {len(demo.people)} people "
        f"in {elapsed:.0f} s"
    )
    return demo.ok, demo.guarantees

