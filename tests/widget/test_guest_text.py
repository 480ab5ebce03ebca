"""What a guest may type: every printable character stays, every control is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widget.guest_text import BIDI_CONTROLS, LINE_SEPARATORS, UnsafeText, free_text, one_line

#: Any character but controls, surrogates, the bidi overrides and the line separators.
printable = st.characters(
    exclude_categories=("Cc", "Cs"), exclude_characters=BIDI_CONTROLS | LINE_SEPARATORS
)
refused = st.one_of(
    st.characters(categories=("Cc",)).filter(lambda c: c not in "\n\t"),
    st.sampled_from(sorted(BIDI_CONTROLS)),
)


@given(st.text(printable))
def test_every_printable_character_is_kept(text: str) -> None:
    assert one_line(text) == text
    assert free_text(text) == text


@given(st.text(printable), refused, st.text(printable))
def test_a_control_or_override_anywhere_is_refused(before: str, bad: str, after: str) -> None:
    for check in (one_line, free_text):
        with pytest.raises(UnsafeText, match=f"U\\+{ord(bad):04X}"):
            check(before + bad + after)


def test_notes_keep_line_breaks_and_tabs_but_names_do_not() -> None:
    assert free_text("late\r\nby ferry\n\tcabin 3") == "late\nby ferry\n\tcabin 3"
    for text in ("Anna\nSchmidt", "Anna\tSchmidt", "Anna\u2028Schmidt", "Anna\r\n"):
        with pytest.raises(UnsafeText):
            one_line(text)
    with pytest.raises(UnsafeText):
        free_text("late\rby ferry")  # a lone CR is no line break anywhere


def test_scripts_marks_and_joiners_are_text() -> None:
    name = "\u200fمحمد\u200e שָׁלוֹם 👩\u200d👩\u200d👧 क्षि"
    assert one_line(name) == name
