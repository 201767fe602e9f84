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

from samizdat.core.codes import CodeKind
from samizdat.errors import InputError, UsageError

__all__ = ["MAX_CODE_FILE_BYTES", "code_text"]

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


def _first_line(raw: bytes, kind: CodeKind, where: str) -> str:
    if len(raw) > MAX_CODE_FILE_BYTES:
        raise InputError(f"{where} is too large to hold {kind.article} {kind.name}")
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line
    raise InputError(f"{where} holds no {kind.name}")
