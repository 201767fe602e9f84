"""Printing paragraph verdicts for people: what ``verify`` and ``diff`` show.

One line per paragraph that is not plainly the same, its changes word by word
(``'secret' → 'open'``: the original's words struck through in red, the copy's in
green when the terminal has colour, and quoted either way, so nothing depends on
colour), then a summary such as "3 paragraphs differ only as OCR would misread;
1 paragraph has changed words: 'secret' → 'open'".

Every piece of document text goes through :func:`rich.markup.escape`: a hostile
copy cannot inject console markup (control characters never get this far; the text
model refuses them).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from samizdat.core.align import ParagraphResult
from samizdat.core.words import Change

__all__ = ["change_markup", "print_paragraphs", "summary"]

_SHOWN_CHANGES = 8
_STYLE = {"words": ("red strike", "bold green"), "ocr": ("dim", "dim"),
          "typography": ("dim", "dim")}


def _quoted(text: str) -> str:
    return f"'{text}'" if text else "(nothing)"


def change_markup(change: Change) -> str:
    """One change as console markup: ``'old' → 'new'``, styled by its kind."""
    old_style, new_style = _STYLE[change.kind]
    return (f"[{old_style}]{escape(_quoted(change.old))}[/] → "
            f"[{new_style}]{escape(_quoted(change.new))}[/]")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _changes_markup(changes: Sequence[Change]) -> str:
    shown = ", ".join(change_markup(c) for c in changes[:_SHOWN_CHANGES])
    more = len(changes) - _SHOWN_CHANGES
    return shown + (f" … and {more} more" if more > 0 else "")


def print_paragraphs(out: Console, results: Sequence[ParagraphResult], *,
                     mark: dict[str, str] | None = None) -> None:
    """One line per paragraph that is not plainly ``same``, with its changes.

    ``mark``, when given, prefixes each line by status (``diff``'s ``~ - +``)."""
    for r in results:
        if r.status == "same" and r.detail in (None, "typography"):
            continue  # the summary counts the typography-only ones
        prefix = f"{mark[r.status]} " if mark else "  "
        where = ""
        if r.detail in ("split", "merged") and r.copy_indices:
            pieces = ", ".join(str(j) for j in r.copy_indices)
            where = f" (copy paragraph{'s' if len(r.copy_indices) > 1 else ''} {pieces})"
        elif r.status == "added" and r.copy_index is not None:
            where = f" (copy paragraph {r.copy_index})"
        label = r.status + (f" ({r.detail})" if r.detail else "")
        line = f"{prefix}paragraph {r.index}{where}: {label}"
        significant = [c for c in r.changes if c.kind == "words"] or list(r.changes)
        if r.status == "changed" and significant:
            line += ": " + _changes_markup(significant)
        out.print(line)


def summary(results: Sequence[ParagraphResult]) -> str:
    """The one-line summary of a comparison (console markup), empty when every
    paragraph is character for character the same."""
    typo = sum(1 for r in results if r.detail == "typography")
    ocr = sum(1 for r in results if r.status == "changed" and r.detail == "ocr")
    split = sum(1 for r in results if r.detail == "split")
    merged = sum(1 for r in results if r.detail == "merged")
    wordy = [r for r in results if r.status == "changed"
             and any(c.kind == "words" for c in r.changes)]
    missing = sum(1 for r in results if r.status == "missing")
    added = sum(1 for r in results if r.status == "added")
    parts: list[str] = []
    if typo:
        parts.append(_plural(typo, "paragraph differs", "paragraphs differ")
                     + " only in typography")
    if ocr:
        parts.append(_plural(ocr, "paragraph differs", "paragraphs differ")
                     + " only as OCR would misread")
    if split:
        parts.append(_plural(split, "paragraph is", "paragraphs are") + " split in the copy")
    if merged:
        parts.append(_plural(merged, "paragraph is", "paragraphs are")
                     + " merged with a neighbour")
    if wordy:
        changes = [c for r in wordy for c in r.changes if c.kind == "words"]
        parts.append(_plural(len(wordy), "paragraph has", "paragraphs have")
                     + " changed words: " + _changes_markup(changes))
    if missing:
        parts.append(_plural(missing, "paragraph is", "paragraphs are") + " missing")
    if added:
        parts.append(_plural(added, "paragraph was", "paragraphs were") + " added")
    return "; ".join(parts)
