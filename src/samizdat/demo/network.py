"""The demo's friend-to-friend chapter: real ``samizdat node run`` processes on
loopback, contacts made with invite codes, and the document passed along.

The graph is a ring of readers with a few chords (a small world), plus the
informant hanging off one reader: the informant's only contact is the person who
handed the text over, as in 1932.

The couriers' part (:func:`couriers_over_network`): ten couriers take sealed shards
from a holder's node over the network, seven are seized, and a reader who was handed
the ticket in person rebuilds the text from the three left, through her node.

Then the reader who seeded the network asks ``samizdat reach``: the anonymous
sketches the nodes passed along in their sessions give an estimate of how many hold
and read it, checked against the true number.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from samizdat.demo.runner import Demo, Person, StepFailed

__all__ = ["ask_reach", "circulate_over_network", "couriers_over_network"]

READERS = 20
COURIERS = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _edges(n: int, rng: random.Random) -> list[tuple[int, int]]:
    edges = {(i, (i + 1) % n) for i in range(n)}
    while len(edges) < n + n // 4:
        a, b = rng.sample(range(n), 2)
        if (b, a) not in edges:
            edges.add((a, b))
    return sorted(edges)


def _start_node(demo: Demo, who: Person) -> subprocess.Popen[bytes]:
    port = _free_port()
    who.facts["address"] = f"127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "samizdat", "--home", str(who.home), "node", "run",
         "--listen", who.facts["address"], "--interval", "2"],
        env=demo.env(who),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    demo.processes.append(proc)
    return proc


def _befriend(demo: Demo, a: Person, b: Person, *flags: str) -> None:
    invite = demo.run(a, "contact", "invite", *flags)
    code = invite.get("code") or invite.get("invite")
    if not isinstance(code, str):
        raise StepFailed("contact invite printed no code")
    demo.run(b, "contact", "accept", extra_env={"SAMIZDAT_INVITE": code})  # not on argv


def _has(demo: Demo, who: Person, version: str) -> bool:
    got = demo.run(who, "read", version, expect=(0, 1, 2, 3), json_out=True)
    return bool(got) and got.get("version") == version


def circulate_over_network(demo: Demo, facts: dict[str, Any], name: str) -> None:
    """Seed the final version at one reader and wait until every reader has it."""
    rng = random.Random(1932)
    version = facts["final"]
    seed: Person = facts["holders"][-1]
    readers = [demo.person(f"reader-net-{i:02d}") for i in range(1, READERS + 1)]
    informant = demo.person("informant")
    for who in [*readers, informant]:
        demo.run(who, "init")
    everyone = [seed, *readers]
    for who in [*everyone, informant]:
        _start_node(demo, who)
    time.sleep(1.0)
    for a, b in _edges(len(everyone), rng):
        _befriend(demo, everyone[a], everyone[b])
    handed_by = readers[rng.randrange(len(readers))]
    _befriend(demo, handed_by, informant)
    facts.update(informant=informant, informant_contact=handed_by)
    demo.run(seed, "share", version)
    waiting = [*readers, informant]
    started = time.monotonic()
    deadline = started + 90
    while waiting and time.monotonic() < deadline:
        still = []
        for who in waiting:
            if _has(demo, who, version):
                demo.run(who, "share", version)  # read, copy, pass it on
            else:
                still.append(who)
        waiting = still
        if waiting:
            time.sleep(1.0)
    elapsed = time.monotonic() - started
    reached = READERS + 1 - len(waiting)
    demo.record(name, not waiting,
                f"{reached}/{READERS + 1} readers in {elapsed:.0f} s over {READERS + 1} "
                "node processes")
    # the seed reads it too: every one of them drew a reach token when it first sent
    facts.update(network_seed=seed, network_readers=reached + 1)
    facts["holders"].extend(r for r in readers if r not in waiting)


def couriers_over_network(demo: Demo, facts: dict[str, Any], name: str) -> None:
    """Shards to ten couriers by the network; seven seized; a reader rebuilds."""
    version = facts["final"]
    began = time.monotonic()
    holders = [h for h in facts["holders"] if "address" not in h.facts]  # no node yet
    if not holders:
        raise StepFailed("no holder of the final version is left to seal it")
    holder: Person = holders[0]
    couriers = [demo.person(f"courier-net-{i:02d}") for i in range(1, COURIERS + 1)]
    reader = demo.person("reader-ticket")
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda who: demo.run(who, "init"), [*couriers, reader]))
    holder_node = _start_node(demo, holder)
    _start_node(demo, reader)
    time.sleep(1.0)  # invites wait for a starting node's address anyway

    def enlist(courier: Person) -> None:
        # each is the holder's courier and the reader's: both give it shards only
        _befriend(demo, holder, courier, "--courier")
        _befriend(demo, reader, courier, "--courier")

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(enlist, couriers))
    demo.run(holder, "share", version)  # sealed 3 of 10, one shard per courier
    with ThreadPoolExecutor(3) as pool:
        got = list(pool.map(lambda c: demo.run(c, "sync", "1"), couriers))
    carried = sum(g.get("received", 0) for g in got)
    opened = [c for c in couriers if _has(demo, c, version)]
    listed = demo.run(couriers[0], "list").get("documents", [])
    expected = demo.run(holder, "read", version)["text"]
    ticket = demo.root / "files" / "ticket.bin"
    demo.run(holder, "ticket", "export", version, "--out", ticket)  # handed over in person

    # the police take seven couriers and the holder's node
    seized = random.Random(1937).sample(couriers, round(0.7 * COURIERS))
    for c in seized:
        shutil.rmtree(c.home)
    holder_node.terminate()
    holder_node.wait(10)
    left = [c for c in couriers if c not in seized]
    demo.run(reader, "ticket", "add", ticket)
    started = time.monotonic()
    for c in left:
        demo.run(c, "sync", "2")
    while not _has(demo, reader, version) and time.monotonic() < started + 30:
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    text = demo.run(reader, "read", version, expect=(0, 1, 2, 3)).get("text", "")
    ok = text == expected and carried >= COURIERS and not opened and not listed
    demo.record(
        name, ok,
        f"{carried} shards over {COURIERS} couriers, none opened ({len(listed)} documents "
        f"in a courier's store); {len(seized)}/{COURIERS} seized; rebuilt through the "
        f"network from {len(left)} in {elapsed:.1f} s, the same text "
        f"({time.monotonic() - began:.0f} s for this part)",
    )


def ask_reach(demo: Demo, facts: dict[str, Any], name: str) -> None:
    """Ask the seed's store how many read it, once the answer has settled (the
    sketches travel back as the text went out: a few sync rounds), and check that
    the true number of readers on the network lies in the interval."""
    seed: Person = facts["network_seed"]
    truth: int = facts["network_readers"]
    version = facts["final"]
    deadline = time.monotonic() + 90
    last: tuple[int, int, int] | None = None
    same = 0
    got: dict[str, Any] = {}
    while time.monotonic() < deadline and same < 5:
        got = demo.run(seed, "reach", version, expect=(0, 3))
        now = (got.get("estimate", -1), got.get("low", -1), got.get("high", -1)) if got else None
        same = same + 1 if now is not None and now == last else 0
        last = now
        time.sleep(2.0)
    if not got:
        raise StepFailed("samizdat reach gave no answer")
    estimate, low, high = int(got["estimate"]), int(got["low"]), int(got["high"])
    spread = max(estimate - low, high - estimate)
    demo.say(f"  samizdat reach, at the reader who seeded the network: about {estimate} "
             f"readers, ±{spread}, from {got['sources']} sources' sketches; no sketch "
             "names anyone")
    demo.record(name, low <= truth <= high,
                f"about {estimate} readers ±{spread} ({low}..{high}); truly {truth}")
