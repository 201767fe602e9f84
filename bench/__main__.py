"""``python -m bench [--smoke] [NAME...]``: run the benchmarks and print one table."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.harness import Row


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs; check the harness only")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("names", nargs="*", help="run only these benchmarks (e.g. envelope)")
    args = parser.parse_args()
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if args.names:
        names = [n for n in names if n.removeprefix("bench_") in args.names]
    rows: list[Row] = []
    failed = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        try:
            rows.extend(module.run(smoke=args.smoke))
        except Exception:
            traceback.print_exc()
            failed.append(name)
    if args.json:
        print(json.dumps([r.__dict__ | {"ratio": r.ratio} for r in rows], indent=1))
    else:
        title = "samizdat benchmarks"
        if args.smoke:
            title += " (smoke: timings not meaningful)"
        table = Table(title=title)
        for col in ("bench", "figure", "value", "reference", "ratio", "goal", "met"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                r.bench, r.figure, f"{r.value:,.3g} {r.unit}",
                "" if r.reference is None else f"{r.reference:,.3g} {r.unit}",
                "" if r.ratio is None else f"{r.ratio:.2f}",
                r.goal, {None: "", True: "yes", False: "NO"}[r.met],
            )
        Console().print(table)
    if failed:
        print(f"benchmarks that crashed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
