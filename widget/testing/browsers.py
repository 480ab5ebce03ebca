"""How the kit launches a browser: Playwright's own, except that for Chromium
``INNKEEP_CHROMIUM`` may name an installed one (Debian's, where Playwright's download is
unavailable) and the flags a container needs are added. Firefox and WebKit get neither: a
Chromium executable or a Chromium flag would break their launch.

`innkeep qa journeys` and the e2e suite's ``browser_type_launch_args`` share this. Standard
library only (the e2e suite imports it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

#: Chromium in a container: no sandbox (no user namespaces), no GPU, nothing fetched on
#: its own behalf that could slow or disturb a run.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


def launch_options(
    browser_name: str,
    base: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Playwright's launch options for ``browser_name``: ``base`` (options already chosen,
    kept), and for ``chromium`` only, ``INNKEEP_CHROMIUM``'s executable (from ``env``, by
    default the process's) and `CHROMIUM_FLAGS` after any ``args`` already given."""
    options = dict(base or {})
    if browser_name != "chromium":
        return options
    executable = (os.environ if env is None else env).get("INNKEEP_CHROMIUM")
    if executable:
        options["executable_path"] = executable
    options["args"] = [*options.get("args", []), *CHROMIUM_FLAGS]
    return options
