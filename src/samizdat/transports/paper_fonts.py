"""Fonts for printing text in any script: Debian's Noto fonts, chosen by script.

Every character to be printed is sorted by its Unicode script (fpdf2's table);
each script present gets its Noto face (Noto Serif for Latin, Greek and Cyrillic,
Noto Naskh Arabic for Arabic script, Noto Serif CJK for Han and kana, else
``NotoSerif<Script>`` or ``NotoSans<Script>`` from ``fonts-noto-core``), loaded only
when the text needs it, since a CJK collection costs a second to load. A paragraph
is set in the face of its dominant script; fpdf2 switches to another loaded face
for any character that face lacks (its fallback fonts), and HarfBuzz shapes each
run (``uharfbuzz``, fpdf2's text shaping).

:meth:`FontSet.require` checks, before anything is drawn, that some loaded face has
every visible character, and raises a :class:`~samizdat.errors.SamizdatError`
(exit 3) naming the characters and the Debian package to install: a missing glyph
is never a blank on the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from samizdat.errors import SamizdatError

__all__ = ["FONT_DIRS", "FontSet"]

FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto"),
    Path("/usr/local/share/fonts/noto"),
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
)

_BASE: Final = "serif"
_MONO: Final = "mono"
_CJK_FILE: Final = "NotoSerifCJK-Regular.ttc"
_CJK_BOLD: Final = "NotoSerifCJK-Bold.ttc"
_CJK_FACE: Final = {"ja": 0, "ko": 1, "zh": 2}  # faces of the collection: JP KR SC TC HK
_CJK_SCRIPTS: Final = frozenset({"HAN", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})
_BASE_SCRIPTS: Final = frozenset({"LATIN", "GREEK", "CYRILLIC", "COMMON", "INHERITED",
                                  "UNKNOWN"})
_NAMED: Final = {"ARABIC": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")}
_MAX_DISTINCT: Final = 50_000  # distinct characters checked at most (all of Unicode's
# assigned scripts fit; a text with more is not a document)


@dataclass(frozen=True)
class _Face:
    family: str
    regular: Path
    bold: Path | None
    index: int = 0


def _find(name: str) -> Path | None:
    for folder in FONT_DIRS:
        path = folder / name
        if path.is_file():
            return path
    return None


def _script(ch: str) -> str:
    from fpdf.unicode_script import get_unicode_script

    return str(get_unicode_script(ch).name)


def _camel(script: str) -> str:
    return "".join(part.capitalize() for part in script.split("_"))


def _package(script: str) -> str:
    return "fonts-noto-cjk" if script in _CJK_SCRIPTS else "fonts-noto-core (or fonts-noto-extra)"


def _visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return not (ch.isspace() or category in ("Cc", "Cf", "Zl", "Zp"))


class FontSet:
    """The faces one print needs, added to one fpdf2 document."""

    def __init__(self, pdf: Any, language: str) -> None:
        self._pdf = pdf
        self._language = language
        self._faces: dict[str, _Face] = {}
        self._families: list[str] = []
        base = _find("NotoSerif-Regular.ttf")
        bold = _find("NotoSerif-Bold.ttf")
        if base is None:
            base, bold = _find("DejaVuSerif.ttf"), _find("DejaVuSerif-Bold.ttf")
        if base is None:
            raise SamizdatError(
                "no Unicode serif font is installed (Noto Serif or DejaVu Serif)",
                hint="install Debian's fonts-noto-core (scripts/install-system-deps)",
            )
        self._add(_Face(_BASE, base, bold))
        mono = _find("NotoSansMono-Regular.ttf") or _find("DejaVuSansMono.ttf") or base
        self._add(_Face(_MONO, mono, None))

    def _add(self, face: _Face) -> None:
        from fontTools.ttLib import TTLibError  # type: ignore[import-untyped]

        try:
            self._pdf.add_font(face.family, "", str(face.regular),
                               collection_font_number=face.index)
            self._pdf.add_font(face.family, "B", str(face.bold or face.regular),
                               collection_font_number=face.index)
        except (OSError, ValueError, KeyError, AssertionError, TTLibError) as exc:
            raise SamizdatError(
                f"the font file {face.regular.name} cannot be read ({type(exc).__name__})",
                hint="reinstall Debian's fonts-noto-core and fonts-noto-cjk",
            ) from None
        self._faces[face.family] = face
        if face.family != _MONO:
            self._families.append(face.family)
        self._pdf.set_fallback_fonts(self._families, exact_match=False)

    def _face_for(self, script: str) -> _Face | None:
        if script in _BASE_SCRIPTS:
            return self._faces[_BASE]
        if script in _CJK_SCRIPTS:
            family = "cjk"
            found: tuple[Path | None, Path | None] = (_find(_CJK_FILE), _find(_CJK_BOLD))
            index = _CJK_FACE.get(self._language, 2)
        else:
            family, index = script.lower(), 0
            named = _NAMED.get(script)
            name = _camel(script)
            candidates = [named] if named else []
            candidates += [(f"NotoSerif{name}-Regular.ttf", f"NotoSerif{name}-Bold.ttf"),
                           (f"NotoSans{name}-Regular.ttf", f"NotoSans{name}-Bold.ttf")]
            found = (None, None)
            for regular, bold in candidates:
                if _find(regular):
                    found = (_find(regular), _find(bold))
                    break
        if family in self._faces:
            return self._faces[family]
        if found[0] is None:
            return None
        self._add(_Face(family, found[0], found[1], index))
        return self._faces[family]

    def require(self, texts: Iterable[str]) -> None:
        """Load a face for every script in ``texts`` and check that every visible
        character has a glyph in some loaded face; raise naming those that do not."""
        chars: set[str] = set()
        for text in texts:
            chars.update(text)
            if len(chars) > _MAX_DISTINCT:
                raise SamizdatError("the text uses too many distinct characters to print")
        visible = sorted(ch for ch in chars if _visible(ch))
        by_script = {ch: _script(ch) for ch in visible}
        for script in sorted(set(by_script.values())):  # load every face first
            self._face_for(script)
        missing: dict[str, set[str]] = {}
        for ch in visible:
            if any(ord(ch) in self._cmap(f) for f in self._families):
                continue
            # a shared character (ARABIC COMMA is "Common"): the face its name says
            script = unicodedata.name(ch, "UNKNOWN").split(" ")[0]
            face = self._face_for(script) if script not in _BASE_SCRIPTS else None
            if face is None or ord(ch) not in self._cmap(face.family):
                missing.setdefault(by_script[ch] if face is None else script, set()).add(ch)
        if missing:
            shown = sorted(c for cs in missing.values() for c in cs)
            names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in shown[:6])
            more = f" and {len(shown) - 6} more" if len(shown) > 6 else ""
            scripts = ", ".join(sorted(_camel(s) for s in missing))
            packages = " ".join(sorted({_package(s) for s in missing}))
            raise SamizdatError(
                f"no installed font has {len(shown)} character(s) of this text ({scripts}): "
                f"{names}{more}",
                hint=f"install Debian's {packages}, then print again",
            )

    def _cmap(self, family: str) -> Any:
        return self._pdf.fonts[family].cmap

    def family_for(self, text: str) -> str:
        """The family to set ``text`` in: the face of its dominant script (after
        :meth:`require` has loaded it)."""
        counts: dict[str, int] = {}
        for ch in text[:4000]:
            if ch.isalpha():
                script = _script(ch)
                counts[script] = counts.get(script, 0) + 1
        if not counts:
            return _BASE
        face = self._face_for(max(counts, key=lambda s: counts[s]))
        return face.family if face is not None else _BASE
