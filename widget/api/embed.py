"""The embed check the loader asks first, and the widget page it then frames."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import Parameter
from litestar.response import Template

from engine.money import exponent
from widget.api.first_months import FirstMonths, first_months
from widget.api.page_assets import PARTS_PATH, widget_assets
from widget.api.params import PropertySlug
from widget.api.responses import errors
from widget.embedding import (
    EmbedPolicy,
    WidgetOptions,
    embed_policy,
    new_nonce,
    preview_allowed,
    widget_csp,
    widget_options,
)
from widget.errors import InnkeepError, NotFound, shown
from widget.http_errors import refusal_response
from widget.i18n import LANGUAGES, messages, text
from widget.links import site_url
from widget.properties.file import normalise_origin
from widget.properties.public import PropertyOut, public_property
from widget.settings import Settings
from widget.state import DbDep, ServicesDep


class EmbedCheck(msgspec.Struct):
    """What the loader learns before it creates anything."""

    allowed: bool
    #: The widget page to frame; only when allowed.
    widget_url: str | None
    #: The "Book now" label and the dialog's close label, in the language asked for.
    label: str
    close: str
    #: A short notice to show instead of the widget when not allowed.
    notice: str | None


def _language(policy: EmbedPolicy, asked: str | None) -> str:
    if asked and asked[:2].lower() in LANGUAGES:
        return asked[:2].lower()
    return policy.locale if policy.locale in LANGUAGES else "en"


def _readable_by(origin: str | None) -> dict[str, str]:
    """Headers that let the asking page read the answer, whatever it is: it carries nothing
    secret, and a page that may not embed must still learn so plainly."""
    headers = {"Vary": "Origin", "Cache-Control": "no-store"}
    if origin and normalise_origin(origin):
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def _refusal_for_any_page(
    request: Request[Any, Any, Any], exc: InnkeepError
) -> Response[dict[str, Any]]:
    answer = refusal_response(request, exc)
    answer.headers.update(_readable_by(request.headers.get("origin")))
    return answer


class EmbedCheckController(Controller):
    path = "/api/v1/properties"
    tags = ("widget",)
    exception_handlers = {InnkeepError: _refusal_for_any_page}  # noqa: RUF012 - Litestar's own attribute

    @get(
        "/{slug:str}/embed",
        operation_id="checkEmbedding",
        cache=False,
        responses=errors(404, 422, 503),
    )
    async def check(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        slug: PropertySlug,
        lang: Annotated[
            str | None, Parameter(description="Language of the label and notice: en, de, …")
        ] = None,
    ) -> Response[EmbedCheck]:
        """Whether the page asking (its `Origin` header) may embed this property, and where
        the widget page is. Answered to every origin, so that a site that is not allowed
        can say so plainly; the widget page itself refuses to be framed by it."""
        origin = request.headers.get("origin")
        headers = _readable_by(origin)
        policy = await embed_policy(db, slug)
        if policy is None:
            raise NotFound(
                f"No property is called {shown(slug)}; check the data-property attribute."
            )
        language = _language(policy, lang)
        label, close = text(language, "book_now"), text(language, "close")
        if not policy.allows(origin):
            notice = text(language, "not_allowed", property=policy.name)
            return Response(EmbedCheck(False, None, label, close, notice), headers=headers)
        url = f"{site_url(services.settings)}/embed/{quote(policy.slug)}"
        return Response(EmbedCheck(True, url, label, close, None), headers=headers)


def _page_headers(
    policy: EmbedPolicy, nonce: str, stripe: bool, preview: bool = False
) -> dict[str, str]:
    """The widget page's headers: who may frame it and which scripts run (by ``nonce``)."""
    return {
        "Content-Security-Policy": widget_csp(policy, nonce, stripe=stripe, preview=preview),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def _page_config(
    place: PropertyOut,
    options: WidgetOptions,
    params: dict[str, str],
    settings: Settings,
    months: FirstMonths | None,
) -> dict[str, Any]:
    """What the widget page's script starts from: the property, its options, the months it
    shows first, where events go, the payment provider and the texts."""
    stripe = settings.payment_provider == "stripe"
    parent = params.get("origin")
    return {
        "property": msgspec.to_builtins(place),
        "options": {
            "language": options.language,
            "adults": options.adults,
            "children": list(options.children),
            "room_type": options.room_type,
        },
        # Where events go: the page that framed us, checked by the caller against the list.
        "parent_origin": normalise_origin(parent) if parent else None,
        "widget_id": (params.get("id") or "w0")[:16],
        "payment_provider": settings.payment_provider,
        # Public by design; Stripe.js needs it to show the payment form.
        "stripe_publishable_key": settings.stripe_publishable_key if stripe else None,
        "messages": messages(options.language),
        # Amounts are integers of minor units; the page formats them with these digits.
        "currency_exponents": {place.currency: exponent(place.currency)},
        # The priced months shown first: the widget draws them without asking.
        "first_months": msgspec.to_builtins(months) if months else None,
    }


class WidgetPageController(Controller):
    path = "/embed"
    include_in_schema = False

    @get("/{slug:str}", operation_id="widgetPage", cache=False)
    async def page(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        slug: PropertySlug,
    ) -> Response[Any]:
        """The widget itself, framed by the loader. Only the property's allowed origins may
        frame it (CSP ``frame-ancestors``); every script and style carries a fresh nonce."""
        policy = await embed_policy(db, slug)
        if policy is None:
            return Response(
                f"No property is called {shown(slug)}.",
                status_code=404,
                media_type=MediaType.TEXT,
                headers={"Content-Security-Policy": "default-src 'none'"},
            )
        params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
        options = widget_options(policy, params)
        parent = params.get("origin")
        nonce = new_nonce()
        stripe = services.settings.payment_provider == "stripe"
        # The owner's console previews the widget from the service's own origin.
        preview = preview_allowed(services.settings.secret_key, policy.slug, params.get("preview"))
        headers = _page_headers(policy, nonce, stripe, preview)
        if parent is not None and not policy.allows(parent):
            # The loader never asks for this; someone framing us from elsewhere gets nothing.
            notice = text(options.language, "not_allowed", property=policy.name)
            return Response(notice, status_code=403, media_type=MediaType.TEXT, headers=headers)
        place = await public_property(db, slug)
        months = await first_months(services.availability, place, options)
        config = _page_config(place, options, params, services.settings, months)
        return Template(
            "widget/page.html",
            context={
                "nonce": nonce,
                "language": options.language,
                "title": text(options.language, "title", property=policy.name),
                "options": options,
                "config": config,
                "assets": widget_assets(),
            },
            headers=headers,
            media_type=MediaType.HTML,
        )


class WidgetPartController(Controller):
    """The widget page's later parts (the checkout's modules, page_assets.py), each named by
    its content: the page's nonce'd script asks for one after its first paint."""

    path = PARTS_PATH
    include_in_schema = False

    @get("/{name:str}", operation_id="widgetPart", cache=False)
    async def part(self, name: str) -> Response[str]:
        """Kept by the browser for good (a new release has new names); any other name is a
        404 naming what was asked for."""
        text = widget_assets().parts.get(name)
        if text is None:
            return Response(
                f"No widget part is called {shown(name)}.",
                status_code=404,
                media_type=MediaType.TEXT,
            )
        return Response(
            text,
            media_type="text/javascript; charset=utf-8",
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )
