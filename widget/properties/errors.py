"""What stops a valid property file from being applied."""

from __future__ import annotations


class PropertyApplyError(ValueError):
    """The file is valid but cannot be applied as it stands (for example, it drops a unit
    that still has stays ahead)."""
