"""How wide a line of text prints in a Chinese font, in ems of its font size (a CJK character is 1), and
in a terminal's columns (perfeval/terminal.py: a CJK character is 2).

One measure for every layout estimate: the Excel export's row heights and page breaks
(export/workbook.py) and the Word report's title breaks and cell alignment (report/docx_writer.py).
Neither openpyxl nor python-docx can measure text, so width is estimated from Unicode's East Asian Width
property (UAX #11). The standard library's `unicodedata.east_asian_width` has it; wcwidth would add a
dependency for the same table, and its terminal columns (0/1/2) are not font widths anyway.

Pure standard library, no Excel or Word import.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["LATIN_EM", "char_columns", "char_width", "text_width"]

# Proportional Latin letters and digits of Chinese fonts run wider than half an em (Noto CJK digits are
# 0.56 em, measured); a little over, so an estimate errs towards one more line rather than one less.
LATIN_EM = 0.575

# W(ide) and F(ull-width): CJK and full-width forms. A(mbiguous): “”‘’…—·①② and the like, which print
# full-width in Chinese fonts (SimSun, FangSong), though narrow in Latin ones.
_FULL = frozenset({"W", "F", "A"})
# Combining marks and invisible format characters (zero-width space, BOM, joiners) take no room.
_ZERO = frozenset({"Mn", "Me", "Cf"})


@functools.cache  # a text uses a few hundred distinct characters; layout measures them over and over
def char_width(ch: str) -> float:
    """Width of one character in ems: 1 for CJK, full-width and ambiguous, 0 for combining marks and
    invisible characters, LATIN_EM for the rest."""
    if unicodedata.category(ch) in _ZERO:  # first: combining accents are "ambiguous" too
        return 0.0
    return 1.0 if unicodedata.east_asian_width(ch) in _FULL else LATIN_EM


@functools.cache
def char_columns(ch: str) -> int:
    """Terminal columns of one character, on the same classes: 2 for CJK, full-width and ambiguous (a
    Chinese-locale console prints “” double-width), 0 for combining and invisible ones, 1 for the rest."""
    if unicodedata.category(ch) in _ZERO:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in _FULL else 1


def text_width(text: str) -> float:
    """Width of one line of text in ems of its font size: "中文" is 2, "12" is 1.15."""
    return sum(map(char_width, text))
