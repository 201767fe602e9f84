"""The layers of ``docs/architecture.md``, checked on the source itself.

Every import in a module (at the top, inside a function, or under
``TYPE_CHECKING``) is read with :mod:`ast`, so an import added to take a short cut
fails here, not in review:

* ``cli/`` parses and prints: it reaches the network, files and mail only through
  ``app/``, and never imports ``transports/`` or ``node/``;
* ``core/`` and ``protocol/`` do no I/O: no sockets, files, processes, clock,
  database or global randomness, and no upper layer of samizdat;
* nothing below ``cli/`` imports ``click``, ``rich``, ``cli/`` or ``demo/``;
* ``store/`` reads no environment variable (switches are passed in from the top);
* no two modules of ``demo/`` import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import samizdat

ROOT = Path(samizdat.__file__).parent

# standard modules that do I/O, read a clock or draw global randomness
IO_MODULES = frozenset({
    "asyncio", "concurrent", "ftplib", "http", "imaplib", "io", "logging", "mmap",
    "multiprocessing", "os", "pathlib", "poplib", "random", "secrets", "select",
    "selectors", "shutil", "signal", "smtplib", "socket", "socketserver", "sqlite3",
    "ssl", "subprocess", "sys", "tempfile", "time", "urllib",
})
# samizdat modules above core/ and protocol/ (or doing I/O themselves)
UPPER = ("app", "cli", "demo", "node", "sim", "store", "testing", "transports", "web",
         "children", "files", "runtime")


def imports(path: Path, package: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``. A relative import
    is resolved against the module's own package."""
    if package is None:
        package = path.relative_to(ROOT.parent).with_suffix("").parts[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.append((node.lineno, base))
            # "from samizdat import transports" names the module in the alias
            found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return found


def calls(path: Path, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) of every call of a built-in among ``names`` (``open``, ...)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [(n.lineno, n.func.id) for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names]


def modules(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", modules("cli"), ids=_rel)
def test_cli_imports_neither_transports_nor_node(path: Path) -> None:
    bad = [(line, name) for line, name in imports(path)
           if _under(name, ("samizdat.transports", "samizdat.node"))]
    assert not bad, f"{_rel(path)} imports below app/: {bad}"


@pytest.mark.parametrize("path", modules("core") + modules("protocol"), ids=_rel)
def test_core_and_protocol_do_no_io(path: Path) -> None:
    upper = tuple(f"samizdat.{m}" for m in UPPER)
    bad = [(line, name) for line, name in imports(path)
           if name.split(".")[0] in IO_MODULES or _under(name, upper)]
    bad += calls(path, {"open", "print", "input", "exec", "eval"})
    assert not bad, f"{_rel(path)} does I/O or reaches up a layer: {bad}"


BELOW_CLI = [p for layer in ("app", "node", "transports", "store", "core", "protocol")
             for p in modules(layer)]


@pytest.mark.parametrize("path", BELOW_CLI, ids=_rel)
def test_nothing_below_the_cli_prints_or_reaches_up_to_it(path: Path) -> None:
    """Printing and prompting belong to ``cli/``: the layers below return typed
    results and never import the command line or its libraries."""
    bad = [(line, name) for line, name in imports(path)
           if name.split(".")[0] in {"click", "rich"}
           or _under(name, ("samizdat.cli", "samizdat.demo"))]
    assert not bad, f"{_rel(path)} reaches up to the command line: {bad}"


@pytest.mark.parametrize("path", modules("store"), ids=_rel)
def test_the_store_reads_no_environment(path: Path) -> None:
    """Switches such as the fast KDF are passed in from the top (``cli/main.py``),
    never read from the environment inside ``store/``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [n.lineno for n in ast.walk(tree)
           if isinstance(n, ast.Attribute) and n.attr in {"environ", "getenv", "environb"}]
    assert not bad, f"{_rel(path)} reads the environment at lines {bad}"


def test_demo_modules_do_not_import_each_other_in_a_circle() -> None:
    graph = {
        path.stem: {name.rpartition(".")[2] for _, name in imports(path)
                    if name.startswith("samizdat.demo.")}
        for path in modules("demo")
    }
    circles = sorted((a, b) for a in graph for b in graph[a]
                     if b in graph and a in graph[b] and a < b)
    assert not circles, f"demo modules import each other: {circles}"


def test_the_checks_see_imports_in_functions_and_relative_ones(tmp_path: Path) -> None:
    """The checks are not blind to an import hidden in a function body (as
    ``node_run`` had) nor to a relative one."""
    planted = tmp_path / "planted.py"
    planted.write_text("def f():\n    from samizdat.transports import tcp\n"
                       "    from ..node import node\n    import socket\n")
    found = {n for _, n in imports(planted, ("samizdat", "cli"))}
    assert {"samizdat.transports", "samizdat.node", "socket"} <= found
