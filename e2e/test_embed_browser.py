"""The widget on a guesthouse's own page: allowed or not, inline or in a dialog, isolated,
accessible, and usable on a phone."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Deployment, innkeep
from e2e.widget_steps import (
    assert_accessible,
    events,
    night,
    pick_dates,
    priced_nights,
    room,
    show_month_of,
    widget_frame,
)


def test_an_allowed_site_shows_the_priced_calendar(page: Page, deployment: Deployment) -> None:
    page.goto(deployment.page())
    frame = widget_frame(page)
    expect(frame.get_by_test_id("calendar")).to_be_visible()
    # Every bookable night shows its price.
    first = priced_nights(frame).first
    expect(first).to_have_text(re.compile(r"€\s?\d+"))
    expect(page.locator("text=not allowed")).to_have_count(0)
    page.wait_for_function("recorded.some(e => e.type === 'ready')")
    ready = events(page, "ready")
    assert ready == [{"type": "ready", "detail": {"version": 1, "property": deployment.slug}}]


def test_the_frame_grows_with_its_content(page: Page, deployment: Deployment) -> None:
    page.goto(deployment.page())
    frame = widget_frame(page)
    element = frame.frame_element()
    # No inner scrollbar: the frame is as tall as the widget's page.
    page.wait_for_function(
        "([el, h]) => Math.abs(el.getBoundingClientRect().height - h) < 2",
        arg=[element, frame.evaluate("document.documentElement.getBoundingClientRect().height")],
    )


def test_a_site_not_on_the_list_gets_a_notice_and_no_widget(
    page: Page, deployment: Deployment
) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(deployment.page(stranger=True))
    expect(page.get_by_text("not allowed to show bookings")).to_be_visible()
    page.wait_for_function("recorded.some(e => e.type === 'error')")
    assert [e["detail"]["code"] for e in events(page, "error")] == ["not_allowed"]
    assert not [f for f in page.frames if "/embed/" in f.url]
    assert not [url for url in asked if "/embed/" in url and "/api/" not in url]


def test_without_a_placeholder_a_book_now_button_opens_a_dialog(
    page: Page, deployment: Deployment
) -> None:
    page.goto(deployment.page(mode="dialog"))
    page.wait_for_function("typeof Innkeep === 'function' && Innkeep.loaded")
    # The button lives in a closed shadow root: reach it as a keyboard user would.
    page.wait_for_function("document.body.lastElementChild.tagName === 'DIV'")
    assert not [f for f in page.frames if "/embed/" in f.url], "no widget before it is asked for"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    frame = widget_frame(page)
    dialog_frame = frame.frame_element()
    shown = "el => el.checkVisibility() && el.getBoundingClientRect().height > 200"
    page.wait_for_function(shown, arg=dialog_frame)
    page.wait_for_function("recorded.some(e => e.type === 'ready')")
    page.keyboard.press("Escape")
    page.wait_for_function("el => !el.checkVisibility()", arg=dialog_frame)
    # The JS API opens it again.
    page.evaluate("Innkeep('open')")
    page.wait_for_function(shown, arg=dialog_frame)


def test_the_host_page_css_cannot_reach_the_widget_nor_ours_leak_out(
    page: Page, deployment: Deployment
) -> None:
    page.goto(deployment.page(hostile=1))
    before = page.evaluate("getComputedStyle(document.getElementById('probe')).fontFamily")
    frame = widget_frame(page)
    box = frame.frame_element().bounding_box()
    assert box is not None and box["height"] > 300
    # Inside, the widget's own look: not the host's red Comic Sans.
    cell = priced_nights(frame).first
    assert "Comic" not in cell.evaluate("el => getComputedStyle(el).fontFamily")
    assert cell.evaluate("el => getComputedStyle(el).color") != "rgb(255, 0, 0)"
    # Outside, the host page looks as it did before the widget came.
    after = page.evaluate("getComputedStyle(document.getElementById('probe')).fontFamily")
    assert after == before and "Comic" in after


#: How the page lays out one element of the loader's (``el``): its box, what a guest's click
#: at its middle reaches, and whether it shows at all.
_LAID_OUT = """el => {
  const r = el.getBoundingClientRect(), css = getComputedStyle(el);
  const x = r.x + r.width / 2, y = r.y + Math.min(r.height / 2, 100);
  let hit = document.elementFromPoint(x, y);
  return {
    box: [r.x, r.y, r.width, r.height].map(Math.round),
    shown: el.checkVisibility({opacityProperty: true, visibilityProperty: true}),
    opacity: css.opacity, pointer: css.pointerEvents,
    edges: [css.borderTopWidth, css.paddingTop, css.outlineStyle],
    hit: hit === el || hit === el.getRootNode().host,
  };
}"""


def test_generic_host_rules_cannot_hide_pad_or_squeeze_the_inline_widget(
    page: Page, deployment: Deployment
) -> None:
    page.goto(deployment.page(hostile=1))
    frame = widget_frame(page)
    element = frame.frame_element()
    spot = page.get_by_test_id("spot-0")
    container = page.get_by_test_id("container").evaluate(
        "c => c.getBoundingClientRect().width - 2 * parseFloat(getComputedStyle(c).paddingLeft)"
    )
    inner, outer = element.evaluate(_LAID_OUT), spot.evaluate(_LAID_OUT)
    # The owner's container is 480 px wide: so is the widget, no border, no padding around it.
    assert container == 480
    assert inner["box"][2] == 480 and inner["box"][3] > 300, inner
    assert outer["box"] == inner["box"], (outer, inner)
    assert outer["edges"] == ["0px", "0px", "none"], outer
    # Shown, opaque, in place and reachable by a click: nothing moved it off or covered it.
    assert inner["shown"] and inner["hit"] and inner["box"][0] >= 0, inner
    assert (outer["opacity"], outer["pointer"]) == ("1", "auto"), outer


def test_generic_host_rules_cannot_hide_the_book_now_button_or_its_dialog(
    page: Page, deployment: Deployment
) -> None:
    page.goto(deployment.page(mode="dialog", hostile=1))
    page.wait_for_function("typeof Innkeep === 'function' && Innkeep.loaded")
    page.wait_for_function("document.body.lastElementChild.tagName === 'DIV'")
    host = page.locator("body > div:last-child")
    size = page.viewport_size
    assert size is not None
    # The button sits in the bottom right corner, in a closed shadow root: the host is hit.
    corner = host.evaluate(
        "(el, [w, h]) => document.elementFromPoint(w - 40, h - 30) === el",
        [size["width"], size["height"]],
    )
    assert corner, "the Book now button is hidden, moved or covered"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    laid_out = widget_frame(page).frame_element().evaluate(_LAID_OUT)
    assert laid_out["shown"] and laid_out["hit"], laid_out
    assert laid_out["box"][2] >= min(760, size["width"]) - 2 and laid_out["box"][3] > 200


def test_several_widgets_live_on_one_page(page: Page, deployment: Deployment) -> None:
    page.goto(deployment.page(widgets=2))
    widget_frame(page, 0)
    widget_frame(page, 1)
    page.wait_for_function("recorded.filter(e => e.type === 'ready').length === 2")


def test_the_calendar_and_rooms_pass_an_accessibility_check(
    page: Page, deployment: Deployment, stays: object
) -> None:
    page.goto(deployment.page())
    frame = widget_frame(page)
    assert_accessible(frame)
    check_in, check_out = stays()  # type: ignore[operator]
    pick_dates(frame, check_in, check_out)
    room(frame, "twin").get_by_test_id("breakdown").locator("summary").click()
    assert_accessible(frame)


def test_the_widget_fits_a_360_px_phone(browser: Browser, deployment: Deployment) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(deployment.page())
        frame = widget_frame(page)
        box = frame.frame_element().bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        # Nothing sticks out sideways, and a night is big enough for a finger.
        assert frame.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        cell = priced_nights(frame).first.locator("xpath=..").bounding_box()
        assert cell is not None and cell["width"] >= 36 and cell["height"] >= 40
    finally:
        context.close()


def test_german_shows_german_dates_and_euros(
    page: Page, deployment: Deployment, stays: object
) -> None:
    page.goto(deployment.page(locale="de"))
    frame = widget_frame(page)
    check_in, check_out = stays()  # type: ignore[operator]
    show_month_of(frame, check_in)
    label = night(frame, check_in).get_attribute("aria-label") or ""
    # e.g. "Mittwoch, 23. Dezember 2026, ab 120 €"
    assert re.search(
        r"(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), \d+\. ", label
    )
    assert re.search(r"ab\s\d+\s€", label), label
    expect(frame.locator("h1")).to_have_text("Buchen Sie Ihren Aufenthalt im Locanda di Prova")
    pick_dates(frame, check_in, check_out)
    total = room(frame, "twin").get_by_test_id("total")
    expect(total).to_have_text(re.compile(r"^\d{1,3}(\.\d{3})*,\d{2}\s€$"))


def test_the_host_page_can_open_a_stay(page: Page, deployment: Deployment, stays: object) -> None:
    check_in, check_out = stays()  # type: ignore[operator]
    page.goto(deployment.page())
    # Given before the widget is ready: the loader keeps it until the widget can take it.
    page.evaluate(
        "([a, b]) => Innkeep('open', {check_in: a, check_out: b, adults: 1})",
        [check_in, check_out],
    )
    frame = widget_frame(page)
    expect(frame.get_by_test_id("adults")).to_have_value("1")
    expect(room(frame, "twin")).to_be_visible()
    expect(night(frame, check_in)).to_have_attribute("aria-selected", "true")
    page.wait_for_function("recorded.some(e => e.type === 'dates')")
    assert events(page, "dates")[0]["detail"] == {
        "version": 1,
        "check_in": check_in,
        "check_out": check_out,
        "adults": 1,
        "children": 0,
    }


RESTRICTIONS = {
    'type = "base_rate"\n': 'type = "base_rate"\n\n'
    '[[rules]]\ntype = "min_stay"\nname = "saturdays"\nnights = 3\narrival_weekdays = ["sat"]\n\n'
    '[[rules]]\ntype = "closed_to_arrival"\nweekdays = ["sun"]\n\n'
    '[[rules]]\ntype = "closed_to_departure"\nweekdays = ["mon"]\n'
}


def test_the_calendar_explains_why_a_stay_cannot_be_chosen(
    page: Page, deployment: Deployment
) -> None:
    slug = deployment.new_property(RESTRICTIONS)
    page.goto(deployment.page(slug=slug))
    frame = widget_frame(page)
    status = frame.get_by_test_id("stay-status")
    # A Saturday two months out, and the days around it.
    start = date.today() + timedelta(days=60)
    saturday = start + timedelta(days=(5 - start.weekday()) % 7)
    day = lambda n: (saturday + timedelta(days=n)).isoformat()  # noqa: E731

    show_month_of(frame, day(1))
    sunday = night(frame, day(1))
    expect(sunday).to_have_attribute("aria-label", re.compile("no arrival"))
    sunday.click()
    expect(status).to_contain_text("Arrivals are not possible on Sunday")

    show_month_of(frame, day(0))
    night(frame, day(0)).click()
    show_month_of(frame, day(1))
    night(frame, day(1)).click()
    expect(status).to_contain_text("the minimum stay is 3 nights")
    expect(frame.get_by_test_id("room-type")).to_have_count(0)

    wednesday = day(-3)
    show_month_of(frame, wednesday)
    night(frame, wednesday).click()
    show_month_of(frame, day(2))
    night(frame, day(2)).click()  # a Monday
    expect(status).to_contain_text("Departures are not possible on Monday")

    show_month_of(frame, day(3))
    night(frame, day(3)).click()  # Wednesday to Tuesday is fine
    expect(frame.get_by_test_id("room-type").first).to_be_visible()
    expect(status).to_contain_text("6 nights")


def test_the_loader_ignores_messages_that_are_not_from_its_widget(
    page: Page, deployment: Deployment, stays: object
) -> None:
    page.goto(deployment.page())
    widget_frame(page)
    # A forged "booked" from the page itself (another origin than the widget's) ...
    page.evaluate(
        "window.postMessage({innkeep: 1, type: 'booked', detail: {reference: 'FAKE-0000'}}, '*')"
    )
    # ... then a real event, delivered after it: by then the forgery was seen and dropped.
    check_in, check_out = stays()  # type: ignore[operator]
    page.evaluate("([a, b]) => Innkeep('open', {check_in: a, check_out: b})", [check_in, check_out])
    page.wait_for_function("recorded.some(e => e.type === 'dates')")
    assert events(page, "booked") == []
    assert page.evaluate("heard") == []


def test_another_site_cannot_frame_the_widget_itself(page: Page, deployment: Deployment) -> None:
    page.goto(deployment.page(stranger=True))
    # Framing the widget page directly, even claiming an allowed parent, shows nothing:
    # the page's frame-ancestors names only the property's origins.
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refused:
        page.evaluate(
            """([service, slug, claimed]) => {
                const frame = document.createElement('iframe');
                frame.src = `${service}/embed/${slug}?origin=${encodeURIComponent(claimed)}`;
                document.body.append(frame);
            }""",
            [deployment.service, deployment.slug, deployment.host],
        )
    assert "blocked" in refused.value.text and deployment.host in refused.value.text
    for frame in page.frames[1:]:
        assert frame.locator("[data-testid=calendar]").count() == 0


def test_sold_out_nights_are_marked_and_explained(page: Page, deployment: Deployment) -> None:
    deployment.needs_command_line()  # `innkeep block add`
    slug = deployment.new_property()
    first = date.today() + timedelta(days=45)
    last = first + timedelta(days=1)
    for unit in ("Lighthouse", "Twin 1", "Twin 2", "Twin 3"):
        innkeep(
            "block", "add", "--property", slug, "--unit", unit, "--from", first.isoformat(),
            "--to", last.isoformat(), "--reason", "painting", data_dir=deployment.data_dir,
        )  # fmt: skip
    page.goto(deployment.page(slug=slug))
    frame = widget_frame(page)
    show_month_of(frame, first.isoformat())
    full = night(frame, first.isoformat())
    expect(full).to_have_attribute("aria-label", re.compile("sold out"))
    expect(full).to_have_class(re.compile("sold-out"))
    expect(full.locator(".price")).to_have_text("sold out")
    the_day_after = night(frame, (last + timedelta(days=1)).isoformat())
    show_month_of(frame, (last + timedelta(days=1)).isoformat())
    expect(the_day_after.locator(".price")).to_have_text(re.compile(r"€\d+"))
    show_month_of(frame, first.isoformat())
    full.click()
    expect(frame.get_by_test_id("stay-status")).to_contain_text("No room is free")
