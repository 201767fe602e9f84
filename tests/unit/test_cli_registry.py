"""The lazy command table of ``cli/main.py`` matches what the area modules register."""

from __future__ import annotations

import importlib

import click

from samizdat.cli.main import COMMANDS, cli


def test_every_command_is_found_in_the_module_the_table_names() -> None:
    for name, module_name in COMMANDS.items():
        area = click.Group()
        importlib.import_module(module_name).register(area)
        assert name in area.commands, f"{module_name} does not register {name!r}"


def test_no_area_module_registers_a_command_missing_from_the_table() -> None:
    for module_name in sorted(set(COMMANDS.values())):
        area = click.Group()
        importlib.import_module(module_name).register(area)
        missing = set(area.commands) - set(COMMANDS)
        assert not missing, f"{module_name} registers {missing} unknown to cli/main.py"


def test_the_root_group_resolves_every_command() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
    assert cli.get_command(ctx, "no-such-command") is None
