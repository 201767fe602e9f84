"""``samizdat demo``: the end-to-end replay of the 1932 story."""

from __future__ import annotations

from pathlib import Path

import click

from samizdat.cli.context import Context

__all__ = ["register"]


@click.command("demo")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Play in this folder and keep it (default: a temporary folder, removed after).",
)
@click.option(
    "--real-kdf",
    is_flag=True,
    help="Unlock every demo store at the real Argon2id cost (slower; the default uses "
    "libsodium's minimum cost so the story fits in three minutes).",
)
@click.pass_obj
def demo(ctx: Context, keep: Path | None, real_kdf: bool) -> None:
    """Replay the 1932 story with real samizdat processes and check every guarantee.

    Exit 0 only if every guarantee that was played held.
    """
    from samizdat.demo.chapters import CHAPTERS
    from samizdat.demo.runner import run_demo

    ok, rows = run_demo(CHAPTERS, console=ctx.err if ctx.as_json else ctx.out, keep=keep,
                        fast_kdf=not real_kdf)
    ctx.emit(
        {
            "ok": ok,
            "guarantees": [{"name": g.name, "status": g.status, "figure": g.figure}
                           for g in rows],
        },
        human="[bold green]every guarantee held[/]" if ok
        else "[bold red]a guarantee did not hold[/]",
    )
    if not ok:
        raise click.exceptions.Exit(1)


def register(group: click.Group) -> None:
    group.add_command(demo)
