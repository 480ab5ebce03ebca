"""The people who use the owner's console: their accounts, passwords, sessions and which
properties they may see (as owner or staff). Knows nothing of HTTP: the console
(``widget.console``) and the command line (``innkeep user``) call the same functions."""
