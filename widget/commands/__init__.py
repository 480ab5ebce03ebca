"""The ``innkeep`` subcommands; each module adds its own with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TextIO

from widget.printable import escaped


class CommandError(Exception):
    """A one-line reason the command could not do what was asked; exit status 2."""


def date_argument(value: str) -> date:
    """An argparse type: a date like 2027-05-01, or a message naming what was given."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2027-05-01") from None


def counted(count: int, noun: str) -> str:
    """``2, "night"`` → ``2 nights``; ``1, "night"`` → ``1 night``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def say(line: str = "", *, to: TextIO | None = None) -> None:
    """Print one line for the owner's terminal with every unprintable character escaped
    (``\\x1b``, ``\\n``): a guest's name, a block reason or a unit name must not move the
    cursor, recolour the terminal or forge a line of its own. Every command prints through
    this or `say_lines`."""
    print(escaped(line), file=to or sys.stdout)


def say_lines(text: str, *, to: TextIO | None = None) -> None:
    """`say` each line of a multi-line text the command composed itself."""
    for line in text.split("\n"):
        say(line, to=to)
