"""The engine, compiled: the same source files built with mypyc, used only while
they are exactly the files on disk.

The simulator runs millions of calls through ``protocol/`` (frames, sessions,
reconciliation, the engine, the gossip rules) and ``sim/`` (the event heap and the
virtual links). Compiled with mypyc — which turns these type-annotated modules into
C extensions — the same code runs about twice as fast, and the node, which runs the
same modules, gains too. Nothing is rewritten for speed: there is one source, and
the compiled form is a cache of it.

* ``python -m samizdat.build_accel`` compiles :data:`MODULES` (``make venv`` runs it;
  it needs ``mypy``, which the ``dev`` extra installs, and a C compiler) into
  ``DIR/<digest>/``, where ``<digest>`` is the SHA-256 of the sources and of the
  interpreter's tag. ``DIR`` is ``SAMIZDAT_ACCEL_DIR``, else ``build/accel`` in a
  source checkout, else the user's cache directory.
* :func:`install` (called when ``samizdat`` is imported) adds an import hook that
  loads the compiled form of each module only from the directory whose digest
  matches the sources as they are now. An edited source has another digest, finds
  no build, and is imported as plain Python: a stale build is never used.
* ``SAMIZDAT_PURE_PYTHON=1`` turns the hook off (the tests use it to run both forms
  and compare them).

``python -m samizdat.build_accel status`` says which form would be used, and why.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

__all__ = ["MODULES", "build", "build_dir", "digest", "install", "installed", "status"]

MODULES: tuple[str, ...] = (
    "samizdat.protocol.frames",
    "samizdat.protocol.reconcile",
    "samizdat.protocol.session",
    "samizdat.protocol.gossip",
    "samizdat.protocol.engine",
    "samizdat.sim.engine",
    "samizdat.sim.network",
)
"""The modules compiled: the engine and the simulator's call path. Each must type-check
under mypy --strict and avoid what mypyc does not compile (e.g. a
``runtime_checkable`` Protocol: ``protocol/interfaces.py`` holds those)."""

_PACKAGE = Path(__file__).resolve().parent
_MANIFEST = "manifest.json"


def _source(module: str, package: Path = _PACKAGE) -> Path:
    return package.joinpath(*module.split(".")[1:]).with_suffix(".py")


def digest(package: Path = _PACKAGE) -> str:
    """SHA-256 over the compiled modules' sources (names and bytes) and the
    interpreter's extension tag: a build is valid for exactly these."""
    h = hashlib.sha256()
    h.update((sysconfig.get_config_var("EXT_SUFFIX") or "").encode())
    h.update(sys.version.encode())
    for module in MODULES:
        data = _source(module, package).read_bytes()
        h.update(module.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def build_dir() -> Path:
    """Where builds live (one subdirectory per digest)."""
    env = os.environ.get("SAMIZDAT_ACCEL_DIR")
    if env:
        return Path(env)
    checkout = _PACKAGE.parent.parent
    if (checkout / "pyproject.toml").is_file() and _PACKAGE.parent.name == "src":
        return checkout / "build" / "accel"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("samizdat")) / "accel"


def _valid_build(root: Path, want: str) -> dict[str, str] | None:
    """The manifest (module -> file name) of the build for ``want``, if complete."""
    where = root / want
    try:
        manifest = json.loads((where / _MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("digest") != want:
        return None
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != {*MODULES, "__group__"}:
        return None
    if not all(isinstance(f, str) and (where / f).is_file() for f in files.values()):
        return None
    return {str(k): str(v) for k, v in files.items()}


class _Finder(importlib.abc.MetaPathFinder):
    """Serves the compiled modules of one valid build, and nothing else."""

    def __init__(self, where: Path, files: dict[str, str]) -> None:
        self.where = where
        self.files = files
        self.group = Path(files["__group__"]).name.split(".", 1)[0]

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        name = "__group__" if fullname == self.group else fullname
        file = self.files.get(name)
        if file is None:
            return None
        location = str(self.where / file)
        loader = importlib.machinery.ExtensionFileLoader(fullname, location)
        return importlib.util.spec_from_file_location(fullname, location, loader=loader)


_installed: _Finder | None = None


def install() -> bool:
    """Use the compiled modules if a build matches the sources now on disk (and
    ``SAMIZDAT_PURE_PYTHON`` is not set). Must run before any of :data:`MODULES` is
    imported; returns whether the compiled form is in use."""
    global _installed
    if _installed is not None:
        return True
    if os.environ.get("SAMIZDAT_PURE_PYTHON"):
        return False
    if any(m in sys.modules for m in MODULES):
        return False  # too late: the plain modules are already in use
    try:
        want = digest()
        root = build_dir()
    except OSError:
        return False
    files = _valid_build(root, want)
    if files is None:
        return False
    _installed = _Finder(root / want, files)
    sys.meta_path.insert(0, _installed)
    return True


def installed() -> bool:
    """Whether this process imports the compiled modules."""
    return _installed is not None


def status() -> dict[str, object]:
    """Which form this process uses, and where a build would be."""
    root = build_dir()
    want = digest()
    return {
        "compiled": installed(),
        "pure_python_forced": bool(os.environ.get("SAMIZDAT_PURE_PYTHON")),
        "digest": want,
        "build_dir": str(root),
        "build_present": _valid_build(root, want) is not None,
        "modules": list(MODULES),
    }


def build(*, quiet: bool = False) -> Path:
    """Compile :data:`MODULES` with mypyc into ``build_dir()/<digest>/`` (a no-op if
    that build exists). The sources are copied to a scratch directory first, so
    nothing is ever written beside them."""
    root = build_dir()
    want = digest()
    if _valid_build(root, want) is not None:
        return root / want
    mypyc = shutil.which("mypyc", path=str(Path(sys.executable).parent)) or shutil.which("mypyc")
    if mypyc is None:
        raise RuntimeError("mypyc is not installed (pip install mypy)")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="samizdat-accel-") as scratch:
        work = Path(scratch)
        shutil.copytree(_PACKAGE, work / "samizdat",
                        ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        if digest(work / "samizdat") != want:
            raise RuntimeError("the sources changed while they were copied; build again")
        sources = [str(_source(m, work / "samizdat").relative_to(work)) for m in MODULES]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMIZDAT_")}
        done = subprocess.run([mypyc, *sources], cwd=work, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        if done.returncode != 0:
            tail = "\n".join(done.stdout.splitlines()[-20:])
            raise RuntimeError(f"mypyc failed:\n{tail}")
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        staging = Path(tempfile.mkdtemp(prefix=f".{want[:12]}-", dir=root))
        files: dict[str, str] = {}
        for module in MODULES:
            built = _source(module, work / "samizdat").with_suffix(suffix)
            name = module + suffix
            shutil.copy2(built, staging / name)
            files[module] = name
        groups = [p for p in work.glob(f"*__mypyc{suffix}")]
        if len(groups) != 1:
            raise RuntimeError("mypyc left no single shared library")
        shutil.copy2(groups[0], staging / groups[0].name)
        files["__group__"] = groups[0].name
        (staging / _MANIFEST).write_text(json.dumps({"digest": want, "files": files}))
        target = root / want
        for old in root.iterdir():  # builds of older sources are never used again
            if old.is_dir() and old.name != want and len(old.name) == 64:
                shutil.rmtree(old, ignore_errors=True)
        try:
            staging.rename(target)  # atomic: a half-written build is never valid
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if _valid_build(root, want) is None:
                raise
    if not quiet:
        print(f"compiled {len(MODULES)} modules into {target}", file=sys.stderr)
    return target
