"""protocol layer: sans-io state machines that take bytes (and time) in and give bytes
and events out, never touching a socket, file, clock or global randomness.

* :mod:`.frames` — the wire frame codec (length, version byte, type byte, limits);
* :mod:`.reconcile` — range-based set reconciliation over pair-keyed 16-byte ids;
* :mod:`.gossip` — the pass-along policy: what to offer, what to request, when to stop;
* :mod:`.session` — one contact session: reconcile, then request only what is missing.

The node (asyncio, TCP/Tor) and the simulator (virtual links) drive the same code.
"""

__all__: list[str] = []
