"""The demo's friend-to-friend chapter: real ``samizdat node run`` processes on
loopback, contacts made with invite codes, and the document passed along.

The graph is a ring of readers with a few chords (a small world), plus the
informant hanging off one reader: the informant's only contact is the person who
handed the text over, as in 1932.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from typing import Any

from samizdat.demo.runner import Demo, Person, StepFailed

__all__ = ["circulate_over_network"]

READERS = 20


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


def _start_node(demo: Demo, who: Person) -> None:
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


def _befriend(demo: Demo, a: Person, b: Person) -> None:
    invite = demo.run(a, "contact", "invite")
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
    facts["holders"].extend(r for r in readers if r not in waiting)
