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

__all__ = ["cli", "main"]

# area modules, each with ``register(group: click.Group) -> None``
_AREAS = (
    "samizdat.cli.documents",
    "samizdat.cli.committee",
    "samizdat.cli.carry",
    "samizdat.cli.paper",
    "samizdat.cli.mail",
    "samizdat.cli.network",
    "samizdat.cli.story",
    "samizdat.cli.simulate",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    ctx.obj = Context(home=home, as_json=as_json, debug=debug)
    ctx.call_on_close(ctx.obj.close)


def _register_areas() -> None:
    for name in _AREAS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that area is not written yet
                continue
            raise
        module.register(cli)


_register_areas()


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
