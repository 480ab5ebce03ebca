"""Small builders shared by tests."""

from __future__ import annotations

from pathlib import Path

from widget.paths import PROPERTIES_DIR

DEMO_TOML = (PROPERTIES_DIR / "demo.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "property.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
