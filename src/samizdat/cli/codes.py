"""Where the command line takes hand-held codes from: an argument, a file,
standard input or the environment.

A code on the command line (``--cap sz1-...``, ``contact accept szi1-...``) can be
read by every user of the machine in the process list and stays in the shell's
history; a file (``--cap-file``, ``--code-file``), standard input (``-``) or an
environment variable does not. Every command that takes a code reads it through
:func:`code_text`, and parses it with :mod:`samizdat.core.codes` (through its
kind's type), which refuses a code of another kind by name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

from samizdat.core.codes import CodeKind, identify
from samizdat.errors import InputError, UsageError

__all__ = ["CAP_VARIABLE", "MAX_CODE_FILE_BYTES", "code_text", "env_codes"]

CAP_VARIABLE: Final = "SAMIZDAT_CAP"
"""One meaning everywhere: one or more codes, separated by spaces or commas. Each
command takes from it the codes of the kind it needs (``import`` one read
capability, ``mail fetch`` every read capability, ``deaddrop sync`` the dead-drop
key) and leaves the others alone."""

MAX_CODE_FILE_BYTES: Final = 4096
"""A code file or standard input larger than this is refused after reading this much."""


def code_text(
    kind: CodeKind,
    *,
    value: str | None = None,
    file: Path | None = None,
    env_var: str | None = None,
) -> str | None:
    """The text of a code of ``kind`` from the first source given: ``value``
    (``"-"`` reads standard input), ``file`` (``"-"`` too; its first non-empty
    line), then the environment variable ``env_var``. ``None`` when there is none.
    No parsing happens here."""
    if value is not None and file is not None:
        raise UsageError(f"give the {kind.name} once: as an argument or in a file")
    if value == "-" or (file is not None and str(file) == "-"):
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError(f"'-' reads the {kind.name} from standard input, which is "
                             "a terminal", hint="pipe it in, or give --code-file FILE")
        raw = sys.stdin.buffer.read(MAX_CODE_FILE_BYTES + 1)
        return _first_line(raw, kind, "standard input")
    if value is not None:
        return value
    if file is not None:
        try:
            with open(file, "rb") as f:
                raw = f.read(MAX_CODE_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read {file.name}: {exc.strerror}") from None
        return _first_line(raw, kind, file.name)
    if env_var is not None:
        return os.environ.get(env_var)
    return None


def env_codes(kind: CodeKind, var: str = CAP_VARIABLE, *, strict: bool = True) -> list[str]:
    """The codes of ``kind`` in the environment variable ``var`` (one or more codes
    separated by spaces or commas, see :data:`CAP_VARIABLE`), without repeats.

    Codes of another samizdat kind are left out (they are meant for other
    commands). With ``strict``, text that is no samizdat code at all is kept, so
    that parsing it says what is wrong with it."""
    found: list[str] = []
    for text in os.environ.get(var, "").replace(",", " ").split():
        other = identify(text)
        if (other is kind or (strict and other is None)) and text not in found:
            found.append(text)
    return found


def _first_line(raw: bytes, kind: CodeKind, where: str) -> str:
    if len(raw) > MAX_CODE_FILE_BYTES:
        raise InputError(f"{where} is too large to hold {kind.article} {kind.name}")
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line
    raise InputError(f"{where} holds no {kind.name}")
