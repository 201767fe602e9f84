"""Mail: building and parsing the message that carries a bundle.

Figures in MB/s of attachment, each against the raw primitive in the same run:
``build_message`` against one ``base64.b64encode`` call (it adds the 76-column line
wrapping, done per line in Python, and the headers), ``extract_attachments``
against one ``b64decode`` (the stdlib's feedparser walks the message line by line
in Python and is the known bottleneck), and the mbox reader's streaming against
reading the same file in one call (bounded rather than fast). The design sets no
target for mail: these figures are to watch, SMTP and IMAP are slower anyway.
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

from bench.harness import Row, best_of, throughput
from samizdat.transports import mail

NAME = "mail"


def run(smoke: bool) -> list[Row]:
    size = 64 * 1024 if smoke else 16 * 1024 * 1024
    repeat = 1 if smoke else 5
    payload = os.urandom(size)
    limits = mail.Limits.for_attachment(size + 1)

    raw = mail.build_message(payload, sender="a@example.org", to="b@example.org",
                             rng=os.urandom, now=0.0).raw
    encoded = base64.b64encode(payload)
    t_build = best_of(lambda: mail.build_message(payload, sender="a@example.org",
                                                 to="b@example.org", rng=os.urandom, now=0.0),
                      repeat)
    t_b64 = best_of(lambda: base64.b64encode(payload), repeat)
    t_parse = best_of(lambda: mail.extract_attachments(raw, limits), repeat)
    t_unb64 = best_of(lambda: base64.b64decode(encoded), repeat)
    assert mail.extract_attachments(raw, limits)[0] == [payload]

    with tempfile.TemporaryDirectory() as tmp:
        box = Path(tmp) / "in.mbox"
        one = b"From a@example.org Mon Jan  1 00:00:00 2024\n" + raw.replace(b"\r\n", b"\n")
        box.write_bytes((one + b"\n") * 4)
        t_mbox = best_of(lambda: list(mail.read_mbox(box, limits)), repeat)
        t_read = best_of(box.read_bytes, repeat)
        mbox_bytes = box.stat().st_size

    def row(figure: str, seconds: float, ref: float, nbytes: int, goal: float | None) -> Row:
        value = throughput(nbytes, seconds)
        reference = throughput(nbytes, ref)
        if goal is None:
            return Row(NAME, figure, value, "MB/s", reference)
        return Row(NAME, figure, value, "MB/s", reference, f">= {goal:.0%} of raw",
                   None if smoke else value >= goal * reference)

    return [
        row("build message (vs b64encode)", t_build, t_b64, size, None),
        row("parse message (vs b64decode)", t_parse, t_unb64, size, None),
        row("mbox streaming read (vs one read)", t_mbox, t_read, mbox_bytes, None),
    ]
