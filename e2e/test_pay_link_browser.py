"""A balance that needs authentication is paid through the link: a deposit booked with the
demo's "authentication required" card, the property's clock moved to the balance day, the
balance job run (`innkeep balances run`), then the guest follows the e-mailed link and
confirms the payment on the page. Demo provider, offline."""

from __future__ import annotations

import email
import json
import re
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from email.policy import default
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import HERE, Deployment, innkeep
from e2e.widget_steps import assert_accessible

DEPOSIT = 'name = "Flexible"\n'
TERMS = 'name = "Flexible"\npayment = { deposit_percent = 30, balance_days_before = 14 }\n'


def call(
    deployment: Deployment,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> Any:
    """The service's JSON API, as the widget (or the QA kit) calls it."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(
        deployment.service + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        raise AssertionError(f"{method} {path}: {refused.code} {refused.read()!r}") from None


def deposit_property(deployment: Deployment) -> str:
    """A disposable property of the testing API whose flexible plan takes a deposit."""
    text = (HERE / "property.toml").read_text(encoding="utf-8")
    text = text.replace("{slug}", "pay-link").replace("{host_origin}", deployment.host)
    assert DEPOSIT in text
    made = call(
        deployment,
        "POST",
        "/api/testing/v1/properties",
        raw=text.replace(DEPOSIT, TERMS, 1).encode(),
        headers={"Content-Type": "application/toml", **bearer(deployment)},
    )
    return str(made["slug"])


def bearer(deployment: Deployment) -> dict[str, str]:
    return {"Authorization": f"Bearer {deployment.token}"}


def book_deposit(deployment: Deployment, slug: str) -> tuple[str, date]:
    """A deposit booking whose saved card asks for authentication; its reference and the
    balance's day."""
    start = date.today() + timedelta(days=40)
    stay = {
        "room_type": "twin",
        "check_in": start.isoformat(),
        "check_out": (start + timedelta(days=2)).isoformat(),
        "adults": 2,
    }
    hold = call(deployment, "POST", f"/api/v1/properties/{slug}/holds", stay)
    (_, balance) = hold["quote"]["payment_schedule"]
    token = {"X-Hold-Token": hold["token"]}
    guest = {
        "guest": {"name": "Ada Lovelace", "email": "ada@example.com", "language": "en"},
        "accept_cancellation_policy": True,
        "test_card": "authentication_required",
    }
    out = call(deployment, "POST", f"/api/v1/holds/{hold['id']}/checkout", guest, token)
    assert out["status"] == "requires_action"  # the card asks the bank now too: confirmed
    call(deployment, "POST", f"/api/v1/holds/{hold['id']}/demo-bank", {"passed": True}, token)
    done = call(deployment, "POST", f"/api/v1/holds/{hold['id']}/confirm", None, token)
    return str(done["reference"]), date.fromisoformat(balance["due"])


def emailed_link(outbox: Path, reference: str, about: str, page: str, timeout: float = 30.0) -> str:
    """The ``/{page}/`` path and key in the guest's e-mail about ``reference`` whose subject
    says ``about``, once the outbox sender wrote it (every few seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            subject = str(message["Subject"])
            if reference in subject and about in subject:
                body = message.get_body(preferencelist=("plain",))
                assert body is not None
                found = re.search(rf"https?://\S+/{page}/\S+", body.get_content())
                assert found is not None
                parts = urlsplit(found.group(0))
                return f"{parts.path}?{parts.query}"
        time.sleep(0.25)
    raise AssertionError(f"no e-mail about {about!r} of {reference} in {outbox}")


def test_a_balance_that_needs_authentication_is_paid_through_the_link(
    page: Page, deployment: Deployment
) -> None:
    if deployment.data_dir is None or deployment.token is None:
        pytest.skip("needs the demo the suite starts (its outbox folder and testing token)")
    slug = deposit_property(deployment)
    reference, due = book_deposit(deployment, slug)
    days = (due - date.today()).days
    call(
        deployment,
        "POST",
        f"/api/testing/v1/properties/{slug}/clock",
        {"seconds": days * 86400 + 12 * 3600},
        bearer(deployment),
    )
    # The demo's own balance job (every minute) may charge it between the clock's move and
    # this run; either way the bank asks the guest, who is e-mailed a link for that charge.
    ran = innkeep("balances", "run", data_dir=deployment.data_dir)
    assert "requires_action" in ran or "0 charge(s) handled" in ran, ran
    outbox = deployment.data_dir / "outbox"
    link = emailed_link(outbox, reference, "confirm the balance", "pay")

    page.goto(deployment.service + link)
    expect(page.get_by_test_id("pay-intro")).to_contain_text(reference)
    assert_accessible(page.main_frame)
    page.get_by_test_id("pay-submit").click()
    expect(page.get_by_test_id("pay-done")).to_contain_text("is paid")
    page.reload()  # the link again: paid, nothing more to do
    expect(page.get_by_test_id("pay-done")).to_be_visible()
    expect(page.get_by_test_id("pay-submit")).to_have_count(0)

    mails = call(
        deployment, "GET", f"/api/testing/v1/properties/{slug}/emails", None, bearer(deployment)
    )
    kinds = [m["kind"] for m in mails if m["reference"] == reference]
    assert kinds.count("guest_balance_charged") == 1, kinds
    # The manage page now shows the balance paid; its form works in a browser too.
    page.goto(deployment.service + emailed_link(outbox, reference, "is confirmed", "manage"))
    expect(page.get_by_test_id("schedule")).to_contain_text("balance paid")
    page.get_by_test_id("cancel-booking").click()
    expect(page.get_by_test_id("cancelled-notice")).to_be_visible()
    call(deployment, "DELETE", f"/api/testing/v1/properties/{slug}", None, bearer(deployment))
