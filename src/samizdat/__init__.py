"""samizdat: write a document together, sign it off as a committee, and circulate it
through untrusted hands so that it cannot be buried, forged or traced.

The package is layered; dependencies point down only::

    cli/                 the samizdat command: parsing and printing
    app/                 use cases: what one command does, in terms of the layers below
    node/                asyncio wiring: protocols over transports against the store
    transports/          I/O adapters: bundle file, dead drop, paper, mail, tcp, tor
    protocol/            sans-io state machines: handshake, reconciliation, gossip
    store/               encrypted persistence, duress, wipe
    core/                pure: normalize, merkle, versions, frost, envelope, caps, verify
"""

__version__ = "0.1.0"
__all__ = ["__version__"]

# the engine's compiled form, when a build of exactly these sources exists
# (``samizdat/accel.py``); before anything imports the engine
from samizdat import accel as _accel

_accel.install()
