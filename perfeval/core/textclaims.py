"""Claims read from the free text of a 自评报告, for comparison with the tables.

Accountants restate table values in the narrative ("共有编制人数6人", "年初预算158.43万元",
"本年本部门预算未进行相关事项的调整") and the narrative often contradicts the tables or itself.
This module only *reads* such statements; rules elsewhere compare them with cell values.

- ``extract_claims(texts)``: staff counts (STAFF_KINDS, unit 人), amounts (AMOUNT_KINDS, in 万元; 元 and
  亿元 are converted) and yes/no statements (FLAG_KINDS, value None).
- ``repeated_counts(texts)``: the same subject counted twice with different values ("示范户共10个" here,
  "…共14个" there); ``extract_counts`` gives the raw "count" claims.

How an amount is classified: the clause before the number (the "label") is read right to left.  Its
rightmost subject word (三公 / 公用经费, 机关运行经费 / 基本支出 / 项目支出, 项目资金) decides the family;
the words between subject and number may only be measure words (年初, 全年, 预算, 支出, 执行, 调整, 为, …),
and those decide budget vs actual.  A label with any other word in that place ("科普活动支出",
"工资福利支出") is a sub-item and yields nothing.  A bare "实际支出…" continues the subject of the previous
clause in the same sentence.  Text before a ":" is a heading: "“三公”经费预算：2023年机关运行经费16.25万元"
gives public_funds_budget (the heading says 预算).

Offsets and snippets refer to the ORIGINAL text: the text is NFKC-normalised one character at a time
(full-width digits and punctuation become ASCII) and every normalised character keeps the index of the
original character it came from.  For every claim ``text[c.start:c.start + len(c.snippet)] == c.snippet``.

Known limits: no word segmentation, so only the phrasings listed in the patterns are read; a count
written before its noun ("3个专家工作站") is not compared; approximate counts ("500余人", "10篇左右")
are skipped; yes/no claims ignore purpose clauses ("为全面完成目标，…" still reads as all_completed).

Pure Python on purpose: the core must stay free of Excel libraries.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from perfeval.core.numerals import CHINESE_NUMERAL_CHARS, chinese_int

__all__ = [
    "AMOUNT_KINDS",
    "FLAG_KINDS",
    "STAFF_KINDS",
    "Claim",
    "CountConflict",
    "extract_claims",
    "extract_counts",
    "extract_granted_amounts",
    "extract_named_amounts",
    "repeated_counts",
    "stale_years",
    "unspent_shares",
]

SNIPPET_MAX = 60
APPROX_TOLERANCE = Decimal("0.10")  # an approximate amount ("约/余/近/左右/多") may differ by 10 %


@dataclass(frozen=True)
class Claim:
    kind: str  # see STAFF_KINDS, AMOUNT_KINDS, FLAG_KINDS, or "count"
    value: Decimal | None  # the number claimed (None for yes/no claims)
    unit: str  # "人", "万元", "个", ... or ""
    source: str  # the field name the text came from
    snippet: str  # the fragment (≤ 60 chars) the claim was read from, from the original text
    start: int  # offset of the snippet in the original text
    approx: bool = False  # "约100万元", "100余万元", "10万元左右": compare with APPROX_TOLERANCE


@dataclass(frozen=True)
class CountConflict:
    subject: str  # longest common tail of the counted phrases, e.g. "科技示范企业、示范基地和示范户"
    claims: tuple[Claim, ...]  # two or more "count" claims of that subject with different values


STAFF_KINDS = frozenset(
    {
        "authorized_staff",
        "authorized_staff_admin",
        "authorized_staff_institution",
        "authorized_staff_other",
        "actual_staff",
    }
)
AMOUNT_KINDS = frozenset(
    {
        "initial_budget",
        "adjusted_budget",
        "spent",
        "basic_expenditure",
        "basic_initial_budget",
        "project_expenditure",
        "project_initial_budget",
        "tpc_budget",
        "tpc_actual",
        "public_funds_budget",
        "public_funds_actual",
        "adjustment",  # "全年预算调增107.89万元", "年中追加预算100万元" (调减: negative)
    }
)
FLAG_KINDS = frozenset(
    {
        "no_adjustment",
        "within_budget_tpc",
        "within_budget_total",
        "within_budget_public",
        "well_controlled",
        "well_controlled_tpc",
        "within_budget_project",  # "项目支出控制在预算以内"
        "within_budget_basic",
        "within_budget_any",  # "严格控制在预算指标内": no subject, so every budget line
        "by_budget",  # "严格按照年初预算专项使用": every budget line (or the named subject's)
        "all_completed",
        "mostly_completed",
    }
)


# --------------------------------------------------------------------------- normalised view of a text


@functools.lru_cache(maxsize=4096)
def _nfkc(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


# Characters NFKC leaves as they are: ASCII, 、。“”《》「」『』【】 and the CJK ideographs, most of a Chinese
# text (tests/test_textclaims_speed.py checks every one of them).
NFKC_STABLE = "\x00-\x7f\u201c\u201d\u3001\u3002\u300a-\u3011\u4e00-\u9fff"
_MAYBE_CHANGED = re.compile(f"[^{NFKC_STABLE}]")


_CACHED_CHARS = 8000  # a report's longest paragraph is ~2,500 characters; longer texts are made afresh


def _text(source: str, original: str) -> _Text:
    """The normalised view of one text, made once: every extractor walks the same texts. A hostile file's
    huge texts are not kept: the cache stays a few MB whatever a workbook holds."""
    if len(original) > _CACHED_CHARS:
        return _Text(source, original)
    return _cached_text(source, original)


@functools.lru_cache(maxsize=256)  # a workbook has ~50 texts plus its table notes; several rules read each
def _cached_text(source: str, original: str) -> _Text:
    return _Text(source, original)


_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+")


class _Text:
    """NFKC copy of one field's text that can map every position back to the original."""

    def __init__(self, source: str, original: str) -> None:
        self.source = source
        self.original = original
        self._sentences: tuple[tuple[int, int], ...] | None = None
        self._amounts: tuple[_Amount, ...] | None = None
        self._counts: tuple[tuple[str, Claim], ...] | None = None
        # Only the characters outside NFKC_STABLE, each distinct one once. Most texts only change one
        # character into one (full-width "，" into ","): then every position stays where it was.
        odd = {ch: n for ch in set(_MAYBE_CHANGED.findall(original)) if (n := _nfkc(ch)) != ch}
        if all(len(n) == 1 for n in odd.values()):
            norm = original
            for ch, n in odd.items():  # NFKC(n) is n: no replacement makes another one's character
                norm = norm.replace(ch, n)
            self.norm = norm
            self._pos: range | list[int] = range(len(original))
            return
        parts: list[str] = []
        pos: list[int] = []
        for i, ch in enumerate(original):
            n = _nfkc(ch)
            parts.append(n)
            if len(n) == 1:
                pos.append(i)
            else:
                pos.extend([i] * len(n))
        self.norm = "".join(parts)
        self._pos = pos

    def claim(
        self, kind: str, value: Decimal | None, unit: str, s: int, e: int, approx: bool = False
    ) -> Claim:
        """Build a claim whose snippet is norm[s:e], cut to SNIPPET_MAX from the left (the end holds the
        number or the key words, so it is the part worth keeping)."""
        if e <= s:
            e = s + 1
        o_s, o_e = self._pos[s], self._pos[e - 1] + 1
        o_s = max(o_s, o_e - SNIPPET_MAX)
        return Claim(kind, value, unit, self.source, self.original[o_s:o_e], o_s, approx)

    def sentences(self) -> tuple[tuple[int, int], ...]:
        if self._sentences is None:  # every extractor walks the sentences: split once
            self._sentences = tuple((m.start(), m.end()) for m in _SENTENCE_RE.finditer(self.norm))
        return self._sentences

    def amounts(self) -> tuple[_Amount, ...]:
        """Every amount of money, in reading order (three extractors read them)."""
        if self._amounts is None:
            self._amounts = tuple(_clause_amounts(self))
        return self._amounts

    def count_items(self) -> tuple[tuple[str, Claim], ...]:
        if self._counts is None:
            self._counts = tuple(_all_count_items(self))
        return self._counts


def _sentences_of(texts: Mapping[str, str]) -> Iterator[tuple[_Text, str, int, int]]:
    """Every sentence of every non-blank text: (the text, its NFKC form, start, end)."""
    for source, text in texts.items():
        if not text:
            continue
        tx = _text(source, text)
        for lo, hi in tx.sentences():
            yield tx, tx.norm, lo, hi


# Inside a sentence, these end a clause.  ":" is handled separately (it starts a heading, see below).
_CLAUSE_BREAKS = frozenset(",，、()（）[]【】")


def _clause_start(norm: str, lo: int, pos: int) -> int:
    i = pos
    while i > lo and norm[i - 1] not in _CLAUSE_BREAKS:
        i -= 1
    return i


def _clause_end(norm: str, pos: int, hi: int) -> int:
    i = pos
    while i < hi and norm[i] not in _CLAUSE_BREAKS:
        i += 1
    return i


# --------------------------------------------------------------------------- numbers


def _count_value(token: str) -> Decimal | None:
    # The cells' numeral reader (core/parse.py) too, so "一百二" is 120 in a table and in the text.
    if token.isdigit():
        return Decimal(token)
    n = chinese_int(token)
    return None if n is None else Decimal(n)


def _money_approx(norm: str, m: re.Match[str], label: str) -> bool:
    return bool(m.group(2) or m.group(4) or _APPROX_MONEY_BEFORE_RE.search(label))


def _wan(number: str, unit: str) -> Decimal:
    """Amount in 万元 (exact Decimal arithmetic, no float)."""
    d = Decimal(number.replace(",", ""))
    if unit == "元":
        return d / Decimal(10000)
    if unit == "亿元":
        return d * Decimal(10000)
    return d


# --------------------------------------------------------------------------- staff (编制 / 实有)

_NUM_CNT = rf"(\d+|[{CHINESE_NUMERAL_CHARS}]+)"
_FILL = r"(?:为|共|是|有|共有|:)?\s*"
# The look-behinds keep "行政编制3名" out of the total: it is a per-kind count.
_AUTH_RE = re.compile(
    r"(?<!行政)(?<!事业)(?<!参公)(?<!工勤)(?:编制|定编)(?:内)?(?:人员|人数|总数|数)?"
    + _FILL
    + _NUM_CNT
    + r"\s*(人|名|个)"
)
_AUTH_KIND_RE = re.compile(
    r"(行政|事业|参公|工勤)(?:编制|编)(?:人员|人数|数)?" + _FILL + _NUM_CNT + r"\s*(人|名|个)"
)
_AUTH_KIND_NAMES = {
    "行政": "authorized_staff_admin",
    "事业": "authorized_staff_institution",
    "参公": "authorized_staff_other",
    "工勤": "authorized_staff_other",
}
_ACTUAL_RE = re.compile(
    r"(?:实有|实际在职|实际在岗|在职在编|在编在岗|在职|在岗|在编)(?:干部职工|职工|人员|人数|干部)?(?:总数|数)?"
    + _FILL
    + _NUM_CNT
    + r"\s*(人|名)(?!次)"
)


# Words before a head count (in its clause) that make it a part of the unit, not the unit's total:
# "局机关在职113人", "其中事业单位在职45人", "下属中心编制10人".
_STAFF_PART_RE = re.compile(
    r"其中|机关|下属|所属|直属|二级|事业单位|行政单位|中心|分局|股室|科室|退休|离休|聘用|临聘|编外|借调|遗属"
    r"|另有|此外"
)
_STAFF_TOTAL_RE = re.compile(r"共|合计|总计|全部|全局|全单位|全系统|总数")


def _whole_unit_counts(norm: str, lo: int, matches: list[re.Match[str]], group: int) -> list[re.Match[str]]:
    """The head counts of one sentence that are about the whole unit.

    A count whose clause names a part (机关, 事业单位, 其中…) is a sub-count.  When one sentence gives
    several different counts of the same kind ("局机关在职113人，…在职45人"), only one marked as a total
    (共/合计/总数) can be the unit's; without such a mark none is taken.
    """
    kept: list[re.Match[str]] = []
    for m in matches:
        cs = _clause_start(norm, lo, lo + m.start())
        if not _STAFF_PART_RE.search(norm, cs, lo + m.start()):
            kept.append(m)
    if len({m.group(group) for m in kept}) > 1:
        kept = [
            m
            for m in kept
            if _STAFF_TOTAL_RE.search(norm, _clause_start(norm, lo, lo + m.start()), lo + m.end())
        ]
    return kept


def _staff_claims(tx: _Text) -> list[Claim]:
    out: list[Claim] = []
    norm = tx.norm
    for lo, hi in tx.sentences():
        sent = norm[lo:hi]
        totals = 0
        # Every match of _AUTH_RE and _AUTH_KIND_RE holds 编, of _ACTUAL_RE 在 or 实有: a sentence
        # without them has nothing to find (most sentences).
        authorized = "编" in sent
        for m in _whole_unit_counts(norm, lo, list(_AUTH_RE.finditer(sent)) if authorized else [], 1):
            value = _count_value(m.group(1))
            if value is not None:
                totals += 1
                s = _clause_start(norm, lo, lo + m.start())
                out.append(tx.claim("authorized_staff", value, "人", s, lo + m.end()))
        parts: list[tuple[Decimal, int, int]] = []
        for m in _AUTH_KIND_RE.finditer(sent) if authorized else ():
            value = _count_value(m.group(2))
            if value is None:
                continue
            s = _clause_start(norm, lo, lo + m.start())
            out.append(tx.claim(_AUTH_KIND_NAMES[m.group(1)], value, "人", s, lo + m.end()))
            parts.append((value, s, lo + m.end()))
        # "定行政编3个，事业编3个" states the total only as a sum.  When the sentence also states the
        # total explicitly we keep that one instead of adding a second, derived total.
        if len(parts) >= 2 and not totals:
            total = sum((p[0] for p in parts), Decimal(0))
            out.append(tx.claim("authorized_staff", total, "人", parts[0][1], parts[-1][2]))
        actual = "在" in sent or "实有" in sent
        for m in _whole_unit_counts(norm, lo, list(_ACTUAL_RE.finditer(sent)) if actual else [], 1):
            value = _count_value(m.group(1))
            if value is not None:
                s = _clause_start(norm, lo, lo + m.start())
                out.append(tx.claim("actual_staff", value, "人", s, lo + m.end()))
    return out


# --------------------------------------------------------------------------- amounts (万元)

# The look-behinds stop a match inside "1,584,300" or "12.5"; a comma from "，" before a number is fine.
_MONEY_RE = re.compile(
    r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(余|多)?\s*(亿元|万元|元)(左右)?"
)
# Before the number: the amount is approximate ("约100万元", "近50万元").
_APPROX_MONEY_BEFORE_RE = re.compile(r"(?:约|大约|近|将近|接近|逾|超过|共约|合计约)$")
# "全年预算调增107.89万元", "年中追加预算资金100万元": the amount is the year's adjustment.
_ADJ_RE = re.compile(
    r"(?:预算)?(?:共|累计|合计)?(追加|调增|调整增加|增加|调减|调整减少|核减)了?(?:预算|资金|经费|指标)*"
    r"(?:共计|合计|累计|共)?(?:为|了)?$"
)
_ADJ_HEAD_OK_RE = re.compile(
    r"(?:^|年中|年内|年度中|全年|本年度?|当年|部门|单位|预算|财政|\d{4}年度?|,|，)\s*$"
)

# What an amount is about.  The rightmost subject in the label wins ("“三公”经费预算:2023年机关运行经费").
_SUBJECT_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tpc", re.compile(r"[“\"「『']?三公[”\"」』']?(?:经费)?")),
    ("public", re.compile(r"(?:日常)?公用经费|机关运行经费")),
    ("basic", re.compile(r"基本(?:支出|经费)")),
    ("project", re.compile(r"项目(?:支出|资金|经费)")),
)
# Words that may stand between a subject (or the clause start) and the number without changing what the
# amount is: measures (年初/全年/预算/支出...) and fillers (为/共/合计...).  Anything else, e.g. the
# "科普活动" in "科普活动支出98.68万元", makes the amount a sub-item and it yields no claim.
_TAIL_RE = re.compile(
    r"(?:\d{4}年度?|年初|全年|本年度?|年度|当年|调整后的?|调整|批复|下达|安排|部门|单位|整体|实际|财政拨款"
    r"|预算|支出|执行|决算|收入|总额|总数|金额|资金|数|合计|总计|共计|共|为|是|达|至|到|\s)*"
)
# A label may start with these before the measure words; they do not narrow the subject.
_HEAD_OK_RE = re.compile(
    r"(?:^|本|我|\d{4}年度?|年度|全年|本年|当年|其中|部门|单位|本级|财政拨款|一般公共预算|预算|财政|财政局|局"
    r"|批复|下达|协会|科协|我会|本会|共|合计)\s*$"
)
# Markers that an amount is about the whole unit, so it must not inherit the previous clause's subject.
_WHOLE_MARK_RE = re.compile(r"全年|整体|部门|单位|总额|本年|年初")


def _measure(tail: str) -> str:
    """What the words next to the number say: 'initial', 'adjusted', 'budget', 'actual' or 'none'."""
    if "年初" in tail:
        return "initial"
    if re.search(r"支出|执行|决算|实际", tail):
        return "actual"
    if "预算" in tail:
        return "adjusted" if re.search(r"全年|调整|本年", tail) else "budget"
    return "none"


def _rightmost_subject(label: str) -> tuple[str, re.Match[str]] | None:
    best: tuple[str, re.Match[str]] | None = None
    for name, rx in _SUBJECT_RES:
        for m in rx.finditer(label):
            if best is None or m.end() > best[1].end():
                best = (name, m)
    return best


def _split_tail(label: str) -> tuple[str, str]:
    """(head, tail): tail is the longest suffix made only of measure/filler words."""
    for i in range(max(0, len(label) - 40), len(label) + 1):
        if _TAIL_RE.fullmatch(label, i):
            return label[:i], label[i:]
    return label, ""


def _kind_for(subject: str, measure: str, needs_measure: bool) -> str | None:
    if subject == "whole":
        return {"initial": "initial_budget", "adjusted": "adjusted_budget", "actual": "spent"}.get(measure)
    if subject == "tpc":
        return "tpc_actual" if measure in ("actual", "none") else "tpc_budget"
    if subject == "public":
        return "public_funds_actual" if measure in ("actual", "none") else "public_funds_budget"
    if measure == "none" and needs_measure:
        return None  # "项目资金200万元" is some project's money, not the unit's project expenditure
    prefix = "basic" if subject == "basic" else "project"
    if measure == "initial":
        return f"{prefix}_initial_budget"
    if measure in ("actual", "none"):
        return f"{prefix}_expenditure"
    return None  # "基本支出预算…" without 年初/执行 is too vague to compare


def _amount_claims(tx: _Text) -> list[Claim]:
    out: list[Claim] = []
    sentence = -1
    # Subject and clause start of the previous amount in this sentence; "skip" when that amount was
    # a sub-item, so a bare "实际支出…" after it is not guessed.
    prev: tuple[str, int] | None = None
    for a in tx.amounts():
        if a.lo != sentence:
            sentence, prev = a.lo, None
        m, cs, label, approx = a.m, a.cs, a.label, a.approx
        # "“三公”经费预算:2023年机关运行经费16.25万元": what precedes ":" is a heading for what follows.
        heading, _colon, body = label.rpartition(":")
        adj = _ADJ_RE.search(body)
        if adj is not None and _ADJ_HEAD_OK_RE.search(body[: adj.start()]) and "其中" not in body:
            sign = -1 if "减" in adj.group(1) else 1
            value = _wan(m.group(1), m.group(3)) * sign
            out.append(tx.claim("adjustment", value, "万元", cs, m.end(), approx))
            prev = ("skip", cs)
            continue
        found = _rightmost_subject(body)
        snip_start = cs
        if found is not None:
            subject, sm = found
            head, after = body[: sm.start()], body[sm.end() :]
            if not _TAIL_RE.fullmatch(after) or not _HEAD_OK_RE.search(head):
                prev = ("skip", cs)
                continue
            tail = after
            needs_measure = sm.group().endswith(("资金", "经费")) and subject in ("basic", "project")
        else:
            head, tail = _split_tail(body)
            if not re.search(r"预算|支出|执行|决算", tail) or not _HEAD_OK_RE.search(head):
                prev = ("skip", cs)
                continue
            subject, needs_measure = "whole", False
            bare = not head.strip() or re.fullmatch(r"\s*\d{4}年度?\s*", head) is not None
            heading_subject = _rightmost_subject(heading)
            if bare and not _WHOLE_MARK_RE.search(tail):
                # "…“三公”经费预算1.58万元，实际支出1.30万元": a bare clause continues the previous one.
                if heading_subject is not None:
                    subject = heading_subject[0]
                elif prev is not None and prev[0] != "whole":
                    subject, snip_start = prev[0], prev[1]
        measure = _measure(tail)
        if measure == "none" and "预算" in heading and not re.search(r"支出|执行|决算|实际", heading):
            measure = "budget"
        kind = None if subject == "skip" else _kind_for(subject, measure, needs_measure)
        if kind is None:
            prev = ("skip", cs)
            continue
        if m.end() - snip_start > SNIPPET_MAX:
            snip_start = cs
        out.append(tx.claim(kind, _wan(m.group(1), m.group(3)), "万元", snip_start, m.end(), approx))
        prev = (subject, cs)
    return out


# --------------------------------------------------------------------------- yes/no claims

_NO_ADJ_RE = re.compile(
    r"(?:未|没有|无|不存在|未曾|不)(?:进行|作|做|发生|出现)?过?(?:任何|相关)?(?:事项)?的?(?:预算)?(?:调整|调剂)"
)
_WITHIN_RE = re.compile(
    r"(?:没有|未|不|均未|从未)(?:超过|超出|超|突破)了?(?:年初)?预算"
    r"|控制在(?:年初)?预算(?:总额|指标|数|金额|额度|范围)?(?:以内|之内|范围内|内)"
)
# "严格按照年初预算专项使用": spending followed the budget.  Not "按照预算规定的用途" (purpose) nor
# "严格按照预算管理办法" (procedure).
_BY_BUDGET_RE = re.compile(
    r"严格(?:按照|按|执行|遵照|依照)(?:年初|批复的?|下达的?)?预算(?!规定|编制|管理|绩效|法|制度|程序|要求|口径|科目)"
)
_WELL_RE = re.compile(r"控制(?:得)?(?:较好|良好|很好|比较好|得当|到位)")
_ALL_DONE_RE = re.compile(r"(?:全部|全面|圆满|均已|已全部|100%|百分之百)(?:地|的)?完成")
_MOSTLY_DONE_RE = re.compile(r"(?:较好|较为圆满|较圆满|比较好|基本|大部分)(?:的|地)?完成")
_NEGATION_RE = re.compile(r"(?:未|没有|没|尚未|不能|无法|不)$")
_WEAKER_RE = re.compile(r"(?:较为|比较|基本|较)$")
_FLAG_SUBJECT_RE = re.compile(r"三公|公用经费|机关运行经费|基本支出|项目支出")
_TOTAL_SUBJECT_RE = re.compile(r"收支|支出|总额|整体|部门预算|预算执行")


def _flag_claim(tx: _Text, kind: str, lo: int, hi: int, m: re.Match[str], subject_at: int | None) -> Claim:
    """Snippet: from the clause holding the subject (or the match) to the end of the match's clause.

    m was matched on the sentence norm[lo:hi]; subject_at is a sentence offset too.
    """
    norm = tx.norm
    ms, me = lo + m.start(), lo + m.end()
    s = _clause_start(norm, lo, lo + subject_at if subject_at is not None else ms)
    if me - s > SNIPPET_MAX:
        s = _clause_start(norm, lo, ms)
    e = _clause_end(norm, me, hi)
    e = max(me, min(e, s + SNIPPET_MAX))
    return tx.claim(kind, None, "", s, e)


def _nearest_subject(sent: str, pos: int) -> re.Match[str] | None:
    """The subject word closest before pos, else the first one after it."""
    before = [m for m in _FLAG_SUBJECT_RE.finditer(sent, 0, pos)]
    if before:
        return before[-1]
    return _FLAG_SUBJECT_RE.search(sent, pos)


def _flag_claims(tx: _Text) -> list[Claim]:
    out: list[Claim] = []
    norm = tx.norm
    for lo, hi in tx.sentences():
        sent = norm[lo:hi]
        # Each pattern's matches hold a word (预算, 控制, 完成): a sentence without it is not searched.
        budget = "预算" in sent
        if budget:
            for m in _NO_ADJ_RE.finditer(sent):
                cs = _clause_start(sent, 0, m.start())
                # "基本支出预算未调整" is about a part, not the unit's budget.
                if _FLAG_SUBJECT_RE.search(sent, cs, _clause_end(sent, m.end(), len(sent))):
                    continue
                out.append(_flag_claim(tx, "no_adjustment", lo, hi, m, None))
        for m in _WITHIN_RE.finditer(sent) if budget else ():
            subj = _nearest_subject(sent, m.start())
            word = subj.group() if subj else ""
            if word == "三公":
                kind = "within_budget_tpc"
            elif word in ("公用经费", "机关运行经费"):
                kind = "within_budget_public"
            elif word == "项目支出":
                kind = "within_budget_project"
            elif word == "基本支出":
                kind = "within_budget_basic"
            elif _TOTAL_SUBJECT_RE.search(sent, 0, m.start()):
                kind = "within_budget_total"
            else:
                kind = "within_budget_any"  # "严格控制在预算指标内": every budget line the tables hold
            out.append(_flag_claim(tx, kind, lo, hi, m, subj.start() if subj else None))
        for m in _BY_BUDGET_RE.finditer(sent) if budget else ():
            if _NEGATION_RE.search(sent[: m.start()]):
                continue
            subj = _nearest_subject(sent, m.start())
            word = subj.group() if subj else ""
            kind = {"三公": "within_budget_tpc", "公用经费": "within_budget_public"}.get(word, "by_budget")
            kind = {"机关运行经费": "within_budget_public", "项目支出": "within_budget_project"}.get(
                word, kind
            )
            kind = "within_budget_basic" if word == "基本支出" else kind
            out.append(_flag_claim(tx, kind, lo, hi, m, subj.start() if subj else None))
        for m in _WELL_RE.finditer(sent) if "控制" in sent else ():
            kind = "well_controlled_tpc" if "三公" in sent else "well_controlled"
            out.append(_flag_claim(tx, kind, lo, hi, m, None))
        for rx, kind in ((_ALL_DONE_RE, "all_completed"), (_MOSTLY_DONE_RE, "mostly_completed")):
            for m in rx.finditer(sent) if "完成" in sent else ():
                before = sent[: m.start()]
                if _NEGATION_RE.search(before) or _WEAKER_RE.search(before):
                    continue  # "未全部完成" is the opposite claim; "较为圆满地完成" is the weaker one
                out.append(_flag_claim(tx, kind, lo, hi, m, None))
    return out


# --------------------------------------------------------------------------- public: claims


def extract_claims(texts: Mapping[str, str]) -> list[Claim]:
    """All staff, amount and yes/no claims in texts (field name -> free text), in field order, then in
    reading order within a field."""
    out: list[Claim] = []
    for source, text in texts.items():
        if not text:
            continue
        tx = _text(source, text)
        found = _staff_claims(tx) + _amount_claims(tx) + _flag_claims(tx)
        seen: set[tuple[str, Decimal | None, int]] = set()
        # Order by where the claim ends (its number), which reads like the text.
        for c in sorted(found, key=lambda c: (c.start + len(c.snippet), c.start, c.kind)):
            key = (c.kind, c.value, c.start)
            if key not in seen:
                seen.add(key)
                out.append(c)
    return out


# --------------------------------------------------------------------------- counts ("共10个")

# Longer units first so "人次" is not read as "人".  Time (年月日届), money, % and area are left out:
# the same subject with two dates or two amounts is not a contradiction this check can judge.
_COUNT_UNITS = (
    "人次", "台套", "场次", "户次", "个", "家", "项", "名", "人", "次", "场", "期", "所", "户", "处", "座",
    "篇", "块", "台", "套", "支", "条", "位", "批", "份", "种", "幅", "例", "株", "辆", "间", "栋", "册",
    "件", "张", "节", "堂",
)  # fmt: skip
_COUNT_RE = re.compile(rf"(?<![\d.]){_NUM_CNT}(余|多|来)?({'|'.join(_COUNT_UNITS)})")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_PHRASE_MAX = 24
_PHRASE_RE = re.compile(r"[\u4e00-\u9fff、]+\Z")  # searched with endpos: a run that ends there
# Before the number: the count is approximate or per item ("约", "近", "各", "每"): not comparable.
_APPROX_BEFORE_RE = re.compile(r"(?:约|近|超过|逾|至少|不少于|将近|接近|多达|各|每|第)$")
_APPROX_AFTER_RE = re.compile(r"^(?:以上|以下|左右|之多|余|多)")
# After the unit: a noun means the number counts that noun ("3个专家工作站"), not the phrase before it.
_NEXT_OK = frozenset("和及与并")
_NEXT_NOUN = frozenset("“「『《\"'")
_LEAD_FILLERS = (
    "其中", "另外", "此外", "共有", "拥有", "现有", "累计", "全年", "今年", "本年", "当年", "全县", "全市",
    "共计", "合计", "总计", "培育", "发展", "建成", "建设", "开展", "组织", "举办", "完成", "实现", "新增",
    "获得", "获批", "荣获", "评选", "表彰", "培养", "推荐", "申报", "建立", "打造", "新建", "成功", "认真",
    "积极", "扎实", "另", "各", "和", "了", "的", "共", "计", "达", "并", "已", "还", "又", "再", "也", "均",
)  # fmt: skip
_TRAIL_FILLERS = (
    "共计", "合计", "总计", "累计", "共有", "现有", "拥有", "达到", "增至",
    "共", "达", "计", "有", "为", "是",
)  # fmt: skip
_ORDINAL_LEAD_RE = re.compile(rf"^[{CHINESE_NUMERAL_CHARS}]+是")


def _phrase_before(norm: str, pos: int) -> tuple[int, str, bool]:
    """The run of CJK (and 、) right before pos: (start, phrase, stopped_at_digit)."""
    # The leftmost start from which CJK (and 、) run up to pos, at most _PHRASE_MAX back.
    m = _PHRASE_RE.search(norm, max(0, pos - _PHRASE_MAX), pos)
    i = m.start() if m else pos
    return i, norm[i:pos], i > 0 and norm[i - 1].isdigit()


# _LEAD_FILLERS by first character, in their order: only those can start a key.
_LEAD_BY_FIRST: dict[str, tuple[str, ...]] = {
    ch: tuple(w for w in _LEAD_FILLERS if w[0] == ch) for ch in {w[0] for w in _LEAD_FILLERS}
}


def _strip_lead(key: str) -> str:
    changed = True
    while changed and key:
        changed = False
        m = _ORDINAL_LEAD_RE.match(key)
        if m:
            key, changed = key[m.end() :], True
        for w in _LEAD_BY_FIRST.get(key[:1], ()):
            if key.startswith(w) and len(key) > len(w):
                key, changed = key[len(w) :], True
                break
    return key


def _strip_trail(key: str) -> str:
    changed = True
    while changed and key:
        changed = False
        for w in _TRAIL_FILLERS:
            if key.endswith(w):
                key, changed = key[: -len(w)], True
                break
    return key


def _count_items(tx: _Text) -> Iterator[tuple[str, Claim]]:
    norm = tx.norm
    for m in _COUNT_RE.finditer(norm):
        token, approx, unit = m.group(1), m.group(2), m.group(3)
        if approx or _APPROX_AFTER_RE.match(norm, m.end()):
            continue
        nxt = norm[m.end() : m.end() + 1]
        if nxt and ((_CJK_RE.match(nxt) and nxt not in _NEXT_OK) or nxt in _NEXT_NOUN):
            continue
        value = _count_value(token)
        if value is None:
            continue
        p_start, phrase, after_digit = _phrase_before(norm, m.start())
        if after_digit:
            # "一等奖2项、二等奖3项": the run starts with the previous count's unit; drop it.
            cut = phrase.find("、")
            if cut < 0:
                continue
            p_start, phrase = p_start + cut + 1, phrase[cut + 1 :]
        if not phrase or _APPROX_BEFORE_RE.search(phrase) or phrase.endswith(("了", "的")):
            continue  # "组织了3次…": what is counted comes after the number
        key = _strip_lead(_strip_trail(phrase).strip("、"))
        if len(_CJK_RE.findall(key)) < 3:
            continue
        yield key, tx.claim("count", value, unit, p_start, m.end())


# "在原有3家工作站的基础上，培育建设惊石农业、波贝恩竹木科技2家专家工作站": a total of 5 专家工作站.
_UNITS_ALT = "|".join(_COUNT_UNITS)
_ADDITION_RE = re.compile(
    rf"原有{_NUM_CNT}({_UNITS_ALT})([\u4e00-\u9fff]{{0,12}}?)的?基础上[,，]?"
    rf"[^。；;!！?？]{{0,40}}?(?:新增|新建|新培育|增加|增设|培育|建设|建成|发展|创建|认定)[^。；;!！?？\d]{{0,30}}?"
    rf"{_NUM_CNT}({_UNITS_ALT})([\u4e00-\u9fff]{{2,12}})"
)


def _addition_items(tx: _Text) -> Iterator[tuple[str, Claim]]:
    for m in _ADDITION_RE.finditer(tx.norm):
        before, after = _count_value(m.group(1)), _count_value(m.group(4))
        if before is None or after is None or _unit_class(m.group(2)) != _unit_class(m.group(5)):
            continue
        noun = re.split(r"[的和及与]", m.group(6))[0]
        old_noun = m.group(3)
        if len(noun) < 3 or (old_noun and not noun.endswith(old_noun)):
            continue  # "原有3家企业…新增2个基地": two different things
        key = _strip_lead(noun)
        yield key, tx.claim("count", before + after, m.group(5), m.start(), m.end())


def _unit_class(unit: str) -> str:
    """家 and 个 count the same things (企业, 工作站, 基地): a restated total may use either."""
    return "个" if unit in ("家", "个") else unit


def extract_counts(texts: Mapping[str, str]) -> list[Claim]:
    """Every "<phrase><number><unit>" count (kind "count"), the raw material of repeated_counts."""
    return [c for source, text in texts.items() if text for _, c in _text(source, text).count_items()]


def _all_count_items(tx: _Text) -> Iterator[tuple[str, Claim]]:
    yield from _count_items(tx)
    yield from _addition_items(tx)


def _common_tail(keys: list[str]) -> str:
    tail = keys[0]
    for k in keys[1:]:
        tail = tail[len(tail) - _tail_len(tail, k) :]
    return tail.lstrip("、和及与")


def _tail_len(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


_SUBJECT_TAIL = 5  # _same_subject: keys that differ in their last 5 characters are never the same subject


def _same_subject(a: str, b: str) -> bool:
    # Equal keys; or one key is the tail of the other ("活动培育各发展科技示范…" vs "科技示范…"); or a
    # long shared tail (phrases are cut at _PHRASE_MAX, sometimes mid-word).  Short keys must be equal:
    # "二等奖" is the tail of "省二等奖" and of "市二等奖", which are different prizes.
    if a == b:
        return True
    t = _tail_len(a, b)
    return (t == min(len(a), len(b)) and t >= _SUBJECT_TAIL) or t >= 8


def repeated_counts(texts: Mapping[str, str]) -> list[CountConflict]:
    """The same subject counted with different values anywhere in texts ("示范户共10个" vs "…共14个")."""
    items: list[tuple[str, Claim]] = []
    for source, text in texts.items():
        if text:
            items.extend(_text(source, text).count_items())
    # Union-find over items with the same unit and the same subject.
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Only keys that end alike can be the same subject (equal keys, or a shared tail of 5+ characters), so
    # compare within buckets of (unit, last 5 characters) and join equal keys at once: a long report (or
    # one sentence pasted a thousand times) stays linear instead of comparing every pair of counts.
    first: dict[tuple[str, str], int] = {}
    buckets: dict[tuple[str, str], list[int]] = {}
    for i, (key, claim) in enumerate(items):
        unit = _unit_class(claim.unit)
        same = first.setdefault((unit, key), i)
        if same != i:
            parent[find(i)] = find(same)
            continue
        bucket = buckets.setdefault((unit, key[-_SUBJECT_TAIL:]), [])
        for j in bucket:
            if _same_subject(key, items[j][0]):
                parent[find(i)] = find(j)
        bucket.append(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    out: list[CountConflict] = []
    for members in groups.values():  # dict order = order of first occurrence
        claims = tuple(items[i][1] for i in members)
        if len({c.value for c in claims}) >= 2:
            out.append(CountConflict(_common_tail([items[i][0] for i in members]), claims))
    return out


# --------------------------------------------------------------------------- amounts next to a table's name

# What a table's line name may start with that the text leaves out: "2023国家基层科普行动计划专项资金",
# "5、上级专款：人才发展专项资金…", "其中：公车购置".
_NAME_LEAD_RE = re.compile(r"^(?:\d+[、.．]|[（(]\d+[）)]|其中[:：]|\d{4}年?度?|上级专款[:：]?|[:：\s])+")
_NAME_MIN = 6  # a name shorter than this ("科普经费") is too common to tie an amount to one line


def name_core(name: str) -> str:
    """The part of a line or project name a report repeats: numbering, year and "上级专款：" dropped."""
    core = _NAME_LEAD_RE.sub("", unicodedata.normalize("NFKC", name).strip())
    return core.strip()


def extract_named_amounts(texts: Mapping[str, str], names: list[str]) -> list[tuple[int, Claim]]:
    """Amounts stated right after one of names (a project or 项目支出明细 line): (index in names, claim).

    The clause before the number must contain the name's core (name_core, at least _NAME_MIN characters)
    followed only by measure words ("…专项资金50.68万元", "…建设补助年初预算60万元").  A clause that holds
    two names, or a name that is the core of another, is ambiguous and yields nothing.
    """
    cores = [(i, name_core(n)) for i, n in enumerate(names)]
    cores = [(i, c) for i, c in cores if len(_CJK_RE.findall(c)) >= _NAME_MIN]
    out: list[tuple[int, Claim]] = []
    for tx, m, cs, label, approx in _amounts_in_clauses(texts):
        hits = [(i, c, label.rfind(c)) for i, c in cores if c in label]
        if not hits:
            continue
        # The name nearest the number, and no other name in the clause that it does not contain.
        i, core, at = max(hits, key=lambda h: (h[2] + len(h[1]), len(h[1])))
        if any(c not in core for _, c, _ in hits):
            continue
        if sum(1 for _, c in cores if c == core) > 1:
            continue
        if not _TAIL_RE.fullmatch(label[at + len(core) :]):
            continue
        out.append((i, tx.claim("named_amount", _wan(m.group(1), m.group(3)), "万元", cs, m.end(), approx)))
    return out


@dataclass(frozen=True)
class _Amount:
    """An amount of money in a text: the sentence's start, the match, where its clause starts, the clause
    before the number without an approximation word, whether the amount is approximate."""

    lo: int
    m: re.Match[str]
    cs: int
    label: str
    approx: bool


def _clause_amounts(tx: _Text) -> Iterator[_Amount]:
    norm = tx.norm
    if "元" not in norm:  # every amount _MONEY_RE reads ends in 元
        return
    for lo, hi in tx.sentences():
        if norm.find("元", lo, hi) < 0:
            continue
        for m in _MONEY_RE.finditer(norm, lo, hi):
            cs = _clause_start(norm, lo, m.start())
            label = norm[cs : m.start()].rstrip()
            approx = _money_approx(norm, m, label)
            if approx:
                label = _APPROX_MONEY_BEFORE_RE.sub("", label).rstrip()
            yield _Amount(lo, m, cs, label, approx)


def _amounts_in_clauses(
    texts: Mapping[str, str],
) -> Iterator[tuple[_Text, re.Match[str], int, str, bool]]:
    """Every amount of money in the texts: (the text, the match, where its clause starts, the clause before
    the number without an approximation word, whether the amount is approximate)."""
    for source, text in texts.items():
        if text:
            tx = _text(source, text)
            for a in tx.amounts():
                yield tx, a.m, a.cs, a.label, a.approx


# --------------------------------------------------------------------------- granted funds ("获批项目资金50万元")

# The clause before the number says funds were granted or allocated to the unit: a verb of granting, then
# (within the clause) what was granted, ending in a word for money.
_GRANTED_RE = re.compile(
    r"(?:获批|批复|下达|下拨|拨付|拨入|争取到?|获得|落实)[^,，、()（）]{0,24}?"
    r"(?:资金|经费|专款|补助|补贴)(?:共计|合计|累计|共|为|了)?$"
)


def extract_granted_amounts(texts: Mapping[str, str]) -> list[Claim]:
    """Amounts of funds the text says were granted or allocated ("获批项目资金50万元", "上级下达专项经费
    20万元"), in 万元; approximate amounts are marked."""
    return [
        tx.claim("granted", _wan(m.group(1), m.group(3)), "万元", cs, m.end(), approx)
        for tx, m, cs, label, approx in _amounts_in_clauses(texts)
        if _GRANTED_RE.search(label)
    ]


# --------------------------------------------------------------------------- unspent share ("剩余3%尾款")

_PCT = r"(\d+(?:\.\d+)?)\s*%"
_UNSPENT_RES = (
    re.compile(
        r"(?:剩余|尚余|尚有|还有|余下|留有|仍有|结余)(?:约)?"
        + _PCT
        + r"(?:的)?(?:项目)?(?:资金|经费|款项|预算|尾款)"
    ),
    re.compile(
        _PCT + r"(?:的)?(?:项目)?(?:资金|经费|款项|预算)?(?:尚未|未|没有)(?:支付|拨付|执行|使用|支出|结算)"
    ),
    re.compile(
        r"(?:剩余|尚余|尚有|还有|余下|留有|仍有)(?:约)?" + _PCT + r"(?:的)?(?:尾款|未支付|未拨付|未执行)"
    ),
)
# Retentions are a share of a contract, not of the budget: "3%质保金" says nothing about unspent budget.
_RETENTION_RE = re.compile(r"质保金|保证金|质量保证")


def unspent_shares(texts: Mapping[str, str]) -> list[Claim]:
    """Percentages that state the unspent share of the budget ("剩余3%尾款未支付"), as fractions."""
    out: list[Claim] = []
    for tx, norm, lo, hi in _sentences_of(texts):
        if norm.find("%", lo, hi) < 0 or _RETENTION_RE.search(norm, lo, hi):
            continue  # every share _UNSPENT_RES read holds a "%"
        seen: set[int] = set()
        for rx in _UNSPENT_RES:
            for m in rx.finditer(norm, lo, hi):
                if m.start(1) in seen:
                    continue
                seen.add(m.start(1))
                value = Decimal(m.group(1)) / 100
                approx = "约" in norm[max(lo, m.start() - 2) : m.start(1)]
                out.append(tx.claim("unspent_share", value, "%", m.start(), m.end(), approx))
    return out


# --------------------------------------------------------------------------- years ("2021年，…")

# A year that opens a clause and is the time of the sentence: "2021年，县财政批复…", "2021年部门预算…",
# "2021年度我单位…".  Dates ("2021年9月"), ranges ("2021-2025"), titles (《…2021年…》) and years inside a
# phrase ("进入2021年院士评选候选人") are left alone.
_YEAR_RE = re.compile(
    r"(?<![\d《“\"\-—~至到])((?:19|20)\d{2})\s*年(度)?(?=[,，]|部门|单位|本|我|全年|预算|决算|财政|基本支出|项目支出|项目资金|三公|“三公|\"三公|共|累计|实际|收入|支出|县财政|市财政)"
)
_YEAR_LEAD_RE = re.compile(r"\s*(?:在|于|截至|至)?\s*")
_WORK_RE = re.compile(r"预算|决算|支出|收入|资金|经费|完成|开展|执行|拨付|安排")


def stale_years(texts: Mapping[str, str], year: int) -> list[Claim]:
    """Years that open a sentence about the year's work and are neither year nor year − 1 (nor the
    following year, when reports are written): a year copied from an old report.  Value: the year."""
    out: list[Claim] = []
    for tx, norm, lo, hi in _sentences_of(texts):
        if norm.find("年", lo, hi) < 0:  # every match of _YEAR_RE holds 年
            continue
        for m in _YEAR_RE.finditer(norm, lo, hi):
            y = int(m.group(1))
            if y in (year, year - 1, year + 1):
                continue
            cs = _clause_start(norm, lo, m.start())
            if not _YEAR_LEAD_RE.fullmatch(norm, cs, m.start()) or "《" in norm[lo : m.start()]:
                continue  # the year does not open its clause
            if not _WORK_RE.search(norm, m.end(), hi):
                continue
            e = min(hi, cs + SNIPPET_MAX)
            out.append(
                Claim(
                    "year",
                    Decimal(y),
                    "年",
                    tx.source,
                    tx.original[tx._pos[cs] : tx._pos[e - 1] + 1],
                    tx._pos[cs],
                )
            )
    return out
