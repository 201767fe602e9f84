"""``samizdat publish``: parse, call ``app/publish.py``, print."""

from __future__ import annotations

from pathlib import Path

import click

from samizdat.cli.context import Context

__all__ = ["publish", "register"]


@click.command("publish")
@click.argument("ver")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="folder to write the site into (new or empty)")
@click.option("--car", type=click.Path(dir_okay=False, path_type=Path),
              help="also write the site as an IPFS CARv1 file and print its root CID")
@click.option("--draft", is_flag=True, help="publish a version no committee signed")
@click.option("--force", is_flag=True, help="write into a folder that already holds files")
@click.option("--lang", help="the text's language tag for browsers (e.g. fa, ru, zh-Hans)")
@click.pass_obj
def publish(ctx: Context, ver: str, out: Path, car: Path | None, draft: bool, force: bool,
            lang: str | None) -> None:
    """A static site of a final version for exile mirrors, checkable in any browser."""
    from samizdat.app.publish import publish as run

    done = run(ctx.store(), ver, out, car=car, draft=draft, force=force, lang=lang)
    data: dict[str, object] = {"files": done.files}
    human = f"site written to {done.out} ({len(done.files)} files); open index.html"
    if done.cid is not None:
        data["cid"] = done.cid
        human += f"\nCAR written to {car}; root CID {done.cid} (ipfs dag import {car})"
    ctx.emit(data, human)


def register(group: click.Group) -> None:
    group.add_command(publish)
