from __future__ import annotations

import pytest

from widget.settings import SettingsError, load_settings


def test_defaults_start_the_embedded_servers() -> None:
    settings = load_settings({})
    assert settings.embedded
    assert settings.hold_seconds == 600
    assert settings.payment_provider == "demo"


def test_values_are_read_from_the_environment() -> None:
    settings = load_settings(
        {
            "INNKEEP_DATABASE_URL": "postgresql://u@db/innkeep",
            "INNKEEP_REDIS_URL": "redis://cache:6379/0",
            "INNKEEP_HOLD_SECONDS": "120",
            "INNKEEP_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7",
        }
    )
    assert not settings.embedded
    assert settings.hold_seconds == 120
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.168.1.7/32")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"INNKEEP_HOLD_SECONDS": "ten"}, "INNKEEP_HOLD_SECONDS"),
        ({"INNKEEP_HOLD_SECONDS": "0"}, "INNKEEP_HOLD_SECONDS"),
        ({"INNKEEP_ENV": "prod"}, "INNKEEP_ENV"),
        ({"INNKEEP_DATABASE_URL": "mysql://x"}, "INNKEEP_DATABASE_URL"),
        ({"INNKEEP_REDIS_URL": "localhost:6379"}, "INNKEEP_REDIS_URL"),
        ({"INNKEEP_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "INNKEEP_TRUSTED_PROXIES"),
        ({"INNKEEP_SECRET_KEY": "short"}, "INNKEEP_SECRET_KEY"),
        ({"INNKEEP_PAYMENT_PROVIDER": "paypal"}, "INNKEEP_PAYMENT_PROVIDER"),
    ],
)
def test_a_wrong_value_names_its_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(env)


def test_production_refuses_the_development_secret_and_embedded_servers() -> None:
    with pytest.raises(SettingsError, match="INNKEEP_SECRET_KEY"):
        load_settings({"INNKEEP_ENV": "production"})
    with pytest.raises(SettingsError, match="INNKEEP_DATABASE_URL"):
        load_settings({"INNKEEP_ENV": "production", "INNKEEP_SECRET_KEY": "s" * 32})


def test_demo_payments_are_refused_in_production_and_beside_a_live_key() -> None:
    prod = {
        "INNKEEP_ENV": "production",
        "INNKEEP_SECRET_KEY": "s" * 32,
        "INNKEEP_DATABASE_URL": "postgresql://db/x",
        "INNKEEP_REDIS_URL": "redis://cache",
        "INNKEEP_PAYMENT_PROVIDER": "demo",
        "INNKEEP_PUBLIC_URL": "https://book.example.com",
    }
    with pytest.raises(SettingsError, match="refused in production"):
        load_settings(prod)
    with pytest.raises(SettingsError, match="live Stripe key"):
        load_settings(
            {"INNKEEP_PAYMENT_PROVIDER": "demo", "INNKEEP_STRIPE_SECRET_KEY": "sk_live_abc"}
        )


def test_stripe_needs_all_three_keys() -> None:
    with pytest.raises(SettingsError, match="INNKEEP_STRIPE_PUBLISHABLE_KEY"):
        load_settings({"INNKEEP_STRIPE_SECRET_KEY": "sk_test_abc"})
    settings = load_settings(
        {
            "INNKEEP_STRIPE_SECRET_KEY": "sk_test_abc",
            "INNKEEP_STRIPE_PUBLISHABLE_KEY": "pk_test_abc",
            "INNKEEP_STRIPE_WEBHOOK_SECRET": "whsec_abc",
        }
    )
    assert settings.payment_provider == "stripe"
