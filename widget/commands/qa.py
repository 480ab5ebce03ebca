"""``innkeep qa journeys``: Innkeep's standard journeys against the page of any website where
the widget is embedded (see docs/qa.md)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from widget.commands import CommandError, say_lines
from widget.testing.browsers import launch_options

#: The page's Innkeep script tag: its address and the property it names.
_SCRIPT_TAG = """(() => {
  const s = [...document.scripts].find(s => /\\/widget\\.js(\\?|$)/.test(s.src));
  return s ? [s.src, s.dataset.property || null] : null;
})()"""


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
    parts = urlsplit(found[0])
    return f"{parts.scheme}://{parts.netloc}", found[1]


def _service_and_property(browser: Any, args: argparse.Namespace) -> tuple[str, str | None]:
    """The service (``--service``, else the script tag's) and the property (``--property``,
    else the script tag's)."""
    if args.service and args.property:
        return args.service, args.property
    tag = _script_tag_of(browser, args.site)
    if tag is None:
        if not args.service:
            raise CommandError(
                f"no Innkeep script tag (…/widget.js) on {args.site}; give --service"
            )
        return args.service, args.property
    return args.service or tag[0], args.property or tag[1]


def _launch(playwright: Any, name: str) -> Any:
    """The browser: Playwright's own, or INNKEEP_CHROMIUM's executable for chromium."""
    return getattr(playwright, name).launch(**launch_options(name))


def _may_book(
    journeys: Any, service: str, token: str | None, args: argparse.Namespace, slug: str | None
) -> bool:
    try:
        return bool(journeys.check_may_book(service, token, args.read_only, slug))
    except journeys.JourneysRefused as refused:
        raise CommandError(str(refused)) from None


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
    known = [journey.__name__ for journey, _ in JOURNEYS]
    unknown = [name for name in args.journey or () if name not in known]
    if unknown:
        raise CommandError(f"--journey {unknown[0]}: no such journey (one of: {', '.join(known)})")
    if args.stripe_standin and not args.stripe_standin.startswith(("http://", "https://")):
        raise CommandError(f"--stripe-standin {args.stripe_standin}: give the stand-in's URL")
    if args.service:  # refuse before a browser starts when we can
        _may_book(journeys, args.service, token, args, args.property)
    with sync_playwright() as playwright:
        browser = _launch(playwright, args.browser)
        try:
            service, slug = _service_and_property(browser, args)
            may_book = _may_book(journeys, service, token, args, slug)
            shots = Path(args.html).with_suffix("") if args.html else None
            run = journeys.run_journeys(
                browser,
                args.site,
                may_book=may_book,
                shots=shots,
                property_slug=args.property,
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
