"""Pure code: no sockets, files, clock or global randomness (those are passed in).

normalize, merkle, versions, frost, envelope, caps, verify live here.
"""

__all__: list[str] = []
