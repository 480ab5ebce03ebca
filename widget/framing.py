"""Who may frame our pages: nobody, except the widget page's own allowed origins.

Every HTML answer that does not say otherwise gets ``X-Frame-Options: DENY`` and a CSP with
``frame-ancestors 'none'`` (the manage page, the API docs, error pages, whatever a later
change adds), so clickjacking is refused by default rather than page by page. A page whose
own CSP names its ``frame-ancestors`` (the widget page, framed by the property's allowed
origins) keeps it.
"""

from __future__ import annotations

from litestar.types import Message, Scope, Send

NOT_FRAMED = "frame-ancestors 'none'"


def _framing_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    kinds = {name.lower(): value for name, value in headers}
    if not kinds.get(b"content-type", b"").lower().startswith(b"text/html"):
        return headers
    policy = kinds.get(b"content-security-policy", b"").decode("latin-1")
    if "frame-ancestors" in policy and NOT_FRAMED not in policy:
        return headers  # the page names who may frame it (the widget page: its property's)
    kept = headers
    if NOT_FRAMED not in policy:
        framed = f"{policy.rstrip('; ')}; {NOT_FRAMED}" if policy.strip() else NOT_FRAMED
        kept = [(n, v) for n, v in headers if n.lower() != b"content-security-policy"]
        kept.append((b"content-security-policy", framed.encode("latin-1")))
    if b"x-frame-options" not in kinds:  # for browsers without frame-ancestors
        kept = [*kept, (b"x-frame-options", b"DENY")]
    return kept


def not_framed_by_default(scope: Scope, send: Send) -> Send:
    """The ``send`` that adds the default framing refusal to HTML answers (a step of
    `widget.edge.FrontDoor`)."""
    # The JSON API never answers HTML: its hot paths skip the header inspection.
    if scope["path"].startswith("/api/"):
        return send

    async def send_with_defaults(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = _framing_headers(list(message.get("headers", [])))
        await send(message)

    return send_with_defaults
