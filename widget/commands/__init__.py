"""The ``innkeep`` subcommands; each module adds its own with ``register(subparsers)``."""

from __future__ import annotations

import argparse
from datetime import date


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
