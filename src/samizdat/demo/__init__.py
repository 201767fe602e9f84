"""The 1932 replay (``samizdat demo``): the story played with real samizdat processes.

It sits beside ``cli/`` at the top of the layers: it drives the real command in
subprocesses, as people would, and never calls lower layers to take a shortcut.
"""

__all__: list[str] = []
