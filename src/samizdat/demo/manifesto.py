"""The sample text of the demo: a short manifesto, written for this demo, in three
drafts. It is fiction in the spirit of 1932, not a copy of any historical text.

Draft 1 is the author's first version; the two revisions follow the committee's
arguments (a paragraph reworded, one added, one dropped), as a real text changes.
"""

from __future__ import annotations

__all__ = ["DRAFTS", "POLICE_CHANGE", "TITLE"]

TITLE = "To all members: on the state of the union and the way out"

_P = {
    "open": (
        "Comrades, we write to you because the congresses no longer speak for\n"
        "the members, and the members no longer dare to speak at all. What follows\n"
        "was argued over by many of us, in many rooms, for many months."
    ),
    "harvest": (
        "The harvest figures printed in the papers are not the harvest in the\n"
        "barns. Every district secretary knows it, and every one of them signs the\n"
        "report that says otherwise, because the one who does not is replaced."
    ),
    "harvest2": (
        "The harvest figures printed in the papers are not the harvest in the\n"
        "barns. Every district secretary knows it and signs the report anyway,\n"
        "because the one who refuses is removed and the next one signs."
    ),
    "fear": (
        "Fear has become the method of government. A question asked at a meeting\n"
        "is remembered; an answer withheld is remembered too. We do not ask you\n"
        "to be brave. We ask you to read, to think, and to pass this on."
    ),
    "demands": (
        "We ask for three things: that the congress be called on time and its\n"
        "delegates be elected, not appointed; that the figures be published as\n"
        "they are; and that no member be punished for a vote or a question."
    ),
    "leaders": (
        "The present leadership will say that this letter is the work of\n"
        "enemies. It is the work of members who joined when joining was\n"
        "dangerous, and who have not changed their minds about why they joined."
    ),
    "copies": (
        "This text carries no names. Its authors are not hiding from the\n"
        "members; they are hiding from those who would rather the members never\n"
        "read it. Judge it by what it says, not by who said it."
    ),
    "pass": "Read it, copy it, and pass it on.",
}

DRAFTS: tuple[str, ...] = (
    "\n\n".join(_P[k] for k in ("open", "harvest", "fear", "leaders", "pass")),
    "\n\n".join(_P[k] for k in ("open", "harvest2", "fear", "demands", "leaders", "pass")),
    "\n\n".join(
        _P[k] for k in ("open", "harvest2", "fear", "demands", "leaders", "copies", "pass")
    ),
)
"""The three drafts; the last one is what the committee signs."""

POLICE_CHANGE = (
    "We ask for three things: that the congress be called on time and its",
    "We demand three things, by force if we must: that the congress be called on time and its",
)
"""The one sentence the police retyping changes (in the fourth paragraph)."""
