"""The exile mirror's static site, built from a final version's statement files.

A folder that any static host, an IPFS gateway or a USB stick can serve, and that a
reader can check with nothing but a browser:

* ``index.html``: the text, one ``<p dir="auto">`` a paragraph, inserted as text
  (HTML-escaped, never markup), and the result of the in-page self-check;
* ``check.html``: paste or drop a copy (a retyping, OCR output) to check it paragraph
  by paragraph, as ``samizdat verify`` would;
* ``statement.txt`` and its signatures (``statement.txt.sig`` for signify,
  ``statement.txt.minisig`` for minisign, when they exist), the committee's public
  keys, ``text.txt``: the same files as ``samizdat statement``, so stock tools check
  the mirror too;
* ``samizdat.js`` (the verifier: text model, Merkle tree, alignment, Ed25519 through
  WebCrypto), ``page.js``, ``style.css``, ``site-data.js`` (the statement, the first
  committee signature, the group key and the text, for pages opened from ``file://``
  where a page may not fetch its neighbours).

Every page carries a Content-Security-Policy allowing only the site's own files and
no inline script; ``_headers`` repeats it (with ``frame-ancestors 'none'``, which a
``<meta>`` policy cannot carry) for hosts that read such a file. Pure: returns the
files as bytes.
"""

from __future__ import annotations

import html
import json
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Final

from samizdat.core.statement import Statement

__all__ = ["CSP", "SiteInput", "build_site"]

CSP: Final = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
              "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'")
"""The pages' policy: the site's own files only, no inline script, no plugins."""

_ASSETS: Final = ("samizdat.js", "page.js", "style.css")


@dataclass(frozen=True)
class SiteInput:
    """What a mirror is made of: the statement files of a final version (as
    ``samizdat statement`` writes them), its statement signature, the text model its
    paragraphs were normalized under, and an optional language tag for the page."""

    files: dict[str, bytes]
    signature: bytes
    group_key: bytes
    model: int
    lang: str | None = None

    def __repr__(self) -> str:
        return f"SiteInput(<{len(self.files)} statement files>, model={self.model})"


def _asset(name: str) -> bytes:
    return resources.files("samizdat.web").joinpath("assets", name).read_bytes()


def _head(title: str) -> str:
    # the page's own words are English; the text's language and direction are set
    # on the elements that hold it
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        '<link rel="stylesheet" href="style.css">\n'
        '<script src="site-data.js"></script>\n<script src="samizdat.js"></script>\n'
        '<script src="page.js" defer></script>\n</head>\n'
    )


def _direction(paragraphs: list[str]) -> str:
    """The text's direction from its first strong character (as ``dir=auto``)."""

    for p in paragraphs:
        for c in p:
            bidi = unicodedata.bidirectional(c)
            if bidi in ("R", "AL"):
                return "rtl"
            if bidi == "L":
                return "ltr"
    return "ltr"


def build_site(site: SiteInput) -> dict[str, bytes]:
    """Every file of the mirror, by relative path."""
    statement = Statement.parse(site.files["statement.txt"])
    text = site.files["text.txt"].decode("utf-8")
    paragraphs = text[:-1].split("\n\n")
    direction = _direction(paragraphs)
    lang = f' lang="{html.escape(site.lang)}"' if site.lang else ""
    where = f'{lang} dir="{direction}"'
    title = html.escape(statement.title)
    links = "".join(
        f'<li><a href="{name}">{name}</a></li>\n' for name in sorted(site.files)
    )
    fingerprint = site.group_key.hex()
    footer = (
        '<footer class="files">\n'
        f'<p>Signed by the committee whose key is <code>{fingerprint}</code>. Compare it with '
        "the key you got from someone you trust: a mirror can only prove that its text is "
        "what that key signed.</p>\n"
        '<p><a href="check.html">Check a copy you hold</a> (a retyping, a scan\u2019s OCR) '
        "against this text. Or with stock tools: "
        "<code>signify -V -p committee.sig.pub -m statement.txt</code>, "
        "<code>sha256sum text.txt</code>.</p>\n"
        f"<ul>\n{links}</ul>\n</footer>\n"
    )
    body = "".join(f'<p dir="auto">{html.escape(p, quote=False)}</p>\n' for p in paragraphs)
    index = (
        _head(statement.title)
        + '<body>\n<div id="check" class="check" role="status">This page checks itself '
        "when scripts run.</div>\n"
        + f'<h1{where}>{title}</h1>\n<article id="text"{where}>\n{body}</article>\n'
        + footer + "</body>\n</html>\n"
    )
    check = (
        _head(f"Check a copy: {statement.title}")
        + f'<body>\n<h1>Check a copy of \u201c<span{where}>{title}</span>\u201d</h1>\n'
        "<p>Paste the copy you hold, or drop its text file on this page. It is checked here, "
        "in this browser; nothing is sent anywhere.</p>\n"
        f'<textarea id="copy"{where} spellcheck="false"></textarea>\n'
        '<p><button id="run" type="button">Check</button> '
        '<input id="file" type="file" accept=".txt,text/plain"> '
        '<progress id="progress" hidden></progress></p>\n'
        '<div id="result" role="status"></div>\n'
        + '<p><a href="index.html">Back to the text</a></p>\n</body>\n</html>\n'
    )
    data = {
        "statement": site.files["statement.txt"].decode("utf-8"),
        "signature": site.signature.hex(),
        "group_key": site.group_key.hex(),
        "model": site.model,
        "text": text,
    }
    # JSON is a JavaScript expression; "</" and U+2028/2029 are escaped all the same.
    data_js = ("window.samizdatSite = " + json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
               + ";\n")
    out = dict(site.files)
    out.update({
        "index.html": index.encode("utf-8"),
        "check.html": check.encode("utf-8"),
        "site-data.js": data_js.encode("utf-8"),
        "_headers": (f"/*\n  Content-Security-Policy: {CSP}; frame-ancestors 'none'\n"
                     "  Referrer-Policy: no-referrer\n  X-Content-Type-Options: nosniff\n"
                     ).encode("ascii"),
    })
    for name in _ASSETS:
        out[name] = _asset(name)
    return out
