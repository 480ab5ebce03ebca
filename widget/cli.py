"""``innkeep``: the command line of the service, for owners and operators."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

import psycopg

import widget.commands
from widget.commands import CommandError, say
from widget.local_servers import EmbeddedError
from widget.properties.errors import PropertyApplyError
from widget.properties.file import PropertyFileError
from widget.redact import describe_error, install_log_redaction, redact
from widget.settings import SettingsError

# What a user can fix; anything else is our bug and keeps its traceback.
USER_ERRORS = (
    CommandError,
    SettingsError,
    PropertyFileError,
    PropertyApplyError,
    EmbeddedError,
    psycopg.OperationalError,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="innkeep", description="Direct bookings for small guesthouses."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(widget.commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"widget.commands.{module.name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_log_redaction()
    try:
        result = args.handler(args)
    except USER_ERRORS as exc:
        text = describe_error(exc) if isinstance(exc, psycopg.Error) else str(exc)
        message = redact(text.strip().splitlines()[0]) if text.strip() else type(exc).__name__
        say(f"innkeep: error: {message}", to=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `innkeep plugins | head`: the reader left; that is not an error of ours.
        sys.stderr.close()
        return 0
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
