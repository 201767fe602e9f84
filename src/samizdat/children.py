"""The one way samizdat runs another program (pdfinfo, pdftoppm, tesseract, tor...).

A child inherits nothing it does not need: its environment is built from scratch
(:func:`child_env`: ``PATH``, a C UTF-8 locale, a private ``TMPDIR`` if one is set,
and what the caller names), so ``SAMIZDAT_PASSPHRASE``, ``SAMIZDAT_CAP``, SMTP
passwords and committee secrets never reach it, nor anything the person had in their
shell. It runs with resource limits set in the child before ``exec``
(``RLIMIT_AS`` for memory, ``RLIMIT_CPU`` for CPU time, no core files), and a
wall-clock timeout, so a hostile input that makes a tool explode costs a bounded
amount and ends as a typed error, never as a machine out of memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from samizdat.errors import InputError

__all__ = [
    "DEFAULT_CPU_SECONDS",
    "DEFAULT_MEMORY_BYTES",
    "child_env",
    "limits",
    "run",
]

DEFAULT_MEMORY_BYTES: Final = 1 << 30
"""Address-space limit of a child (1 GiB): a poppler or tesseract run on a real
page needs a fraction of it."""
DEFAULT_CPU_SECONDS: Final = 120
"""CPU-time limit of a child."""

_PASS_THROUGH: Final = ("PATH", "TMPDIR")


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: ``PATH`` and ``TMPDIR`` from ours, a C UTF-8 locale,
    and ``extra``. Nothing else of ours (no secrets) is passed on."""
    env = {k: os.environ[k] for k in _PASS_THROUGH if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env["LC_ALL"] = "C.UTF-8"
    env.update(extra or {})
    return env


def limits(memory_bytes: int | None, cpu_seconds: int | None) -> Callable[[], None]:
    """A ``preexec_fn`` that sets the child's limits before it runs anything."""

    def apply() -> None:  # pragma: no cover - runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        if cpu_seconds is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return apply


def run(
    argv: Sequence[str],
    *,
    what: str,
    timeout: float,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    memory_bytes: int | None = DEFAULT_MEMORY_BYTES,
    cpu_seconds: int | None = DEFAULT_CPU_SECONDS,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` with a minimal environment (plus ``env``) and limits; capture its
    output. The return code is the caller's to judge. Raises :class:`InputError`
    naming ``what`` (e.g. "page 3 of scan.pdf") when it runs past ``timeout``
    seconds or cannot be started."""
    try:
        return subprocess.run(
            list(argv),
            input=input if input is not None else b"",
            capture_output=True,
            timeout=timeout,
            check=False,
            env=child_env(env),
            preexec_fn=limits(memory_bytes, cpu_seconds),
            close_fds=True,
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"{what} takes too long", hint="the input may be hostile") from exc
    except OSError as exc:
        raise InputError(f"{what}: cannot run {os.path.basename(argv[0])}: {exc.strerror}") from exc

