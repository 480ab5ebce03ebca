"""Innkeep's web service: the booking widget's API, pages, holds and payments."""
