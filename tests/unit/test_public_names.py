"""Every module declares its ``__all__`` (an empty one for a package that only
groups modules), it names things that exist, and every public module documents
itself: the curated surface stays in step with the code."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import samizdat

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(samizdat.__path__, prefix="samizdat.")
    if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist_and_module_has_a_docstring(name: str) -> None:
    module = importlib.import_module(name)
    # a module compiled by mypyc (samizdat/accel.py) drops its docstring: read the source's
    source = Path(samizdat.__path__[0]).joinpath(*name.split(".")[1:])
    source = source / "__init__.py" if source.is_dir() else source.with_suffix(".py")
    doc = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8")))
    assert doc and doc.strip(), f"{name} has no docstring"
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    exported = module.__all__
    assert isinstance(exported, list | tuple), f"{name}.__all__ is not a list"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names {missing}, which do not exist"
