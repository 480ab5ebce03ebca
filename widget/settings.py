"""One typed settings object, read from the environment when asked for, never at import.

A wrong value stops start-up with a message that names the variable, so an owner
never runs a service that silently ignored what they configured.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec
import platformdirs

from widget.email_address import InvalidEmail, mailbox
from widget.redact import redact_url

Env = Literal["development", "test", "staging", "production"]
PaymentProvider = Literal["demo", "stripe"]
#: What ``INNKEEP_DATABASE_URL`` reaches: Postgres itself, or PgBouncer in transaction mode.
Pooler = Literal["none", "pgbouncer"]

#: Public, so only for a machine that says it is not a real deployment: ``innkeep demo``, or an
#: explicit ``INNKEEP_ENV=development`` or ``test``. Anything else must set INNKEEP_SECRET_KEY.
DEV_SECRET_KEY = "innkeep-development-secret-do-not-use-in-production"  # noqa: S105


#: The sender of guest e-mails until the owner sets ``INNKEEP_MAIL_FROM``.
DEFAULT_MAIL_FROM = "Innkeep <bookings@innkeep.invalid>"


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names the environment variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    #: One Redis URL; with `redis_cluster`, one or more seed nodes of a cluster, comma-separated.
    redis_url: str | None = None
    #: Talk to a Redis/Valkey Cluster (redis-py's cluster client) rather than one server.
    redis_cluster: bool = False
    env: Env = "development"
    data_dir: Path = Path(platformdirs.user_data_dir("innkeep"))
    hold_seconds: int = 600
    payment_grace_seconds: int = 900
    #: How long a room stays held for a guest sent a payment link from the console.
    phone_hold_minutes: int = 1440
    #: Empty until configured: the service refuses to start without one (`require_secret_key`).
    secret_key: str = ""
    #: Networks (CIDR strings) whose X-Forwarded-For we believe; checked at load time.
    trusted_proxies: tuple[str, ...] = ()
    payment_provider: PaymentProvider = "demo"
    stripe_secret_key: str | None = None
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = None
    #: Points the Stripe SDK elsewhere (tests use a local stand-in of Stripe's API).
    stripe_api_base: str | None = None
    #: The origin guests reach the service on, for links in e-mails and the widget's address.
    #: Required in production; elsewhere `widget.links.site_url` falls back to the address
    #: the service was told to listen on, never to a request's Host header.
    public_url: str | None = None
    db_pool_max: int = 10
    #: The same database reached directly, never through a pooler: ``LISTEN`` needs a session
    #: of its own that no one else shares. None: ``database_url`` (no pooler in between).
    database_listen_url: str | None = None
    #: ``pgbouncer``: ``database_url`` goes through PgBouncer in transaction mode, so the pool
    #: makes no server-side prepared statements (PgBouncer 1.18 cannot follow them).
    database_pooler: Pooler = "none"
    #: A request body must have arrived this long after its headers (else 408), so a slow or
    #: stalled client never keeps a worker's database connection waiting.
    body_read_seconds: float = 10.0
    #: Hold quotas per property, so a bot cannot lock a guesthouse's whole inventory:
    #: active holds per widget session and per client address, and hold attempts per
    #: address per minute.
    holds_per_session: int = 2
    holds_per_address: int = 6
    hold_attempts_per_minute: int = 30
    #: How often each worker expires lapsed holds.
    sweep_seconds: float = 5.0
    #: ``smtp://user:password@host:port`` (or ``smtps://``) for guest e-mails; without it they
    #: are written to ``<data_dir>/outbox`` as ``.eml`` files.
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    #: How often each worker sends due e-mails and settles unfinished payments.
    outbox_seconds: float = 5.0
    reconcile_seconds: float = 60.0
    #: How often each worker sends due owner webhooks.
    webhook_seconds: float = 5.0
    #: A bearer token for ``GET /metrics``; without one, only loopback callers may read it.
    metrics_token: str | None = None
    #: Off in tests that drive the sweeper and senders themselves, step by step.
    background_jobs: bool = True
    #: Non-public networks (CIDR strings) that outbound calls (iCal feeds, owner webhooks)
    #: may reach anyway: none by default (decision 15); tests allow loopback.
    sync_allow_private_networks: tuple[str, ...] = ()
    #: How often each worker looks for iCal feeds that are due (each feed has its interval).
    sync_seconds: float = 30.0
    #: A feed failing this long (hours) is e-mailed to the owner, once; and again on recovery.
    sync_failure_hours: int = 6
    #: Properties whose versions, set-up and busy stays one worker remembers at most, and
    #: calendar answers it keeps: one deployment may serve thousands of guesthouses, and a
    #: worker's memory must not grow with them. What is dropped is read again, never guessed.
    worker_properties: int = 2000
    worker_calendars: int = 512
    #: How long a CDN or caching proxy may serve a calendar answer without asking
    #: (``max-age``), and serve it stale while it asks again in the background
    #: (``stale-while-revalidate``). 0 and 0: every use is revalidated (``no-cache``).
    calendar_max_age: int = 5
    calendar_stale_seconds: int = 30
    #: On SIGTERM, how long ``innkeep serve`` lets requests in flight finish before it closes
    #: their connections (it takes no new ones from the first moment).
    shutdown_seconds: int = 30
    #: Test mode (decision 16): with ``env="staging"`` this bearer token opens the testing
    #: API (disposable properties, their clocks, their e-mails). Refused in production and
    #: beside a live Stripe key; without it (or outside staging) the API does not exist.
    testing_token: str | None = None

    @property
    def listen_url(self) -> str | None:
        """Where the notification listener connects: Postgres itself, never a pooler."""
        return self.database_listen_url or self.database_url

    @property
    def pooled(self) -> bool:
        """True when ``database_url`` goes through a transaction pooler."""
        return self.database_pooler != "none"

    @property
    def testing_api(self) -> bool:
        """True when the testing API is served (staging with a token)."""
        return self.env == "staging" and bool(self.testing_token)

    @property
    def embedded(self) -> bool:
        """True when Innkeep must start its own Postgres and Redis."""
        return self.database_url is None or self.redis_url is None


def _int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = env.get(name) or default
    for choice in allowed:
        if raw == choice:
            return choice
    raise SettingsError(f"{name}={raw!r} must be one of: {', '.join(allowed)}")


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    raw = env.get(name) or None
    if raw is not None and not raw.startswith(schemes):
        # The value may carry a password: show it with the credentials replaced.
        raise SettingsError(
            f"{name} must start with {' or '.join(schemes)}, got {redact_url(raw)!r}"
        )
    return raw


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "0").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} must be 1 or 0")


def _redis_urls(env: Mapping[str, str], cluster: bool) -> str | None:
    """INNKEEP_REDIS_URL: one URL, or (for a cluster) seed nodes separated by commas."""
    name, schemes = "INNKEEP_REDIS_URL", ("redis://", "rediss://", "unix://")
    raw = env.get(name) or None
    if raw is None or "," not in raw:
        return _url(env, name, schemes)
    if not cluster:
        raise SettingsError(
            f"{name} names several servers: set INNKEEP_REDIS_CLUSTER=1 for a cluster's seed nodes"
        )
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    for part in parts:
        _url({name: part}, name, ("redis://", "rediss://"))
    return ",".join(parts)


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    networks = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(f"{name}: {part!r} is not an IP address or network") from None
    return tuple(networks)


def _outbound_networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """``true`` allows every network; otherwise a list of networks, like trusted proxies."""
    if env.get(name, "").strip().lower() in ("true", "1", "yes", "on"):
        return ("0.0.0.0/0", "::/0")
    return _networks(env, name)


def _mail_from(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name) or DEFAULT_MAIL_FROM
    try:
        mailbox(raw)  # the parser the sender uses: what starts can be sent
    except InvalidEmail:
        raise SettingsError(
            f"{name}={raw!r} must be an e-mail address, e.g. 'Casa <b@casa.it>'"
        ) from None
    return raw


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build `Settings` from ``environ`` (default: ``os.environ``); keyword overrides win.

    The public development key is filled in only when the environment is *explicitly*
    development or test (INNKEEP_ENV or an ``env`` override); otherwise
    `Settings.secret_key` stays empty until INNKEEP_SECRET_KEY sets it. (``innkeep serve``
    sets INNKEEP_ENV=production when it is missing.)
    """
    env = os.environ if environ is None else environ
    stripe_key = env.get("INNKEEP_STRIPE_SECRET_KEY") or None
    values: dict[str, object] = {
        "database_url": _url(env, "INNKEEP_DATABASE_URL", ("postgresql://", "postgres://")),
        "redis_url": _redis_urls(env, _flag(env, "INNKEEP_REDIS_CLUSTER")),
        "redis_cluster": _flag(env, "INNKEEP_REDIS_CLUSTER"),
        "metrics_token": env.get("INNKEEP_METRICS_TOKEN") or None,
        "env": _choice(
            env, "INNKEEP_ENV", "development", ("development", "test", "staging", "production")
        ),
        "hold_seconds": _int(env, "INNKEEP_HOLD_SECONDS", 600, 1),
        "payment_grace_seconds": _int(env, "INNKEEP_PAYMENT_GRACE_SECONDS", 900, 0),
        "phone_hold_minutes": _int(env, "INNKEEP_PHONE_HOLD_MINUTES", 1440, 1),
        "trusted_proxies": _networks(env, "INNKEEP_TRUSTED_PROXIES"),
        "payment_provider": _choice(
            env, "INNKEEP_PAYMENT_PROVIDER", "stripe" if stripe_key else "demo", ("demo", "stripe")
        ),
        "stripe_secret_key": stripe_key,
        "stripe_publishable_key": env.get("INNKEEP_STRIPE_PUBLISHABLE_KEY") or None,
        "stripe_webhook_secret": env.get("INNKEEP_STRIPE_WEBHOOK_SECRET") or None,
        "stripe_api_base": _url(env, "INNKEEP_STRIPE_API_BASE", ("http://", "https://")),
        "public_url": _url(env, "INNKEEP_PUBLIC_URL", ("http://", "https://")),
        "db_pool_max": _int(env, "INNKEEP_DB_POOL_MAX", 10, 1),
        "database_listen_url": _url(
            env, "INNKEEP_DATABASE_LISTEN_URL", ("postgresql://", "postgres://")
        ),
        "database_pooler": _choice(env, "INNKEEP_DATABASE_POOLER", "none", ("none", "pgbouncer")),
        "body_read_seconds": float(_int(env, "INNKEEP_BODY_READ_SECONDS", 10, 1)),
        "smtp_url": _url(env, "INNKEEP_SMTP_URL", ("smtp://", "smtps://")),
        "mail_from": _mail_from(env, "INNKEEP_MAIL_FROM"),
        "holds_per_session": _int(env, "INNKEEP_HOLDS_PER_SESSION", 2, 1),
        "holds_per_address": _int(env, "INNKEEP_HOLDS_PER_ADDRESS", 6, 1),
        "hold_attempts_per_minute": _int(env, "INNKEEP_HOLD_ATTEMPTS_PER_MINUTE", 30, 1),
        "sweep_seconds": float(_int(env, "INNKEEP_SWEEP_SECONDS", 5, 1)),
        "sync_seconds": float(_int(env, "INNKEEP_SYNC_SECONDS", 30, 1)),
        "sync_failure_hours": _int(env, "INNKEEP_SYNC_FAILURE_HOURS", 6, 1),
        "sync_allow_private_networks": _outbound_networks(
            env, "INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS"
        ),
        "worker_properties": _int(env, "INNKEEP_WORKER_PROPERTIES", 2000, 1),
        "worker_calendars": _int(env, "INNKEEP_WORKER_CALENDARS", 512, 1),
        "calendar_max_age": _int(env, "INNKEEP_CALENDAR_MAX_AGE", 5, 0),
        "calendar_stale_seconds": _int(env, "INNKEEP_CALENDAR_STALE_SECONDS", 30, 0),
        "shutdown_seconds": _int(env, "INNKEEP_SHUTDOWN_SECONDS", 30, 1),
        "testing_token": env.get("INNKEEP_TESTING_TOKEN") or None,
    }
    if env.get("INNKEEP_DATA_DIR"):
        values["data_dir"] = Path(env["INNKEEP_DATA_DIR"]).expanduser()
    if env.get("INNKEEP_SECRET_KEY"):
        values["secret_key"] = env["INNKEEP_SECRET_KEY"]
    values.update(overrides)
    explicit_env = bool(env.get("INNKEEP_ENV")) or "env" in overrides
    if not values.get("secret_key") and explicit_env and values["env"] in ("development", "test"):
        values["secret_key"] = DEV_SECRET_KEY
    settings = Settings(**values)  # type: ignore[arg-type]
    check_settings(settings)
    return settings


def check_settings(settings: Settings) -> None:
    """Refuse combinations that would be unsafe or could never work."""
    if settings.env in ("production", "staging"):
        _check_production(settings)
    if settings.testing_token:
        _check_testing(settings)
    if settings.secret_key and len(settings.secret_key) < 16:
        raise SettingsError("INNKEEP_SECRET_KEY must be at least 16 characters long")
    if settings.pooled and not settings.database_listen_url:
        raise SettingsError(
            "INNKEEP_DATABASE_LISTEN_URL must be set when INNKEEP_DATABASE_POOLER is "
            f"{settings.database_pooler}: LISTEN needs a direct connection to Postgres, which "
            "a transaction pooler cannot give"
        )
    if settings.payment_provider == "demo":
        _check_demo_payments(settings)
    if settings.payment_provider == "stripe":
        _check_stripe_keys(settings)


def _check_production(settings: Settings) -> None:
    """Production needs its own secret key, its own database and Redis, and its address;
    staging (a rehearsal of production, reachable from outside) needs the key and address."""
    where = settings.env
    if settings.secret_key in ("", DEV_SECRET_KEY):
        raise SettingsError(f"INNKEEP_SECRET_KEY must be set in {where}")
    if where == "staging":
        if not settings.public_url:
            raise SettingsError(
                "INNKEEP_PUBLIC_URL must be set in staging (the address guests and the QA "
                "journeys reach the service on)"
            )
        return
    if settings.embedded:
        raise SettingsError("INNKEEP_DATABASE_URL and INNKEEP_REDIS_URL must be set in production")
    if not settings.public_url:
        raise SettingsError(
            "INNKEEP_PUBLIC_URL must be set in production (the address guests reach the "
            "service on, e.g. https://book.example.com): links in e-mails are built from it"
        )


def _check_testing(settings: Settings) -> None:
    """The testing API moves clocks and deletes properties: never where money is real."""
    if settings.env == "production":
        raise SettingsError(
            "INNKEEP_TESTING_TOKEN is refused in production (the testing API exists only "
            "with INNKEEP_ENV=staging)"
        )
    if _live_stripe_key(settings):
        raise SettingsError(
            "INNKEEP_TESTING_TOKEN is refused while a live Stripe key is configured "
            "(test mode books with test cards only)"
        )
    if len(settings.testing_token or "") < 16:
        raise SettingsError("INNKEEP_TESTING_TOKEN must be at least 16 characters long")


def _live_stripe_key(settings: Settings) -> bool:
    key = settings.stripe_secret_key or ""
    return key.startswith(("sk_live", "rk_live"))


def _check_demo_payments(settings: Settings) -> None:
    """Demo payments take no money: never in production, never beside a live Stripe key."""
    if settings.env == "production":
        raise SettingsError(
            "INNKEEP_PAYMENT_PROVIDER=demo takes no real money and is refused in production"
        )
    if _live_stripe_key(settings):
        raise SettingsError(
            "INNKEEP_PAYMENT_PROVIDER=demo is refused while a live Stripe key is configured"
        )


def _check_stripe_keys(settings: Settings) -> None:
    """Stripe needs all three of its keys."""
    for name, value in (
        ("INNKEEP_STRIPE_SECRET_KEY", settings.stripe_secret_key),
        ("INNKEEP_STRIPE_PUBLISHABLE_KEY", settings.stripe_publishable_key),
        ("INNKEEP_STRIPE_WEBHOOK_SECRET", settings.stripe_webhook_secret),
    ):
        if not value:
            raise SettingsError(f"{name} must be set when the payment provider is stripe")


def require_secret_key(settings: Settings) -> str:
    """The server's secret key, or a `SettingsError` saying how to set one."""
    if not settings.secret_key:
        raise SettingsError(
            "INNKEEP_SECRET_KEY must be set (at least 16 random characters, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`); only "
            "`innkeep demo` or an explicit INNKEEP_ENV=development uses a development key"
        )
    return settings.secret_key
