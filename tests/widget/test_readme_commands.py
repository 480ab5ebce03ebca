"""The README's command table lists every command (and every action of one) `innkeep` has."""

from __future__ import annotations

import argparse
from pathlib import Path

from widget.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    def choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    found = []
    for name, sub in choices(build_parser()).items():
        actions = choices(sub)
        found += [f"{name} {action}" for action in actions] if actions else [name]
    return found


def test_every_command_is_in_the_readme_table() -> None:
    table = README.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    assert "quote" in commands() and "plugin new" in commands()
    assert [name for name in commands() if f"{name}" not in table] == []
