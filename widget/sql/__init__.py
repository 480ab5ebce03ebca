"""SQL as plain ``.sql`` files: numbered migrations and named query blocks."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_BLOCK = re.compile(r"^-- name: ([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


@cache
def queries(module: str) -> dict[str, str]:
    """Named blocks of ``widget/sql/{module}.sql``, loaded once.

    A block starts with a line ``-- name: some_query`` and runs to the next such line.
    Parameters are written ``%(name)s`` (psycopg's named placeholders).
    """
    text = resources.files(__package__).joinpath(f"{module}.sql").read_text(encoding="utf-8")
    parts = _BLOCK.split(text)
    blocks = {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    if not blocks:
        raise LookupError(f"{module}.sql has no '-- name:' blocks")
    return blocks
