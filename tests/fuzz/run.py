"""Drive the fuzz campaign: seed corpora, run atheris per harness, merge, coverage.

::

    python -m tests.fuzz list
    python -m tests.fuzz seed [NAME...]          # corpus/<name>/ from tests/vectors
    python -m tests.fuzz all --seconds 60        # every harness in turn, one process
    python -m tests.fuzz run NAME --seconds 60   # one harness (a child of ``all``)
    python -m tests.fuzz coverage [NAME...]      # line coverage the corpus reaches
    python -m tests.fuzz report                  # the table of docs/security.md

``all`` runs one fuzzer at a time (one core), each in its own process, with
libFuzzer's ``-timeout=1`` (a hang over one second is a crash) and
``-rss_limit_mb`` (a memory blow-up is a crash). New inputs go to a scratch
folder under ``build/fuzz/``; with ``--merge`` the ones that add coverage are merged
(``-merge=1``, which minimizes) into the committed ``corpus/<name>/``. Crashes are
written to ``build/fuzz/crashes/``. The figures of each run (executions, exec/s,
libFuzzer's edge coverage ``cov`` and features ``ft``) go to
``build/fuzz/summary.json`` and are printed as a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ROOT = HERE.parent.parent
BUILD = ROOT / "build" / "fuzz"
RSS_LIMIT_MB = 1024


def corpus_files(name: str) -> list[Path]:
    """The committed corpus of harness ``name``, in a stable order."""
    folder = CORPUS / name
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def _write_input(folder: Path, data: bytes) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha1(data).hexdigest()  # libFuzzer's own naming
    if path.exists():
        return False
    path.write_bytes(data)
    return True


def cmd_seed(names: list[str]) -> int:
    from tests.fuzz.harnesses import HARNESSES

    for name in names or sorted(HARNESSES):
        h = HARNESSES[name]
        added = sum(_write_input(CORPUS / name, s[: h.max_len]) for s in h.seeds())
        print(f"{name}: {added} seed(s) added, {len(corpus_files(name))} in corpus")
    return 0


def _launcher(name: str) -> Path:
    """An executable that re-enters this harness: libFuzzer's ``-merge=1`` starts
    ``argv[0]`` again as a child, which must be a program, not a module."""
    path = BUILD / "bin" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"#!/bin/sh\ncd '{ROOT}' && exec '{sys.executable}' -m tests.fuzz raw {name} \"$@\"\n"
    )
    path.chmod(0o755)
    return path


def libfuzzer_args(name: str, seconds: int, merge: bool, runs: int | None) -> list[str]:
    """The libFuzzer flags of one run (or of one merge into the committed corpus)."""
    from tests.fuzz.harnesses import HARNESSES

    h = HARNESSES[name]
    work = BUILD / "work" / name
    work.mkdir(parents=True, exist_ok=True)
    crashes = BUILD / "crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    common = [f"-max_len={h.max_len}", "-timeout=1", f"-rss_limit_mb={RSS_LIMIT_MB}"]
    if merge:
        (CORPUS / name).mkdir(parents=True, exist_ok=True)
        return [*common, "-merge=1", str(CORPUS / name), str(work)]
    return [*common, f"-artifact_prefix={crashes}/{name}-", "-print_final_stats=1",
            f"-runs={runs}" if runs else f"-max_total_time={seconds}",
            str(work), str(CORPUS / name)]


def cmd_raw(name: str, args: list[str]) -> int:
    """One harness under atheris with libFuzzer flags ``args``, in this process."""
    import atheris

    from tests.fuzz.harnesses import HARNESSES, run_one

    h = HARNESSES[name]
    # warm up inside the instrumenting import hook: the harnesses import lazily, so
    # this is where the decoders' modules get loaded (and instrumented)
    with atheris.instrument_imports(include=["samizdat", *h.instrument]):
        for path in corpus_files(name)[:50]:
            run_one(name, path.read_bytes())

    def target(data: bytes) -> None:
        run_one(name, data)

    atheris.Setup([str(_launcher(name)), *args], target)
    atheris.Fuzz()
    return 0  # pragma: no cover - libFuzzer exits the process itself


def cmd_run(name: str, seconds: int, merge: bool, runs: int | None) -> int:
    """One fuzzing run (or one merge) of harness ``name``, through its launcher."""
    launcher = _launcher(name)
    os.execv(str(launcher), [str(launcher), *libfuzzer_args(name, seconds, merge, runs)])


_STATS = re.compile(r"^#(\d+)\s+(?:DONE|pulse|NEW|REDUCE|INITED)\s+cov: (\d+) ft: (\d+)")
_FINAL = {
    "executions": re.compile(r"stat::number_of_executed_units: (\d+)"),
    "exec_per_second": re.compile(r"stat::average_exec_per_sec:\s+(\d+)"),
    "peak_rss_mb": re.compile(r"stat::peak_rss_mb:\s+(\d+)"),
}


def _parse(stderr: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in stderr.splitlines():
        m = _STATS.match(line)
        if m:
            out["cov"], out["ft"] = int(m.group(2)), int(m.group(3))
        for key, pat in _FINAL.items():
            m2 = pat.search(line)
            if m2:
                out[key] = int(m2.group(1))
    return out


def cmd_all(names: list[str], seconds: int, merge: bool) -> int:
    from tests.fuzz.harnesses import HARNESSES

    BUILD.mkdir(parents=True, exist_ok=True)
    summary_path = BUILD / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    failed = []
    env = {**os.environ, "SAMIZDAT_INSECURE_FAST_KDF": "1"}
    for name in names or sorted(HARNESSES):
        start = time.monotonic()
        before = len(corpus_files(name))
        proc = subprocess.run(
            [sys.executable, "-m", "tests.fuzz", "run", name, "--seconds", str(seconds)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )
        log = BUILD / f"{name}.log"
        log.write_text(proc.stderr + proc.stdout)
        stats = _parse(proc.stderr)
        stats["seconds"] = round(time.monotonic() - start)
        stats["exit"] = proc.returncode
        if proc.returncode != 0:
            failed.append(name)
        if merge and proc.returncode == 0:
            subprocess.run(
                [sys.executable, "-m", "tests.fuzz", "run", name, "--merge"],
                cwd=ROOT, env=env, capture_output=True, check=False,
            )
        stats["corpus"] = len(corpus_files(name))
        stats["corpus_added"] = stats["corpus"] - before
        previous = summary.get(name, {})
        stats["total_executions"] = previous.get("total_executions", 0) + stats.get(
            "executions", 0)
        summary[name] = stats
        summary_path.write_text(json.dumps(summary, indent=1, sort_keys=True))
        print(f"{name:18} exit {proc.returncode:3}  execs {stats.get('executions', 0):>9}  "
              f"exec/s {stats.get('exec_per_second', 0):>6}  cov {stats.get('cov', 0):>5}  "
              f"ft {stats.get('ft', 0):>6}  rss {stats.get('peak_rss_mb', 0):>4} MB  "
              f"corpus +{stats['corpus_added']}", flush=True)
    if failed:
        print(f"crashes or hangs in: {', '.join(failed)} (see {BUILD}/*.log, {BUILD}/crashes)")
        return 1
    return 0


def cmd_coverage(names: list[str], missing: bool = False) -> int:
    """Replay each corpus under a line tracer: the share of the lines of the
    decoding functions each harness names (``module:f,g``; a bare module means all
    its functions) that the corpus reaches. Python's own ``sys.settrace``: no extra
    dependency."""
    import importlib
    import inspect
    import types

    from tests.fuzz.harnesses import HARNESSES, run_one

    def lines_of(code: types.CodeType, only: set[str] | None) -> set[int]:
        # lines inside functions only (module and class bodies ran at import time),
        # and of those only the functions named (methods by "Class" or "Class.f")
        found: set[int] = set()
        q = code.co_qualname
        chosen = only is None or any(q == n or q.startswith(n + ".") for n in only)
        if code.co_flags & inspect.CO_OPTIMIZED and chosen:
            found = {line for _, _, line in code.co_lines() if line is not None}
            found.discard(code.co_firstlineno)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found |= lines_of(const, only)
        return found

    results = {}
    for name in names or sorted(HARNESSES):
        h = HARNESSES[name]
        for path in corpus_files(name)[:1]:
            run_one(name, path.read_bytes())  # import what the harness imports
        files: dict[str, set[int]] = {}
        for spec in h.modules:
            mod, _, funcs = spec.partition(":")
            module = importlib.import_module(mod)
            source = Path(module.__file__ or "")
            code = compile(source.read_text("utf-8"), str(source), "exec")
            only = set(funcs.split(",")) if funcs else None
            files[str(source)] = files.get(str(source), set()) | lines_of(code, only)
        hit: dict[str, set[int]] = {f: set() for f in files}

        def tracer(frame: types.FrameType, event: str, arg: object,
                   hit: dict[str, set[int]] = hit) -> object:
            lines = hit.get(frame.f_code.co_filename)
            if lines is None:
                return None
            lines.add(frame.f_lineno)
            return tracer

        sys.settrace(tracer)  # type: ignore[arg-type]
        try:
            for path in corpus_files(name):
                run_one(name, path.read_bytes())
        finally:
            sys.settrace(None)
        total = sum(len(v) for v in files.values())
        reached = sum(len(hit[f] & files[f]) for f in files)
        results[name] = {"modules": h.modules, "lines": total, "reached": reached,
                         "percent": round(100 * reached / max(total, 1), 1)}
        print(f"{name:18} {reached:5}/{total:5} lines  {results[name]['percent']:5}%  "
              f"({', '.join(m.partition(':')[0] for m in h.modules)})")
        if missing:
            for f in files:
                print(f"    {Path(f).name} not reached: {sorted(files[f] - hit[f])}")
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "coverage.json").write_text(json.dumps(results, indent=1, sort_keys=True))
    return 0


def cmd_report() -> int:
    """The figures of ``build/fuzz/`` as the Markdown table of docs/security.md."""
    summary = json.loads((BUILD / "summary.json").read_text())
    cov_path = BUILD / "coverage.json"
    coverage = json.loads(cov_path.read_text()) if cov_path.exists() else {}
    print("| harness | executions | exec/s (last run) | libFuzzer cov / ft | "
          "lines reached | corpus files | crashes, hangs |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in sorted(summary):
        s, c = summary[name], coverage.get(name, {})
        lines = f"{c['reached']}/{c['lines']} ({c['percent']}%)" if c else "-"
        verdict = "0, 0" if s.get("exit") == 0 else f"exit {s.get('exit')}: see findings"
        print(f"| {name} | {s.get('total_executions', 0):,} | {s.get('exec_per_second', 0):,} "
              f"| {s.get('cov', 0)} / {s.get('ft', 0)} | {lines} | "
              f"{len(corpus_files(name))} | {verdict} |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list")
    p_seed = sub.add_parser("seed")
    p_seed.add_argument("names", nargs="*")
    p_run = sub.add_parser("run")
    p_run.add_argument("name")
    p_run.add_argument("--seconds", type=int, default=60)
    p_run.add_argument("--runs", type=int)
    p_run.add_argument("--merge", action="store_true")
    p_raw = sub.add_parser("raw")
    p_raw.add_argument("name")
    p_raw.add_argument("args", nargs=argparse.REMAINDER)
    p_all = sub.add_parser("all")
    p_all.add_argument("names", nargs="*")
    p_all.add_argument("--seconds", type=int, default=60)
    p_all.add_argument("--merge", action="store_true")
    p_cov = sub.add_parser("coverage")
    p_cov.add_argument("names", nargs="*")
    p_cov.add_argument("--missing", action="store_true", help="list the lines not reached")
    sub.add_parser("report")
    ns = parser.parse_args(argv)
    if ns.command == "list":
        from tests.fuzz.harnesses import HARNESSES

        for name, h in sorted(HARNESSES.items()):
            print(f"{name:18} {h.doc.splitlines()[0] if h.doc else ''}")
        return 0
    if ns.command == "seed":
        return cmd_seed(ns.names)
    if ns.command == "run":
        return cmd_run(ns.name, ns.seconds, ns.merge, ns.runs)
    if ns.command == "report":
        return cmd_report()
    if ns.command == "raw":
        return cmd_raw(ns.name, ns.args)
    if ns.command == "all":
        return cmd_all(ns.names, ns.seconds, ns.merge)
    return cmd_coverage(ns.names, ns.missing)


if __name__ == "__main__":
    sys.exit(main())
