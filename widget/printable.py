"""Characters a person cannot see, as `widget.guest_text` defines them (control characters,
text-direction controls, line separators): refused in a URL, escaped where the owner reads.

No slug, reference, date or query parameter needs them, and in a terminal they move the
cursor, recolour it, forge a line or reorder what is shown.
"""

from __future__ import annotations

import re

from widget.guest_text import BIDI_CONTROLS, LINE_SEPARATORS

#: Unicode category Cc (C0, DEL, C1) and the characters `widget.guest_text` refuses besides.
UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS | LINE_SEPARATORS)) + "]")


def has_unseen(text: str) -> bool:
    """Whether ``text`` holds a character that is not printable."""
    return UNSEEN.search(text) is not None


def escaped(text: str) -> str:
    """``text`` as it may reach the owner's terminal: every unprintable character (and the
    backslash, so nothing is ambiguous) written as a Python escape like ``\\x1b``."""
    text = text.replace("\\", "\\\\")
    return UNSEEN.sub(lambda found: found[0].encode("unicode_escape").decode("ascii"), text)
