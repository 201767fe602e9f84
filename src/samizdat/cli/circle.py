"""Commands of the circle of co-authors: ``circle new|join|list|add``.

Each parses arguments, calls :mod:`samizdat.app.circle` and prints. The circle
key is a secret agreed in person: it is written to a file (``--key-out``, mode
0600) or printed once, and read back from a file or standard input, never from
the command line."""

from __future__ import annotations

from pathlib import Path

import click

from samizdat.app import circle as app
from samizdat.cli.context import Context
from samizdat.core import codes
from samizdat.runtime import system_rng, wall_clock

__all__ = ["register"]


def _now() -> int:
    return int(wall_clock())


@click.group("circle")
def circle_group() -> None:
    """Co-authors who read each other's drafts and comments.

    Drafts and comments of a document in a circle leave this store only sealed to
    the circle: a courier or a reader holds them as files nobody outside opens.
    Versions a committee made final, or given to readers with 'share --public',
    travel as usual.
    """


@circle_group.command("new")
@click.argument("name")
@click.option("--key-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the circle key (szk1-...) to this file (mode 0600) instead "
              "of printing it.")
@click.pass_obj
def circle_new(ctx: Context, name: str, key_out: Path | None) -> None:
    """Make a circle NAME; give its key to each co-author in person."""
    from samizdat.cli.carry import _give_cap

    key = app.new_circle(ctx.store(), name, system_rng, _now())
    shown = _give_cap(ctx, key.danger_real_key_string(), key_out, "circle key")
    ctx.emit({"circle": key.circle_id.hex(), "name": name.strip(), "key": shown},
             shown if shown is not None else f"circle {name.strip()!r} made")


@circle_group.command("join")
@click.argument("name")
@click.option("--code-file", "code_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The file holding the circle key ('-': standard input).")
@click.pass_obj
def circle_join(ctx: Context, name: str, code_file: Path) -> None:
    """Join a circle whose key a co-author gave you; NAME is yours to choose."""
    from samizdat.cli.codes import code_text
    from samizdat.core.circle import CircleKey

    text = code_text(codes.CIRCLE_KEY, file=code_file)
    assert text is not None
    key = CircleKey.parse(text)
    app.join_circle(ctx.store(), name, key, _now())
    ctx.emit({"circle": key.circle_id.hex(), "name": name.strip()},
             f"joined circle {name.strip()!r}")


@circle_group.command("list")
@click.pass_obj
def circle_list(ctx: Context) -> None:
    """The circles this store is in (never their keys)."""
    found = app.list_circles(ctx.store())
    ctx.emit({"circles": [c.to_json() for c in found]},
             "\n".join(f"{c.name}  {c.circle_id.hex()[:16]}  {c.documents} document(s)"
                       for c in found) or "in no circle")


@circle_group.command("add")
@click.argument("name")
@click.argument("doc", metavar="DOC|VER")
@click.pass_obj
def circle_add(ctx: Context, name: str, doc: str) -> None:
    """Put a document in circle NAME: its drafts and comments stay in the circle."""
    doc_id, circle = app.add_document(ctx.store(), name, doc)
    ctx.emit({"document": doc_id.hex(), "circle": circle},
             f"document {doc_id.hex()[:16]} is in circle {circle!r}")


def register(group: click.Group) -> None:
    group.add_command(circle_group)
