"""Fuzzing speed per decoder, so that a campaign can be planned.

For each harness of ``tests/fuzz/harnesses.py``: the executions per second of the
real fuzzer (atheris, instrumented, 10 seconds from the committed corpus, in a
child process as ``make fuzz`` runs it), and the hours one
core needs at that rate for the campaign goal of 10^7 executions. The reference
column is the same harness replaying its corpus without instrumentation in this
process (so the ratio is what coverage guidance costs). No pass/fail goal: these are
planning figures. ``docs/security.md`` has the figures of the campaign itself.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Row

GOAL_EXECUTIONS = 10**7
ROOT = Path(__file__).resolve().parent.parent


def _replay_rate(name: str, seconds: float) -> float:
    from tests.fuzz.harnesses import run_one
    from tests.fuzz.run import corpus_files

    inputs = [p.read_bytes() for p in corpus_files(name)]
    if not inputs:
        return 0.0
    for data in inputs:  # imports and caches first
        run_one(name, data)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for data in inputs:
            run_one(name, data)
        done += len(inputs)
    return done / (time.perf_counter() - start)


def _fuzz_rate(name: str, seconds: int) -> float:
    from tests.fuzz.run import _parse

    proc = subprocess.run(
        [sys.executable, "-m", "tests.fuzz", "run", name, "--seconds", str(seconds)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    return float(_parse(proc.stderr).get("exec_per_second", 0))


def run(smoke: bool = False) -> list[Row]:
    from tests.fuzz.harnesses import HARNESSES

    rows = []
    for name in sorted(HARNESSES):
        fuzz = _fuzz_rate(name, 1 if smoke else 10)
        replay = _replay_rate(name, 0.05 if smoke else 1.0)
        rows.append(Row("fuzz", f"{name}: atheris executions", fuzz, "exec/s", replay))
        if fuzz:
            hours = GOAL_EXECUTIONS / fuzz / 3600
            rows.append(Row("fuzz", f"{name}: one core for 10^7", hours, "hours"))
    return rows
