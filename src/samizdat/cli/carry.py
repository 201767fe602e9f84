"""Carrying copies: ``export``, ``import``, ``disperse``, ``recover``, ``deaddrop``.

Read capabilities are secrets. They are printed once when made (``--cap-out FILE``
writes them to a file instead), and are taken from ``--cap``, ``--cap-file`` or the
``SAMIZDAT_CAP`` environment variable. ``--cap`` is what scripts usually type, but a
command line can be read by other users of the machine (``ps``); the file and the
environment variable avoid that.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from samizdat.app import carry
from samizdat.cli.codes import CAP_VARIABLE, code_text, env_codes
from samizdat.cli.context import Context
from samizdat.core import codes
from samizdat.core.caps import DropKey, ReadCap
from samizdat.errors import UsageError
from samizdat.files import atomic_writer, is_stdout
from samizdat.runtime import system_rng, wall_clock

__all__ = ["bundle_cap_for", "cap_options", "import_summary", "read_cap", "read_drop_key",
           "register"]

F = TypeVar("F", bound=Callable[..., Any])

CAP_HELP = (
    "The read capability (sz1-...; '-' reads it from standard input). Safer: --cap-file, "
    "'-' or the SAMIZDAT_CAP environment variable, which other users cannot see in the "
    "process list."
)


def cap_options(fn: F) -> F:
    """``--cap`` and ``--cap-file`` on a command (``SAMIZDAT_CAP`` is read too)."""
    fn = click.option(
        "--cap-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read the capability from this file (first line).",
    )(fn)
    fn = click.option("--cap", "cap_text", metavar="CAP", help=CAP_HELP)(fn)
    return fn


def read_cap(
    cap_text: str | None, cap_file: Path | None, *, required: bool = True
) -> ReadCap | None:
    """The capability from ``--cap`` (``-``: standard input), ``--cap-file`` or
    ``SAMIZDAT_CAP`` (the one read capability among its codes);
    :class:`UsageError` if none is given and one is required. A code of another
    kind (an invite, a dead-drop key) given as ``--cap`` is refused by name."""
    text = code_text(codes.READ_CAP, value=cap_text, file=cap_file)
    if text is None:
        found = env_codes(codes.READ_CAP)
        if len(found) > 1:
            raise UsageError(
                f"{CAP_VARIABLE} holds {len(found)} read capabilities and this command "
                "takes one", hint="pass the one to use with --cap-file FILE or --cap -",
            )
        text = found[0] if found else None
    if text is None:
        others = [t for kind in codes.KINDS if kind is not codes.READ_CAP
                  for t in env_codes(kind, strict=False)]
        if required and others:  # say by name what the variable holds instead
            ReadCap.parse(others[0])
        if required:
            raise UsageError(
                "a read capability is needed",
                hint="pass --cap, --cap-file or set SAMIZDAT_CAP",
            )
        return None
    return ReadCap.parse(text)


def read_drop_key(key_text: str | None, key_file: Path | None) -> DropKey | None:
    """The dead-drop key from ``--cap`` (``-``: standard input), ``--cap-file``,
    ``SAMIZDAT_DROP_KEY``, or the dead-drop key among the codes in ``SAMIZDAT_CAP``
    (its read capabilities are meant for other commands, and are left alone);
    ``None`` when none is given."""
    text = code_text(codes.DROP_KEY, value=key_text, file=key_file,
                     env_var="SAMIZDAT_DROP_KEY")
    if text is None:
        found = env_codes(codes.DROP_KEY, strict=False)
        if len(found) > 1:
            raise UsageError(f"{CAP_VARIABLE} holds {len(found)} dead-drop keys",
                             hint="pass the drop's key with --cap-file FILE or --cap -")
        text = found[0] if found else None
    return None if text is None else DropKey.parse(text)


def bundle_cap_for(path: Path, cap_text: str | None, cap_file: Path | None) -> ReadCap | None:
    """For ``verify``: the capability to open PATH as a bundle, or None to read it as
    text. An explicit ``--cap``/``--cap-file`` always means a bundle; a capability
    only in ``SAMIZDAT_CAP`` is used unless PATH is a file that reads as UTF-8 text,
    so an exported variable does not stop a retyped copy from being checked."""
    if cap_text is not None or cap_file is not None:
        return read_cap(cap_text, cap_file)
    cap = read_cap(None, None, required=False)
    if cap is None or path.is_dir():
        return cap
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return cap
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the 4 KiB mark
            return cap
    return None if b"\x00" not in head else cap


def _give_cap(ctx: Context, secret: str, cap_out: Path | None, what: str = "read capability"
              ) -> str | None:
    """Write the code ``secret`` to ``cap_out`` (then it is not printed) or return it.
    The file is mode 0600 from the moment it exists."""
    if cap_out is None:
        return secret
    with atomic_writer(cap_out, mode=0o600) as f:  # owner only from its creation
        f.write((secret + "\n").encode("ascii"))
    ctx.note(f"{what} written to {cap_out}")
    return None


def import_summary(result: carry.ImportResult) -> str:
    """The one line ``import``, ``recover`` and ``scan`` print: who signed, and
    whether each signer is trusted here (never a bare "final" for a committee the
    reader did not trust)."""
    what = "stored" if result.new else "already in this store"

    def who(s: carry.Signer) -> str:
        key = s.key.hex()[:16]
        if s.kind == "committee":
            return (f"final by committee {key}" if s.trusted
                    else f"final by an untrusted committee {key}")
        return f"author {key}" + ("" if s.trusted else " (untrusted)")

    signers = ", ".join(who(s) for s in result.signers) or "nobody"
    return (
        f"{result.status}: version {result.version} of document {result.document} "
        f"({what}; signed by {signers})"
    )


# ---------------------------------------------------------------- export/import

_history = click.option("--history", is_flag=True,
                        help="Include the document's earlier versions.")


def _cap_out(what: str = "capability") -> Callable[[F], F]:
    """``--cap-out FILE``: where a new code goes instead of the terminal."""
    return click.option("--cap-out", type=click.Path(dir_okay=False, path_type=Path),
                        help=f"Write the {what} to this file instead of printing it.")


@click.command("export")
@click.argument("ref", metavar="VER|DOC")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The bundle file to write.")
@_history
@_cap_out()
@click.pass_obj
def export_cmd(ctx: Context, ref: str, out: Path, history: bool, cap_out: Path | None) -> None:
    """Write a sealed bundle of a version for a USB stick; print its read capability.

    The bundle is random bytes to anyone without the capability: give the two by
    different channels.
    """
    if is_stdout(out) and cap_out is None:
        raise UsageError(
            "with --out - the bundle goes to standard output, so the capability cannot",
            hint="add --cap-out FILE",
        )
    from samizdat.app import circle

    store = ctx.store()
    version_id = carry.resolve_version(store, ref)
    if circle.held_back(store, version_id) is not None:  # a circle's draft
        name, size = circle.export_item(store, version_id, out, system_rng)
        ctx.emit({"cap": None, "bytes": size, "file": str(out), "circle": name},
                 f"sealed to circle {name!r}: {out} ({size} bytes); co-authors open it "
                 "with 'samizdat import FILE'")
        return
    cap, size = carry.export_to_file(store, ref, out, system_rng, history=history,
                                     now=int(wall_clock()))
    shown = _give_cap(ctx, cap.danger_real_capability_string(), cap_out)
    if is_stdout(out):
        return  # stdout holds the bundle: nothing else may go there
    ctx.emit(
        {"cap": shown, "bytes": size, "file": str(out)},
        shown if shown is not None else f"bundle written to {out} ({size} bytes)",
    )


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@cap_options
@click.pass_obj
def import_cmd(ctx: Context, path: Path, cap_text: str | None, cap_file: Path | None) -> None:
    """Open, verify and store a sealed bundle (all or nothing); without a
    capability, a circle item of one of this store's circles."""
    cap = read_cap(cap_text, cap_file, required=False)
    if cap is None:
        from samizdat.app import circle

        if not circle.list_circles(ctx.store()):
            raise UsageError(
                "a read capability is needed",
                hint="pass --cap, --cap-file or set SAMIZDAT_CAP; a circle's item opens "
                "only in a store that joined the circle ('samizdat circle join')")
        got = circle.import_item(ctx.store(), path, int(wall_clock()))
        ctx.emit(got.to_json() | {"status": "circle"},
                 f"circle {got.circle!r}: version {got.version.hex()} "
                 f"({'stored' if got.new else 'already in this store'}; "
                 f"{got.comments} new comment(s))")
        return
    result = carry.import_file(ctx.store(), path, cap, int(wall_clock()))
    ctx.emit(result.as_json(), import_summary(result))


# ------------------------------------------------------------ disperse/recover


@click.command("disperse")
@click.argument("ref", metavar="VER|DOC")
@click.option("--k", "k", type=int, required=True, help="Shards needed to rebuild.")
@click.option("--n", "n", type=int, required=True, help="Shards made (one per courier).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the n shard files (created if needed).")
@_history
@_cap_out()
@click.pass_obj
def disperse_cmd(
    ctx: Context, ref: str, k: int, n: int, out: Path, history: bool, cap_out: Path | None
) -> None:
    """Split a sealed copy into N shard files, one per courier; any K rebuild it.

    Shard files have random names and random-looking content; a courier holding
    fewer than K of them holds nothing readable.
    """
    cap, paths = carry.disperse_to_folder(ctx.store(), ref, k, n, out, system_rng,
                                          history=history)
    shown = _give_cap(ctx, cap.danger_real_capability_string(), cap_out)
    files = [str(p) for p in paths]
    ctx.emit(
        {"cap": shown, "files": files, "k": k, "n": n},
        (shown + "\n" if shown else "") + "\n".join(files),
    )


@click.command("recover")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@cap_options
@click.pass_obj
def recover_cmd(
    ctx: Context, paths: tuple[Path, ...], cap_text: str | None, cap_file: Path | None
) -> None:
    """Rebuild a copy from shard files or folders holding them (any order; damaged,
    duplicate and unrelated files are skipped), then verify and store it."""
    cap = read_cap(cap_text, cap_file)
    assert cap is not None
    result = carry.recover_files(ctx.store(), paths, cap, int(wall_clock()))
    ctx.emit(result.as_json(), import_summary(result))


# ------------------------------------------------------------------- dead drop


@click.group("deaddrop")
def deaddrop() -> None:
    """Exchange copies through a folder (a USB stick left somewhere).

    Everyone using one drop shares one dead-drop key: make it with 'deaddrop key',
    give it (szd1-...) to the others, who pass it once with
    'deaddrop sync DIR --cap KEY' (or --cap-file, '-', SAMIZDAT_DROP_KEY). The store
    remembers it. A read capability is not a dead-drop key and is refused.
    """


@deaddrop.command("key")
@_cap_out("key")
@click.pass_obj
def deaddrop_key(ctx: Context, cap_out: Path | None) -> None:
    """Make a new dead-drop key, remember it, and print it."""
    key = carry.new_drop_key(ctx.store(), system_rng, int(wall_clock()))
    shown = _give_cap(ctx, key.danger_real_key_string(), cap_out, "dead-drop key")
    ctx.emit({"cap": shown}, shown or "dead-drop key written")


@deaddrop.command("sync")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@cap_options
@click.pass_obj
def deaddrop_sync(
    ctx: Context, folder: Path, cap_text: str | None, cap_file: Path | None
) -> None:
    """Two-way exchange with a dead-drop folder: take in what this store lacks, leave
    what the folder lacks. Safe to interrupt and rerun."""
    key = read_drop_key(cap_text, cap_file)
    report = carry.deaddrop_sync_folder(ctx.store(), folder, key, system_rng,
                                        int(wall_clock()))
    ctx.emit(
        report.as_json(),
        f"sent {report.sent}, received {report.received}"
        + (f", skipped {report.skipped}" if report.skipped else ""),
    )


def register(group: click.Group) -> None:
    """Add the carrying commands to the root command."""
    for command in (export_cmd, import_cmd, disperse_cmd, recover_cmd, deaddrop):
        group.add_command(command)
