"""How a console page is answered: its template under ``templates/admin/``, the words in
the user's language, and the headers every console page carries."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from litestar.enums import MediaType
from litestar.response import Template

from widget.accounts.sessions import Member, Viewer
from widget.console.refusal_text import spoken
from widget.i18n import console_messages
from widget.mail.compose import money

#: Scripts and styles only from the service itself (htmx is served from /static), no
#: inline code; forms post only here; never framed.
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONSOLE_CSP,
    # Guests' names and the property's takings: never kept by a shared browser's cache.
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex",
}


def page(
    template: str,
    *,
    viewer: Viewer | None,
    member: Member | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """The console page ``admin/{template}`` for ``viewer`` (None on the login pages)."""
    language = viewer.language if viewer else "en"
    return Template(
        template_name=f"admin/{template}",
        context={
            "t": console_messages(language),
            "lang": language,
            "viewer": viewer,
            "member": member,
            **context,
        },
        status_code=status_code,
        headers={**HEADERS, **(headers or {})},
        # Said, not inferred: a handler that may also redirect is typed Any, which Litestar
        # would otherwise answer as JSON.
        media_type=MediaType.HTML,
    )


def formats(member: Member) -> dict[str, Any]:
    """Money (the property's currency) and dates in the viewer's language, for templates."""
    language = member.viewer.language

    def amount(minor: int) -> str:
        return money(minor, member.currency, language)

    def day(value: date) -> str:
        return str(format_date(value, format="full", locale=language))

    def short_day(value: date) -> str:
        return str(format_date(value, format="medium", locale=language))

    def weekday(value: date) -> str:
        return str(format_date(value, format="EEEEE", locale=language))

    def month_name(value: date) -> str:
        return str(format_date(value, format="LLLL y", locale=language))

    def say(value: object, english: str) -> str:
        """A service's sentence given as data (`widget.errors.Said`) in the language."""
        return spoken(value, language, english)

    return {
        "money": amount,
        "day": day,
        "short_day": short_day,
        "weekday": weekday,
        "month_name": month_name,
        "say": say,
    }
