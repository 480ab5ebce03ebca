"""The owner edits a pricing rule in the console and watches the preview change, in a
browser: htmx posts the draft as the owner types, nothing reaches guests until saved."""

from __future__ import annotations

import json
import re
from datetime import date

from playwright.sync_api import Page, expect

from e2e.conftest import Deployment, get, innkeep
from e2e.console_steps import sign_in
from e2e.widget_steps import assert_accessible


def _owner_of(deployment: Deployment, slug: str) -> tuple[str, str]:
    """A new owner of ``slug`` made by `innkeep user add`: their e-mail and password."""
    email = f"owner@{slug}.example.com"
    out = innkeep(
        "user",
        "add",
        "--email",
        email,
        "--property",
        slug,
        "--role",
        "owner",
        data_dir=deployment.data_dir,
    )
    found = re.search(r"password \(shown once\): (\S+)", out)
    assert found is not None, out
    return email, found.group(1)


def _sold_price(deployment: Deployment, slug: str, day: str) -> int:
    end = date.fromordinal(date.fromisoformat(day).toordinal() + 1).isoformat()
    url = f"{deployment.service}/api/v1/properties/{slug}/calendar?start={day}&end={end}&adults=3"
    status, raw = get(url)
    assert status == 200, raw
    body = json.loads(raw)
    twin = next(r for r in body["room_types"] if r["slug"] == "twin")
    return int(twin["nights"][0]["price"]["amount"])


def test_an_owner_edits_a_rule_and_watches_the_preview_change(
    page: Page, deployment: Deployment
) -> None:
    # A guesthouse of its own: saving its rules must not move other tests' prices.
    deployment.needs_command_line()  # `innkeep user add`
    slug = deployment.new_property()
    email, password = _owner_of(deployment, slug)
    sign_in(page, deployment, email, password)
    page.goto(f"{deployment.service}/admin/{slug}/rules")

    # Three adults in the twin room: one more than its price includes (20.00 a night).
    page.get_by_test_id("preview-room-type").select_option("twin")
    expect(page.get_by_test_id("rules-preview")).to_have_attribute("data-room-type", "twin")
    first = page.get_by_test_id("preview-night").first
    two_adults = first.get_attribute("data-amount") or ""
    page.get_by_test_id("preview-adults").fill("3")
    page.get_by_test_id("preview-adults").blur()
    expect(first).not_to_have_attribute("data-amount", two_adults)
    before = int(first.get_attribute("data-amount") or "0")
    day = first.get_attribute("data-date") or ""
    assert _sold_price(deployment, slug, day) == before

    # The owner raises the extra guest's price; the preview follows as they type.
    page.locator('[name="r1.amount"]').fill("50.00")
    expect(first).not_to_have_attribute("data-amount", str(before))
    after = int(first.get_attribute("data-amount") or "0")
    assert after > before
    expect(first).to_have_class("changed")
    assert _sold_price(deployment, slug, day) == before  # not saved: guests see the old price

    page.get_by_test_id("why-button").first.click()
    why = page.get_by_test_id("why-this-night")
    expect(why.locator('[data-rule="extra_guests"]')).to_contain_text("50.00")
    assert_accessible(page.main_frame)

    page.get_by_test_id("save-rules").click()
    expect(page.get_by_test_id("rules-saved")).to_be_visible()
    expect(page.get_by_test_id("rules-history")).to_contain_text("amount 20.00 → 50.00")
    assert _sold_price(deployment, slug, day) == after
