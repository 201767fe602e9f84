"""``python -m samizdat.build_accel [build|status]``: compile the engine with mypyc
(``samizdat/accel.py``), or say which form this interpreter would use."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from samizdat import accel

__all__ = ["main"]


def main(argv: Sequence[str]) -> int:
    command = argv[0] if argv else "build"
    if command == "build":
        try:
            accel.build()
        except (RuntimeError, OSError) as exc:
            print(f"samizdat: the engine was not compiled ({exc}); "
                  "the plain Python modules will be used", file=sys.stderr)
            return 1
        return 0
    if command == "status":
        print(json.dumps(accel.status(), indent=2))
        return 0
    print("usage: python -m samizdat.build_accel [build|status]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
