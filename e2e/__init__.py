"""End-to-end checkouts in a real browser (see conftest.py)."""
