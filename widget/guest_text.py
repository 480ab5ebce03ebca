"""What a guest may type into a name or a note: every printable character, in any script
(right-to-left ones and emoji included), and nothing that controls how text is shown.

Refused: control characters (C0 and C1: NUL, escape sequences for terminals, CR and LF that
would forge a line in a log or a header in an e-mail) and the bidirectional embedding,
override and isolate characters (U+202A-U+202E, U+2066-U+2069), with which ``Anna
\u202egnp.exe`` is shown as ``Anna exe.png`` (the "Trojan Source" trick). A note may keep
line breaks and tabs; a one-line field may not (nor the Unicode line and paragraph
separators). The marks right-to-left scripts need (U+200E, U+200F) and the joiners of emoji
and Arabic (U+200C, U+200D) are ordinary text and stay.
"""

from __future__ import annotations

import unicodedata

#: Embedding, override and isolate characters: they reorder the text around them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Line breaks that are not control characters, refused where the text must stay on one line.
LINE_SEPARATORS = frozenset("\u2028\u2029")


class UnsafeText(ValueError):
    """The text holds a character we refuse; the message names it by code point."""


def _check(value: str, allowed: frozenset[str], refused: frozenset[str]) -> str:
    for char in value:
        if char in allowed:
            continue
        if char in refused or unicodedata.category(char) == "Cc":
            what = "a text-direction control" if char in BIDI_CONTROLS else "a control character"
            raise UnsafeText(f"it contains {what} (U+{ord(char):04X}); please remove it")
    return value


def one_line(value: str) -> str:
    """``value`` if it is fit for a one-line field (a name, a phone number), else
    `UnsafeText`."""
    return _check(value, frozenset(), BIDI_CONTROLS | LINE_SEPARATORS)


def free_text(value: str) -> str:
    """``value`` with Windows line ends made ``\\n``, if it is fit for a note (line breaks
    and tabs are), else `UnsafeText`."""
    return _check(value.replace("\r\n", "\n"), frozenset("\n\t"), BIDI_CONTROLS)
