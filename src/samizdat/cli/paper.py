"""Paper copies: ``print`` and ``scan``.

``print VER --out FILE.pdf`` writes the pages (readable text plus QR codes carrying
the sealed copy) and, beside them, ``FILE.key.pdf``: the key sheet with the read
capability, so the pages can travel without it (``--cap-on-pages`` puts it on the
last page instead). ``scan FILES...`` takes photos or scans of the pages (PNG, JPEG,
PDF) in any order, and the key sheet among them or ``--cap``.
"""

from __future__ import annotations

from pathlib import Path

import click

from samizdat.app import paper
from samizdat.app.carry import ImportResult
from samizdat.cli.carry import cap_options, import_summary, read_cap
from samizdat.cli.context import Context
from samizdat.runtime import system_rng, wall_clock

__all__ = ["register"]


def _scanned(result: ImportResult) -> str:
    return import_summary(result)


@click.command("print")
@click.argument("ref", metavar="VER|DOC")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PDF of the pages to write (A4).")
@click.option("--cap-on-pages", is_flag=True,
              help="Put the key sheet on the last page instead of a separate file.")
@click.option("--key-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the key sheet (default: FILE.key.pdf beside --out).")
@click.option("--no-text", is_flag=True,
              help="Leave out the readable text pages; print only the codes.")
@click.option("--density", type=click.Choice(["low", "normal", "high"]), default="normal",
              show_default=True,
              help="Data per code page: 'normal' survives photocopying; 'low' has bigger "
                   "codes to spare; 'high' packs twice as much, for clean scans only.")
@click.pass_obj
def print_cmd(ctx: Context, ref: str, out: Path, cap_on_pages: bool, key_out: Path | None,
              no_text: bool, density: str) -> None:
    """Print a paper copy: the readable text, then QR codes carrying the sealed copy.

    Most of the codes, from any pages in any order, rebuild it, even with a page
    lost. The read capability goes on a separate key sheet (mode 0600): keep it
    apart from the pages. It is not printed on the terminal; --json carries it as
    `cap`, per the scripting contract.
    """
    result = paper.print_copy(ctx.store(), ref, out, system_rng, cap_on_pages=cap_on_pages,
                              with_text=not no_text, key_out=key_out, density=density)
    key = str(result.key_sheet) if result.key_sheet else None
    where = f"key sheet: {key}" if key else "key sheet: last page"
    human = (f"printed version {result.version[:16]} to {out}: {result.pages} page(s), "
             f"{result.codes} codes, any {result.k} rebuild it; {where} (the read "
             "capability is there and nowhere else)")
    if not ctx.as_json:  # never on a terminal (or in its scrollback) beside the pages
        ctx.emit({}, human)
        return
    # --json: the contract's `cap`, for the script that asked for it
    ctx.emit(
        {"pages": result.pages, "cap": result.cap.danger_real_capability_string(),
         "key_sheet": key, "codes": result.codes, "codes_needed": result.k,
         "version": result.version, "file": str(out)},
    )


@click.command("scan")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@cap_options
@click.pass_obj
def scan_cmd(ctx: Context, files: tuple[Path, ...], cap_text: str | None,
             cap_file: Path | None) -> None:
    """Rebuild, verify and store a copy from photos or scans of printed pages.

    FILES are PNG, JPEG or PDF, in any order; scan the key sheet with them or give
    the capability. Nothing is stored unless the whole copy verifies.
    """
    cap = read_cap(cap_text, cap_file, required=False)
    result = paper.scan_copy(ctx.store(), list(files), cap, int(wall_clock()))
    ctx.emit(result.as_json(), _scanned(result))


def register(group: click.Group) -> None:
    """Add ``print`` and ``scan`` to the root command."""
    group.add_command(print_cmd)
    group.add_command(scan_cmd)
