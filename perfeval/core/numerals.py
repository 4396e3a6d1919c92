"""Chinese numerals as typed in cells and reports: "三", "十二", "一百零五", "两千六" -> int.

One parser for the whole core (cell targets in core/parse.py, counts in report text in
core/textclaims.py), so a numeral reads the same wherever it is typed.

Ours rather than cn2an's on purpose: cn2an (0.5.24) pulls in `proces`, a text-preprocessing package that
compiles a province/city regex and traditional/simplified tables at import, and `import cn2an` takes
about 300 ms (python -X importtime, measured) against about 100 ms for all of core/parse.py. The core is
imported on every Excel click, and we need a small part of it: integers up to 9999 in the everyday
characters. The tests port cn2an's own cases for that range (tests/test_numerals.py).

Deliberately not read, unlike cn2an's "normal" mode:
- digit by digit ("一二三" = 123, "二〇二三"): in a report "一二" is a list, not a count;
- 万 and above: in "三万元" and "1.2万人次" 万 belongs to the unit, and callers keep it there;
- 两 in the ones place ("十两" is ten taels, not 12) and before 十 ("两十" is not said);
- financial capitals (壹贰叁) and 廿: accountants type them in amounts in words, which we do not read.
"""

from __future__ import annotations

__all__ = ["CHINESE_NUMERAL_CHARS", "chinese_int"]

_DIGITS = dict(zip("一二两三四五六七八九", (1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_ZEROS = frozenset("零〇")
_PLACES = {"千": 1000, "百": 100, "十": 10}

# Every character a numeral read by chinese_int may contain: for the callers' regular expressions.
CHINESE_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"


def chinese_int(text: str) -> int | None:
    """The value of a Chinese numeral from 0 to 9999, or None when `text` is not exactly one numeral.

    Standard forms ("十二", "一十一", "一百零五", "一千零十"), and the spoken shortenings of cn2an's normal
    mode: a last digit after 百 or 千 fills the next place ("一百二" = 120, "两千六" = 2600) and a missing
    零 is tolerated ("一百十一" = 111, "一千一十" = 1010).
    """
    if text in _ZEROS:
        return 0
    total = 0
    last_place = 10_000  # the place of the previous group; each group must be smaller
    zero = False  # a 零 since the last group: the next one skips a place
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _ZEROS:
            if total == 0 or zero:  # leading "零一" or doubled "一千零零一"
                return None
            zero = True
            i += 1
            continue
        if ch == "十" and (total == 0 or zero or last_place > 10):
            digit, place = 1, 10  # bare 十 is 一十: "十二", "一百十一" (spoken), "一千零十"
            i += 1
        elif ch in _DIGITS and i + 1 < n and text[i + 1] in _PLACES:
            digit, place = _DIGITS[ch], _PLACES[text[i + 1]]
            if ch == "两" and place == 10:
                return None
            i += 2
        elif ch in _DIGITS and i + 1 == n:
            return _last_digit(total, last_place, zero, ch)
        else:  # two digits in a row, a place without its digit ("百个"), or not a numeral at all
            return None
        if place >= last_place or (zero and place * 10 == last_place):  # "一十百", "一百零二十"
            return None
        total += digit * place
        last_place, zero = place, False
    if zero:  # a trailing "一百零"
        return None
    return total if n else None


def _last_digit(total: int, last_place: int, zero: bool, ch: str) -> int | None:
    """Add the final digit `ch` after `total`, whose smallest group was `last_place`."""
    digit = _DIGITS[ch]
    if total == 0:
        return digit
    if ch == "两":  # "十两", "一百零两": a weight, or not said
        return None
    if zero:
        return total + digit if last_place >= 100 else None  # "一百零五"; "一十零五" skips no place
    if last_place == 10:
        return total + digit  # "二十一"
    return total + digit * last_place // 10  # spoken "一百二" = 120, "两千六" = 2600
