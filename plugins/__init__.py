"""Innkeep's built-in pricing rules, registered through the `innkeep.pricing` entry point."""
