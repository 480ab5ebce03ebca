"""The e-mail settings: a wrong value stops start-up with a message naming the variable."""

from __future__ import annotations

import pytest

from widget.mail.transport import FolderTransport, SmtpTransport, transport_for
from widget.settings import SettingsError, load_settings


def test_smtp_url_and_sender_are_read_and_checked() -> None:
    settings = load_settings(
        {
            "INNKEEP_SMTP_URL": "smtps://casa:s%40cret@mail.example:465",
            "INNKEEP_MAIL_FROM": "Casa Lanterna <b@casa.example>",
        }
    )
    transport = transport_for(settings)
    assert isinstance(transport, SmtpTransport)
    assert (transport.host, transport.port, transport.tls) == ("mail.example", 465, True)
    assert (transport.username, transport.password) == ("casa", "s@cret")
    assert settings.mail_from == "Casa Lanterna <b@casa.example>"
    with pytest.raises(SettingsError, match="INNKEEP_SMTP_URL"):
        load_settings({"INNKEEP_SMTP_URL": "mail.example:25"})
    for wrong in ("bookings", "Casa <b@casa.example", "a@casa.example, b@casa.example"):
        with pytest.raises(SettingsError, match="INNKEEP_MAIL_FROM"):
            load_settings({"INNKEEP_MAIL_FROM": wrong})


def test_without_smtp_mail_goes_to_the_data_folder(tmp_path: object) -> None:
    settings = load_settings({"INNKEEP_DATA_DIR": str(tmp_path)})
    transport = transport_for(settings)
    assert isinstance(transport, FolderTransport)
    assert transport.folder == settings.data_dir / "outbox"
