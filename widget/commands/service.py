"""``innkeep migrate``, ``innkeep serve`` and ``innkeep demo``."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator, MutableMapping
from pathlib import Path

from widget.commands import say
from widget.links import listening_url
from widget.local_servers import EmbeddedPostgres
from widget.migrate import migrate
from widget.settings import Settings, load_settings, require_secret_key


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment settings, with ``--data-dir`` (where a command has it) taking precedence."""
    data_dir = getattr(args, "data_dir", None)
    return load_settings(**({"data_dir": data_dir} if data_dir else {}))


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The configured database, or the embedded one in the data folder for one command."""
    if settings.database_url:
        yield settings.database_url
        return
    postgres = EmbeddedPostgres(settings.data_dir, owner=False)
    try:
        yield postgres.start()
    finally:
        postgres.stop()


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="where the embedded Postgres and Redis keep their data "
        "(default: INNKEEP_DATA_DIR or the user's data folder)",
    )


def _migrate(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with database(settings) as url:
        applied = migrate(url)
    say(f"applied {len(applied)} migration(s)" if applied else "database is up to date")
    return 0


def serving_environment(environ: MutableMapping[str, str], host: str, port: int) -> Settings:
    """Settings for ``innkeep serve``, checked here (with the variable's name) rather than in
    every worker; fills in ``environ`` what the workers must agree on.

    Without INNKEEP_ENV the service is a production one: it needs its own secret key, a
    payment provider that takes money, and INNKEEP_PUBLIC_URL. Elsewhere links point at the
    address it listens on, never at a request's Host header."""
    from widget.commands import CommandError

    environ.setdefault("INNKEEP_ENV", "production")
    settings = load_settings(environ)
    require_secret_key(settings)
    if settings.embedded:
        raise CommandError(
            "innkeep serve needs INNKEEP_DATABASE_URL and INNKEEP_REDIS_URL "
            "(use `innkeep demo` for embedded servers)"
        )
    if not settings.public_url:
        environ["INNKEEP_PUBLIC_URL"] = listening_url(host, port)
    return load_settings(environ)


@contextlib.contextmanager
def shared_metrics(environ: MutableMapping[str, str], workers: int) -> Iterator[None]:
    """With several workers, a fresh folder for this run where each worker keeps its counters
    (prometheus-client's multiprocess mode; `widget.metrics`), removed when the run ends:
    counters of an earlier run must not be added to this one's."""
    if workers < 2:
        yield
        return
    import shutil
    import tempfile

    from widget.metrics import MULTIPROCESS_DIR

    folder = tempfile.mkdtemp(prefix="innkeep-metrics-")
    environ[MULTIPROCESS_DIR] = folder
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _serve(args: argparse.Namespace) -> int:
    """Serve until SIGTERM (or Ctrl-C): then take no new connection, let the requests in
    flight finish (for at most INNKEEP_SHUTDOWN_SECONDS), and stop the background jobs,
    which give back their leases; a rolling restart loses nothing."""
    import os

    from widget.serving import serve_until_stopped

    settings = serving_environment(os.environ, args.host, args.port)
    with shared_metrics(os.environ, args.workers):
        return serve_until_stopped(args.host, args.port, args.workers, settings.shutdown_seconds)


def _demo(args: argparse.Namespace) -> int:
    from widget.commands import CommandError
    from widget.demo import PortTaken, run_demo

    try:
        return run_demo(settings_from(args), port=args.port, host_port=args.host_port)
    except PortTaken as exc:
        raise CommandError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("migrate", help="apply database migrations")
    add_data_dir(p)
    p.set_defaults(handler=_migrate)

    p = subparsers.add_parser("serve", help="run the service against configured servers")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.set_defaults(handler=_serve)

    p = subparsers.add_parser(
        "demo", help="run the demo guesthouse with embedded Postgres and Redis"
    )
    p.add_argument("--port", type=int, default=8000, help="the Innkeep service (default 8000)")
    p.add_argument(
        "--host-port", type=int, default=8001, help="the sample guesthouse website (default 8001)"
    )
    add_data_dir(p)
    p.set_defaults(handler=_demo)
