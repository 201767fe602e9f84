"""Hostile inputs: peak RSS and wall time of the real command on each attack of
issue 13, measured from OUTSIDE the process with GNU ``/usr/bin/time -f %M``
(:func:`samizdat.testing.hostile.run_measured`; ``ru_maxrss`` read inside a forked
child, or ``wait4`` on our own child, reports the parent's size instead).

Each hostile figure has as its reference the same command on a benign input of
the same kind in the same run (a real bundle, a real mail, a real one-page PDF), so
the ratio says what the attack costs beyond ordinary use. Goals (issue 13): under
256 MiB and 5 s each, with a clean one-line error (exit 1 or 3) or a skip, and the
store intact. Also: ``draft new`` of a 200 MB text, and the worst message the mail
guards still let through (its parse time).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from pathlib import Path

from bench.harness import Row
from samizdat.core.caps import DropKey
from samizdat.core.envelope import PACKAGE_EXPANSION
from samizdat.testing import hostile
from samizdat.transports import mail
from samizdat.transports.deaddrop import DeadDrop

NAME = "hostile"
MIB = 1024 * 1024
_TEXT = "An appeal to all party members.\n\nRead it, copy it, pass it on.\n"


class _Home:
    def __init__(self, root: Path, name: str) -> None:
        self.home = root / name
        self.env = dict(os.environ, SAMIZDAT_PASSPHRASE="bench", SAMIZDAT_INSECURE_FAST_KDF="1")

    def argv(self, *args: str | Path) -> list[str]:
        return [sys.executable, "-m", "samizdat", "--home", str(self.home), "--json",
                *map(str, args)]

    def run(self, *args: str | Path) -> hostile.Measured:
        return hostile.run_measured(self.argv(*args), env=self.env, timeout=1800)

    def ok(self, *args: str | Path) -> str:
        got = self.run(*args)
        if got.code != 0:
            raise RuntimeError(f"samizdat {args[0]} failed: {got.stderr.strip()}")
        return got.stdout


def _eml(data: bytes) -> bytes:
    msg = MIMEMultipart()
    msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.org", "notes"
    msg.attach(MIMEApplication(data, Name="notes.dat"))
    return msg.as_bytes()


def _rows(figure: str, bad: hostile.Measured, good: hostile.Measured,
          codes: tuple[int, ...]) -> list[Row]:
    clean = bad.code in codes and len(bad.stderr.strip().splitlines()) <= 1
    return [
        Row(NAME, f"{figure}: peak RSS (vs benign)", bad.peak_rss / MIB, "MiB",
            good.peak_rss / MIB, "< 256 MiB, clean exit", clean and bad.peak_rss < 256 * MIB),
        Row(NAME, f"{figure}: wall time (vs benign)", bad.seconds, "s", good.seconds,
            "< 5 s", bad.seconds < 5),
    ]


def run(smoke: bool) -> list[Row]:
    import json

    rows: list[Row] = []
    bomb_items = 300_000 if smoke else 30_000_000
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as d:
        tmp = Path(d)
        alice, bob = _Home(tmp, "alice"), _Home(tmp, "bob")
        alice.ok("init")
        bob.ok("init")
        (tmp / "t.txt").write_text(_TEXT)
        version = json.loads(alice.ok("draft", "new", tmp / "t.txt", "--title", "T"))["version"]
        good_cap = json.loads(alice.ok("export", version, "--out", tmp / "good.bin"))["cap"]

        # import: the amplification bomb and the out-of-proportion package. About 2
        # bytes a paragraph: the smoke size (the expansion floor in paragraphs) still
        # yields twice the floor's bytes from a bundle of a few hundred, so it meets
        # the same refusal as the full size; 20,000 paragraphs (40 KB) were a valid
        # package under the floor, imported, and the row read "NO"
        benign = bob.run("import", tmp / "good.bin", "--cap", good_cap)
        for label, package in (
            ("import array bomb", hostile.array_bomb_package(bomb_items)),
            ("import tiny-paragraph package",
             hostile.tiny_paragraph_package(
                 PACKAGE_EXPANSION.floor if smoke else 400_000, os.urandom)),
        ):
            cap, bundle = hostile.sealed_bundle(package, os.urandom)
            path = tmp / "bad.bin"
            path.write_bytes(bundle)
            bad = bob.run("import", path, "--cap", cap.danger_real_capability_string())
            rows += _rows(f"{label} ({len(bundle)} B bundle)", bad, benign, (3,))

        # deaddrop sync with a planted bomb (second run: the skip is remembered)
        drop = tmp / "drop"
        drop.mkdir()
        key = json.loads(alice.ok("deaddrop", "key"))["cap"]
        alice.ok("deaddrop", "sync", drop)
        carol = _Home(tmp, "carol")
        carol.ok("init")
        benign = carol.run("deaddrop", "sync", drop, "--cap", key)
        DeadDrop(drop).leave(DropKey.parse(key).as_cap(), hostile.array_bomb_package(bomb_items),
                             os.urandom)
        for run_no in (1, 2):
            bad = bob.run("deaddrop", "sync", drop, "--cap", key)
            rows += _rows(f"deaddrop sync, planted bomb (run {run_no})", bad, benign, (0,))

        # mail fetch: nested MIME, and a bomb attachment tried with its cap
        box = tmp / "mail"
        box.mkdir()
        (box / "good.eml").write_bytes(_eml((tmp / "good.bin").read_bytes()))
        dave = _Home(tmp, "dave")
        dave.ok("init")
        benign = dave.run("mail", "fetch", "--eml", box, "--cap", good_cap)
        bad_box = tmp / "badmail"
        bad_box.mkdir()
        (bad_box / "nested.eml").write_bytes(
            hostile.nested_mime(300, filler_lines=6_000 if smoke else 600_000))
        bad = bob.run("mail", "fetch", "--eml", bad_box, "--cap", good_cap)
        rows += _rows("mail fetch, 300 nested multiparts", bad, benign, (0,))
        cap, bundle = hostile.sealed_bundle(hostile.array_bomb_package(bomb_items), os.urandom)
        (bad_box / "nested.eml").unlink()
        (bad_box / "bomb.eml").write_bytes(_eml(bundle))
        bad = bob.run("mail", "fetch", "--eml", bad_box,
                      "--cap", cap.danger_real_capability_string())
        rows += _rows("mail fetch, bomb attachment", bad, benign, (0,))

        # scan: a giant page, and many pages (rasterised once for all passes)
        one = tmp / "one.pdf"
        one.write_bytes(hostile.many_page_pdf(1))
        benign = bob.run("scan", one, "--cap", good_cap)
        pages = 4 if smoke else 20  # each empty page costs every effort pass (~3 s)
        for label, pdf in (
            ("scan, 14,400 pt page", hostile.huge_page_pdf(14400)),
            (f"scan, {pages} empty pages", hostile.many_page_pdf(pages)),
        ):
            path = tmp / "bad.pdf"
            path.write_bytes(pdf)
            bad = bob.run("scan", path, "--cap", good_cap)
            rows += _rows(f"{label} ({len(pdf)} B)", bad, benign, (1, 3))

        # the worst message the mail guards let through: the most boundaries and
        # the most lines allowed, at 8 MiB (time grows linearly with the size)
        size = (256 << 10) if smoke else (8 << 20)
        raw = hostile.nested_mime(8, filler_lines=size // 33, filler=b"y" * 31)
        limits = mail.Limits()
        t0 = time.perf_counter()
        mail.extract_attachments(raw, limits)
        took = time.perf_counter() - t0
        rows.append(Row(NAME, f"mail parse, worst allowed {len(raw) >> 20} MiB message",
                        took, "s", None, "linear in size"))

        # draft new of a 200 MB text, measured from outside
        megabytes = 2 if smoke else 200
        big = tmp / "big.txt"
        para = ("All power to the soviets, not to the leader. " * 20).encode()
        with big.open("wb") as f:
            i = 0
            while f.tell() < megabytes * 1000 * 1000:
                f.write(b"%d " % i + para + b"\n\n")
                i += 1
        got = alice.run("draft", "new", big, "--title", "Big", "--max-size", "1G")
        baseline = alice.run("list")
        rows.append(Row(NAME, f"draft new of a {megabytes} MB text: peak RSS (vs 'list')",
                        got.peak_rss / MIB, "MiB", baseline.peak_rss / MIB, "< 256 MiB",
                        got.code == 0 and got.peak_rss < 256 * MIB))
    return rows
