"""Guests and privacy: a guest's bookings found by e-mail, exported, erased, and forgotten
after the property's retention years."""
