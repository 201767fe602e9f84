"""Commands of the trust policy: ``trust add|list|remove|author`` and ``list``.

Each parses arguments, calls :mod:`samizdat.app.trust` or
:mod:`samizdat.app.listing`, and prints (``--json``: the keys of ``CLI.md``)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from samizdat.app import listing, trust
from samizdat.cli.context import Context
from samizdat.runtime import wall_clock

__all__ = ["register"]


def _now() -> int:
    return int(wall_clock())


def _keys_text(keys: list[dict[str, str]]) -> str:
    lines = []
    for k in keys:
        where = f" for document {k['document'][:16]}" if "document" in k else ""
        lines.append(f"{k['kind']} {k['key']} {k['name']}{where}")
    return "\n".join(lines) or "no trusted keys"


@click.group("trust")
def trust_group() -> None:
    """Choose whose signatures make a copy authentic here.

    A copy is authentic only if a trust anchor signed it: a committee you trust
    ('trust add FILE'), an author key you trust for one document ('trust author'),
    or your own pseudonym. Anyone can sign anything; an untrusted signature only
    names a key.
    """


@trust_group.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
def trust_add(ctx: Context, file: Path) -> None:
    """Trust the committee public key in FILE (committee.pub, committee.sig.pub or
    committee.pem, from 'samizdat committee export' or 'samizdat statement').

    Get the file from the committee by a channel you believe, or compare its key
    with them in person: a key file that came with a copy proves nothing.
    """
    store = ctx.store()
    key = trust.trust_add(store, file, _now())
    ctx.emit({"keys": trust.trust_list(store)}, f"trusted committee {key.hex()}")


@trust_group.command("list")
@click.pass_obj
def trust_list(ctx: Context) -> None:
    """List the trusted keys (your own pseudonyms are trusted without being listed)."""
    keys = trust.trust_list(ctx.store())
    ctx.emit({"keys": keys}, _keys_text(keys))


@trust_group.command("remove")
@click.argument("key")
@click.pass_obj
def trust_remove(ctx: Context, key: str) -> None:
    """Stop trusting KEY (the whole key or 8+ characters of it)."""
    store = ctx.store()
    removed = trust.trust_remove(store, key)
    ctx.emit({"keys": trust.trust_list(store)}, f"no longer trusted: {removed.hex()}")


@trust_group.command("author")
@click.argument("key")
@click.option("--document", "document", required=True, help="The document (id or prefix).")
@click.pass_obj
def trust_author(ctx: Context, key: str, document: str) -> None:
    """Trust author pseudonym KEY for one document only (see 'samizdat log DOC' for
    the keys that signed it)."""
    store = ctx.store()
    k, doc = trust.trust_author(store, key, document, _now())
    ctx.emit({"keys": trust.trust_list(store)},
             f"trusted author {k.hex()} for document {doc.hex()}")


@click.command("list")
@click.pass_obj
def list_command(ctx: Context) -> None:
    """The documents in this store: title, short id, heads, final or draft, trust.

    Two documents with the same title are flagged: one may impersonate the other.
    """
    docs = listing.list_documents(ctx.store())

    def human(out: Console) -> None:
        if not docs:
            out.print("no documents yet")
            return
        for d in docs:  # one line a document, never wrapped mid-verdict
            state = ("final" if d.final else
                     "final by an untrusted committee" if d.untrusted_final else "draft")
            flag = " [bold red](same title as another document)[/]" if d.duplicate_title else ""
            out.print(f"{d.short}  {escape(d.title)}{flag}", soft_wrap=True)
            out.print(f"    {state}; {'trusted' if d.trusted else 'untrusted'}; "
                      f"{d.versions} version{'s' if d.versions != 1 else ''}; "
                      f"{d.comments} comment{'s' if d.comments != 1 else ''}; "
                      + (f"circle {escape(d.circle)}; " if d.circle else "") + "heads "
                      + " ".join(h.hex()[:12] for h in d.heads), soft_wrap=True)
        if any(d.duplicate_title for d in docs):
            out.print("[bold]warning[/]: documents with the same title; one may be an "
                      "impersonation. Check which one a trusted key signed "
                      "('samizdat log DOC') before you pass it on.")

    ctx.emit({"documents": [d.to_json() for d in docs]}, human)


def register(group: click.Group) -> None:
    group.add_command(trust_group)
    group.add_command(list_command)
