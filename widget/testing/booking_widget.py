"""The Innkeep widget on any web page, as a guest uses it: a Playwright page object.

Built only on the documented ``data-testid``s (docs/qa.md) and the loader's documented
JavaScript API, so it works on any host page (inline or behind the "Book now" button) and in
any browser Playwright drives. Every wait is on a condition; nothing sleeps.

    widget = BookingWidget.find(page)
    widget.pick_stay("2027-06-01", "2027-06-03", adults=2)
    widget.choose_room("twin")
    widget.fill_guest()
    widget.pay()
    reference = widget.expect_confirmation()

This module imports Playwright; the pytest plugin imports it only when a test asks for it.
"""

from __future__ import annotations

import contextlib
import re
import time
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Frame, FrameLocator, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

#: The widget's frame is the page the service renders at ``/embed/<slug>``.
EMBED = re.compile(r"/embed/")
#: The scenarios of Stripe's test cards (the demo provider plays the same ones).
CARDS = {
    "success": "4242 4242 4242 4242",
    "decline": "4000 0000 0000 0002",
    "insufficient_funds": "4000 0000 0000 9995",
    "authentication": "4000 0025 0000 3155",
}
#: Any future expiry date and any CVC do for Stripe's test cards; a postal code only where
#: Stripe's form asks (by the billing country it shows).
TEST_EXPIRY_YEARS_AHEAD = 5
TEST_CVC = "123"
TEST_POSTAL_CODES = {"US": "10001", "GB": "SW1A 1AA", "CA": "K1A 0B1"}

# Stripe.js v3's frames, as Stripe names them (the kit's fake Stripe.js, `fake_stripe`,
# mirrors them, so this project's CI runs the same code as a test against Stripe).
#: Every frame Stripe.js mounts is an iframe named ``__privateStripeFrame<N>``.
STRIPE_FRAME = 'iframe[name^="__privateStripeFrame"]'
#: The card form's frame: the Payment Element's (what the widget mounts), or the Card
#: Element's.
STRIPE_CARD_TITLES = ("Secure payment input frame", "Secure card payment input frame")
STRIPE_CARD_FRAME = ", ".join(f'{STRIPE_FRAME}[title="{t}"]' for t in STRIPE_CARD_TITLES)
#: The 3-D Secure challenge: a modal Stripe frame (the last one mounted) that is no card form.
STRIPE_CHALLENGE_MODAL = STRIPE_FRAME + "".join(f':not([title="{t}"])' for t in STRIPE_CARD_TITLES)
#: Inside it, the bank's page (Stripe's test page in test mode).
STRIPE_CHALLENGE_PAGE = 'iframe#challengeFrame, iframe[name="stripe-challenge-frame"]'
#: The card inputs: the Payment Element's name, then the Card Element's.
STRIPE_INPUTS = {
    "number": 'input[name="number"], input[name="cardnumber"]',
    "expiry": 'input[name="expiry"], input[name="exp-date"]',
    "cvc": 'input[name="cvc"]',
    "postal": 'input[name="postalCode"], input[name="postal"]',
    "country": 'select[name="country"]',
}
#: Where the bank's page is framed once more inside it (Stripe's older test flow).
STRIPE_ACS_FRAME = 'iframe[name="acsFrame"]'
#: Stripe's test 3-D Secure page: "Complete" and "Fail" (authentication).
STRIPE_3DS_ANSWER = {True: "#test-source-authorize-3ds", False: "#test-source-fail-3ds"}


def _loader_ready(page: Page, timeout: float) -> None:
    try:
        page.wait_for_function("typeof Innkeep === 'function' && Innkeep.loaded", timeout=timeout)
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"the Innkeep loader (widget.js) did not start on {page.url} "
            f"within {timeout / 1000:g} s"
        ) from None


def _embed_frames(page: Page, slug: str | None = None) -> list[Frame]:
    """The widget frames on the page (only ``slug``'s when given)."""
    frames = [f for f in page.frames if EMBED.search(f.url)]
    if slug is None:
        return frames
    return [f for f in frames if urlsplit(f.url).path.rstrip("/").endswith(f"/embed/{slug}")]


#: The loader's notice where a widget would be (the service refused the page, or has no
#: such property): a paragraph in the open shadow root of a ``data-innkeep`` spot, or of
#: the element the loader put after its script on a page without one (static/widget.js).
#: Only the loader's own spots: a host page's other components are none of its business.
_NOTICE = """() => {
  const spots = [...document.querySelectorAll('[data-innkeep]')];
  for (const tag of document.querySelectorAll('script[src*="widget.js"]')) {
    if (tag.nextElementSibling) spots.push(tag.nextElementSibling);
  }
  for (const spot of spots) {
    const said = spot.shadowRoot && spot.shadowRoot.querySelector('p');
    if (said && said.textContent.trim()) return said.textContent.trim();
  }
  return null;
}"""
#: How long a wait for the widget's frame goes without looking for the loader's notice.
_NOTICE_LOOK_MS = 500.0


def _wait_for_frame(page: Page, index: int, timeout: float, slug: str | None = None) -> Frame:
    """The ``index``-th widget frame, waiting on the page's frame events. While no widget
    frame is on the page, the loader's notice instead of one ends the wait at once, with
    its words."""
    deadline = time.monotonic() + timeout / 1000
    whose = f" of property {slug!r}" if slug else ""
    while len(_embed_frames(page, slug)) <= index:
        said = None if _embed_frames(page) else page.evaluate(_NOTICE)
        if said:
            raise AssertionError(
                f"no Innkeep widget{whose} appeared on {page.url}: the loader shows its "
                f"notice instead, {said!r}"
            )
        left = (deadline - time.monotonic()) * 1000
        if left <= 0:
            raise AssertionError(f"no Innkeep widget{whose} (frame {index}) appeared on {page.url}")
        with contextlib.suppress(PlaywrightTimeoutError):  # the deadline above says it
            page.wait_for_event("framenavigated", timeout=min(left, _NOTICE_LOOK_MS))
    return _embed_frames(page, slug)[index]


_MONTH_CHANGED = """first => {
  const night = document.querySelector('[data-testid=night]');
  return night !== null && night.dataset.date !== first;
}"""


class BookingWidget:
    """One Innkeep widget on a host page: the guest's steps and what the guest sees."""

    def __init__(self, page: Page, frame: Frame) -> None:
        self.page = page
        self.frame = frame
        self._page_config: dict[str, Any] | None = None

    @classmethod
    def find(
        cls, page: Page, index: int = 0, timeout: float = 15_000, slug: str | None = None
    ) -> BookingWidget:
        """The ``index``-th widget on ``page`` (of property ``slug`` when given), shown with
        its priced nights. A page without a placeholder has a "Book now" button instead: the
        dialog is opened through the loader's JavaScript API (``Innkeep('open')``, as the
        page's own script would), not by pressing the button (it sits in a closed shadow
        root; the ``dialog_by_keyboard`` journey reaches it by keyboard, as a guest does)."""
        _loader_ready(page, timeout)
        inline = page.evaluate("document.querySelectorAll('[data-innkeep]').length")
        if not _embed_frames(page) and not inline:
            page.evaluate("Innkeep('open')")
        widget = cls(page, _wait_for_frame(page, index, timeout, slug))
        try:
            expect(widget.priced_nights().first).to_be_visible(timeout=timeout)
        except AssertionError:
            said = widget.error()
            what = f": it says {said.inner_text().strip()!r}" if said.is_visible() else ""
            raise AssertionError(
                f"the Innkeep widget on {page.url} shows no priced night within "
                f"{timeout / 1000:g} s{what}"
            ) from None
        return widget

    # ------------------------------------------------------------------ what is shown

    def by_id(self, test_id: str) -> Locator:
        """The widget's element(s) with this documented ``data-testid``."""
        return self.frame.get_by_test_id(test_id)

    def priced_nights(self) -> Locator:
        """Nights a guest may pick, with their price shown."""
        return self.frame.locator(
            "[data-testid=night]:not(.past):not(.sold-out) .price:not(:empty)"
        )

    def night(self, day: str) -> Locator:
        return self.frame.locator(f'[data-testid=night][data-date="{day}"]')

    def room(self, slug: str) -> Locator:
        """The offer of one room type (``data-slug`` is its slug in the property file)."""
        return self.frame.locator(f'[data-testid=room-type][data-slug="{slug}"]')

    def error(self) -> Locator:
        return self.by_id("error")

    def countdown(self) -> Locator:
        return self.by_id("countdown")

    # ------------------------------------------------------------------ the guest's steps

    def set_party(self, adults: int | None = None, children_ages: list[int] | None = None) -> None:
        """Choose the party: adults, and one age per child."""
        if adults is not None:
            self.by_id("adults").select_option(str(adults))
        if children_ages is not None:
            self.by_id("children").select_option(str(len(children_ages)))
            for n, age in enumerate(children_ages):
                self.by_id("child-age").nth(n).select_option(str(age))

    def show_month_of(self, day: str) -> None:
        """Step forward through the months until ``day`` is in the calendar."""
        for _ in range(36):
            if self.night(day).count():
                return
            first = self.by_id("night").first.get_attribute("data-date")
            self.by_id("next-month").click()
            # The next month is drawn asynchronously: wait for it, so no click is lost.
            self.frame.wait_for_function(_MONTH_CHANGED, arg=first)
        raise AssertionError(f"{day} never appeared in the calendar")

    def pick_stay(
        self,
        check_in: str,
        check_out: str,
        adults: int | None = None,
        children_ages: list[int] | None = None,
    ) -> None:
        """Pick the party and the nights (ISO dates); waits until rooms are offered (for a
        party no one room sleeps, the rooms for the group)."""
        self.set_party(adults, children_ages)
        self.show_month_of(check_in)
        self.night(check_in).click()
        self.show_month_of(check_out)
        self.night(check_out).click()
        offered = self.by_id("room-type").or_(self.by_id("combination"))
        expect(offered.or_(self.by_id("room-counts")).first).to_be_visible()

    def choose_room(self, slug: str, *, expect_hold: bool = True) -> None:
        """Choose a room type; by default waits until its hold's countdown shows."""
        self.room(slug).get_by_test_id("choose").click()
        if expect_hold:
            expect(self.countdown()).to_be_visible()

    def choose_rooms(
        self,
        counts: dict[str, int] | None = None,
        *,
        way: int = 0,
        expect_hold: bool = True,
        hold: bool = True,
    ) -> None:
        """Book several rooms together. With ``counts`` (room type slug → how many), count
        them ("Book several rooms" is opened where it is closed) and choose them: the party
        is split over them with an adult in every room. Without, choose the ``way``-th of the
        ways offered to a party no one room sleeps (0: the cheapest). Where the property
        sells plans or extras, each room's are chosen next: with ``hold``, as offered (see
        ``choose_room_plan``, ``add_room_extra``, ``hold_rooms``). By default waits until
        the rooms are held (the countdown shows)."""
        group = self.by_id("group")
        if counts is None:
            group.get_by_test_id("combination").nth(way).get_by_test_id("choose-rooms").click()
        else:
            form = group.get_by_test_id("room-counts")
            if not form.is_visible():
                group.get_by_test_id("several-rooms").click()
            for slug, count in counts.items():
                form.locator(f'[data-testid=room-count][data-slug="{slug}"]').select_option(
                    str(count)
                )
            form.get_by_test_id("choose-rooms").click()
        choices = self.by_id("group-choices")
        if not hold:
            expect(choices).to_be_visible()
        elif expect_hold:
            # Held at once where there is nothing to choose; else each room's choices show.
            settled = choices.or_(self.countdown()).first
            expect(settled, "the rooms were neither held nor offered plans").to_be_visible(
                timeout=15_000
            )
            if choices.is_visible():
                self.hold_rooms()

    def group_room(self, index: int) -> Locator:
        """The ``index``-th room of a group whose plan and extras are being chosen."""
        return self.by_id("group-choices").get_by_test_id("group-room").nth(index)

    def choose_room_plan(self, index: int, slug: str) -> None:
        """Pick the rate plan ``slug`` for the ``index``-th room of a group, by keyboard."""
        plan = self.group_room(index).locator(f'[data-testid=plan][data-slug="{slug}"]')
        plan.focus()
        self.page.keyboard.press("Enter")
        expect(plan).to_have_attribute("aria-pressed", "true")

    def add_room_extra(self, index: int, slug: str, quantity: int) -> None:
        """Add ``quantity`` of an extra to the ``index``-th room of a group; waits until the
        room is priced again."""
        control = self.group_room(index).locator(f'[data-testid=group-extra][data-slug="{slug}"]')
        with self.page.expect_response(re.compile(r"/quotes/all-plans$")):
            if control.evaluate("e => e.type") == "checkbox":
                control.set_checked(quantity != 0)
            else:
                control.select_option(str(quantity))

    def answer_room(self, index: int, name: str, value: int | bool) -> None:
        """Answer a question of the pricing rules (``pets``: how many) for the ``index``-th
        room of a group; waits until the room is priced again."""
        control = self.group_room(index).locator(f'[data-testid=group-input][data-slug="{name}"]')
        with self.page.expect_response(re.compile(r"/quotes/all-plans$")):
            if control.evaluate("e => e.type") == "checkbox":
                control.set_checked(bool(value))
            else:
                control.select_option(str(int(value)))

    def hold_rooms(self, *, expect_hold: bool = True) -> None:
        """Hold the group's rooms with the plans and extras chosen for each."""
        self.by_id("hold-rooms").click()
        if expect_hold:
            expect(self.countdown()).to_be_visible()

    def held_rooms(self) -> Locator:
        """The rooms held together, one per item (``data-slug``: its type), in the checkout."""
        return self.by_id("group-rooms").locator("li")

    def choose_plan(self, slug: str | None = None, room: str | None = None) -> None:
        """Choose a rate plan for ``room`` (by default the room held, else the first offered):
        ``slug``, or the plan the widget offers first (the cheapest, as the calendar shows).
        A held room is held again under the plan: this waits until it is. Nothing to do
        where the property sells no plans."""
        held = self.frame.locator("[data-testid=room-type].chosen")
        scope = self.room(room) if room else (held if held.count() else self.frame)
        plans = scope.get_by_test_id("plan")
        if not plans.count():
            return
        which = '[aria-pressed="true"]' if slug is None else f'[data-slug="{slug}"]'
        chosen = plans.and_(self.frame.locator(which)).first
        chosen.click()
        expect(chosen).to_have_attribute("aria-pressed", "true")
        if scope == held or (room and self.room(room).and_(held).count()):
            expect(chosen).to_have_class(re.compile(r"\bheld\b"))

    def add_extra(self, slug: str, quantity: int | None = None) -> None:
        """Add an extra (breakfast, parking…) by its slug: ``quantity`` of it, by default as
        many as the party may take. The prices shown follow once the widget re-priced."""
        self._set_addition("extra", slug, quantity)

    def answer(self, name: str, value: int | bool) -> None:
        """Answer a question the property's pricing rules ask (``pets``: how many)."""
        self._set_addition("input", name, int(value))

    def _set_addition(self, test_id: str, key: str, value: int | None) -> None:
        if not self.by_id(test_id).count():
            raise AssertionError(f"this widget offers no {test_id}s (no data-testid={test_id})")
        control = self.frame.locator(f'[data-testid={test_id}][data-slug="{key}"]')
        expect(control).to_be_visible()
        with self.page.expect_response(re.compile(r"/quotes/all-plans$")):
            if control.evaluate("e => e.type") == "checkbox":
                control.set_checked(value != 0)
            else:
                options = control.locator("option").all_inner_texts()
                control.select_option(str(value) if value is not None else options[-1])

    def fill_guest(
        self,
        name: str = "Ada Lovelace",
        email: str = "ada@example.com",
        phone: str = "+39 0185 000000",
        *,
        note: str | None = None,
        accept_policy: bool = True,
    ) -> None:
        """Fill the guest's details (a ``note`` to the property when given); accept the
        cancellation policy unless told not to."""
        self.by_id("guest-name").fill(name)
        self.by_id("guest-email").fill(email)
        self.by_id("guest-phone").fill(phone)
        if note is not None:
            self.by_id("guest-note").fill(note)
        if accept_policy:
            self.by_id("accept-policy").check()

    def pay(self, card: str = "success") -> None:
        """Pay: ``card`` is a scenario of `CARDS` or a test card number. Where the checkout
        takes a card it is typed in: into the demo provider's test card field, or into
        Stripe's card form, in Stripe's frame (number, a future expiry, a CVC, and a postal
        code where Stripe asks), waiting for Stripe.js to show it. A checkout that takes no
        card (paid at the property) is just submitted."""
        number = CARDS.get(card, card)
        card_field = self.frame.locator("[data-testid=card-number]")
        if card_field.count():
            card_field.fill(number)
        elif self.uses_stripe() and self._takes_card():
            self._type_into_stripe(number)
        self.by_id("pay").click()

    def has_card_form(self, timeout: float = 15_000) -> bool:
        """Whether the checkout takes a card the page object can type a test card into: the
        demo provider's field, or Stripe's card form (in its frame: this waits until
        Stripe.js has shown it, so nothing more needs the network to type a card)."""
        if self.frame.locator("[data-testid=card-number]").count():
            return True
        if not (self.uses_stripe() and self._takes_card()):
            return False
        number = self.stripe_card_frame().locator(STRIPE_INPUTS["number"]).first
        expect(number).to_be_editable(timeout=timeout)
        return True

    def uses_stripe(self) -> bool:
        """Whether this widget pays through Stripe.js (its page's configuration says so)."""
        return self._config().get("payment_provider") == "stripe"

    def stripe_card_frame(self) -> FrameLocator:
        """Stripe's card form: the frame Stripe.js mounts in the checkout."""
        return self.frame.frame_locator(STRIPE_CARD_FRAME).first

    def _config(self) -> dict[str, Any]:
        """The widget page's configuration (its payment provider, its messages)."""
        if self._page_config is None:
            self._page_config = self.frame.evaluate(
                "() => { const n = document.getElementById('innkeep-config');"
                " return n ? JSON.parse(n.textContent) : {}; }"
            )
        return self._page_config

    def _takes_card(self) -> bool:
        """Paid at the property without a card kept, the checkout shows no card form (its
        pay button says "pay at the property" and no guarantee is asked)."""
        if self.by_id("guarantee").is_visible():
            return True
        later = self._config().get("messages", {}).get("book_pay_later")
        return not later or self.by_id("pay").inner_text().strip() != later

    def _type_into_stripe(self, number: str, timeout: float = 15_000) -> None:
        """Type a test card into Stripe's card form as a guest would, key by key (Stripe
        formats as it goes): what a field already holds is cleared first."""
        stripe = self.stripe_card_frame()
        expiry = f"12{(date.today().year + TEST_EXPIRY_YEARS_AHEAD) % 100:02d}"
        fields = stripe.locator(STRIPE_INPUTS["number"]).first
        expect(fields).to_be_editable(timeout=timeout)  # Stripe.js loaded and mounted
        for name, value in (("number", number), ("expiry", expiry), ("cvc", TEST_CVC)):
            self._type(stripe.locator(STRIPE_INPUTS[name]).first, value)
        postal = stripe.locator(STRIPE_INPUTS["postal"]).first
        if postal.is_visible():
            country = stripe.locator(STRIPE_INPUTS["country"])
            shown = country.first.input_value() if country.count() else "US"
            self._type(postal, TEST_POSTAL_CODES.get(shown, TEST_POSTAL_CODES["US"]))

    @staticmethod
    def _type(field: Locator, value: str) -> None:
        field.fill("")
        field.press_sequentially(value.replace(" ", ""))

    def authenticate(self, confirm: bool = True, timeout: float = 15_000) -> None:
        """Answer the bank's check a test card asked for (the authentication-required
        card): confirm the payment, or cancel it (the hold stays; pay again). The demo
        provider's step, or with Stripe its 3-D Secure challenge: Stripe's test page
        ("Complete" or "Fail") in the challenge frame Stripe.js opens."""
        if self.uses_stripe():
            bank = self._stripe_challenge()
            answer = bank.locator(STRIPE_3DS_ANSWER[confirm])
            acs = bank.locator(STRIPE_ACS_FRAME)
            # The test page's buttons, or the frame they are in: whichever Stripe shows.
            expect(answer.or_(acs).first).to_be_visible(timeout=timeout)
            if not answer.count():
                answer = bank.frame_locator(STRIPE_ACS_FRAME).locator(STRIPE_3DS_ANSWER[confirm])
            # The answer removes the frame it is in. Waiting after the click for that frame
            # (Playwright's default) hung until the time-out once in about 45 runs of the
            # suite; what follows waits on the outcome instead.
            answer.click(no_wait_after=True)
            expect(answer).to_be_hidden(timeout=timeout)
            return
        check = self.by_id("bank-check")
        expect(check).to_be_visible(timeout=timeout)
        self.by_id("bank-confirm" if confirm else "bank-cancel").click()
        expect(check).to_be_hidden(timeout=timeout)

    def _stripe_challenge(self) -> FrameLocator:
        """The bank's page of Stripe's 3-D Secure challenge (nested frames)."""
        modal = self.frame.frame_locator(STRIPE_CHALLENGE_MODAL).last
        return modal.frame_locator(STRIPE_CHALLENGE_PAGE).first

    def expect_confirmation(self, timeout: float = 15_000) -> str:
        """Wait for the confirmation; the booking's reference."""
        expect(self.by_id("confirmation")).to_be_visible(timeout=timeout)
        reference = self.by_id("booking-reference").inner_text().strip()
        assert reference, "the confirmation shows no booking reference"
        return reference

    # ------------------------------------------------------------------ the host page

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The ``innkeep:*`` events dispatched on the host page, oldest first: ``type``
        without the prefix, ``detail`` (a copy), ``heard`` (whether the page's ``document``
        received it); recorded by `record_events`. `host_events.check_events` checks them
        against docs/widget.md."""
        recorded: list[dict[str, Any]] = self.page.evaluate("window.__innkeepEvents || []")
        return [e for e in recorded if kind is None or e["type"] == kind]

    def wait_for_event(self, kind: str, timeout: float = 15_000) -> dict[str, Any]:
        """Wait until the host page has received an ``innkeep:<kind>`` event; its detail."""
        self.page.wait_for_function(
            "k => (window.__innkeepEvents || []).some(e => e.type === k)",
            arg=kind,
            timeout=timeout,
        )
        return self.events(kind)[-1]["detail"]  # type: ignore[no-any-return]


#: Installed before any script of the page runs: every event whose name begins with
#: ``innkeep:``, documented or not, as it is dispatched (on any element), in order; and
#: whether the page's ``document`` heard it (the loader's events bubble up to it).
RECORDER = """
(() => {
  const recorded = (window.__innkeepEvents = []);
  const dispatch = EventTarget.prototype.dispatchEvent;
  const copy = (detail) => {
    try { return JSON.parse(JSON.stringify(detail === undefined ? null : detail)); }
    catch (e) { return String(detail); }
  };
  EventTarget.prototype.dispatchEvent = function (event) {
    const type = event && typeof event.type === "string" ? event.type : "";
    if (!type.startsWith("innkeep:")) return dispatch.call(this, event);
    const entry = { type: type.slice(8), detail: copy(event.detail), heard: false };
    recorded.push(entry);
    const hear = (e) => { if (e === event) entry.heard = true; };
    document.addEventListener(type, hear);
    try { return dispatch.call(this, event); }
    finally { document.removeEventListener(type, hear); }
  };
})();
"""


def record_events(page: Page) -> None:
    """Record the host page's ``innkeep:*`` events from its next navigation on."""
    page.add_init_script(RECORDER)
