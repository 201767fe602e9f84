"""Couriers on the network, with real node processes and the real command:

* the author's node seals a shared version into 10 shards and hands each of its ten
  couriers its share (``contact invite --courier``); no courier receives the copy, the
  ticket or the capability;
* a seized courier's unlocked store holds no title, text, document id, version id or
  key of what it carries: only random-looking shard bytes under their hashes;
* seven of the ten couriers are seized; a reader who was handed the ticket in person
  rebuilds the text from the three left, over the network, from several contacts.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from samizdat.core.crypto import SecretBytes
from samizdat.core.tickets import decode_ticket
from samizdat.store import Store
from tests.conftest import PASSPHRASE
from tests.integration.network_helpers import NodeProcess
from tests.integration.test_committee_informant import _contains, _reader_dump
from tests.unit.test_envelope import _chi_square

PW = SecretBytes(PASSPHRASE.encode(), "passphrase")

TEXT = (
    "Ко всем членам партии.\n\n"
    "Прочти, перепиши, передай дальше.\n\n"
    "به همه اعضا: بخوانید، رونویسی کنید، دست به دست کنید.\n\n"
    "致全体同志：阅读，抄写，传下去。\n"
)
TEXT += "".join(f"\n{i}. Товарищи, время пришло; рукопись {i * 7919 % 1000} идёт дальше.\n"
                for i in range(1, 160))
TITLE = "Обращение"


def _wait(pred: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.3)
    raise TimeoutError("condition not reached")


@pytest.mark.slow
def test_couriers_carry_shards_they_cannot_open_and_a_reader_rebuilds_after_seizures(
    make_cli: Any, tmp_path: Path,
) -> None:
    author, rita = make_cli("author"), make_cli("rita")
    couriers = [make_cli(f"courier{i}") for i in range(10)]
    for c in (author, rita, *couriers):
        c.ok("init")
    text = tmp_path / "appeal.txt"
    text.write_text(TEXT, encoding="utf-8")
    made = author.ok("draft", "new", text, "--title", TITLE)
    ver, doc = made["version"], made["document"]
    author.ok("sign", ver)

    a, r = NodeProcess(author.home, interval=30), NodeProcess(rita.home, interval=30)
    try:
        a.wait_ready()
        r.wait_ready()
        for c in couriers:
            # the author and the reader each make it their courier (it gets shards
            # only); to it they are readers (they may take the shards it carries)
            c.ok("contact", "accept", author.ok("contact", "invite", "--courier")["code"])
            c.ok("contact", "accept", rita.ok("contact", "invite", "--courier")["code"])
        roles = {x["role"] for x in author.ok("contact", "list")["contacts"]}
        assert roles == {"courier"}
        assert {x["role"] for x in couriers[0].ok("contact", "list")["contacts"]} == {"reader"}
        assert author.ok("contact", "role", "1", "reader") == {"contact": 1, "role": "reader"}
        assert author.ok("contact", "role", "1", "courier")["role"] == "courier"
        assert author("contact", "role", "1", "informant").code == 2
        author.ok("share", ver)
        for c in couriers:
            assert c.ok("sync", "1")["received"] >= 1  # its share of the shards
            assert c("read", ver).code != 0  # it holds no copy

        # the police seize a courier: its unlocked store names nothing it carries
        ticket_file = tmp_path / "ticket.bin"
        author.ok("ticket", "export", ver, "--out", ticket_file)
        ticket = decode_ticket(ticket_file.read_bytes())
        secrets = [
            bytes.fromhex(ver), bytes.fromhex(doc), ticket.version_id, ticket.cap.root_key,
            TITLE.encode(), *[p.encode() for p in TEXT.split("\n\n")],
            "Прочти".encode(), "阅读".encode(),
        ]
        cells, counts = _reader_dump(couriers[0].home)
        assert counts["shards_items"] >= 1
        assert counts["shards_tickets"] == 0 and counts.get("versions", 0) == 0
        for cell in cells:
            for s in secrets:
                assert not _contains(cell, s), "a courier's store names what it carries"

        # what they carry looks random: no fixed byte across the ten, a flat histogram
        carried = []
        for c in couriers:
            with Store.open(c.home, PW) as s:
                carried += [bytes(r[0]) for r in s.db.query("SELECT data FROM shards_items")]
        assert len(carried) == 10 and len(carried[0]) > 400  # 10 × ~600 bytes
        shortest = min(map(len, carried))
        assert not [i for i in range(shortest) if len({d[i] for d in carried}) == 1]
        assert _chi_square(b"".join(carried)) < 255 + 6 * 22.6

        # seven of ten couriers are seized (their homes destroyed)
        for c in couriers[3:]:
            shutil.rmtree(c.home)
        a.terminate()  # and the author's node: the copy must come from the couriers
        # the reader was handed the ticket in person; her couriers bring the shards
        assert rita.ok("ticket", "add", ticket_file)["rebuilt"] is False
        assert rita("read", ver).code != 0
        for c in couriers[:3]:
            # a sync right after another one is sometimes refused under load (seen
            # on the engine's node, also in test_network_cli): try again, as a person would
            for _attempt in range(3):
                if c("sync", "2").code == 0:
                    break
                time.sleep(1.0)
            else:
                raise AssertionError(f"{c.home.name} could not sync with the reader")
        _wait(lambda: rita("read", ver).code == 0)
        got = rita.ok("read", ver)["text"]
        assert "передай дальше" in got and "传下去" in got
        checked = rita("verify", text, json_out=True)  # intact; the author is not trusted
        assert checked.json()["status"] == "untrusted"
    finally:
        a.terminate()
        r.terminate()
    for log in (a.stderr(), r.stderr()):
        assert ver[:16] not in log and TITLE not in log
