"""The exile mirror: a static site anyone can check in a browser (``site``), and its
IPFS CAR packaging (``car``). See ``docs/publish.md``."""

__all__: list[str] = []
