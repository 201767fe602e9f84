"""Commands for documents and the store: ``init``, ``draft new|revise``, ``log``,
``diff``, ``sign``, ``read``, ``verify``, ``passphrase duress``
and ``wipe``. Each parses its arguments, calls :mod:`samizdat.app.documents` and
prints the result (``--json``: exactly the keys of ``CLI.md``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from samizdat.app import documents as app
from samizdat.app.carry import verify_bundle_files
from samizdat.cli import verdicts
from samizdat.cli.carry import bundle_cap_for, cap_options
from samizdat.cli.context import Context
from samizdat.core.crypto import SecretBytes
from samizdat.errors import UsageError, VerificationFailed
from samizdat.runtime import system_rng, wall_clock

__all__ = ["register"]


def _now() -> int:
    return int(wall_clock())


def _size(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    return app.parse_size(value)


_max_size = click.option(
    "--max-size",
    default="64M",
    show_default=True,
    callback=_size,
    help="Refuse text files larger than this (e.g. 300M, 1G).",
)
_text_file = click.Path(dir_okay=False, path_type=Path)
_encoding = click.option(
    "--encoding",
    metavar="NAME",
    default=None,
    help="The text file's encoding if it is not UTF-8 (e.g. cp1251, koi8-r, cp1256, gb18030).",
)


# ------------------------------------------------------------------------ init


@click.command("init")
@click.pass_obj
def init(ctx: Context) -> None:
    """Create the encrypted store and this person's keys.

    The passphrase comes from SAMIZDAT_PASSPHRASE or is asked twice.
    """
    home, loose = app.init(ctx.home, ctx.passphrase(confirm=True), system_rng,
                           fast_kdf=ctx.fast_kdf)
    if loose is not None:
        ctx.note(f"{home} was mode {loose:04o}; it is now 0700 (only you may enter it)")
    ctx.emit({"home": str(home)}, f"store created at {home}")


# ---------------------------------------------------------------------- drafts


@click.group("draft")
def draft() -> None:
    """Write drafts: a new document, or a revision of one."""


@draft.command("new")
@click.argument("file", type=_text_file)
@click.option("--title", required=True, help="The document's title.")
@_max_size
@_encoding
@click.option("--circle", "circle", help="Keep its drafts and comments in this circle.")
@click.pass_obj
def draft_new(ctx: Context, file: Path, title: str, max_size: int,
              encoding: str | None, circle: str | None) -> None:
    """First version of a new document, with its own pseudonymous author key.

    The version is not signed: run 'samizdat sign VER' when you stand by it.
    """
    if circle is not None:
        from samizdat.app import circle as circles

        circles.circle_named(ctx.store(), circle)  # before anything is written
    doc, ver = app.draft_new(ctx.store(), file, title, system_rng, _now(), max_bytes=max_size,
                             encoding=encoding)
    if circle is not None:
        circles.add_document(ctx.store(), circle, doc.hex())
    ctx.emit({"document": doc.hex(), "version": ver.hex()} | (
             {"circle": circle} if circle is not None else {}),
             f"document {doc.hex()}\nversion  {ver.hex()}")


@draft.command("revise")
@click.argument("ref", metavar="VER|DOC")
@click.argument("file", type=_text_file)
@_max_size
@_encoding
@click.pass_obj
def draft_revise(ctx: Context, ref: str, file: Path, max_size: int,
                 encoding: str | None) -> None:
    """New version whose parent is VER (a DOC means its latest version)."""
    d, ver, parents = app.draft_revise(ctx.store(), ref, file, _now(), max_bytes=max_size,
                                       encoding=encoding)
    ctx.emit(
        {"document": d.hex(), "version": ver.hex(), "parents": [p.hex() for p in parents]},
        f"version {ver.hex()} (parent {', '.join(p.hex()[:16] for p in parents) or 'none'})",
    )


@draft.command("merge")
@click.argument("ver_a")
@click.argument("ver_b")
@click.option("--resolved", type=_text_file, help="the conflict file, resolved by hand")
@click.option("--out", "out", type=_text_file,
              help="where to write the conflicts (default: merge-A-B.txt here)")
@_max_size
@click.pass_obj
def draft_merge(ctx: Context, ver_a: str, ver_b: str, resolved: Path | None, out: Path | None,
                max_size: int) -> None:
    """Three-way merge of two versions, paragraph by paragraph, against their common
    ancestor. Conflicts go to a file with both sides marked (exit 1); edit it and run
    again with --resolved FILE."""
    from samizdat.files import atomic_writer

    done = app.draft_merge(ctx.store(), ver_a, ver_b, _now(), resolved=resolved,
                           max_bytes=max_size)
    data: dict[str, Any] = {
        "version": None if done.version is None else done.version.hex(),
        "parents": [p.hex() for p in done.parents],
        "conflicts": [{"index": i} for i in done.conflicts],
    }
    if done.conflict_text is not None:
        path = out or Path(f"merge-{ver_a[:8]}-{ver_b[:8]}.txt")
        with atomic_writer(path) as f:
            f.write(done.conflict_text.encode("utf-8"))
        data["file"] = str(path)
        ctx.emit(data, f"{len(done.conflicts)} conflicts (paragraphs "
                       f"{', '.join(map(str, done.conflicts))}), both sides marked in {path}; "
                       f"edit it, then: samizdat draft merge {ver_a} {ver_b} --resolved {path}")
        raise click.exceptions.Exit(VerificationFailed.exit_code)
    assert done.version is not None
    how = "fast-forward: already contains both" if done.fast_forward else "merged"
    ctx.emit(data | {"fast_forward": done.fast_forward}, f"{how}: version {done.version.hex()}")


@draft.command("comment")
@click.argument("ver")
@click.argument("text", required=False)
@click.option("--paragraph", "paragraph", type=int, required=True, help="1-based paragraph")
@click.option("--file", "file", type=_text_file, help="read the comment from a file")
@click.pass_obj
def draft_comment(ctx: Context, ver: str, text: str | None, paragraph: int,
                  file: Path | None) -> None:
    """Comment on one paragraph of a version, under this store's pseudonym for the
    document; 'read --comments' shows it."""
    from samizdat.app.comments import add_comment

    if (text is None) == (file is None):
        raise UsageError("give the comment as TEXT or --file F (one of them)")
    if file is not None:
        text = b"".join(app.read_text_chunks(file, 64 * 1024)).decode("utf-8", "replace")
    assert text is not None
    cid, version, n = add_comment(ctx.store(), ver, paragraph, text, _now(), system_rng)
    ctx.emit({"comment": cid.hex(), "version": version.hex(), "paragraph": n},
             f"comment {cid.hex()[:16]} on paragraph {n} of {version.hex()[:16]}")


# ------------------------------------------------------------------------- log


def _entry_json(e: app.LogEntry) -> dict[str, Any]:
    return {
        "version": e.version.hex(),
        "parents": [p.hex() for p in e.parents],
        "final": e.final,
        "signatures": [s.to_json() for s in e.signers],
    }


def _log_graph(out: Console, title: str, entries: list[app.LogEntry],
               comments: dict[bytes, int], asked: bytes | None = None) -> None:
    """The version graph, newest first (``cli/loggraph.py``): each version with
    its short id, head, final and signatures marked (author pseudonyms and
    committees), both parents of a merge, and its comments; ``asked`` (the
    version ``log VER`` was given) is marked "(this version)"."""
    from samizdat.cli.loggraph import layout

    out.print(f"[bold]{escape(title)}[/]", soft_wrap=True)
    newest = list(reversed(entries))
    parents_of_any = {p for e in entries for p in e.parents}
    rows = layout([(e.version, e.parents) for e in newest])
    width = max((len(r.lanes) for r in rows), default=1)
    for row in rows:
        if row.index is None:
            out.print(row.lanes)
            continue
        e = newest[row.index]
        marks = []
        if e.version == asked:
            marks.append("[bold magenta](this version)[/]")
        if e.version not in parents_of_any:
            marks.append("[bold cyan](head)[/]")
        if e.final_words:
            marks.append(f"[bold green]{e.final_words}[/]" if e.final
                         else f"[yellow]{e.final_words}[/]")
        for sig in e.signers:
            who = "author" if sig.kind == "author" else "committee"
            marks.append(f"{who} {sig.key.hex()[:12]}"
                         + ("" if sig.trusted else " (untrusted)"))
        if len(e.parents) > 1:
            marks.append("merge of " + " + ".join(p.hex()[:12] for p in e.parents))
        if not e.signers:
            marks.append("[dim]unsigned[/]")
        n = comments.get(e.version, 0)
        if n:
            marks.append(f"{n} comment{'s' if n != 1 else ''}")
        out.print(f"{row.lanes.ljust(width)}  {e.version.hex()[:12]}  " + "  ".join(marks),
                  soft_wrap=True, highlight=False)


@click.command("log")
@click.argument("doc", metavar="DOC|VER", required=False)
@click.option("--all", "all_docs", is_flag=True, help="Every document (the default without DOC).")
@click.pass_obj
def log(ctx: Context, doc: str | None, all_docs: bool) -> None:
    """Version history of DOC, or of every document, drawn as a graph. A VER
    shows its document's history with that version marked."""
    from samizdat.app.comments import comment_counts

    store = ctx.store()
    if doc is not None and not all_docs:
        doc_id, asked = app.document_for(store, doc)
        entries = app.document_log(store, doc_id)
        title = f"{store.document(doc_id).title} ({doc_id.hex()})"
        counts = comment_counts(store, doc_id)
        ctx.emit(
            {"document": doc_id.hex(), "versions": [_entry_json(e) for e in entries]},
            lambda out: _log_graph(out, title, entries, counts, asked),
        )
        return
    docs = []
    graphs = []
    for record in store.documents():
        entries = app.document_log(store, record.doc_id)
        docs.append({"document": record.doc_id.hex(), "title": record.title,
                     "versions": [_entry_json(e) for e in entries]})
        graphs.append((f"{record.title} ({record.doc_id.hex()})", entries,
                       comment_counts(store, record.doc_id)))

    def human(out: Console) -> None:
        if not graphs:
            out.print("no documents yet")
        for i, (title, entries, counts) in enumerate(graphs):
            if i:
                out.print()
            _log_graph(out, title, entries, counts)

    ctx.emit({"documents": docs}, human)


# ------------------------------------------------------------------------ diff

_MARK = {"same": " ", "changed": "~", "missing": "-", "added": "+"}


@click.command("diff")
@click.argument("ver_a")
@click.argument("ver_b")
@click.pass_obj
def diff(ctx: Context, ver_a: str, ver_b: str) -> None:
    """Word-level differences from VER_A to VER_B: removed words in red, added
    in green; typography (quote and dash styles) counts as an edit here."""
    report = app.diff(ctx.store(), ver_a, ver_b)
    results = report.paragraphs

    def human(out: Console) -> None:
        if report.warning:
            out.print(f"[bold yellow]warning:[/] {report.warning}")
        verdicts.print_paragraphs(out, results, mark=_MARK)
        if all(r.status == "same" for r in results):
            out.print("same text")
        elif line := verdicts.summary(results):
            out.print(line)

    data: dict[str, Any] = {"paragraphs": [r.to_json() for r in results]}
    if report.warning:
        data["warning"] = report.warning
    ctx.emit(data, human)


# ------------------------------------------------------------------------ sign


@click.command("sign")
@click.argument("ver")
@click.pass_obj
def sign(ctx: Context, ver: str) -> None:
    """Author-sign VER under this store's pseudonym for its document."""
    version, key = app.sign(ctx.store(), ver, system_rng)
    ctx.emit({"version": version.hex(), "key": key.hex()},
             f"signed {version.hex()} as pseudonym {key.hex()}")


# ------------------------------------------------------------------------ read


@click.command("read")
@click.argument("ref", metavar="VER|DOC")
@click.option("--comments", "with_comments", is_flag=True,
              help="show the co-authors' comments under their paragraphs")
@click.pass_obj
def read(ctx: Context, ref: str, with_comments: bool) -> None:
    """Print the normalized text of a version (a DOC means its version final by a
    trusted committee, else its latest)."""
    store = ctx.store()
    version, paragraphs = app.read(store, ref)
    state = app.final_state(app.signers(store, store.version(version)))
    if state != "final" and state:
        ctx.note(f"note: version {version.hex()[:16]} is {app.FINAL_WORDS[state]}")
    notes: dict[int | None, list[Any]] = {}
    if with_comments:
        from samizdat.app.comments import comments_on

        for c in comments_on(store, version):
            notes.setdefault(c.paragraph, []).append(c)
    if ctx.as_json:
        data: dict[str, Any] = {"version": version.hex(), "text": "\n\n".join(paragraphs) + "\n"}
        if with_comments:
            data["comments"] = [
                {"comment": c.comment_id.hex(), "paragraph": c.paragraph, "text": c.text,
                 "author": c.author.hex(), "outdated": c.outdated,
                 "version": c.written_on.hex(), "original_paragraph": c.original}
                for group in notes.values() for c in group]
        ctx.emit(data)
        return
    first = True
    for i, p in enumerate(paragraphs, start=1):  # streamed: never in memory whole
        sys.stdout.write(("" if first else "\n") + p + "\n")
        for c in notes.get(i, []):
            sys.stdout.write(f"    \u21b3 [{c.author.hex()[:12]}] {c.text}\n")
        first = False
    for c in notes.get(None, []):
        sys.stdout.write(f"\n(outdated: on paragraph {c.original} of {c.written_on.hex()[:12]}, "
                         f"since changed) [{c.author.hex()[:12]}] {c.text}\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------- verify


@click.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--key", "key_file", type=click.Path(path_type=Path),
              help="Check only against the key in this file (committee.pub, "
                   "committee.sig.pub, committee.pem, or an author key in hex); "
                   "nothing is added to the store.")
@_max_size
@_encoding
@cap_options
@click.pass_obj
def verify(
    ctx: Context, path: Path, key_file: Path | None, max_size: int, encoding: str | None,
    cap_text: str | None,
    cap_file: Path | None,
) -> None:
    """Check PATH against the signed versions in this store and your trust anchors.
    Exit 0 authentic; 1 altered, untrusted or unknown.

    PATH is a text file (retyped, OCR'd, partial), a statement folder (from
    'samizdat statement'), or, with a read capability (--cap, --cap-file or
    SAMIZDAT_CAP), a sealed bundle or a folder of shards. A copy that differs only
    in line wrapping, spacing, Unicode normalization, blank lines or typography
    (quote and dash styles, ellipsis, ligatures, a line-end hyphen) is authentic
    when a trusted committee, an author trusted for that document, or your own
    pseudonym signed it; signed only by keys you did not trust, it is untrusted. A
    changed paragraph says what changed, word by word, and whether it looks like
    OCR noise or changed words.
    A text file that is not UTF-8 is read with --encoding NAME.
    """
    from samizdat.app import trust

    policy = None if key_file is None else trust.one_shot(trust.read_key_file(key_file)[0])
    cap = bundle_cap_for(path, cap_text, cap_file)
    store = ctx.store()
    if cap is not None:  # a bundle: the carry area opens it (cli/carry.py)
        if encoding is not None:
            raise UsageError("--encoding is for a text file, not a sealed bundle",
                             hint="drop --encoding, or drop the read capability")
        report = verify_bundle_files(store, path, cap, policy)
    elif path.is_dir():
        from samizdat.app.statements import verify_statement_dir

        report = verify_statement_dir(path, policy or trust.anchors(store), max_bytes=max_size)
    else:
        report = app.verify_text_file(store, path, max_bytes=max_size, policy=policy,
                                      encoding=encoding)

    def who(s: app.Signer) -> str:
        return f"{s.kind} {s.key.hex()}" + ("" if s.trusted else " (NOT trusted here)")

    def human(out: Console) -> None:
        colour = {"authentic": "green", "altered": "yellow", "untrusted": "red",
                  "unknown": "red"}[report.status]
        out.print(f"[bold {colour}]{report.status}[/]"
                  + (f": version {report.version.hex()}" if report.version else ""))
        if report.reason:
            out.print(f"  {escape(report.reason)}")
        for s in report.signers:
            out.print(f"  signed by {who(s)}")
        verdicts.print_paragraphs(out, report.paragraphs)
        if line := verdicts.summary(report.paragraphs):
            out.print(line)
        for version, signers in report.also_matches:
            out.print(f"  the copy is identical to version {version.hex()}, signed by "
                      + (", ".join(who(s) for s in signers) or "nobody"))
        if report.status == "untrusted":
            out.print("  nobody you trust signed this. If you know the signer, trust the "
                      "committee's key ('samizdat trust add committee.pub') or the author "
                      "for this document ('samizdat trust author KEY --document DOC').")

    ctx.emit(report.to_json(), human)
    if report.status != "authentic":
        raise click.exceptions.Exit(VerificationFailed.exit_code)


# ------------------------------------------------------------ duress and wipe


@click.group("passphrase")
def passphrase() -> None:
    """Passphrases of the store."""


@passphrase.command("duress")
@click.option("--decoy", "decoys", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A text file to put in the decoy store (repeatable). Without it the "
              "decoy is empty.")
@click.option("--decoy-title", "titles", multiple=True,
              help="Title of each --decoy document, in order (default: its file name).")
@_max_size
@click.pass_obj
def passphrase_duress(ctx: Context, decoys: tuple[Path, ...], titles: tuple[str, ...],
                      max_size: int) -> None:
    """Set a duress passphrase (from SAMIZDAT_DURESS_PASSPHRASE or a prompt).

    Entering it instead of the real one opens a decoy store AND destroys the real
    store's key in the same step: afterwards the real passphrase opens nothing,
    ever. The decoy holds the --decoy texts you choose (there is no built-in text:
    one would give the decoy away). The store's files look the same whether or not
    one is set, and whether or not it was used.
    """
    if len(titles) > len(decoys):
        raise UsageError("more --decoy-title than --decoy files")
    chosen = [(titles[i] if i < len(titles) else _title_of(p), p) for i, p in enumerate(decoys)]
    store = ctx.store()
    value = os.environ.get("SAMIZDAT_DURESS_PASSPHRASE")
    if value is None:
        if not sys.stdin.isatty():
            raise UsageError("no duress passphrase: set SAMIZDAT_DURESS_PASSPHRASE or run "
                             "in a terminal")
        value = click.prompt("Duress passphrase", hide_input=True, confirmation_prompt=True)
    if not value:
        raise UsageError("the duress passphrase is empty")
    app.set_duress(store, SecretBytes(value.encode("utf-8"), "passphrase"), system_rng, _now(),
                   chosen, max_bytes=max_size)
    ctx.emit({"duress": True, "decoy_documents": len(chosen)}, "duress passphrase set"
             + (f"; the decoy holds {len(chosen)} document(s)" if chosen
                else "; the decoy store is empty (see --decoy)"))


def _title_of(path: Path) -> str:
    """A title from a file name: ``allotment-notes.txt`` -> ``Allotment notes``."""
    words = path.stem.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) if words else "Notes"


@click.command("wipe")
@click.option("--yes", is_flag=True, help="Really destroy the store, now.")
@click.pass_obj
def wipe(ctx: Context, yes: bool) -> None:
    """Destroy the store's keys at once (crypto-shredding): under a second for any
    store size, no passphrase needed, nothing recoverable afterwards."""
    if not yes:
        raise UsageError("wipe destroys the store for ever; add --yes to do it")
    from samizdat.cli.mail import CONFIG_NAME  # the mail settings name servers

    app.wipe(ctx.home, system_rng, also=(CONFIG_NAME,))
    ctx.emit({"wiped": True}, f"the store at {ctx.home} is destroyed; nothing of it is left")


def register(group: click.Group) -> None:
    for command in (init, draft, log, diff, sign, read, verify, passphrase, wipe):
        group.add_command(command)
