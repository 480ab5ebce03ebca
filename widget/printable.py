"""Characters a person cannot see: refused where a client sends them, escaped where the
owner reads them.

Control characters (C0, DEL, C1) and the bidirectional overrides and isolates
(U+202A–202E, U+2066–2069) can move a terminal's cursor, forge a line or reorder what is
shown; no slug, reference, date or name needs them.
"""

from __future__ import annotations

import re

UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_unseen(text: str) -> bool:
    """Whether ``text`` holds a character that is not printable."""
    return UNSEEN.search(text) is not None


def shown(text: str) -> str:
    """``text`` as it may reach the owner's terminal: every unprintable character (and the
    backslash, so nothing is ambiguous) written as a Python escape like ``\\x1b``."""
    text = text.replace("\\", "\\\\")
    return UNSEEN.sub(lambda found: found[0].encode("unicode_escape").decode("ascii"), text)
