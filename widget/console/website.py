"""Website (``/admin/{slug}/website``, owners only): the snippet to paste into the owner's
site (inline, or a "Book now" button), its options as a small form with the widget
previewed live beside it, the sites allowed to show it, and a test page showing what a
guest on one of those sites (or any other) sees.

As the owner changes an option, htmx asks this same URL again (``HX-Request``) and gets
only the preview and the snippets for those options (``website_live.html``) to swap in;
without JavaScript the form's "Show" reloads the page, which draws the same parts.

The preview frames the real widget page, which lets the service's own origin frame it
only with a signed, short-lived token (`widget.embedding.preview_token`). The allowed
origins are saved as the property file would save them (`widget.rooms.edits`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from widget.console.access import MemberDep, requires
from widget.console.pages import page
from widget.embedding import (
    EmbedPolicy,
    WidgetOptions,
    embed_policy,
    preview_token,
    widget_options,
)
from widget.errors import Invalid, NotFound
from widget.i18n import LANGUAGE_NAMES, LANGUAGES, text
from widget.intake import ACCEPTS, FORM
from widget.links import site_url
from widget.properties.file import normalise_origin
from widget.rooms.edits import edit_property, set_origins
from widget.sql import queries
from widget.state import DbDep, ServicesDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: The most sites one property lists (a guesthouse has a site or two, perhaps staging).
MAX_ORIGINS = 20


def _options(policy: EmbedPolicy, request: Request[Any, Any, Any]) -> tuple[WidgetOptions, bool]:
    """The options asked for in the query (checked as the widget page checks them), and
    whether the language was chosen rather than the property's."""
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    return widget_options(policy, params), params.get("lang", "") in LANGUAGES


def _attributes(options: WidgetOptions, chosen_language: bool) -> list[tuple[str, str]]:
    """The snippet's ``data-*`` options that differ from the default, in the docs' order."""
    pairs = [
        ("data-locale", options.language if chosen_language else None),
        ("data-accent", options.accent),
        ("data-radius", None if options.radius is None else str(options.radius)),
        ("data-room-type", options.room_type),
    ]
    return [(name, value) for name, value in pairs if value]


def snippets(site: str, slug: str, attributes: list[tuple[str, str]]) -> dict[str, str]:
    """The inline and the button snippets, as an owner pastes them."""
    extra = "".join(f' {name}="{value}"' for name, value in attributes)
    script = f'<script src="{site}/widget.js" data-property="{slug}"{extra} async></script>'
    return {
        "inline": "<!-- Where the booking widget should appear -->\n"
        f"<div data-innkeep></div>\n\n<!-- Once per page -->\n{script}",
        "button": f"<!-- A “Book now” button at the bottom right of every page -->\n{script}",
    }


def _query(options: WidgetOptions, chosen_language: bool) -> dict[str, str]:
    """The options as the widget page's query string takes them."""
    query = {"lang": options.language} if chosen_language else {}
    if options.accent:
        query["accent"] = options.accent
    if options.radius is not None:
        query["radius"] = str(options.radius)
    if options.room_type:
        query["room"] = options.room_type
    return query


class WebsiteController(Controller):
    path = "/{slug:str}/website"
    include_in_schema = False
    guards = [requires("owner")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consoleWebsite", cache=False)
    async def website(
        self, request: Request[Any, Any, Any], db: DbDep, services: ServicesDep, member: MemberDep
    ) -> Template:
        """The snippet, its options and live preview, the allowed sites and the test; to
        htmx (an option changed), the preview and the snippets alone."""
        return await self._page(
            request, db, services, member, live=_options_changed_by_htmx(request)
        )

    @post("/origins", operation_id="consoleSaveOrigins", status_code=303)
    async def origins(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        data: Form,
    ) -> Any:
        """Save the sites that may show the widget, checked as ``property apply`` checks."""
        origins = [line.strip() for line in data.get("origins", "").splitlines() if line.strip()]
        url = services.settings.database_url
        assert url is not None  # create_app refuses to start without one
        try:
            if len(origins) > MAX_ORIGINS:
                raise Invalid(f"At most {MAX_ORIGINS} sites.", field="allowed_origins")
            await to_thread.run_sync(edit_property, url, member.slug, set_origins(origins))
        except Invalid as wrong:
            return await self._page(
                request,
                db,
                services,
                member,
                error=wrong,
                typed=data.get("origins", ""),
                status_code=422,
            )
        return Redirect(f"/admin/{member.slug}/website?saved=1", status_code=303)

    @get("/try", operation_id="consoleWebsiteTry", cache=False)
    async def try_it(
        self, request: Request[Any, Any, Any], db: DbDep, services: ServicesDep, member: MemberDep
    ) -> Template:
        """What a guest on ``origin`` sees: the widget, or the notice the loader shows."""
        policy = await _policy(db, member.slug)
        options, chosen = _options(policy, request)
        origin = normalise_origin(request.query_params.get("origin") or "") or ""
        allowed = policy.allows(origin)
        return page(
            "website_try.html",
            viewer=member.viewer,
            member=member,
            active="website",
            origin=origin,
            allowed=allowed,
            notice=text(options.language, "not_allowed", property=policy.name),
            frame=_frame_url(services, member.slug, options, chosen, origin) if allowed else "",
        )

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        *,
        error: Invalid | None = None,
        typed: str | None = None,
        status_code: int = 200,
        live: bool = False,
    ) -> Template:
        policy = await _policy(db, member.slug)
        options, chosen = _options(policy, request)
        origins = sorted(policy.allowed_origins)
        cur = await db.execute(
            queries("properties")["room_types_for_export"], {"property_id": member.property_id}
        )
        rooms = [(str(r["slug"]), str(r["name"])) for r in await cur.fetchall()]
        first = origins[0] if origins else ""
        return page(
            "website_live.html" if live else "website.html",
            viewer=member.viewer,
            member=member,
            active="website",
            snippets=snippets(
                site_url(services.settings), member.slug, _attributes(options, chosen)
            ),
            options=options,
            chosen_language=chosen,
            languages=LANGUAGE_NAMES,
            rooms=rooms,
            origins=origins,
            typed=typed if typed is not None else "\n".join(origins),
            frame=_frame_url(services, member.slug, options, chosen, first),
            query=urlencode(_query(options, chosen)),
            saved=request.query_params.get("saved") == "1",
            error=error,
            status_code=status_code,
            # The same URL answers a partial or a page: no cache may give one for the other.
            headers={"Vary": "HX-Request, HX-History-Restore-Request"},
        )


def _options_changed_by_htmx(request: Request[Any, Any, Any]) -> bool:
    """An htmx request from the options form, rather than a page load (htmx restoring the
    page from history after a cache miss asks for the whole page)."""
    headers = request.headers
    return headers.get("hx-request") == "true" and not headers.get("hx-history-restore-request")


async def _policy(db: DbDep, slug: str) -> EmbedPolicy:
    policy = await embed_policy(db, slug)
    if policy is None:
        raise NotFound("No such property.")
    return policy


def _frame_url(
    services: ServicesDep, slug: str, options: WidgetOptions, chosen: bool, origin: str
) -> str:
    """The widget page as a guest on ``origin`` gets it, framable by the console."""
    query = {
        **_query(options, chosen),
        **({"origin": origin} if origin else {}),
        "id": "preview",
        "preview": preview_token(services.settings.secret_key, slug),
    }
    return f"/embed/{slug}?{urlencode(query)}"
