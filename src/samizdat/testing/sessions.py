"""Two :class:`~samizdat.protocol.session.Session` machines driven against each
other in memory: the loop the session tests and ``bench/`` share.

:func:`drive` plays both peers the way a node does, without a socket or a store:
it carries each side's wire bytes to the other through a real
:class:`~samizdat.protocol.frames.FrameDecoder` (one at a time, in order), answers
``Reconciled`` with a WANT, ``Wanted`` with the items and an END, and puts the
``Chunk`` events of each item back together. The sessions are the caller's, so
extensions, limits and chunk sizes are whatever the test gives them, and their
``bytes_out`` counts what the run wrote.

Nothing here is used by the product itself (``node/`` and ``sim/`` drive the
engine, which owns the same steps with a store behind them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from samizdat.protocol.frames import FrameDecoder
from samizdat.protocol.session import Chunk, Completed, Event, Reconciled, Session, Wanted

__all__ = ["PairRun", "drive"]


@dataclass
class PairRun:
    """What :func:`drive` saw, side 0 being the initiator: the items each side
    received whole (``got``), every event each side's session gave, in order, and
    how many wire messages were delivered."""

    got: tuple[dict[bytes, bytes], dict[bytes, bytes]] = field(default_factory=lambda: ({}, {}))
    events: tuple[list[Event], list[Event]] = field(default_factory=lambda: ([], []))
    delivered: int = 0


def drive(
    initiator: Session,
    responder: Session,
    items: tuple[Mapping[bytes, bytes], Mapping[bytes, bytes]] = ({}, {}),
    *,
    then: Literal["pull", "end", "stay"] = "pull",
    cut_after: int | None = None,
) -> PairRun:
    """Run one session between ``initiator`` and ``responder`` until neither has
    anything left to send.

    ``items`` holds each side's payloads, sent when the peer wants them. What a
    side does once reconciled is ``then``: ``"pull"`` wants everything
    reconciliation says it lacks (from offset 0); ``"end"`` wants nothing and ends
    (a session that carries only its extensions' frames); ``"stay"`` answers
    nothing, leaving both sessions choosing what to want. ``cut_after`` drops the
    link after that many wire messages, mid-session, as a lost connection would.
    """
    sessions = (initiator, responder)
    decoders = (FrameDecoder(), FrameDecoder())
    partial: tuple[dict[bytes, bytearray], dict[bytes, bytearray]] = ({}, {})
    run = PairRun()
    queue: list[tuple[int, bytes]] = [(1, w) for w in initiator.start()[0]]  # (to side, wire)
    while queue:
        side, wire = queue.pop(0)
        if cut_after is not None and run.delivered >= cut_after:
            break
        run.delivered += 1
        session = sessions[side]
        for frame in decoders[side].feed(wire):
            out, events = session.receive(frame)
            pending = list(events)
            while pending:
                ev = pending.pop(0)
                run.events[side].append(ev)
                if isinstance(ev, Reconciled) and then != "stay":
                    out += session.want([(i, 0) for i in ev.need] if then == "pull" else [])
                elif isinstance(ev, Wanted):
                    for item, offset in ev.items:
                        out += session.send_item(item, items[side][item], offset)
                    more, closing = session.end()
                    out += more
                    pending += closing
                elif isinstance(ev, Chunk):
                    partial[side].setdefault(ev.item, bytearray()).extend(ev.data)
                elif isinstance(ev, Completed):
                    run.got[side][ev.item] = bytes(partial[side].pop(ev.item))
            queue += [(1 - side, w) for w in out]
    return run
