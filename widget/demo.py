"""``innkeep demo``: embedded Postgres and Redis, the demo guesthouse, the service and a
sample website that embeds it from another origin, all stopped cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path

import msgspec
import psycopg
import uvicorn
from psycopg.rows import dict_row

from widget.accounts.passwords import generated_password
from widget.accounts.users import add_user, set_password
from widget.app import create_app
from widget.http_parser import BoundedHttpTools
from widget.links import listening_url
from widget.local_servers import EmbeddedServices
from widget.migrate import migrate
from widget.paths import PROPERTIES_DIR
from widget.properties.apply import apply_property
from widget.properties.file import PropertySpec, load_property_file
from widget.sample_site import create_sample_site
from widget.settings import DEV_SECRET_KEY, Settings, check_settings

#: The demo guesthouse's owner in the console; a new password is printed at every start.
DEMO_OWNER = "owner@example.com"

#: The demo guesthouse's owner in the console; a new password is printed at every start.
DEMO_OWNER = "owner@example.com"


class PortTaken(Exception):
    """The service or the sample site could not listen on its port."""


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the demo, which stops both servers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def demo_property(host_port: int) -> PropertySpec:
    """The demo guesthouse, allowing the sample site on whichever port it runs."""
    spec = load_property_file(PROPERTIES_DIR / "demo.toml")
    origins = list(spec.property.allowed_origins)
    for host in ("127.0.0.1", "localhost"):
        origin = f"http://{host}:{host_port}"
        if origin not in origins:
            origins.append(origin)
    info = msgspec.structs.replace(spec.property, allowed_origins=origins)
    return msgspec.structs.replace(spec, property=info)


def demo_settings(settings: Settings, port: int) -> Settings:
    """The demo runs in test mode (decision 16): a staging service with the testing API on,
    its token printed at start-up (``INNKEEP_TESTING_TOKEN`` or a fresh one), so
    ``innkeep qa journeys`` works against it out of the box. Staging needs a real secret key:
    the demo keeps one in its data folder. Its links point at the port it listens on."""
    key = settings.secret_key
    if key in ("", DEV_SECRET_KEY):
        key = demo_secret_key(settings.data_dir)
    changed = msgspec.structs.replace(
        settings,
        env="staging",
        secret_key=key,
        testing_token=settings.testing_token or secrets.token_urlsafe(24),
        public_url=settings.public_url or listening_url("127.0.0.1", port),
    )
    check_settings(changed)
    return changed


def demo_secret_key(data_dir: Path) -> str:
    """The demo's own secret key, made once and kept in its data folder (so its iCal export
    addresses survive a restart)."""
    path = data_dir / "demo-secret-key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def run_demo(settings: Settings, *, port: int, host_port: int) -> int:
    settings = demo_settings(settings, port)
    services = EmbeddedServices(settings.data_dir) if settings.embedded else None
    try:
        if services is not None:
            database_url, redis_url = services.start()
            settings = msgspec.structs.replace(
                settings, database_url=database_url, redis_url=redis_url
            )
        assert settings.database_url is not None
        migrate(settings.database_url)
        with psycopg.connect(settings.database_url, prepare_threshold=None) as conn:
            apply_property(conn, demo_property(host_port))
        password = asyncio.run(demo_owner(settings.database_url))
        asyncio.run(_serve_both(settings, port, host_port, password))
    finally:
        if services is not None:
            services.stop()
    print("Innkeep demo stopped.")
    return 0


async def demo_owner(database_url: str) -> str:
    """Make sure the demo guesthouse has its owner in the console, with a fresh password
    (returned, to be shown once): a demo's data folder outlives its runs."""
    password = generated_password()
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, row_factory=dict_row, prepare_threshold=None
    ) as conn:
        if not await add_user(conn, DEMO_OWNER, "demo", "owner", password):
            await set_password(conn, DEMO_OWNER, password)
    return password


async def _announce(
    settings: Settings,
    service: _Server,
    site: _Server,
    service_url: str,
    host_port: int,
    password: str,
) -> None:
    """Once both servers listen, say where they are (nothing if the service gave up)."""
    while not (service.started and site.started):
        if service.should_exit:
            return
        await asyncio.sleep(0.05)
    outbox = settings.data_dir / "outbox"
    print(
        "Innkeep demo is running.\n"
        f"  Innkeep service:        {service_url}  (API docs: {service_url}/schema)\n"
        f"  Sample guesthouse site: http://127.0.0.1:{host_port}\n"
        f"  Owner's console:        {service_url}/admin/  "
        f"(login {DEMO_OWNER}, password {password})\n"
        f"  Data folder:            {settings.data_dir}\n"
        f"  Guest e-mails go to:    {outbox}\n"
        f"  Testing API token:      {settings.testing_token}\n"
        f"    (innkeep qa journeys --site http://127.0.0.1:{host_port}/ "
        f"--token {settings.testing_token})\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )


async def _serve_both(settings: Settings, port: int, host_port: int, password: str) -> None:
    service_url = listening_url("127.0.0.1", port)
    service = _Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            http=BoundedHttpTools,
            log_level="warning",
        )
    )
    site = _Server(
        uvicorn.Config(
            create_sample_site(service_url), host="127.0.0.1", port=host_port, log_level="warning"
        )
    )

    def stop() -> None:
        service.should_exit = site.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)

    # If one server fails to start (port taken), stop the other and report it.
    results = await asyncio.gather(
        service.serve(),
        site.serve(),
        _announce(settings, service, site, service_url, host_port, password),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result
    if not (service.started and site.started):
        raise PortTaken(f"could not listen on port {port} or {host_port}; is one taken?")
