"""The diagrams in docs/spec/ draw exactly the transition tables of the code."""

from __future__ import annotations

import re
from pathlib import Path

from samizdat.protocol.session import TRANSITIONS, Input, Phase

SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec"
_EDGE = re.compile(r'^\s*(\w+) -> (\w+) \[label="([^"]*)"')


def _edges(dot: str) -> set[tuple[str, str, str]]:
    out = set()
    for line in dot.splitlines():
        m = _EDGE.match(line)
        if m:
            for label in m.group(3).split("\\n"):
                out.add((m.group(1), label, m.group(2)))
    return out


def test_session_diagram_has_exactly_the_code_transitions() -> None:
    drawn = _edges((SPEC / "session.dot").read_text(encoding="utf-8"))
    code = {(p.name, i.value, n.name) for (p, i), n in TRANSITIONS.items()}
    assert drawn == code, "run scripts/draw_machines.py after changing TRANSITIONS"
    assert (SPEC / "session.svg").exists() and (SPEC / "session.png").exists()


def test_every_phase_is_reachable_and_every_live_phase_can_end() -> None:
    seen, todo = {Phase.RECONCILING}, [Phase.RECONCILING]
    while todo:
        p = todo.pop()
        for (src, _), dst in TRANSITIONS.items():
            if src is p and dst not in seen:
                seen.add(dst)
                todo.append(dst)
    assert seen == set(Phase)
    for p in Phase:
        if p not in (Phase.CLOSED, Phase.FAILED):
            assert TRANSITIONS[(p, Input.CLOSE)] is Phase.FAILED
