"""The guest's payment page, ``/pay/{id}?key=…``, reached by the private link e-mailed when
a balance needs them (the bank's check, a declined card) or a week before it is charged, or
handed out by the manage page to replace a card kept as a guarantee.

Server-rendered; its one form posts back to itself with a CSRF token (as the manage page).
With Stripe, Stripe.js confirms the payment (or saves the card) in the browser, then the
form posts and the server reads the outcome from Stripe; with the demo provider the form
alone does it, a test card to choose. The page's key is in its address: it is never framed,
never cached and never sent on as a referrer.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated
from uuid import UUID

from litestar import Controller, MediaType, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Template

from widget.db import Conn
from widget.embedding import STRIPE_CONNECT, STRIPE_FRAMES, STRIPE_SCRIPTS, new_nonce
from widget.errors import HoldLost, NotFound, PaymentServiceDown, RoomTaken
from widget.form_csrf import form_csrf
from widget.intake import ACCEPTS, FORM
from widget.inventory.hold_access import Hold
from widget.links import site_url
from widget.mail.compose import language_of, long_date, money
from widget.mail.phrases import phrases
from widget.payments.guest_pay import PayState, complete, page_state
from widget.payments.hold_pay import (
    HoldPayState,
    at_property,
    hold_page_state,
    open_hold,
    pay_hold,
)
from widget.payments.pay_links import PayLink, find_link
from widget.payments.provider import TEST_CARDS, PaymentUnavailable
from widget.state import DbDep, Services, ServicesDep

PayCSRF = form_csrf("/pay")
LinkId = Annotated[UUID, PathParameter(description="The payment link's id.")]
LinkKey = Annotated[str | None, QueryParameter(required=False)]


def pay_csp(nonce: str, *, stripe: bool) -> str:
    """Our own nonce'd script and style, the form posting to itself, Stripe.js and its
    frames only with the Stripe provider; never framed."""
    script, frame, connect = [f"'nonce-{nonce}'"], ["'none'"], ["'self'"]
    if stripe:
        script += STRIPE_SCRIPTS
        frame = list(STRIPE_FRAMES)
        connect.append(STRIPE_CONNECT)
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {' '.join(script)}",
            f"style-src 'nonce-{nonce}'",
            "img-src 'self' data:",
            f"connect-src {' '.join(connect)}",
            f"frame-src {' '.join(frame)}",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def _headers(nonce: str, stripe: bool) -> dict[str, str]:
    return {
        "Content-Security-Policy": pay_csp(nonce, stripe=stripe),
        # Never to another site (the address holds the key); but the form's POST must carry
        # our origin: under "no-referrer" a browser sends "Origin: null", which the write
        # guard (widget.embedding) rightly refuses.
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex",
    }


def _page(link: PayLink, state: PayState, key: str, services: Services) -> Template:
    """The page for ``link`` as ``state`` says."""
    nonce, provider = new_nonce(), services.payments
    stripe = provider.name == "stripe"
    language = language_of(link.language)
    words = phrases(language)
    amount = money(link.amount, link.currency, language) if link.amount is not None else ""
    config = {
        "purpose": link.purpose,
        "language": language,
        "outcome": state.outcome,
        "client_secret": state.client_secret,
        "payment_method": state.payment_method,
        "publishable_key": getattr(provider, "publishable_key", None),
    }
    return Template(
        template_name="pay/page.html",
        context={
            "t": words,
            "link": link,
            "key": key,
            "lang": language,
            "nonce": nonce,
            "state": state,
            "stripe": stripe,
            "config": config,
            "amount": amount,
            "due_on": long_date(link.due_on, language) if link.due_on else None,
            "test_cards": TEST_CARDS,
        },
        headers=_headers(nonce, stripe),
        media_type=MediaType.HTML,
    )


def _closed(status: int, text: str) -> Response[str]:
    """A plain page for a link that does not open: unknown (404) or expired (410)."""
    return Response(
        text,
        status_code=status,
        media_type=MediaType.TEXT,
        headers={
            "Content-Security-Policy": "default-src 'none'",
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        },
    )


async def _opened(db: Conn, link_id: UUID, key: str | None) -> PayLink | Response[str]:
    """The link, or the page saying why it does not open (in the guest's words if known)."""
    try:
        link = await find_link(db, link_id, key, keep_expired=True)
    except NotFound:
        return _closed(404, phrases("en")["link_unknown"])
    if link.expired:
        words = phrases(language_of(link.language))
        return _closed(410, words["link_expired"].format(property=link.property_name))
    return link


class PayPageController(Controller):
    path = "/pay"
    include_in_schema = False
    middleware = (PayCSRF,)
    opt = {ACCEPTS: FORM}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/{link_id:uuid}", operation_id="payPage", cache=False)
    async def show(
        self,
        db: DbDep,
        services: ServicesDep,
        link_id: LinkId,
        key: LinkKey = None,
    ) -> Template | Response[str]:
        """The payment the link is for, and the form that pays it (or saves the card)."""
        link = await _opened(db, link_id, key)
        if isinstance(link, Response):
            return await _hold_page(db, services, link_id, key, None) or link
        state = await _state(db, services, link, None)
        return _page(link, state, key or "", services)

    @post("/{link_id:uuid}", operation_id="payOnPage", status_code=200)
    async def pay(
        self,
        db: DbDep,
        services: ServicesDep,
        link_id: LinkId,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Response[str]:
        """The form came back: record what the provider says (pays once, whatever the
        number of clicks)."""
        key = data.get("key", "")
        card = data.get("test_card")
        link = await _opened(db, link_id, key)
        if isinstance(link, Response):
            paid = await _hold_page(db, services, link_id, key, card or "success")
            return paid or link

        state = await _state(db, services, link, card if card in TEST_CARDS else "success")
        return _page(link, state, key, services)


async def _hold_page(
    db: Conn, services: Services, hold_id: UUID, key: str | None, test_card: str | None
) -> Template | Response[str] | None:
    """A phone booking's payment link (the id a hold's, the key its token): its page, the
    plain 410 once the hold ended, or None when no hold has this id and key (the 404)."""
    try:
        hold = await open_hold(db, hold_id, key)
    except NotFound:
        return None
    except HoldLost as exc:
        return _closed(410, str(exc))
    grace, provider = services.settings.payment_grace_seconds, services.payments
    try:
        if test_card is None:
            state = await hold_page_state(db, provider, hold, grace=grace)
        else:
            site = site_url(services.settings)
            state = await pay_hold(db, provider, hold, test_card, site=site, grace=grace)
    except PaymentUnavailable as exc:
        raise PaymentServiceDown("The payment service did not answer; please try again.") from exc
    except HoldLost as exc:
        return _closed(410, str(exc))
    except RoomTaken as exc:  # someone else's booking got there first; nothing is charged
        return _closed(409, str(exc))
    return _hold_template(hold, state, key or "", services)


def _hold_template(hold: Hold, state: HoldPayState, key: str, services: Services) -> Template:
    """The phone booking's page: the stay, what is due now, and the form that pays it."""
    nonce, provider = new_nonce(), services.payments
    # Stripe.js only when there is something for it to confirm: paid at the property with
    # no card kept, the button alone books.
    stripe = provider.name == "stripe" and state.client_secret is not None
    language = language_of(hold.guest.language if hold.guest else None)
    assert hold.quote is not None  # open_hold refuses an unpriced row
    quote = hold.quote
    config = {
        "purpose": "update_card" if at_property(hold) else "pay_balance",
        "language": language,
        "client_secret": state.client_secret,
        "payment_method": None,
        "publishable_key": getattr(provider, "publishable_key", None),
    }
    expires = hold.hold_expires_at
    return Template(
        template_name="pay/hold.html",
        context={
            "t": phrases(language),
            "hold": hold,
            "key": key,
            "lang": language,
            "nonce": nonce,
            "state": state,
            "stripe": stripe,
            "config": config,
            "demo": provider.name == "demo",
            "total": money(quote.total, quote.currency, language),
            "due_now": money(quote.due_now, quote.currency, language),
            "check_in": long_date(hold.check_in, language),
            "check_out": long_date(hold.check_out, language),
            "expires": f"{expires.astimezone(UTC):%Y-%m-%d %H:%M}" if expires else None,
            "test_cards": TEST_CARDS,
        },
        headers=_headers(nonce, stripe),
        media_type=MediaType.HTML,
    )


async def _state(db: Conn, services: Services, link: PayLink, test_card: str | None) -> PayState:
    """The page's state, after acting on the form when ``test_card`` is given (a POST)."""
    try:
        if test_card is None:
            return await page_state(db, services.payments, link)
        return await complete(db, services.payments, link, test_card)
    except PaymentUnavailable as exc:
        raise PaymentServiceDown("The payment service did not answer; please try again.") from exc
