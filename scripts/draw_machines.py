"""Write the Graphviz diagram of each protocol state machine into docs/spec/ and
render it (dot -Tsvg, dot -Tpng). Run after changing a transition table:

    .venv/bin/python scripts/draw_machines.py

tests/unit/test_machine_diagrams.py checks that the committed .dot files have
exactly the edges of the code's tables.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from samizdat.protocol.session import TRANSITIONS, Input, Phase

SPEC = Path(__file__).resolve().parent.parent / "docs" / "spec"


def session_dot() -> str:
    lines = [
        "// The session state machine (protocol/session.py TRANSITIONS).",
        "// Written by scripts/draw_machines.py; a test checks it against the code.",
        "// Dashed: only calls of our own driver (want(), end(), ...).",
        "digraph session {",
        '  rankdir=TB; node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for phase in Phase:
        style = ", style=bold" if phase in (Phase.CLOSED, Phase.FAILED) else ""
        lines.append(f'  {phase.name} [label="{phase.value}"{style}];')
    # one arrow per pair of phases, labelled with every input that takes it
    # (the peer's frames plain, the driver's calls in italics between < >)
    edges: dict[tuple[Phase, Phase], list[Input]] = {}
    for (phase, what), nxt in TRANSITIONS.items():
        edges.setdefault((phase, nxt), []).append(what)
    order = list(Phase)
    for (phase, nxt), inputs in sorted(edges.items(),
                                       key=lambda kv: (order.index(kv[0][0]),
                                                       order.index(kv[0][1]))):
        inputs.sort(key=list(Input).index)
        label = "\\n".join(i.value for i in inputs)
        local = all(i.name.startswith("OUR_") for i in inputs)
        style = ", style=dashed" if local else ""
        lines.append(f'  {phase.name} -> {nxt.name} [label="{label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    for name, text in (("session", session_dot()),):
        dot = SPEC / f"{name}.dot"
        dot.write_text(text, encoding="utf-8")
        for fmt in ("svg", "png"):
            subprocess.run(["dot", f"-T{fmt}", str(dot), "-o", str(SPEC / f"{name}.{fmt}")],
                           check=True)
        print(f"wrote {dot} (+ .svg, .png)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
