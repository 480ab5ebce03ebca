"""Journeys about how the widget looks and is reached: its size and readability under a
careless page stylesheet, the "Book now" dialog by keyboard, and axe's verdict."""

from __future__ import annotations

from typing import Any

from widget.testing.journey_base import (
    ROOM_GIVEN,
    JourneySkipped,
    Run,
    find_widget,
    free_stay,
    guest,
    open_site,
)

#: Generic rules a careless theme puts on every page: none may hide, squeeze, pad, shift or
#: fade the widget, nor reach inside it (the loader pins its own boxes).
HOSTILE_CSS = """
* { font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important; }
iframe { display: none !important; width: 10px !important; height: 10px !important;
         opacity: .2 !important; border: 9px solid lime !important; }
[data-innkeep] { display: none !important; width: 40px !important; padding: 30px !important;
                 border: 7px dotted lime !important; opacity: .3 !important;
                 transform: translateX(-200vw) !important; zoom: .5 !important; }
[data-innkeep]::before { content: "SALE"; display: block; height: 120px; }
[hidden], dialog, button { display: none !important; visibility: hidden !important; }
"""

#: The frame's box as the page lays it out, and whether a click at its middle reaches it.
_LAID_OUT = """el => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + Math.min(r.height / 2, 100));
  let host = el.getRootNode().host || el;
  return { width: Math.round(r.width), height: Math.round(r.height),
           shown: el.checkVisibility({opacityProperty: true, visibilityProperty: true}),
           hit: hit === el || hit === host || (hit !== null && hit.contains(host)) };
}"""

#: The worst contrast of the widget's text against what is behind it (WCAG's formula), with
#: the smallest font size; only text a guest can see, and not that of a control the guest
#: cannot use (a night already gone, greyed on purpose: WCAG 1.4.3 asks no contrast of an
#: inactive component's text, nor does axe).
_READABILITY = """() => {
  const lum = c => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const back = el => { for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; }
    return 'rgb(255, 255, 255)'; };
  let worst = { ratio: 99, text: '' }, smallest = 99;
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    if (el.closest('[aria-disabled="true"], :disabled')) continue;
    const css = getComputedStyle(el), a = lum(css.color), b = lum(back(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(css.fontSize);
    const large = size >= 24 || (size >= 18.66 && +css.fontWeight >= 700);
    if (ratio / (large ? 3 : 4.5) < worst.ratio / (worst.large ? 3 : 4.5)) {
      worst = { ratio: Math.round(ratio * 100) / 100, large,
                text: el.textContent.trim().slice(0, 40) };
    }
    smallest = Math.min(smallest, parseFloat(css.fontSize));
  }
  return { worst, smallest };
}"""


def keeps_size_and_readability(run: Run) -> None:
    """Under a careless page stylesheet (rules on every iframe, placeholder, button, dialog
    and ``[hidden]``) the widget keeps its size (the width the owner gave its container
    included), stays visible and clickable, and its text stays readable."""
    with guest(run) as widget:
        element = widget.frame.frame_element()
        before = element.evaluate(_LAID_OUT)
        room = element.evaluate(ROOM_GIVEN)
        widget.page.add_style_tag(content=HOSTILE_CSS)
        widget.page.wait_for_function(
            "() => getComputedStyle(document.body).fontFamily.includes('Comic')"
        )
        after = element.evaluate(_LAID_OUT)
        assert after["shown"] and after["hit"], f"the page's CSS hid or covered it: {after}"
        assert (after["width"], after["height"]) == (before["width"], before["height"]), (
            f"the page's CSS resized it from {before} to {after}"
        )
        if room and widget.page.evaluate("document.querySelector('[data-innkeep]') !== null"):
            assert abs(after["width"] - room) <= 1, (
                f"the owner's container gives it {room} px; it is {after['width']} px"
            )
        _check_readable(widget.frame)


def _check_readable(frame: Any) -> None:
    seen = frame.evaluate(_READABILITY)
    worst = seen["worst"]
    needed = 3 if worst.get("large") else 4.5
    assert worst["ratio"] >= needed, (
        f"text {worst['text']!r} has a contrast of {worst['ratio']} (needs {needed})"
    )
    assert seen["smallest"] >= 10, f"the widget's smallest text is {seen['smallest']} px"


#: The element holding the "Book now" button (in a closed shadow root): the one at the
#: button's corner of the viewport, a shadow host the loader pinned (inline, !important).
_BOOK_NOW_HOST = """([w, h]) => {
  const el = document.elementFromPoint(w - 40, h - 30);
  return el && el.shadowRoot === null && el.style.getPropertyPriority('display') === 'important'
    ? el : null;
}"""


def dialog_by_keyboard(run: Run) -> None:
    """Where the page shows a "Book now" button (no placeholder): Tab reaches it, Enter
    opens the widget's dialog, Tab and Shift+Tab never reach the page behind it (past its
    last control they may reach the browser's own, as with any modal dialog), Escape
    closes it and the focus returns to the button."""
    with open_site(run) as page:
        page.goto(run.site)
        page.wait_for_function("typeof Innkeep === 'function' && Innkeep.loaded")
        if page.evaluate("document.querySelector('[data-innkeep]') !== null"):
            raise JourneySkipped("the widget is inline on this page (no Book now dialog)")
        size = page.viewport_size
        host = page.wait_for_function(_BOOK_NOW_HOST, arg=[size["width"], size["height"]])
        _tab_to(page, host)
        page.keyboard.press("Enter")
        widget = find_widget(run, page)
        element = widget.frame.frame_element()
        page.wait_for_function("el => el.getBoundingClientRect().height > 200", arg=element)
        for key in ["Tab"] * 12 + ["Shift+Tab"] * 4:
            page.keyboard.press(key)
            where = page.evaluate(_FOCUS_AT, host)
            assert where in _TRAPPED, f"{key} left the open dialog: focus is on {where}"
        _tab_into(page, widget.frame)  # Escape from inside the widget, where guests are
        page.keyboard.press("Escape")
        page.wait_for_function("el => !el.checkVisibility()", arg=element)
        assert page.evaluate("h => document.activeElement === h", host), (
            "closing the dialog did not give the focus back to the Book now button"
        )


#: Where the focus is: in the dialog (its host), out of the page (the browser's own
#: controls, which a native modal dialog lets the keyboard reach), or on the page behind.
_FOCUS_AT = """h => {
  const el = document.activeElement;
  if (el === h) return 'dialog';
  if (!document.hasFocus() || el === null || el === document.body) return 'outside the page';
  return el.outerHTML.slice(0, 80);
}"""


#: Where focus may be while the dialog is open (the page behind is inert).
_TRAPPED = ("dialog", "outside the page")


def _tab_into(page: Any, frame: Any, most: int = 20) -> None:
    for _ in range(most):
        if frame.evaluate("document.hasFocus() && document.activeElement !== document.body"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached the widget's controls in {most} presses")


def _tab_to(page: Any, target: Any, most: int = 60) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("h => document.activeElement === h", target):
            return
    raise AssertionError(f"the Book now button is not reached by {most} presses of Tab")


def no_serious_accessibility_problem(run: Run) -> None:
    """axe finds no serious or critical violation in the widget: its calendar, and a stay's
    rooms with a breakdown open."""
    try:
        from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
    except ImportError:
        raise JourneySkipped("needs axe: pip install axe-playwright-python") from None
    with guest(run) as widget:
        _check_axe(Axe(), widget.frame)
        free_stay(widget)
        widget.by_id("breakdown").first.locator("summary").click()
        _check_axe(Axe(), widget.frame)


def _check_axe(axe: Any, frame: Any) -> None:
    found = axe.run(frame).response["violations"]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "axe: " + "; ".join(bad)
