"""perfeval.textwidth: the one estimate of printed text width, shared by the Excel export and Word report."""

from __future__ import annotations

import pytest

from perfeval.textwidth import LATIN_EM, char_width, text_width


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("中文", 2),
        ("（，。）", 4),  # full-width punctuation
        ("２０２３", 4),  # full-width digits
        ("“三公”经费", 6),  # curly quotes print full-width in Chinese fonts
        ("①…—", 3),  # other East Asian ambiguous characters too
        ("", 0),
    ],
)
def test_full_width(text: str, width: float) -> None:
    assert text_width(text) == width


def test_latin_runs_a_little_over_half_an_em() -> None:
    assert char_width("1") == char_width("a") == char_width(" ") == char_width("%") == LATIN_EM
    assert 0.5 < LATIN_EM < 0.6
    assert text_width("2023年") == pytest.approx(4 * LATIN_EM + 1)


@pytest.mark.parametrize("ch", ["\u200b", "\ufeff", "\u200d", "\u0301"])
def test_invisible_and_combining_take_no_room(ch: str) -> None:
    # Pasted from Word or the web: a zero-width space must not push a line over.
    assert char_width(ch) == 0
    assert text_width(f"中{ch}文") == 2


def test_terminal_columns_use_the_same_classes() -> None:
    from perfeval.textwidth import char_columns

    # CJK and ambiguous (“) take two columns, Latin one, a combining accent and a zero-width space none
    assert [char_columns(c) for c in "中1“\u0301\u200b"] == [2, 1, 2, 0, 0]
