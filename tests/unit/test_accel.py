"""The compiled engine (``samizdat/accel.py``): the same results as the plain
modules, and never used once its sources changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from samizdat import accel

_PACKAGE = Path(accel.__file__).resolve().parent

_RUN = """
import json, sys
import samizdat.protocol.session as s, samizdat.sim.network as n
from samizdat.sim import SimConfig, simulate
summary = simulate(SimConfig(nodes=400, seed=7, survival_trials=10, churn=0.1,
                             loss=0.02, couriers=0.3)).summary
summary.pop("seconds")
print(json.dumps({"files": [s.__file__, n.__file__], "summary": summary}, sort_keys=True))
"""


def _run(env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", _RUN], env=env, check=True,
                         capture_output=True, text=True, timeout=600)
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.fixture(scope="module")
def built() -> Path:
    """A build of the sources as they are (compiled here if ``make`` has not)."""
    try:
        return accel.build(quiet=True)
    except RuntimeError as exc:  # no mypyc or no compiler: say so, do not pass
        pytest.fail(f"the engine could not be compiled here: {exc}")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SAMIZDAT_PURE_PYTHON", "SAMIZDAT_ACCEL_DIR")}
    env.update(extra)
    return env


def test_the_compiled_engine_gives_exactly_the_plain_engines_results(built: Path) -> None:
    fast = _run(_env(SAMIZDAT_ACCEL_DIR=str(built.parent)))
    plain = _run(_env(SAMIZDAT_PURE_PYTHON="1"))
    assert all(str(f).endswith(".so") for f in fast["files"])  # type: ignore[attr-defined]
    assert all(str(f).endswith(".py") for f in plain["files"])  # type: ignore[attr-defined]
    assert fast["summary"] == plain["summary"]


def test_a_build_of_other_sources_is_never_loaded(built: Path, tmp_path: Path) -> None:
    # a build whose sources were then edited: same files, another digest
    other = "0" * 64
    shutil.copytree(built, tmp_path / other)
    manifest = json.loads((tmp_path / other / "manifest.json").read_text())
    manifest["digest"] = other
    (tmp_path / other / "manifest.json").write_text(json.dumps(manifest))
    result = _run(_env(SAMIZDAT_ACCEL_DIR=str(tmp_path)))
    assert all(str(f).endswith(".py") for f in result["files"])  # type: ignore[attr-defined]


def test_an_incomplete_build_is_never_loaded(built: Path, tmp_path: Path) -> None:
    shutil.copytree(built, tmp_path / built.name)
    victim = next((tmp_path / built.name).glob("samizdat.protocol.session.*"))
    victim.unlink()
    result = _run(_env(SAMIZDAT_ACCEL_DIR=str(tmp_path)))
    assert all(str(f).endswith(".py") for f in result["files"])  # type: ignore[attr-defined]


def test_the_digest_covers_every_compiled_source(tmp_path: Path) -> None:
    shutil.copytree(_PACKAGE, tmp_path / "samizdat",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    before = accel.digest(tmp_path / "samizdat")
    assert before == accel.digest(_PACKAGE)
    for module in accel.MODULES:
        source = tmp_path.joinpath(*module.split(".")).with_suffix(".py")
        original = source.read_bytes()
        source.write_bytes(original + b"\n# edited\n")
        assert accel.digest(tmp_path / "samizdat") != before, module
        source.write_bytes(original)
    assert accel.digest(tmp_path / "samizdat") == before
