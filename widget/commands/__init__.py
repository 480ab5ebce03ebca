"""The ``innkeep`` subcommands; each module adds its own with ``register(subparsers)``."""

from __future__ import annotations


class CommandError(Exception):
    """A one-line reason the command could not do what was asked; exit status 2."""
