"""Availability, holds, blocks and confirmations: the part that must never double-book."""
