"""The browser the kit launches: INNKEEP_CHROMIUM's executable and the container's flags
go to Chromium only (`innkeep qa journeys --browser firefox` and the e2e suite's
``--browser firefox`` must get Playwright's own Firefox, unflagged). No browser starts."""

from __future__ import annotations

from widget.testing.browsers import CHROMIUM_FLAGS, launch_options

DEBIAN = {"INNKEEP_CHROMIUM": "/usr/bin/chromium"}


def test_chromium_gets_the_installed_executable_and_the_container_flags() -> None:
    options = launch_options("chromium", {"headless": True, "args": ["--lang=de"]}, DEBIAN)
    assert options["executable_path"] == "/usr/bin/chromium"
    assert options["args"] == ["--lang=de", *CHROMIUM_FLAGS]  # what was given is kept
    assert options["headless"] is True
    assert "--no-sandbox" in options["args"]


def test_chromium_without_innkeep_chromium_is_playwright_s_own() -> None:
    options = launch_options("chromium", None, {})
    assert "executable_path" not in options
    assert options["args"] == list(CHROMIUM_FLAGS)


def test_firefox_and_webkit_get_neither_the_executable_nor_chromium_s_flags() -> None:
    for name in ("firefox", "webkit"):
        given = {"headless": True, "args": ["-foreground"]}
        options = launch_options(name, given, DEBIAN)
        assert options == given, name
        assert "executable_path" not in options


def test_the_e2e_suite_and_the_command_share_it() -> None:
    # Both launch through this helper, so neither can go back to flagging every browser.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in ("e2e/conftest.py", "widget/commands/qa.py"):
        text = (root / path).read_text(encoding="utf-8")
        assert "launch_options(" in text, path
        assert 'INNKEEP_CHROMIUM")' not in text and "--no-sandbox" not in text, path
