"""The text model's public surface: ``__all__`` names what each module exports, no
more and no less (the store, CLI and other engineers import from these lists)."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = ["samizdat.core.text", "samizdat.core.merkle", "samizdat.core.versions",
           "samizdat.core.align", "samizdat.core.cbor", "samizdat.testing.strategies"]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_in_step_with_the_module(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert all(hasattr(module, n) for n in exported)
    defined = {
        n for n, obj in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", None) == name
    }
    assert defined <= exported, f"public but not exported: {defined - exported}"


@pytest.mark.parametrize("name", MODULES)
def test_every_export_is_documented(name: str) -> None:
    module = importlib.import_module(name)
    for n in module.__all__:
        obj = getattr(module, n)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), f"{name}.{n} has no docstring"
