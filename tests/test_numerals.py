"""perfeval.core.numerals: the one Chinese-numeral reader of the core.

The cases marked "cn2an" are cn2an 0.5.24's own (cn2an/cn2an_test.py), limited to what we read:
integers up to 9999 in everyday characters. Its "strict" cases all hold; of its "normal" (spoken) ones
those in range that are not digit-by-digit; its error cases stay errors. Where we refuse what cn2an's
normal mode accepts, the reason is in perfeval/core/numerals.py.
"""

from __future__ import annotations

import pytest

from perfeval.core.numerals import CHINESE_NUMERAL_CHARS, chinese_int

# cn2an strict_data_dict, the entries up to 9999 without financial capitals.
CN2AN_STRICT = {
    "零": 0,
    "一": 1,
    "十": 10,
    "十一": 11,
    "一十一": 11,
    "二十": 20,
    "二十一": 21,
    "一百": 100,
    "一百零一": 101,
    "一百一十": 110,
    "一百一十一": 111,
    "一千": 1000,
    "一千一百": 1100,
    "一千一百一十": 1110,
    "一千一百一十一": 1111,
    "一千零一十": 1010,
    "一千零十": 1010,
    "一千零十一": 1011,
    "一千零一十一": 1011,
    "一千零一": 1001,
    "一千一百零一": 1101,
}

# cn2an normal_data_dict (spoken forms), the entries up to 9999 that are not read digit by digit.
CN2AN_NORMAL = {
    "两千六": 2600,
    "一百二": 120,
    "一百十一": 111,
    "一百十六": 116,
    "一千一十": 1010,
    "〇": 0,
}

# cn2an error_strict_datas that are integers in our alphabet (the rest are decimals, capitals, negatives).
CN2AN_ERRORS = ["", "百十一", "十一十二", "十七十八"]

# Everyday counts from self-evaluation reports and the previous parsers' tests.
OURS = {
    "三": 3,
    "两": 2,
    "十二": 12,
    "二十一": 21,
    "一百零五": 105,
    "一百二十": 120,
    "两百": 200,
    "九百九十九": 999,
    "两千": 2000,
    "一千二": 1200,
    "一千二百三": 1230,
    "一千零五十": 1050,
    "九千九百九十九": 9999,
    "一百〇五": 105,
}

# What we refuse on purpose, although cn2an's normal mode reads some of it (see numerals.py).
REFUSED = [
    "一一",  # digit by digit: a list ("一二"), not a count
    "一二三",
    "二〇二三",
    "零一",
    "十两",  # ten taels
    "一百零两",
    "两十",
    "十十",
    "百",
    "千",
    "百个",
    "一百零",
    "一百零二十",  # 零 skips no place
    "一千零零一",
    "一十百",
    "三万",  # 万 belongs to the unit ("三万元")
    "壹拾壹",  # financial capitals
    "廿二",
    "负一",
    "零点五",
    "3",
    "三个",
]


@pytest.mark.parametrize(("text", "value"), [*CN2AN_STRICT.items(), *CN2AN_NORMAL.items(), *OURS.items()])
def test_reads(text: str, value: int) -> None:
    assert chinese_int(text) == value


@pytest.mark.parametrize("text", [*CN2AN_ERRORS, *REFUSED])
def test_refuses(text: str) -> None:
    assert chinese_int(text) is None


def test_every_number_up_to_9999_round_trips() -> None:
    """Each integer written the standard way reads back as itself."""
    digits = "零一二三四五六七八九"

    def write(n: int) -> str:
        if n == 0:
            return "零"
        out, zero = "", False
        for place, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = n // place % 10
            if d == 0:
                zero = bool(out)
                continue
            out += ("零" if zero else "") + digits[d] + name
            zero = False
        return out[1:] if 10 <= n < 20 else out  # "十二", not "一十二"

    for n in range(10_000):
        assert chinese_int(write(n)) == n, write(n)


def test_alphabet_covers_what_is_read() -> None:
    assert set("".join([*CN2AN_STRICT, *CN2AN_NORMAL, *OURS])) <= set(CHINESE_NUMERAL_CHARS)
