"""``GET /api/v1/bookings/{reference}``: a booking, for whoever holds its secret."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import HeaderParameter, PathParameter

from widget.api.responses import errors
from widget.headers import BOOKING_SECRET
from widget.inventory.groups import rooms_of
from widget.payments.cancellation import BookingOut, booking_answer, booking_for_guest
from widget.state import DbDep

BookingSecret = Annotated[
    str | None,
    HeaderParameter(
        name=BOOKING_SECRET,
        description="The booking's secret, from the link in the confirmation e-mail.",
        required=False,
    ),
]


class BookingController(Controller):
    path = "/api/v1/bookings"
    tags = ("bookings",)

    @get("/{reference:str}", operation_id="getBooking", cache=False, responses=errors(404, 503))
    async def get_booking(
        self,
        db: DbDep,
        reference: Annotated[str, PathParameter(description="The booking reference.")],
        x_booking_secret: BookingSecret = None,
    ) -> BookingOut:
        """The booking with the guest's details, what was paid and what cancelling now would
        refund; 404 unless `X-Booking-Secret` is the booking's secret (the only way to read
        a guest's details)."""
        booking = await booking_for_guest(db, reference, x_booking_secret)
        answer = booking_answer(booking)
        return msgspec.structs.replace(answer, rooms=await rooms_of(db, booking.id))
