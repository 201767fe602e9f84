"""Hostile inputs, built the way an attacker would, for the regression tests that
mount each attack and for the bench that measures what each one costs.

Each builder returns bytes (or writes a file) that the real code paths receive:

* :func:`array_bomb_package`: ``0x01`` and a CBOR array of ``n`` empty arrays, a
  package-shaped blob that compresses about 20,000:1 and costs a generic CBOR
  decoder ~64 bytes of memory per byte;
* :func:`tiny_paragraph_package`: a *well-formed*, self-consistent package of ``n``
  one-letter paragraphs (every check passes, so only size limits stop it);
* :func:`sealed_bundle`: any payload sealed as a bundle (k = n = 1), with its cap;
* :func:`nested_mime`: an e-mail of ``depth`` nested multiparts;
* :func:`huge_page_pdf`: a tiny valid PDF whose one page is ``points`` wide and
  high, and :func:`many_page_pdf`;
* :func:`run_measured`: run a command and measure its peak RSS from outside.

Nothing here is used by the product itself.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from samizdat.core import cbor
from samizdat.core.caps import ReadCap
from samizdat.core.crypto import Rng
from samizdat.core.envelope import seal
from samizdat.core.package import PACKAGE_VERSION, Entry, Package, encode_package
from samizdat.core.text import digest_paragraphs
from samizdat.core.versions import Version, make_document

__all__ = [
    "Measured",
    "array_bomb_package",
    "huge_page_pdf",
    "many_page_pdf",
    "nested_mime",
    "run_measured",
    "sealed_bundle",
    "tiny_paragraph_package",
]


def array_bomb_package(n: int) -> bytes:
    """``0x01 || CBOR [[], [], ...]`` with ``n`` empty arrays."""
    empty = cbor.encode([])  # 0x80
    return bytes([PACKAGE_VERSION]) + _array_head(n) + empty * n


def _array_head(n: int) -> bytes:
    """The canonical head of an ``n``-item array (without building the items)."""
    if n < 24:
        return bytes([0x80 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([0x80 | info]) + n.to_bytes(size, "big")
    raise ValueError("too many items")


def tiny_paragraph_package(n: int, rng: Rng) -> bytes:
    """A valid package of ``n`` paragraphs ``"a"`` (unsigned, self-consistent)."""
    document = make_document("tiny", rng)
    paragraphs = ("a",) * n
    digest = digest_paragraphs(paragraphs)
    version = Version.create(
        document.document_id, digest.text_id, digest.paragraphs, digest.text_sha256
    )
    return encode_package(Package(document, Entry(version, paragraphs)))


def sealed_bundle(payload: bytes, rng: Rng) -> tuple[ReadCap, bytes]:
    """``payload`` sealed as one bundle file, as ``export`` would write it."""
    cap, (bundle,) = seal(payload, k=1, n=1, rng=rng)
    return cap, bundle


def nested_mime(
    depth: int, *, filler_lines: int = 0, close: bool = False, filler: bytes = b"x"
) -> bytes:
    """An e-mail whose body is ``depth`` multiparts nested in each other, with
    ``filler_lines`` short lines in the innermost part (each boundary distinct, so
    a parser must track every level). Closing delimiters are optional in MIME and
    left out unless ``close``: the message then has one boundary line per level."""
    head = (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: hello\r\n"
        b"MIME-Version: 1.0\r\n"
    )
    out = [head]
    for i in range(depth):
        out.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i))
    out.append(b"Content-Type: text/plain\r\n\r\n")
    out.append((filler + b"\r\n") * filler_lines)
    if close:
        for i in reversed(range(depth)):
            out.append(b"\r\n--b%d--\r\n" % i)
    return b"".join(out)


def _pdf(pages: list[tuple[float, float]]) -> bytes:
    """A minimal, valid PDF with empty pages of the given sizes (points)."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for w, h in pages:
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:g} {h:g}] >>".encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def huge_page_pdf(points: float = 14400) -> bytes:
    """One empty page ``points`` x ``points`` (14,400 pt is PDF's largest page:
    200 inches, 60,000 pixels a side at 300 dpi)."""
    return _pdf([(points, points)])


def many_page_pdf(pages: int, points: float = 612) -> bytes:
    """``pages`` empty pages of ``points`` x ``points``."""
    return _pdf([(points, points)] * pages)


@dataclass(frozen=True)
class Measured:
    """How one child process ended and what it cost, measured from outside it."""

    code: int
    stdout: str
    stderr: str
    peak_rss: int
    """Peak resident set of the command alone, in bytes, as ``/usr/bin/time``
    reports it."""
    seconds: float


TIME: Final = "/usr/bin/time"


def run_measured(
    argv: Sequence[str], *, env: Mapping[str, str], timeout: float = 300
) -> Measured:
    """Run ``argv`` under GNU ``/usr/bin/time -f %M`` and return its peak RSS and
    wall time; stdin is empty, stdout and stderr are captured.

    Why not ``os.wait4`` on our own child: Linux carries ``ru_maxrss`` across fork
    *and* exec, and Python starts children by (v)fork of itself, so the rusage of
    a child of a 600 MiB process reports 600 MiB whatever the child did (measured
    here: 628 MiB for ``python -c pass``; 8 MiB under ``/usr/bin/time``, whose own
    fork is tiny). Reading ``ru_maxrss`` inside the child has the same flaw.
    """
    if not os.access(TIME, os.X_OK):
        raise RuntimeError(f"{TIME} (GNU time) is needed to measure peak RSS from outside")
    with tempfile.TemporaryDirectory(prefix="samizdat-measure-") as tmp:
        report = Path(tmp) / "time.txt"
        start = time.monotonic()
        proc = subprocess.run(
            [TIME, "-o", str(report), "-f", "%M", *argv],
            stdin=subprocess.DEVNULL, capture_output=True, env=dict(env), timeout=timeout,
            check=False,
        )
        seconds = time.monotonic() - start
        lines = report.read_text().strip().splitlines()
    # GNU time writes "Command exited with non-zero status N" before the figure
    return Measured(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        int(lines[-1]) * 1024,
        seconds,
    )
