"""Helpers for whoever runs Innkeep from outside to test it: the suite, the end-to-end
checkouts and the benchmarks. Standard library only, and nothing of the service itself."""
