"""The Rooms and Website pages in a browser: an owner uploads a photo and sees it, copies
the snippet and sees the widget previewed (that staff cannot open either page is walked in
test_console_staff_browser.py). axe finds no serious or critical violation on them, and
they fit a 360 px phone."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from e2e.conftest import Deployment
from e2e.console_steps import check_page, sign_in
from widget.testing.booking_widget import BookingWidget


def a_photo() -> bytes:
    image = Image.new("RGB", (1200, 800), (40, 110, 160))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def test_an_owner_adds_a_photo_and_copies_the_snippet(
    page: Page,
    context: BrowserContext,
    deployment: Deployment,
    owner: str,
    stays: Any,
) -> None:
    base = f"{deployment.service}/admin/{deployment.slug}"
    sign_in(page, deployment, owner)
    page.get_by_test_id("nav-rooms").click()
    twin = page.locator('[data-testid="room-type"][data-slug="twin"]')
    expect(twin).to_be_visible()
    check_page(page)
    # An Italian description, saved as the property file would be.
    twin.locator('[data-testid="room-description"][data-language="it"]').fill(
        "Due letti alla finestra."
    )
    twin.get_by_test_id("room-save").click()
    expect(page.get_by_test_id("rooms-saved")).to_be_visible()
    twin.get_by_test_id("photo-file").set_input_files(
        files=[{"name": "twin.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}]
    )
    twin.get_by_test_id("photo-alt").fill("Two beds by a window")
    twin.get_by_test_id("photo-upload").click()
    expect(page.get_by_test_id("rooms-saved")).to_be_visible()
    photo = twin.locator('[data-testid="room-photo"] img')
    expect(photo).to_have_attribute("alt", "Two beds by a window")
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 1200", arg=photo.element_handle()
    )
    check_page(page)

    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=deployment.service)
    page.goto(f"{base}/website")
    check_page(page)
    page.get_by_test_id("option-language").select_option("it")
    page.get_by_test_id("option-show").click()
    expect(page.get_by_test_id("snippet-inline")).to_have_value(
        f"<!-- Where the booking widget should appear -->\n<div data-innkeep></div>\n\n"
        f'<!-- Once per page -->\n<script src="{deployment.service}/widget.js" '
        f'data-property="{deployment.slug}" data-locale="it" async></script>'
    )
    page.get_by_test_id("copy-inline").click()
    expect(page.get_by_test_id("copy-inline")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert f'data-property="{deployment.slug}" data-locale="it"' in copied
    preview = page.frame_locator('[data-testid="widget-preview"]')
    expect(preview.locator("html")).to_have_attribute("lang", "it")
    expect(preview.get_by_test_id("night").first).to_be_visible()
    # A guest reading Italian sees the room described in Italian.
    handle = page.get_by_test_id("widget-preview").element_handle()
    frame = handle.content_frame() if handle else None
    assert frame is not None
    guest = BookingWidget(page, frame)
    guest.pick_stay(*stays(2), adults=2)
    offer = guest.room("twin")
    expect(offer).to_contain_text("Due letti alla finestra.")

    page.get_by_test_id("test-origin").fill("https://elsewhere.example")
    page.get_by_test_id("test-link").click()
    expect(page.get_by_test_id("test-notice")).to_contain_text("non è autorizzato")
    check_page(page)
