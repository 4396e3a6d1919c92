"""Read what accountants type into cells: amounts, counts, rates, indicator targets and years.

Cell values arrive from openpyxl or python-calamine as int, float, str, bool, None, datetime or an Excel
error string ("#DIV/0!"). Every function here returns a `Quantity` and never raises: one odd cell must not
stop the check of a whole workbook. Numbers are `Decimal`, floats are converted through `repr` so that
158.43 stays 158.43 instead of 158.430000000000006821...

Pure Python on purpose: no openpyxl/xlwings import, so the rules can be tested without a workbook.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import numbers
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Concatenate, ParamSpec

from perfeval.core.numerals import CHINESE_NUMERAL_CHARS, chinese_int
from perfeval.core.snapshot import UncomputedFormula

__all__ = [
    "Quantity",
    "Status",
    "date_text",
    "is_excel_error",
    "normalize_text",
    "parse_number",
    "parse_rate",
    "parse_target",
    "parse_year",
]


class Status(StrEnum):
    OK = "ok"
    BLANK = "blank"  # None, "", whitespace
    NONE = "none"  # "无", "—", "/", "不适用" ...: the user says there is nothing to report
    ERROR = "error"  # an Excel error value such as #DIV/0!
    TEXT = "text"  # text where no single number could be read
    # An amount that reads as a number but seems typed in the other unit (元 in a 万元 form, or the reverse):
    # held back by core/units.py so that nothing is computed from it; PL-003 reports it.
    UNIT_DOUBT = "unit_doubt"


@dataclass(frozen=True)
class Quantity:
    status: Status
    value: Decimal | None = None  # set only when status is OK
    unit: str = ""  # normalised unit: "万元", "%", "个", "m²", ...
    comparator: str = ""  # "", ">=", "<=", ">", "<", "="
    raw: object = None
    note: str = ""  # Chinese: why it failed, or what was converted

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def present(self) -> bool:
        """Something was typed that is not blank and not an explicit "nothing" (无, —, /)."""
        return self.status not in (Status.BLANK, Status.NONE)


# --------------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------------

EXCEL_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        # Newer Excel versions; cheap to recognise.
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
    }
)

# Compared after normalize_text and casefold. "N/A" typed by hand means "not applicable"; "#N/A" is an error.
_NONE_WORDS = frozenset(
    {"无", "暂无", "不适用", "不涉及", "-", "--", "---", "—", "——", "–", "―", "/", "//", "n/a"}
)

# NFKC keeps these; map them so "−12.5" (U+2212) reads like "-12.5" and invisible characters pasted from
# Word or web pages do not break a number.
_EXTRA_TRANSLATION = str.maketrans({"−": "-", "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None})

# Longest tokens are tried first (see _longest_first), so "不低于" wins over "低于" and ">=" over ">".
_PREFIX_COMPARATORS: dict[str, str] = {
    **dict.fromkeys(
        ["≥", "≧", "⩾", ">=", "=>", "不低于", "不少于", "不小于", "至少", "最少", "大于等于", "大于或等于"],
        ">=",
    ),
    **dict.fromkeys([">", "大于", "超过", "高于", "多于"], ">"),
    **dict.fromkeys(["≤", "≦", "⩽", "<=", "=<", "不高于", "不超过", "不多于", "不大于"], "<="),
    **dict.fromkeys(["至多", "最多", "小于等于", "小于或等于"], "<="),
    **dict.fromkeys(["<", "小于", "低于", "少于"], "<"),
    **dict.fromkeys(["=", "==", "等于"], "="),
}
# In Chinese usage "以上/以下/以内" include the number itself (含本数), hence >= and <=.
_SUFFIX_COMPARATORS: dict[str, str] = {
    **dict.fromkeys(["以上", "及以上", "或以上"], ">="),
    **dict.fromkeys(["以下", "及以下", "或以下", "以内", "之内", "内"], "<="),
}
# Words that do not change the number. Kept short on purpose: anything else makes a target qualitative.
_PREFIX_FILLERS = ("约", "大约", "约为", "达", "达到", "共", "共计", "合计", "累计", "总计", "完成")
_SUFFIX_FILLERS = ("左右", "上下")
# Of those, the ones that say the number is not exact: fine in a target ("约10个"), not in an amount,
# count, score or rate that the form adds up and scores.
_APPROXIMATE_WORDS = frozenset({"约", "大约", "约为", "左右", "上下"})

# Canonical spelling of units, keyed by casefolded spelling (NFKC already turned "m²"/"㎡" into "m2").
_UNIT_ALIASES: dict[str, str] = {
    "%": "%",
    "‰": "‰",
    "m2": "m²",
    "平方米": "m²",
    "平米": "m²",
    "万平方米": "万m²",
    "m3": "m³",
    "立方米": "m³",
    "km": "km",
    "km2": "km²",
    "平方公里": "km²",
    "kg": "kg",
    "t": "t",
    "h": "h",
    "kw": "kW",
    "kwh": "kWh",
    "mb": "MB",
    "gb": "GB",
    "tb": "TB",
}
# CJK units longer than the generic 1-3 characters.
_LONG_UNITS = frozenset({"个工作日", "个百分点", "万人次/年"})
_CJK_UNIT_RE = re.compile(r"[\u4e00-\u9fff]{1,3}(?:/[\u4e00-\u9fff]{1,3})?")
# "10余个", "10多个", "十来个", "10几个" are approximate counts, not a unit.
_NOT_UNIT_START = frozenset("余多来几")

# Chinese numerals are read only before one of these measure words: otherwise "一流", "一般", "十分满意"
# would become numbers.
_CN_MEASURE_WORDS = frozenset(
    {
        *("个", "次", "人", "人次", "万人次", "项", "场", "场次", "期", "家", "篇", "台", "套", "户", "天"),
        *("日", "周", "月", "个月", "年", "小时", "分", "亩", "条", "份", "名", "所", "座", "批", "批次"),
        *("万册", "册", "本", "部", "辆", "处", "件", "种", "类", "轮", "组", "支", "张", "位", "节", "课时"),
        *("门", "间", "栋", "块", "道", "届", "季度", "元", "万元", "个工作日"),
    }
)
_CN_NUMERAL_RE = re.compile(f"[{CHINESE_NUMERAL_CHARS}]+")

# Money units as powers of ten of 元, so 元 ↔ 万元 is an exact shift of the decimal point.
_MONEY_EXPONENT = {"元": 0, "千元": 3, "万元": 4, "百万元": 6, "亿元": 8}
_MONEY_ALIASES = {"万": "万元", "亿": "亿元"}
# Spellings accepted for an expected unit without any conversion.
_UNIT_SYNONYMS: dict[str, frozenset[str]] = {
    "万元": frozenset({"万"}),
    "人": frozenset({"名", "位"}),
}

# Arabic number: "1,584,300", "158.43", ".5". A bad grouping like "1,23" only matches "1", and the rest is
# reported as not a single number.
_NUMBER_RE = re.compile(
    r"(?P<sign>[+-]?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?P<rest>.*)"
)
_NUMBER_GROUP_RE = re.compile(r"\d+(?:[.,]\d+)*")
_PAREN_NUMBER = r"\d[\d,]*(?:\.\d+)?"
# Accounting negatives: "(12.5)", "(12.5)万元", "(12.5万元)".
_PAREN_NEGATIVE_RES = (
    re.compile(rf"\((?P<num>{_PAREN_NUMBER})\)(?P<rest>[^()]*)"),
    re.compile(rf"\((?P<num>{_PAREN_NUMBER})(?P<rest>[^()]*)\)"),
)
# Spaces are dropped except between two digits: "10 20" must stay two numbers, not become 1020.
_DROP_SPACE_RE = re.compile(r"(?<!\d) | (?!\d)")
_YEAR_RE = re.compile(r"\d{4}")

# Magnitude from which a cell is not read as a number: 10^15 万元 is ten thousand times a national budget.
MAX_MAGNITUDE = Decimal("1E+15")
_MAX_NUMBER_TEXT = 100  # longer text is prose, never one number
_SHOWN_CHARS = 20  # how much of the user's text to quote back in a note
_MAX_PLAIN_EXPONENT = 40  # beyond this a Decimal keeps exponent notation rather than writing out the zeros
_SCIENTIFIC_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d{1,2}(?!\d)")


def _longest_first(tokens: dict[str, str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(tokens, key=len, reverse=True))


_PREFIX_COMPARATOR_TOKENS = _longest_first(_PREFIX_COMPARATORS)
_SUFFIX_COMPARATOR_TOKENS = _longest_first(_SUFFIX_COMPARATORS)
_PREFIX_FILLER_TOKENS = _longest_first(_PREFIX_FILLERS)
_SUFFIX_FILLER_TOKENS = _longest_first(_SUFFIX_FILLERS)


def _by_char(tokens: tuple[str, ...], at: int) -> dict[str, tuple[str, ...]]:
    """Tokens by their first (at 0) or last (at -1) character, each group in the tokens' order: a text
    can only start (end) with the tokens of its own first (last) character."""
    assert all(tokens), "an empty token would match every text"
    return {ch: tuple(t for t in tokens if t[at] == ch) for ch in {t[at] for t in tokens}}


_PREFIX_COMPARATORS_BY = _by_char(_PREFIX_COMPARATOR_TOKENS, 0)
_SUFFIX_COMPARATORS_BY = _by_char(_SUFFIX_COMPARATOR_TOKENS, -1)
_PREFIX_FILLERS_BY = _by_char(_PREFIX_FILLER_TOKENS, 0)
_SUFFIX_FILLERS_BY = _by_char(_SUFFIX_FILLER_TOKENS, -1)


# --------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------


def normalize_text(s: str) -> str:
    """NFKC (full-width digits, letters, ％ ． ， to half-width), then strip and collapse whitespace.

    Note that NFKC also turns "m²" and "㎡" into "m2"; units are canonicalised again by the parsers.
    """
    s = unicodedata.normalize("NFKC", s).translate(_EXTRA_TRANSLATION)
    return " ".join(s.split())


def is_excel_error(raw: object) -> bool:
    """True for an Excel error value such as "#DIV/0!" or "#N/A" (as delivered by openpyxl)."""
    if not isinstance(raw, str) or "#" not in raw:
        return False
    return normalize_text(raw).upper() in EXCEL_ERRORS


def date_text(value: dt.date) -> str:
    """A date as a submitted report writes it: 2025年4月10日 (str() gives 2025-04-10, an ISO form that
    reads as foreign on a signed page); a time of day, when there is one, follows as 14:30."""
    text = f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.datetime) and value.time() != dt.time():
        text += f" {value:%H:%M}"
    return text


def _shown(raw: object) -> str:
    """The user's input as quoted back in a note, shortened so notes stay readable."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"  # as Excel displays it
    if isinstance(raw, dt.date):
        return date_text(raw)
    text = normalize_text(raw) if isinstance(raw, str) else str(raw)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def _trim(d: Decimal) -> Decimal:
    """Drop trailing zeros: 1.00 -> 1, 158.4300 -> 158.43, 1E+2 -> 100.

    Done on the digit tuple rather than with Decimal.normalize(), which rounds to the context precision
    and turns 100 into 1E+2.
    """
    sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int):  # NaN/Infinity have a letter here; the parsers never pass them
        return d
    if not any(digits):
        return Decimal(0)
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    if 0 < exponent <= _MAX_PLAIN_EXPONENT:  # bounded: Decimal("1E+999999999") must not allocate 1e9 digits
        digits, exponent = digits + (0,) * exponent, 0
    return Decimal((sign, digits, exponent))


def _shift(d: Decimal, places: int) -> Decimal:
    """d × 10**places, exactly: Decimal.scaleb would round to 28 digits and can raise Overflow."""
    sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int):
        return d
    return Decimal((sign, digits, exponent + places))


def _fmt(d: Decimal) -> str:
    """Plain decimal notation for notes: 95.50 -> "95.5", 100.0 -> "100"."""
    d = _trim(d)
    return format(d, "f") if abs(d.adjusted()) <= _MAX_PLAIN_EXPONENT else str(d)


def _ok(value: Decimal, unit: str, raw: object, *, comparator: str = "", note: str = "") -> Quantity:
    if value.copy_abs() >= MAX_MAGNITUDE:  # copy_abs: exact, abs() overflows on 1E+999999999
        # No budget, count or rate comes near this: a wrong unit or a pasted ID. Read on, such a number
        # would overflow every rounding and turn every rule and sentence that uses it into nonsense.
        what = "比率" if unit == "%" else "金额" if unit in _MONEY_EXPONENT else "数值"
        where = f"（本栏单位为{unit}）" if unit in _MONEY_EXPONENT else ""
        return Quantity(Status.TEXT, raw=raw, note=f"{what}过大，请核对单位{where}和数量级")
    # Trimmed so 1.00 (from "100%") and 7.0 (Excel stores every number as a float) read as 1 and 7.
    return Quantity(Status.OK, _trim(value), unit, comparator, raw, note)


def _want_number(unit: str) -> str:
    return f"请填写数值（单位：{unit}）" if unit else "请填写数值"


@functools.lru_cache(maxsize=256)  # a handful of units, asked for every numeric cell
def _expected_unit(unit: str) -> tuple[str, str]:
    """The unit a parse_number caller expects, canonical ("平方米" -> "m²"), and how to ask for it."""
    expected = normalize_text(unit)
    expected = _canon_unit(expected) or expected
    return expected, _want_number(expected)


_WANT_RATE = "请填写比率，如 95%"
_WANT_TARGET = "请填写指标值，如 ≥95% 或 10个"
_WANT_YEAR = "请填写四位年份，如 2023"


def _approximate(raw: object, want: str) -> Quantity:
    # TEXT, not OK with a note: a figure the form adds up and scores must be the exact one, so "约1.5" is
    # reported (PARSE-001 names the cell) instead of being silently taken as exactly 1.5.
    exact = want.replace("请填写", "请填写准确的", 1)
    return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”是约数，{exact}，不要带“约”“左右”")


_P = ParamSpec("_P")


def _never_raise(
    func: Callable[Concatenate[object, _P], Quantity],
) -> Callable[Concatenate[object, _P], Quantity]:
    """Last line of defence: a checker that crashes on one cell is worse than one cell read as text."""

    @functools.wraps(func)
    def wrapper(raw: object, /, *args: _P.args, **kwargs: _P.kwargs) -> Quantity:
        try:
            return func(raw, *args, **kwargs)
        except Exception:
            return Quantity(Status.TEXT, raw=raw, note="无法识别该单元格的内容，请改填数值")

    return wrapper


def _canon_unit(unit: str) -> str | None:
    """Canonical unit, or None when `unit` does not look like a unit at all."""
    if not unit:
        return ""
    alias = _UNIT_ALIASES.get(unit.casefold())
    if alias is not None:
        return alias
    if unit in _LONG_UNITS:
        return unit
    if unit[0] not in _NOT_UNIT_START and _CJK_UNIT_RE.fullmatch(unit):
        return unit
    return None


# --------------------------------------------------------------------------------------------------------
# The shared reader
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    value: Decimal
    unit: str  # canonical unit as typed, "" when none
    comparator: str
    chinese: bool = False  # read from Chinese numerals
    approximate: bool = False  # an approximate word (约, 左右) was around the number


@dataclass(frozen=True)
class _Fail:
    reason: str  # "notnum" | "multi" | "comma" | "sci" | "long" | "conflict"


def _strip_affixes(s: str) -> tuple[str, str, bool] | _Fail:
    """Remove filler words and comparators around the number; returns (rest, comparator, approximate)."""
    comparator = ""
    approximate = False

    def take(op: str) -> bool:
        nonlocal comparator
        if comparator and comparator != op:
            return False
        comparator = op
        return True

    for _ in range(4):  # a handful of affixes at most; bounded so odd text cannot loop
        before = s
        for token in _PREFIX_FILLERS_BY.get(s[:1], ()):
            if s.startswith(token) and len(s) > len(token):
                s = s[len(token) :]
                approximate = approximate or token in _APPROXIMATE_WORDS
                break
        for token in _PREFIX_COMPARATORS_BY.get(s[:1], ()):
            if s.startswith(token) and len(s) > len(token):
                if not take(_PREFIX_COMPARATORS[token]):
                    return _Fail("conflict")
                s = s[len(token) :]
                break
        for token in _SUFFIX_FILLERS_BY.get(s[-1:], ()):
            if s.endswith(token) and len(s) > len(token):
                s = s[: -len(token)]
                approximate = approximate or token in _APPROXIMATE_WORDS
                break
        for token in _SUFFIX_COMPARATORS_BY.get(s[-1:], ()):
            if s.endswith(token) and len(s) > len(token):
                if not take(_SUFFIX_COMPARATORS[token]):
                    return _Fail("conflict")
                s = s[: -len(token)]
                break
        if s == before:
            break
    return s, comparator, approximate


def _read(text: str) -> _Reading | _Fail:
    """Read ONE number with optional comparator, filler words and unit from normalised text."""
    if len(text) > _MAX_NUMBER_TEXT:
        return _Fail("long")
    s = _DROP_SPACE_RE.sub("", text).rstrip("。")
    stripped = _strip_affixes(s)
    if isinstance(stripped, _Fail):
        return stripped
    s, comparator, approximate = stripped

    negative = False
    if s.startswith("("):
        for pattern in _PAREN_NEGATIVE_RES:
            m = pattern.fullmatch(s)
            if m:
                s, negative = m["num"] + m["rest"], True
                break
        else:
            return _Fail("notnum")

    m = _NUMBER_RE.fullmatch(s)
    if m is None:
        return _read_chinese(s, comparator, approximate) if not negative else _Fail("notnum")
    rest = m["rest"]
    if re.match(r"[eE][+-]?\d", rest):
        return _Fail("sci")
    if rest.startswith(",") and rest[1:2].isdigit():
        return _Fail("comma")
    unit = _canon_unit(rest)  # before the digit check: "m2" (from "m²") is a unit, not a second number
    if unit is None:
        return _Fail("multi" if any(c.isdigit() for c in rest) else "notnum")
    value = Decimal(m["num"].replace(",", ""))
    if negative or m["sign"] == "-":
        value = -value
    return _Reading(value, unit, comparator, approximate=approximate)


def _read_chinese(s: str, comparator: str, approximate: bool) -> _Reading | _Fail:
    """Chinese numerals ("三个", "十二次", "不少于两个") count only when followed by a measure word."""
    m = _CN_NUMERAL_RE.match(s)
    if m is None:
        return _Fail("multi" if len(_NUMBER_GROUP_RE.findall(s)) > 1 else "notnum")
    unit = s[m.end() :]
    number = chinese_int(m.group())
    if number is None or unit not in _CN_MEASURE_WORDS:
        return _Fail("notnum")
    return _Reading(Decimal(number), unit, comparator, chinese=True, approximate=approximate)


def _classify(raw: object, want: str) -> Quantity | Decimal | str:
    """Settle the cases shared by all parsers.

    Returns a finished Quantity (blank, none, error, or a non-number type), a Decimal for numeric cells,
    or the normalised text still to be read.
    """
    if raw is None:
        return Quantity(Status.BLANK, raw=raw)
    # The cells' usual types first, as the checks below would settle them (their ABC checks are slow).
    kind = type(raw)
    if kind is float:
        if not math.isfinite(raw):  # type: ignore[arg-type]
            return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”不是有效数值，{want}")
        return Decimal(repr(raw))
    if kind is int:
        return Decimal(raw)  # type: ignore[arg-type]
    if kind is not str:
        return _classify_other(raw, want)
    return _classify_text(raw)


def _classify_other(raw: object, want: str) -> Quantity | Decimal | str:
    if isinstance(raw, UncomputedFormula):
        return Quantity(
            Status.ERROR,
            raw=raw.formula,
            note=f"公式 {raw.formula} 没有计算结果，请在 Excel/WPS 中打开并保存后再校验",
        )
    # bool before numbers: True is an int in Python but a logical value in Excel.
    if isinstance(raw, bool):
        return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”是逻辑值（是/否），不是数字，{want}")
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”是日期或时间，不是数字，{want}")
    if isinstance(raw, Decimal):
        if raw.is_finite():
            return raw
        return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”不是有效数值，{want}")
    if isinstance(raw, numbers.Integral):
        return Decimal(int(raw))
    if isinstance(raw, numbers.Real):
        f = float(raw)
        if not math.isfinite(f):
            return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”不是有效数值，{want}")
        return Decimal(repr(f))  # repr is the shortest round-trip form: 158.43, not 158.4300000000000068
    if not isinstance(raw, str):
        return Quantity(Status.TEXT, raw=raw, note=f"无法识别的值“{_shown(raw)}”，{want}")
    return _classify_text(raw)


def _classify_text(raw: str) -> Quantity | str:
    text = normalize_text(raw)
    if not text:
        return Quantity(Status.BLANK, raw=raw)
    if text.upper() in EXCEL_ERRORS:
        return Quantity(Status.ERROR, raw=raw, note=f"单元格为错误值 {text.upper()}，请修正公式或改填数值")
    if text.casefold() in _NONE_WORDS:
        return Quantity(Status.NONE, raw=raw)
    return text


def _fail_note(fail: _Fail, raw: object, want: str) -> str:
    shown = _shown(raw)
    match fail.reason:
        case "multi":
            return f"“{shown}”含有多个数字，{want.replace('请填写', '请只填写一个', 1)}"
        case "comma":
            return f"“{shown}”的千分位逗号位置不对，{want}"
        case "sci":
            # Quote the plain form back so the user can copy it: "1.2e3" -> 1200.
            m = _SCIENTIFIC_RE.search(shown)
            plain = f"（如 {_fmt(Decimal(m.group()))}）" if m else ""
            return f"“{shown}”是科学计数法，请写成普通数字{plain}，{want}"
        case "long":
            return f"内容过长，不是数字，{want}"
        case "conflict":
            return f"“{shown}”含有相互矛盾的比较词，{want}"
        case _:
            return f"“{shown}”不是数字，{want}"


# --------------------------------------------------------------------------------------------------------
# Public parsers
# --------------------------------------------------------------------------------------------------------


@_never_raise
def parse_number(raw: object, *, unit: str = "") -> Quantity:
    """An amount, count, area or score expected in `unit` ("万元", "人", "m²", "分"; "" = any unit).

    A typed unit equal to `unit` (or a synonym: "万" for 万元, "名" for 人) is accepted; money in another
    unit (元, 千元, 亿元) is converted exactly with a note; any other unit gives TEXT. The OK result carries
    `unit` (or, when `unit` is "", the unit that was typed).
    """
    expected, want = _expected_unit(unit)
    pre = _classify(raw, want)
    if isinstance(pre, Quantity):
        return pre
    if isinstance(pre, Decimal):
        return _ok(pre, expected, raw)

    reading = _read(pre)
    if isinstance(reading, _Fail):
        return Quantity(Status.TEXT, raw=raw, note=_fail_note(reading, raw, want))
    if reading.chinese:
        return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”请用阿拉伯数字填写，{want}")
    if reading.comparator:
        return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”带有比较词，此处只填实际数值，{want}")
    if reading.approximate:
        return _approximate(raw, want)

    value, got = reading.value, reading.unit
    if not got or not expected or got == expected or got in _UNIT_SYNONYMS.get(expected, ()):
        return _ok(value, expected or got, raw)
    got_money = _MONEY_ALIASES.get(got, got)
    if got_money in _MONEY_EXPONENT and expected in _MONEY_EXPONENT:
        shift = _MONEY_EXPONENT[got_money] - _MONEY_EXPONENT[expected]
        return _ok(_shift(value, shift), expected, raw, note=f"已按{got_money}换算为{expected}")
    return Quantity(
        Status.TEXT, raw=raw, note=f"“{_shown(raw)}”的单位“{got}”与应填单位“{expected}”不符，{want}"
    )


def _bare_rate(value: Decimal, raw: object) -> Quantity:
    # A percent-formatted cell stores 0.95 for 95% and 1.1366 for 113.66%, so small numbers are fractions.
    # Above 3 (300%) nobody means a fraction: it is a percent number typed without "%". Below -1 a fraction
    # is impossible too (a decrease of more than 100%), so -5 means -5%.
    if value > 3 or value < -1:
        shown = _fmt(value)
        return _ok(_shift(value, -2), "%", raw, note=f"按百分数理解：{shown} 即 {shown}%")
    return _ok(value, "%", raw)


@_never_raise
def parse_rate(raw: object) -> Quantity:
    """A rate as a FRACTION with unit "%": "95%" -> 0.95, 0.95 -> 0.95, 1 -> 1, 95.5 -> 0.955 (with note)."""
    pre = _classify(raw, _WANT_RATE)
    if isinstance(pre, Quantity):
        return pre
    if isinstance(pre, Decimal):
        return _bare_rate(pre, raw)

    reading = _read(pre)
    if isinstance(reading, _Fail):
        return Quantity(Status.TEXT, raw=raw, note=_fail_note(reading, raw, _WANT_RATE))
    if reading.comparator:
        # "≥95%" is a target, not an achieved rate.
        return Quantity(
            Status.TEXT, raw=raw, note=f"“{_shown(raw)}”带有比较词，比率只填实际达到的值，{_WANT_RATE}"
        )
    if reading.approximate:
        return _approximate(raw, _WANT_RATE)
    match reading.unit:
        case "%":
            return _ok(_shift(reading.value, -2), "%", raw)
        case "‰":
            return _ok(_shift(reading.value, -3), "%", raw, note="已按千分比换算")
        case "":
            return _bare_rate(reading.value, raw)
        case other:
            return Quantity(
                Status.TEXT, raw=raw, note=f"“{_shown(raw)}”的单位“{other}”不是百分号，{_WANT_RATE}"
            )


@_never_raise
def parse_target(raw: object) -> Quantity:
    """An indicator target or actual value: OK when it is one number (comparator, unit, a few fillers).

    The number is kept as typed: "≥95%" -> 95, unit "%", comparator ">=" (not a fraction), so a target and
    its actual value compare on the same scale. Anything else is TEXT, i.e. a qualitative indicator.
    """
    pre = _classify(raw, _WANT_TARGET)
    if isinstance(pre, Quantity):
        return pre
    if isinstance(pre, Decimal):
        return _ok(pre, "", raw)
    reading = _read(pre)
    if isinstance(reading, _Fail):
        why = "含有多个数字" if reading.reason == "multi" else "不是单个数值"
        return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”{why}，按定性指标处理")
    return _ok(reading.value, reading.unit, raw, comparator=reading.comparator)


@_never_raise
def parse_year(raw: object) -> Quantity:
    """A budget year 2000..2100: 2023, 2023.0, "2023", "2023年", "２０２３年度" -> 2023, unit "年"."""
    pre = _classify(raw, _WANT_YEAR)
    if isinstance(pre, Quantity):
        if pre.status is Status.TEXT and isinstance(raw, dt.date | dt.time | dt.timedelta):
            return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”是日期，{_WANT_YEAR}")
        return pre
    if isinstance(pre, Decimal):
        year = pre
    else:
        text = pre.replace(" ", "").removesuffix("年度").removesuffix("年")
        year = Decimal(text) if _YEAR_RE.fullmatch(text) else None
    if year is not None and year == year.to_integral_value() and 2000 <= year <= 2100:
        return _ok(year, "年", raw)
    return Quantity(Status.TEXT, raw=raw, note=f"“{_shown(raw)}”不是年度，{_WANT_YEAR}")
