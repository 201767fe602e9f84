"""What every command shares: where the store is, how to print, and how to unlock.

``Context`` is created once per invocation by the root group and reached from a
command with ``@click.pass_obj``. Commands print through :meth:`Context.emit` so that
``--json`` always means exactly one JSON object on stdout and nothing else.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from samizdat.core.crypto import SecretBytes
from samizdat.errors import UsageError

if TYPE_CHECKING:
    from samizdat.store import Store

__all__ = ["Context", "default_home"]


def default_home() -> Path:
    """The platform's user data directory for samizdat."""
    import platformdirs

    return Path(platformdirs.user_data_dir("samizdat", appauthor=False))


class Context:
    """Per-invocation state of the command line."""

    def __init__(
        self, *, home: Path | None, as_json: bool, debug: bool, fast_kdf: bool = False
    ) -> None:
        self.home = home if home is not None else default_home()
        self.as_json = as_json
        self.debug = debug
        self.fast_kdf = fast_kdf
        """Argon2id at libsodium's MIN cost (SAMIZDAT_INSECURE_FAST_KDF=1, read once
        in ``cli/main.py``): passed to the store, which never reads the environment."""
        # human output goes to stdout unless --json, when it goes nowhere
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)
        self._store: Store | None = None

    # ------------------------------------------------------------------ output

    def emit(
        self,
        data: Mapping[str, Any],
        human: str | Callable[[Console], None] | None = None,
    ) -> None:
        """Print the result of a command: ``data`` as one JSON object with ``--json``,
        else ``human`` (a string, or a function drawing on the console)."""
        if self.as_json:
            sys.stdout.write(json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return
        if human is None:
            for key, value in data.items():
                self.out.print(f"{key}: {value}")
        elif isinstance(human, str):
            self.out.print(human)
        else:
            human(self.out)

    def note(self, message: str) -> None:
        """A progress or status line for people; on stderr, silent with ``--json``."""
        if not self.as_json:
            self.err.print(message)

    # ----------------------------------------------------------------- secrets

    def passphrase(self, *, confirm: bool = False, prompt: str = "Store passphrase") -> SecretBytes:
        """The store passphrase from SAMIZDAT_PASSPHRASE or an interactive prompt.

        It is never accepted on the command line, where other users could read it in
        the process list.
        """
        value = os.environ.get("SAMIZDAT_PASSPHRASE")
        if value is None:
            if not sys.stdin.isatty():
                raise UsageError(
                    "no passphrase: SAMIZDAT_PASSPHRASE is not set and there is no "
                    "terminal to ask on"
                )
            value = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
        if not value:
            raise UsageError("the passphrase is empty")
        return SecretBytes(value.encode("utf-8"), "passphrase")

    # ------------------------------------------------------------------- store

    def store(self) -> Store:
        """The unlocked store, opened on first use and closed when the command ends."""
        if self._store is None:
            from samizdat.store import Store

            self._store = Store.open(self.home, self.passphrase(), fast_kdf=self.fast_kdf)
            loose = self._store.home_tightened_from
            if loose is not None:
                self.note(f"{self.home} was mode {loose:04o}; it is now 0700 "
                          "(only you may enter it)")
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
