"""The idempotency keys we send the payment provider, one function per operation.

Each names the operation and what it is for, so a retry (a timeout, a double click, two
workers, the reconciler) gets the provider's first answer, never a second charge, capture,
cancel or refund. The texts are what earlier releases sent: changing one would let a retry
across an upgrade act twice.
"""

from __future__ import annotations

from uuid import UUID


def authorise_key(hold_id: UUID) -> str:
    """Authorising the hold's payment at checkout."""
    return f"innkeep-{hold_id}-authorise"


def capture_key(hold_id: UUID) -> str:
    """Capturing it once the booking committed."""
    return f"innkeep-{hold_id}-capture"


def cancel_key(hold_id: UUID) -> str:
    """Cancelling its authorisation when no booking could be made."""
    return f"innkeep-{hold_id}-cancel"


def refund_taken_key(hold_id: UUID) -> str:
    """Refunding a payment captured outside Innkeep for a hold that could not be booked."""
    return f"innkeep-{hold_id}-refund"


def cancellation_refund_key(booking_id: UUID) -> str:
    """Refunding what the cancellation policy gives back when a guest cancels."""
    return f"innkeep-{booking_id}-cancel-refund"


def orphan_cancel_key(payment_id: str) -> str:
    """Cancelling an authorisation of ours that no reservation points to."""
    return f"innkeep-{payment_id}-orphan"


def stray_refund_key(payment_id: str) -> str:
    """Refunding a captured payment of ours whose hold no longer exists (lost in a
    failover), so no booking can take it back."""
    return f"innkeep-{payment_id}-stray-refund"


def charge_refund_key(charge_id: UUID) -> str:
    """Refunding (part of) a charge taken after booking (the balance) on cancellation."""
    return f"innkeep-{charge_id}-charge-refund"


def customer_key(hold_id: UUID) -> str:
    """Creating the provider's customer for the hold's guest (one per booking guest)."""
    return f"innkeep-{hold_id}-customer"


def setup_key(hold_id: UUID) -> str:
    """Saving the card without charging (pay at the property with a card guarantee)."""
    return f"innkeep-{hold_id}-setup"


def card_update_key(link_id: UUID) -> str:
    """The SetupIntent of one card-update link: viewing the page again reuses it."""
    return f"innkeep-{link_id}-card-update"


def guest_payment_key(charge_id: UUID) -> str:
    """The one payment made for a charge the guest pays on their link when the job left
    none to confirm (never a second, however often the page is opened)."""
    return f"innkeep-{charge_id}-guest-payment"


def attempt_key(charge_id: UUID, attempt: int) -> str:
    """One attempt at a charge after booking: a time-out retries the same attempt (same
    key); a soft decline retried days later is a new attempt (a new key)."""
    return f"innkeep-{charge_id}-attempt-{attempt}"


def charge_cancel_key(charge_id: UUID) -> str:
    """Cancelling a later charge's payment that waited for the guest, when the booking is
    cancelled."""
    return f"innkeep-{charge_id}-charge-cancel"


def date_change_refund_key(change_id: UUID) -> str:
    """Refunding what a change of a booking's dates gives back (once per change)."""
    return f"innkeep-{change_id}-date-change-refund"
