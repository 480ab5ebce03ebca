"""Where the service finds ``static/``, ``templates/`` and the bundled property files.

In a checkout (and an editable install) they are the top-level folders of the repository;
a built wheel carries them under ``widget/_assets``.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _asset(name: str) -> Path:
    bundled = _HERE / "_assets" / name
    return bundled if bundled.is_dir() else _HERE.parent / name


STATIC_DIR = _asset("static")
TEMPLATES_DIR = _asset("templates")
PROPERTIES_DIR = _asset("properties")
