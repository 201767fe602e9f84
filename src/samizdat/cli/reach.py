"""``samizdat reach DOC``: how many read it, estimated from anonymous sketches.

The interval is ±3 standard errors (``core.reach.INTERVAL_SE``).

Parses and prints only; the use case is :func:`samizdat.app.reach.report`."""

from __future__ import annotations

import time

import click

from samizdat.app import reach
from samizdat.cli.context import Context
from samizdat.runtime import system_rng, wall_clock

__all__ = ["register"]


def _age(seconds: int) -> str:
    if seconds < 90:
        return f"{max(seconds, 0)} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


@click.command("reach")
@click.argument("doc", metavar="DOC")
@click.pass_obj
def reach_cmd(ctx: Context, doc: str) -> None:
    """Estimate how many people read a document, tracking no one.

    The estimate comes from the anonymous sketches that contacts, bundles and
    dead drops brought (no sketch names anyone); it works offline.
    """
    now = int(wall_clock())
    got = reach.report(ctx.store(), doc, system_rng, now)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(got.as_of))
    spread = max(got.estimate - got.low, got.high - got.estimate)
    human = (f"about {got.estimate} readers, ±{spread} (between {got.low} and {got.high}); "
             f"latest sketch {_age(now - got.as_of)} ({when}), from {got.sources} "
             f"source{'s' if got.sources != 1 else ''}")
    ctx.emit(got.as_json(), human)


def register(group: click.Group) -> None:
    group.add_command(reach_cmd)
