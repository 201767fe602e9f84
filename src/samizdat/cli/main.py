"""The ``samizdat`` command: global options, error handling, and the command groups.

Commands live in one module per area (``cli/documents.py``, ``cli/committee.py``,
``cli/carry.py``...), each exposing ``register(group)``. This module only wires them
and turns every :class:`~samizdat.errors.SamizdatError` into one line on stderr and
its exit code; anything unforeseen becomes exit 3 with a one-line message too (the
traceback only with ``--debug``).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from samizdat import __version__
from samizdat.cli.context import Context
from samizdat.errors import SamizdatError
from samizdat.runtime import insecure_fast_kdf

__all__ = ["COMMANDS", "cli", "main"]

# Each command lives in an area module with ``register(group: click.Group) -> None``.
# The command line imports only the module of the command being run (people and the
# demo run hundreds of short commands; importing paper, mail and the network for
# ``samizdat read`` would triple its start-up). tests/unit/test_cli_registry.py keeps
# this table in step with what the modules register.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(
        ("init", "draft", "log", "diff", "sign", "read", "verify", "passphrase", "wipe"),
        "samizdat.cli.documents",
    ),
    **dict.fromkeys(("committee", "statement"), "samizdat.cli.committee"),
    **dict.fromkeys(("trust", "list"), "samizdat.cli.trust"),
    **dict.fromkeys(("export", "import", "disperse", "recover", "deaddrop"),
                    "samizdat.cli.carry"),
    **dict.fromkeys(("print", "scan"), "samizdat.cli.paper"),
    "mail": "samizdat.cli.mail",
    **dict.fromkeys(
        ("contact", "share", "unshare", "ticket", "node", "sync"), "samizdat.cli.network"
    ),
    "publish": "samizdat.cli.publish",
    "circle": "samizdat.cli.circle",
    "reach": "samizdat.cli.reach",
    "demo": "samizdat.cli.story",
    "simulate": "samizdat.cli.simulate",
}


class _LazyGroup(click.Group):
    """A group that imports a command's area module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        area = click.Group()
        importlib.import_module(module_name).register(area)
        return area.commands.get(cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SAMIZDAT_HOME",
    help="The store to use (default: the platform's user data directory).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs (may name contacts).")
@click.version_option(__version__, prog_name="samizdat")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, as_json: bool, debug: bool) -> None:
    """samizdat: write together, sign as a committee, circulate through untrusted hands.

    The store passphrase comes from SAMIZDAT_PASSPHRASE or a prompt.
    Exit codes: 0 success, 1 verification negative, 2 usage error, 3 any other error.
    """
    ctx.obj = Context(home=home, as_json=as_json, debug=debug,
                      fast_kdf=insecure_fast_kdf())
    ctx.call_on_close(ctx.obj.close)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"samizdat: {message}", err=True)
    sys.exit(code)


def main() -> None:
    """Entry point of the console script."""
    debug = "--debug" in sys.argv[1:] or os.environ.get("SAMIZDAT_DEBUG") == "1"
    try:
        code = cli.main(standalone_mode=False)
    except SamizdatError as exc:
        if debug:
            raise
        _fail(exc.one_line(), exc.exit_code)
    except click.exceptions.Abort:
        _fail("interrupted", 3)
    except click.ClickException as exc:
        _fail(" ".join(exc.format_message().split()), exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 3)
    except BrokenPipeError:
        sys.exit(3)
    except Exception as exc:  # an error we did not foresee: still one line
        if debug:
            raise
        _fail(
            f"internal error ({type(exc).__name__}); nothing more is shown to keep "
            "secrets out of the terminal (hint: rerun with --debug to see the traceback)",
            3,
        )
    sys.exit(code if isinstance(code, int) else 0)
