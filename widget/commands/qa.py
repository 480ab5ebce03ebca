"""``innkeep qa journeys``: Innkeep's standard journeys against the page of any website where
the widget is embedded (see docs/qa.md)."""

from __future__ import annotations

import argparse
import os
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from widget.commands import CommandError, say_lines
from widget.testing.browsers import launch_options

#: The page's Innkeep script tag: its address and the property it names.
_SCRIPT_TAG = """(() => {
  const s = [...document.scripts].find(s => /\\/widget\\.js(\\?|$)/.test(s.src));
  return s ? [s.src, s.dataset.property || null] : null;
})()"""
#: Enough of a page to find its script tag in (the tag is in the head or the body's end).
_PAGE_BYTES = 4 * 1024 * 1024


class _TagFinder(HTMLParser):
    """The first ``<script src="…/widget.js" data-property="…">`` of a page's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: tuple[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "script" or self.found is not None:
            return
        given = dict(attrs)
        src = given.get("src") or ""
        if urlsplit(src).path.endswith("/widget.js"):
            self.found = (src, given.get("data-property") or None)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _tag_in_html(site: str) -> tuple[str, str | None] | None:
    """The service and property of the script tag in the page's HTML as served, before any
    browser starts; None when the page cannot be read so or has no tag in its HTML (a page
    may add it by script: the browser looks then)."""
    if not site.startswith(("http://", "https://")):
        return None
    try:
        request = urllib.request.Request(site, headers={"User-Agent": "innkeep-qa-journeys"})  # noqa: S310 - http(s) only
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - http(s) only
            page = answer.read(_PAGE_BYTES).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    finder = _TagFinder()
    finder.feed(page)
    if finder.found is None:
        return None
    src, slug = finder.found
    return _origin(urljoin(site, src)), slug


def _script_tag_of(browser: Any, site: str) -> tuple[str, str | None] | None:
    """The service the page's script tag loads the widget from, and the property it names."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site)
        found = page.evaluate(_SCRIPT_TAG)
    finally:
        context.close()
    if not found:
        return None
    return _origin(found[0]), found[1]


def _service_and_property(
    args: argparse.Namespace, tag: tuple[str, str | None] | None
) -> tuple[str, str | None]:
    """The service and property the journeys use: the page's script tag's. ``--service``
    and ``--property`` name them where the page has no tag, and must agree with it where it
    has one: the safety checks look at what is given, the journeys book through the page."""
    if tag is None:
        if not args.service:
            raise CommandError(
                f"no Innkeep script tag (…/widget.js) on {args.site}; give --service"
            )
        return args.service, args.property
    service, slug = tag
    if args.service and _origin(args.service) != service:
        raise CommandError(
            f"--service {args.service} is not where the page's widget comes from "
            f"({service}): the journeys would book there; give that service or leave "
            "--service out"
        )
    if args.property and slug and args.property != slug:
        raise CommandError(
            f"--property {args.property} is not the property the page's widget shows "
            f"({slug}): the journeys would book there; give that property or leave "
            "--property out"
        )
    return service, args.property or slug


def _launch(playwright: Any, name: str) -> Any:
    """The browser: Playwright's own, or INNKEEP_CHROMIUM's executable for chromium."""
    return getattr(playwright, name).launch(**launch_options(name))


def _may_book(
    journeys: Any, service: str, slug: str | None, token: str | None, args: argparse.Namespace
) -> bool:
    try:
        return bool(journeys.check_may_book(service, token, args.read_only, slug))
    except journeys.JourneysRefused as refused:
        raise CommandError(str(refused)) from None


def _check_choices(args: argparse.Namespace, known: list[str]) -> None:
    unknown = [name for name in args.journey or () if name not in known]
    if unknown:
        raise CommandError(f"--journey {unknown[0]}: no such journey (one of: {', '.join(known)})")
    if args.stripe_standin and not args.stripe_standin.startswith(("http://", "https://")):
        raise CommandError(f"--stripe-standin {args.stripe_standin}: give the stand-in's URL")


def _journeys(args: argparse.Namespace) -> int:
    try:
        from playwright.sync_api import sync_playwright

        from widget.testing import journeys
        from widget.testing.journey_list import JOURNEYS
    except ImportError as error:
        raise CommandError(
            f"the journeys need Playwright ({error.name}): pip install playwright"
        ) from None
    token = args.token or os.environ.get("INNKEEP_TESTING_TOKEN")
    _check_choices(args, [journey.__name__ for journey, _ in JOURNEYS])
    # Refuse before a browser starts when the page's HTML names its service (or none
    # could be found and --service is given).
    tag = _tag_in_html(args.site)
    found = _service_and_property(args, tag) if tag or args.service else None
    may_book = _may_book(journeys, *found, token, args) if found else False
    with sync_playwright() as playwright:
        browser = _launch(playwright, args.browser)
        try:
            # No tag in the page's HTML: the page may add it by script, as a browser shows.
            looked = _script_tag_of(browser, args.site) if tag is None else None
            if looked is not None or found is None:
                found = _service_and_property(args, looked)
                may_book = _may_book(journeys, *found, token, args)
            shots = Path(args.html).with_suffix("") if args.html else None
            run = journeys.run_journeys(
                browser,
                args.site,
                may_book=may_book,
                shots=shots,
                property_slug=found[1],
                only=args.journey,
                stripe_standin=args.stripe_standin,
            )
        finally:
            browser.close()
    say_lines(journeys.report(run))
    if args.junit:
        Path(args.junit).write_text(journeys.junit(run), encoding="utf-8")
    if args.html:
        Path(args.html).write_text(journeys.html(run), encoding="utf-8")
    return 0 if all(o.passed for o in run.outcomes) else 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    qa = subparsers.add_parser("qa", help="check the widget on a website, in a real browser")
    commands = qa.add_subparsers(dest="qa_command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "journeys", help="run Innkeep's standard journeys on the page that embeds the widget"
    )
    run.add_argument("--site", required=True, help="the page where the widget is embedded")
    run.add_argument("--service", help="the Innkeep service (default: from the script tag)")
    run.add_argument(
        "--property",
        help="the property whose widget the journeys use (default: the script tag's)",
    )
    run.add_argument("--token", help="the testing API's token (default: INNKEEP_TESTING_TOKEN)")
    run.add_argument("--read-only", action="store_true", help="only the journeys that book nothing")
    run.add_argument("--junit", help="also write JUnit XML here")
    run.add_argument("--html", help="also write an HTML report here (screenshots beside it)")
    run.add_argument("--browser", default="chromium", choices=("chromium", "firefox", "webkit"))
    run.add_argument(
        "--journey", action="append", help="run only this journey (repeat for more; default: all)"
    )
    run.add_argument(
        "--stripe-standin",
        metavar="URL",
        help="CI against a local Stripe stand-in: the browser gets the kit's fake Stripe.js, "
        "and Stripe's API calls go to this URL",
    )
    run.set_defaults(handler=_journeys)
