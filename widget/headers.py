"""The request headers of the public API, named once (handlers, CORS and the idempotency
layer all read them from here)."""

from __future__ import annotations

#: The hold's secret, sent back on every call about that hold.
HOLD_TOKEN = "X-Hold-Token"  # noqa: S105 - a header name, not a secret
#: The widget's session: scopes quotas and idempotency keys to one browser tab.
SESSION = "X-Innkeep-Session"
#: A retried POST with the same key gets the first answer again (widget.idempotency).
IDEMPOTENCY_KEY = "Idempotency-Key"
#: The booking's secret, from the link in the confirmation e-mail.
BOOKING_SECRET = "X-Booking-Secret"  # noqa: S105 - a header name, not a secret
