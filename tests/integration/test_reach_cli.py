"""``samizdat reach DOC`` on real stores: sketches carried by a bundle, a dead drop
and real node processes over loopback TLS; refusals of bad sketches."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from samizdat.core import reach
from samizdat.core.crypto import SecretBytes
from samizdat.store import reach as tables
from samizdat.store.store import Store
from tests.conftest import PASSPHRASE, write
from tests.integration.network_helpers import NodeProcess

PW = SecretBytes(PASSPHRASE.encode(), "passphrase")
TEXTS = {
    "ru": "Всем членам партии.\n\nПрочти, перепиши, передай дальше.\n",
    "fa": "به همه‌ی اعضا.\n\nبخوان، رونویسی کن، دست به دست کن.\n",
    "zh": "致全体党员。\n\n读它，抄它，传下去。\n",
}


def _author(make_cli: Any, tmp_path: Path, lang: str = "ru") -> tuple[Any, str, str]:
    alice = make_cli("alice")
    alice.ok("init")
    made = alice.ok("draft", "new", write(tmp_path / f"{lang}.txt", TEXTS[lang]),
                    "--title", f"Appeal {lang}")
    return alice, made["document"], made["version"]


def _sources(home: Path, doc: str) -> list[tables.SourceSketch]:
    with Store.open(home, PW) as s:
        return tables.sketches(s.db, bytes.fromhex(doc))


def test_reach_says_what_is_wrong_in_one_line(make_cli: Any, tmp_path: Path) -> None:
    alice, doc, _ver = _author(make_cli, tmp_path)
    unknown = alice("reach", "00" * 16)
    assert unknown.code == 3 and len(unknown.stderr.strip().splitlines()) == 1
    assert "Traceback" not in unknown.stderr
    # the author's own token counts, but nothing has arrived: say so, and what to do
    none = alice("reach", doc)
    assert none.code == 3 and "no reach sketch has arrived" in none.stderr
    assert "sync" in none.stderr and len(none.stderr.strip().splitlines()) == 1


def test_a_bundle_carries_the_sketch_and_reach_answers_offline(
    make_cli: Any, tmp_path: Path,
) -> None:
    for lang in TEXTS:
        root = tmp_path / lang
        root.mkdir()
        alice, doc, ver = _author(lambda n, lg=lang: make_cli(f"{lg}/{n}"), root, lang)
        bob = make_cli(f"{lang}/bob")
        bob.ok("init")
        bundle = root / "copy.bundle"
        cap = alice.ok("export", ver, "--out", bundle)["cap"]
        bob.ok("import", bundle, env={"SAMIZDAT_CAP": cap})
        got = bob.ok("reach", ver)  # a version id names its document too
        assert set(got) >= {"document", "estimate", "low", "high", "as_of"}
        assert got["document"] == doc
        assert got["low"] <= 2 <= got["high"]  # alice and bob
        assert abs(got["as_of"] - time.time()) < 120
        assert [s.source for s in _sources(bob.home, doc)] == ["bundle"]
        human = bob("reach", doc)
        assert human.code == 0 and human.stdout.startswith("about ")


def test_old_bundle_without_a_sketch_still_opens(make_cli: Any, tmp_path: Path) -> None:
    from samizdat.app import carry
    from samizdat.runtime import system_rng

    alice, doc, ver = _author(make_cli, tmp_path)
    with Store.open(alice.home, PW) as s:
        cap, bundle = carry.export_bundle(s, ver, system_rng)  # no sketch part
    bob = make_cli("bob")
    bob.ok("init")
    (tmp_path / "old.bundle").write_bytes(bundle)
    got = bob.ok("import", tmp_path / "old.bundle",
                 env={"SAMIZDAT_CAP": cap.danger_real_capability_string()})
    assert got["version"] == ver
    assert _sources(bob.home, doc) == []


def test_a_dead_drop_carries_sketches_per_drop(make_cli: Any, tmp_path: Path) -> None:
    alice, doc, ver = _author(make_cli, tmp_path)
    alice.ok("share", ver, "--public")  # an unsigned draft goes to a drop only so
    bob = make_cli("bob")
    bob.ok("init")
    drop = tmp_path / "stick"
    drop.mkdir()
    key = alice.ok("deaddrop", "key")
    code = key.get("key") or key.get("cap")
    env = {"SAMIZDAT_DROP_KEY": code}
    alice.ok("deaddrop", "sync", drop, env=env)
    bob.ok("deaddrop", "sync", drop, env=env)
    sources = _sources(bob.home, doc)
    assert len(sources) == 1 and sources[0].source.startswith("drop:")
    got = bob.ok("reach", doc)
    assert got["low"] <= 2 <= got["high"]


def test_two_nodes_exchange_sketches_in_their_session(make_cli: Any, tmp_path: Path) -> None:
    alice, doc, ver = _author(make_cli, tmp_path, "zh")
    bob, carol = make_cli("bob"), make_cli("carol")
    bob.ok("init")
    carol.ok("init")
    alice.ok("share", ver)
    a, b = NodeProcess(alice.home), NodeProcess(bob.home)
    try:
        a.wait_ready()
        b.wait_ready()
        bob.ok("contact", "accept", alice.ok("contact", "invite")["code"])
        carol.ok("contact", "accept", bob.ok("contact", "invite")["code"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _sources(bob.home, doc):
            time.sleep(0.3)
        # bob's node got the text and alice's sketch from alice's node
        assert [s.source[:5] for s in _sources(bob.home, doc)] == ["pair:"]
        carol.ok("sync")
        got = carol.ok("reach", doc)
        assert got["low"] <= 3 <= got["high"]  # alice, bob, carol
        while time.monotonic() < deadline and not _sources(alice.home, doc):
            time.sleep(0.3)
        assert alice.ok("reach", doc)["estimate"] >= 1
    finally:
        assert a.terminate() == 0
        assert b.terminate() == 0
    for log in (a.stderr(), b.stderr()):
        assert doc[:16] not in log


def test_a_malformed_sketch_in_a_bundle_is_refused_and_nothing_is_stored(
    make_cli: Any, tmp_path: Path,
) -> None:
    from samizdat.app import carry
    from samizdat.core import package as pkg
    from samizdat.core.envelope import seal
    from samizdat.runtime import system_rng

    alice, doc, ver = _author(make_cli, tmp_path)
    with Store.open(alice.home, PW) as s:
        good = pkg.decode_package(carry.package_version(s, bytes.fromhex(ver)))
    bob = make_cli("bob")
    bob.ok("init")
    sketch = reach.ReachSketch.empty().encode()
    for name, part in [("version", b"\x02" + sketch[1:]), ("short", sketch[:-1]),
                       ("long", sketch + b"\x00")]:
        body = bytearray(pkg.encode_package(pkg.Package(good.document, good.entry)))
        # hand-built: the encoder refuses to write a bad part, an attacker does not
        body[1] = 0xA7  # a map of 7 pairs
        at = body.index(b"gauthors")
        raw = bytes(body[:at]) + b"\x65reach" + _cbor_bytes(part) + bytes(body[at:])
        cap, (bundle,) = seal(raw, k=1, n=1, rng=system_rng)
        path = tmp_path / f"{name}.bundle"
        path.write_bytes(bundle)
        out = bob("import", path, env={"SAMIZDAT_CAP": cap.danger_real_capability_string()},
                  json_out=True)
        assert out.code == 3, (name, out.stderr)
        assert "Traceback" not in out.stderr and "sketch" in out.stderr
        assert bob.ok("list")["documents"] == []  # nothing stored, not even the text
        assert _sources(bob.home, doc) == []


def _cbor_bytes(data: bytes) -> bytes:
    n = len(data)
    if n < 24:
        return bytes([0x40 | n]) + data
    if n < 256:
        return bytes([0x58, n]) + data
    return bytes([0x59]) + n.to_bytes(2, "big") + data


def test_json_is_one_object(make_cli: Any, tmp_path: Path) -> None:
    alice, _doc, ver = _author(make_cli, tmp_path)
    bob = make_cli("bob")
    bob.ok("init")
    cap = alice.ok("export", ver, "--out", tmp_path / "b")["cap"]
    bob.ok("import", tmp_path / "b", env={"SAMIZDAT_CAP": cap})
    out = bob("reach", ver, json_out=True)
    assert out.code == 0 and out.stderr == ""
    assert json.loads(out.stdout).keys() == {"document", "estimate", "low", "high", "as_of",
                                             "sources", "holders"}
