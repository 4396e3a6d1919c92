"""Rules: scoring (SCORE-). Self-scores of indicator rows, totals and grades against the recomputed ones."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.core.compute import exact_indicator_score
from perfeval.core.findings import Severity
from perfeval.core.model import DIRECTION_NAME, Indicator, Model, NotApplicable, as_text
from perfeval.core.parse import Quantity, Status
from perfeval.core.rules.common import cell, join_labels, num, qty_text, row_name
from perfeval.core.rules.rates import (
    exact_execution_score,
    rounding_variant,
    typed_places,
)
from perfeval.core.rules.registry import PROJECT, UNIT, Hit, fmt_num, fmt_score, hit, rule
from perfeval.core.snapshot import CellRef

ZERO = Decimal(0)
IND = cat.INDICATORS.name
PIND = cat.PROJECT_INDICATORS.name
PROJ = cat.PROJECTS.name


def _cells(m: Model, ind: Indicator, *keys: str) -> tuple[CellRef, ...]:
    return tuple(cell(m, ind, k) for k in keys)


def score_formula(ind: Indicator) -> str:
    """How score_calc was obtained, written out so the user can redo it by hand."""
    t, a, w = num(ind.target), num(ind.actual), num(ind.weight)
    if t is None or a is None or w is None or ind.score_calc is None:
        return ""
    tn, an, wn = fmt_num(t), fmt_num(a), fmt_num(w)
    got = fmt_num(ind.score_calc)
    if ind.direction == "定值" or t == 0:
        kind = "定值指标" if ind.direction == "定值" else "指标值为 0"
        return f"{kind}：{'达到' if ind.score_calc == w else '未达到'}指标值得满分，否则 0 分，得 {got} 分"
    if ind.direction == "反向":
        if a <= t:
            return f"反向指标：完成值 {an} ≤ 指标值 {tn}，得满分 {wn} 分"
        if a >= 2 * t:
            return f"反向指标：完成值 {an} ≥ 指标值的 2 倍 {fmt_num(2 * t)}，得 0 分"
        return f"反向指标：(1 − ({an} − {tn}) ÷ {tn}) × {wn} = {got} 分"
    if a >= t:
        return f"正向指标：完成值 {an} ≥ 指标值 {tn}，得满分 {wn} 分"
    return f"正向指标：{fmt_num(max(a, ZERO))} ÷ {tn} × {wn} = {got} 分"


def _typed(ind: Indicator) -> tuple[Decimal, Decimal] | None:
    """(typed score, weight) when both are numbers."""
    s, w = num(ind.score), num(ind.weight)
    return None if s is None or w is None else (s, w)


def _in_range(ind: Indicator) -> bool:
    """Scores above the weight or below zero are SCORE-006/007's; the other rules leave those rows alone."""
    sw = _typed(ind)
    return sw is not None and ZERO <= sw[0] <= sw[1]


def _inflated(ind: Indicator, m: Model) -> bool:
    """SCORE-002's case: full marks typed, recomputed score below full (under either reading of a
    direction guessed from the name: the default 正向 too)."""
    sw = _typed(ind)
    if sw is None or ind.score_calc is None:
        return False
    score, weight = sw
    if score != weight or weight - ind.score_calc <= m.profile.score_tolerance:
        return False
    other = _other_reading(ind, m)
    return other is None or weight - other > m.profile.score_tolerance


def _other_reading(ind: Indicator, m: Model) -> Decimal | None:
    """The score a row would get as 正向 when its 反向 was only read from its name ("成本", "投诉率"): that
    reading is a guess, so a typed score that fits the plain reading is not called wrong."""
    if ind.direction_source != DIRECTION_NAME:
        return None
    exact, _, _ = exact_indicator_score(ind, "正向")
    return m.profile.quantize(exact) if exact is not None else None


def _guess_note(ind: Indicator, m: Model) -> str:
    other = _other_reading(ind, m)
    if other is None:
        return ""
    return (
        f"；方向栏未填，按名称中的“{ind.direction_basis}”推断为反向，按正向复核为 {fmt_score(other)}，"
        "两种方向下填报得分都不符"
    )


def _band_range(m: Model, band: str) -> tuple[str, Decimal, Decimal] | None:
    """The profile band the user chose: exact name, else the one band whose name contains the text."""
    bands = m.profile.bands
    if band in bands:
        return (band, *bands[band])
    matches = [b for b in bands if len(band) >= 2 and band in b]
    return (matches[0], *bands[matches[0]]) if len(matches) == 1 else None


_DIGITS = re.compile(r"[0-9０-９]|[一二两三四五六七八九十百千]+[个次人项场家户篇台套名所处座条份位批种]")


def vague_word(m: Model, actual: Quantity) -> str | None:
    """The vague word an actual consists of ('有所提高'), or None when the actual says something concrete.

    Long descriptions often contain a vague word ("持续加强指导服务…"); they are concrete enough unless short
    (≤ 12 characters) or mostly the vague word itself.
    """
    text = as_text(actual.raw)
    if actual.ok or not text or _DIGITS.search(text):
        return None
    found = [w for w in m.profile.vague_words if w and w in text]
    if not found:
        return None
    word = max(found, key=len)
    return word if len(text) <= 12 or 2 * len(word) >= len(text) else None


def _rounding_only(typed: Decimal, exact: Decimal | None, m: Model) -> bool:
    """The typed score is the exact one cut the other way at the profile's places: SCORE-015's, not an error."""
    places = m.profile.score_places
    return exact is not None and rounding_variant(typed, exact, places, m)


# --- indicator rows ---------------------------------------------------------------------------------------
@rule(
    "SCORE-001",
    "自评得分与复核得分不符",
    Severity.ERROR,
    reads=(IND, PIND),
    description=(
        "定量指标的自评得分应等于按方向复核的得分（正向：完成值 ÷ 指标值 × 分值，达标得满分；"
        "反向：(1 − (完成值 − 指标值) ÷ 指标值) × 分值，≥ 2 倍指标值得 0 分；定值：达标满分否则 0），"
        "差额超过得分容差即报错。"
    ),
)
def score_matches(m: Model) -> Iterator[Hit]:
    tol = m.profile.score_tolerance
    for ind in m.all_indicators():
        if ind.score_calc is None or not _in_range(ind) or _inflated(ind, m):
            continue
        score = num(ind.score)
        assert score is not None
        if abs(score - ind.score_calc) <= tol or _rounding_only(score, ind.score_exact, m):
            continue
        other = _other_reading(ind, m)
        if other is not None and (abs(score - other) <= tol):
            continue  # right as 正向; the 反向 was only a guess from the name (SCORE-014 says so)
        yield hit(
            _cells(m, ind, "score", "score_calc", "target", "actual"),
            f"{row_name(ind)}指标值 {qty_text(ind.target)}、完成值 {qty_text(ind.actual)}，自评得分 "
            f"{fmt_score(score)}与复核得分 {fmt_score(ind.score_calc)}不符（{score_formula(ind)}）"
            f"{_guess_note(ind, m)}",
            expected=fmt_score(ind.score_calc),
            found=fmt_score(score),
            advice="请按复核得分修改自评得分，或核对指标值、完成值和指标方向。",
        )


@rule(
    "SCORE-002",
    "未完成目标却给满分",
    Severity.ERROR,
    reads=(IND, PIND),
    description="定量指标的完成值未达到指标值（复核得分低于分值），自评得分却等于分值（满分）。",
)
def full_marks_unmet(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        if not _inflated(ind, m):
            continue
        assert ind.score_calc is not None
        weight = num(ind.weight)
        yield hit(
            _cells(m, ind, "score", "actual", "target", "score_calc"),
            f"{row_name(ind)}指标值 {qty_text(ind.target)}，实际完成 {qty_text(ind.actual)}，未完成目标，"
            f"自评却给满分 {fmt_score(weight)}；复核得分 {fmt_score(ind.score_calc)}"
            f"（{score_formula(ind)}）{_guess_note(ind, m)}",
            expected=fmt_score(ind.score_calc),
            found=fmt_score(weight),
            advice="请按完成比例扣分，并在“偏差原因分析及改进措施”中说明未完成的原因。",
        )


def _band_cell(m: Model, ind: Indicator) -> CellRef:
    """Where a row's band is: 实际完成值 when it was read from there (the form's own way, "达成年度指标") or
    when the workbook has no 定性完成等次 column (the column is optional: real forms do not print it)."""
    if ind.band_from_actual or "band" not in _table_columns(m, ind):
        return cell(m, ind, "actual")
    return cell(m, ind, "band")


def _table_columns(m: Model, ind: Indicator) -> dict[str, int]:
    table = m.snapshot.tables.get(ind.table)
    return table.columns if table is not None else {}


@rule(
    "SCORE-003",
    "定性得分超出所选等次区间",
    Severity.ERROR,
    reads=(IND, PIND),
    description=(
        "定性指标的自评得分应落在所选完成等次的区间内：达成年度指标 80%–100%，部分达成 60%–80%，"
        "未达成 0–60%（× 分值，含端点，比例以评分口径为准）。等次可在“定性完成等次”列选择，"
        "也可按系统用语写在实际完成值中（如“达成年度指标”“部分达成预期指标并具有一定效果”）。"
    ),
)
def qualitative_band(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        if ind.kind != "定性" or not ind.band or not _in_range(ind):
            continue
        chosen = _band_range(m, ind.band)
        if chosen is None:
            continue
        name, low, high = chosen
        score, weight = _typed(ind)  # type: ignore[misc]
        # The band bounds are exact numbers (inclusive), not recomputed values: no tolerance.
        lo, hi = low * weight, high * weight
        if lo <= score <= hi:
            continue
        chose = (
            f"实际完成值为“{as_text(ind.actual.raw)}”（等次“{name}”）"
            if ind.band_from_actual
            else f"选择等次“{name}”"
        )
        yield hit(
            (cell(m, ind, "score"), _band_cell(m, ind)),
            f"{row_name(ind)}{chose}，得分区间为 {fmt_num(low * 100)}%–{fmt_num(high * 100)}% × "
            f"{fmt_num(weight)} = {fmt_num(lo)}–{fmt_num(hi)} 分，自评得分 {fmt_score(score)}不在区间内",
            expected=f"{fmt_num(lo)}–{fmt_num(hi)} 分",
            found=fmt_score(score),
            advice="请在所选等次的区间内打分，或改选与得分相符的完成等次。",
        )


@rule(
    "SCORE-004",
    "定性指标未选完成等次",
    Severity.INFO,
    reads=(IND, PIND),
    description=(
        "定性指标已自评打分，但既未选择完成等次，实际完成值也未写明等次（达成/部分达成/未达成），"
        "无法核对得分是否在等次区间内。每张指标表至多提示一次，列出这些行；等次都已写明时不提示。"
    ),
)
def qualitative_no_band(m: Model) -> Iterator[Hit]:
    bands = "、".join(f"“{b}”" for b in m.profile.bands)
    for rows in _by_table(i for i in m.all_indicators() if i.kind == "定性" and not i.band and i.score.ok):
        has_column = "band" in _table_columns(m, rows[0])
        where = "在“定性完成等次”列选择，或在实际完成值中写明" if has_column else "在实际完成值中写明"
        names = join_labels([_short_name(i) for i in rows])
        yield hit(
            [c for i in rows for c in (_band_cell(m, i), cell(m, i, "score"))],
            f"{_table_title(rows[0])}中 {len(rows)} 个定性指标已自评打分，但未写明完成等次，"
            f"无法核对得分是否在等次区间内：{names}",
            expected=f"{bands} 之一",
            found="（未写明）",
            advice=f"请{where}达成/部分达成/未达成（如“达成年度指标”），以便核对得分是否在相应区间内。",
        )


def _by_table(indicators: Iterable[Indicator]) -> list[list[Indicator]]:
    """Rows grouped by the table (the sheet) they sit in, in the order of the workbook."""
    groups: dict[str, list[Indicator]] = {}
    for ind in indicators:
        groups.setdefault(ind.table, []).append(ind)
    return [groups[t] for t in (IND, PIND) if t in groups]


def _table_title(ind: Indicator) -> str:
    return "绩效指标表" if ind.table == IND else "项目绩效指标表"


def _short_name(ind: Indicator) -> str:
    """'第3行“开展科普活动”' (with the project for a project indicator)."""
    project = f"项目“{ind.project}”" if ind.table != IND and ind.project else ""
    return f"{project}第{ind.index + 1}行" + (f"“{ind.level3}”" if ind.level3 else "")


# --- direction read from the name ------------------------------------------------------------------------
def _direction_cell(m: Model, ind: Indicator) -> CellRef:
    """The 方向 cell when the table has the column, else the 三级指标 the direction was read from."""
    return cell(m, ind, "direction" if "direction" in _table_columns(m, ind) else "level3")


@rule(
    "SCORE-014",
    "指标方向按名称推断",
    Severity.INFO,
    reads=(IND, PIND),
    description=(
        "指标方向栏空白（多数实际表式没有此栏）时：年度指标值带“≤、不高于、不超过、以内、控制在”等的为反向；"
        "没有比较符号时，按三级指标名称判断（成本、单价、调整率、结余率、变动率、投诉、差错、事故等，"
        "以及指标值为 100% 的控制率，词语见评分口径 [directions]）为反向（越低越好）。按名称推断的行"
        "每张指标表提示一次；推断的方向不作为报错依据：按正向也相符的得分不报错。"
    ),
)
def direction_from_name(m: Model) -> Iterator[Hit]:
    guessed = [i for i in m.all_indicators() if i.direction_source == DIRECTION_NAME and i.kind == "定量"]
    for rows in _by_table(guessed):
        names = join_labels([f"{_short_name(i)}（“{i.direction_basis}”）" for i in rows])
        yield hit(
            [_direction_cell(m, i) for i in rows],
            f"以下指标按名称推断为反向（越低越好），完成值不高于指标值即得满分：{names}",
            expected="反向（越低越好）",
            found="指标方向未填",
            advice=(
                "推断有误的，请在指标方向栏填写“正向”，或在年度指标值中写明比较符号（如“≥95%”“≤5%”）；"
                "推断所用词语可在评分口径的 [directions] 中修改。"
            ),
        )


@rule(
    "SCORE-005",
    "完成值表述模糊却给满分",
    Severity.WARNING,
    reads=(IND, PIND),
    description="实际完成值只有“有所提高”“好”等模糊表述、没有具体数字，自评得分却等于分值（满分）。",
)
def vague_full_marks(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        sw = _typed(ind)
        if sw is None or sw[0] != sw[1]:
            continue
        word = vague_word(m, ind.actual)
        if word is None:
            continue
        yield hit(
            (cell(m, ind, "actual"), cell(m, ind, "score")),
            f"{row_name(ind)}实际完成值“{as_text(ind.actual.raw)}”是模糊表述（“{word}”），没有可核实的数字，"
            f"不能说明完成程度，自评却给满分 {fmt_score(sw[1])}",
            expected="可核实的完成值（数量、比率或具体成果）",
            found=as_text(ind.actual.raw),
            advice="请填写具体的完成值（如提高的百分比、完成的数量），或按实际完成程度扣分并说明原因。",
        )


@rule(
    "SCORE-006",
    "自评得分超过分值",
    Severity.ERROR,
    reads=(IND, PIND),
    description="每个指标的自评得分不得超过该指标的分值。",
)
def score_above_weight(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        sw = _typed(ind)
        if sw is None or sw[0] <= sw[1]:
            continue
        score, weight = sw
        calc = f"，复核得分 {fmt_score(ind.score_calc)}" if ind.score_calc is not None else ""
        yield hit(
            (cell(m, ind, "score"), cell(m, ind, "weight")),
            f"{row_name(ind)}自评得分 {fmt_score(score)}超过分值 {fmt_score(weight)}{calc}",
            expected=fmt_score(ind.score_calc)
            if ind.score_calc is not None
            else f"不超过 {fmt_score(weight)}",
            found=fmt_score(score),
            advice="请将自评得分改为不超过分值的数；超额完成不加分。",
        )


@rule(
    "SCORE-007",
    "自评得分为负",
    Severity.ERROR,
    reads=(IND, PIND),
    description="自评得分不能小于 0。",
)
def score_negative(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        score = num(ind.score)
        if score is None or score >= 0:
            continue
        yield hit(
            cell(m, ind, "score"),
            f"{row_name(ind)}自评得分为 {fmt_score(score)}，得分不能为负",
            expected="0 至分值之间",
            found=fmt_score(score),
            advice="请改为 0 至分值之间的得分；未完成的指标最低得 0 分。",
        )


# --- totals and grades -----------------------------------------------------------------------------------
def _typed_sum(m: Model) -> Decimal | None:
    """执行率得分 + the typed row scores, as the user would have added them; None if any is not a number."""
    parts = [m.num("ua_execution_score"), *(num(i.score) for i in m.indicators)]
    return None if any(p is None for p in parts) else sum(parts, ZERO)  # type: ignore[arg-type]


@rule(
    "SCORE-008",
    "总分与复核总分不符",
    Severity.ERROR,
    reads=("ua_total_score", "ua_total_score_calc", "ua_execution_score", IND),
    description=(
        "附件2 填报的总分应等于复核总分：执行率得分 + 各指标得分（定量指标按复核得分，定性指标按自评得分）。"
        "复核得分与填报得分之和一致、只是加总有误时，由 SUM-007 报告。"
    ),
    forms=UNIT,
)
def total_matches(m: Model) -> Iterator[Hit]:
    (typed,) = m.need("ua_total_score")
    calc = m.calc("ua_total_score_calc")
    if calc is None:
        raise NotApplicable("复核总分无法计算（缺少执行率得分和绩效指标）")
    tol = m.profile.score_tolerance
    if abs(typed - calc) <= tol:
        return
    typed_sum = _typed_sum(m)
    if typed_sum is not None and abs(typed_sum - calc) <= tol:
        return  # only the typed addition is wrong: SUM-007 reports that, on the same cell
    if typed_sum is None:
        why = ""
    elif abs(typed_sum - typed) <= tol:
        why = "；填报总分等于执行率得分与各行自评得分之和，差额来自复核调整的指标得分"
    else:
        why = f"；填报总分也不等于执行率得分与各行自评得分之和 {fmt_score(typed_sum)}"
    yield hit(
        (m.ref("ua_total_score"), m.ref("ua_total_score_calc")),
        f"{m.label('ua_total_score')}为 {fmt_score(typed)}，复核总分为 {fmt_score(calc)}{why}",
        expected=fmt_score(calc),
        found=fmt_score(typed),
        advice="请按复核总分修改总分，并先处理各指标得分的问题。",
    )


def _grade_name(m: Model, text: str) -> str | None:
    """'优' or '优秀' -> '优'; None when the text names no grade or more than one."""
    names = [g for g, _ in m.profile.grades]
    if text in names:
        return text
    hits = [g for g in names if g in text]
    return hits[0] if len(hits) == 1 else None


@rule(
    "SCORE-009",
    "等级与总分不符",
    Severity.ERROR,
    reads=("ua_grade", "ua_total_score", "ua_total_score_calc"),
    description=(
        "等级按复核总分确定：优 ≥ 90，良 80 至 90，中 60 至 80，差 < 60（分界以评分口径为准）；"
        "评分口径的表式没有等级栏时不核对。"
    ),
    forms=UNIT,
)
def grade_matches(m: Model) -> Iterator[Hit]:
    if not m.profile.grade_on_form:
        raise NotApplicable(f"评分口径“{m.profile.name}”的表式没有等级栏")
    text = m.text("ua_grade")
    if not text:
        raise NotApplicable(f"缺少：{m.label('ua_grade')}")
    calc = m.calc("ua_total_score_calc")
    if calc is None:
        raise NotApplicable("复核总分无法计算，无法核对等级")
    typed = _grade_name(m, text)
    if typed is None:
        return  # not a grade at all: the choice list check reports it
    want = m.profile.grade(calc)
    if typed == want:
        return
    typed_total = m.num("ua_total_score")
    also = ""
    if typed_total is not None and m.profile.grade(typed_total) != typed:
        also = f"；按填报总分 {fmt_score(typed_total)} 也应为“{m.profile.grade(typed_total)}”"
    yield hit(
        (m.ref("ua_grade"), m.ref("ua_grade_calc"), m.ref("ua_total_score_calc")),
        f"填报等级“{text}”与复核总分 {fmt_score(calc)} 对应的等级“{want}”不符{also}",
        expected=want,
        found=text,
        advice="请按复核总分确定等级。",
    )


@rule(
    "SCORE-010",
    "项目总分与复核不符",
    Severity.ERROR,
    reads=(PROJ, PIND),
    description=(
        "每个项目填报的总分应等于复核总分：执行率得分 + 该项目各指标得分。各项得分无误、只是加总有误时，"
        "由 SUM-009 报告。"
    ),
    forms=PROJECT,
)
def project_total_matches(m: Model) -> Iterator[Hit]:
    tol = m.profile.score_tolerance
    for p in m.projects:
        calc = m.table_computed.get((PROJ, p.index, "total_score_calc"))
        typed = p.total_score.value if p.total_score.ok else None
        if not isinstance(calc, Decimal) or typed is None or abs(typed - calc) <= tol:
            continue
        parts = [p.execution_score, *(i.score for i in p.indicators)]
        if all(q.ok for q in parts) and abs(sum((q.value for q in parts), Decimal(0)) - calc) <= tol:
            continue  # the typed scores are right and only their addition is wrong: SUM-009 says so
        yield hit(
            (m.tref(PROJ, p.index, "total_score"), m.tref(PROJ, p.index, "total_score_calc")),
            f"项目“{p.name or f'第{p.index + 1}行'}”填报总分 {fmt_score(typed)}，复核总分为 {fmt_score(calc)}"
            "（执行率得分 + 各指标得分）",
            expected=fmt_score(calc),
            found=fmt_score(typed),
            advice="请按复核总分修改项目总分，并核对执行率得分和各指标得分。",
        )


# --- rows that cannot be scored ---------------------------------------------------------------------------
@rule(
    "SCORE-011",
    "指标值与完成值单位不一致",
    Severity.WARNING,
    reads=(IND, PIND),
    description="定量指标的年度指标值与实际完成值单位不同（如“个”与“次”），无法计算完成率和得分。",
)
def unit_mismatch(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        t, a = ind.target, ind.actual
        if ind.kind != "定量" or not (t.ok and a.ok) or not (t.unit and a.unit) or t.unit == a.unit:
            continue
        yield hit(
            (cell(m, ind, "actual"), cell(m, ind, "target")),
            f"{row_name(ind)}指标值 {qty_text(t)} 的单位是“{t.unit}”，完成值 {qty_text(a)} 的单位是"
            f"“{a.unit}”，单位不一致，无法计算完成率和得分",
            expected=f"单位“{t.unit}”",
            found=f"单位“{a.unit}”",
            advice="请用与年度指标值相同的单位填写实际完成值。",
        )


@rule(
    "SCORE-012",
    "定量指标无法计算得分",
    Severity.WARNING,
    reads=(IND, PIND),
    description="指标性质填为“定量”，但年度指标值或实际完成值不是单个数值，无法复核得分",
)
def quantitative_not_numeric(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        if not (ind.kind_given and ind.kind == "定量"):
            continue
        # Only text: blanks are the completeness rules' and Excel error values the parsing rules'.
        pairs = (("target", ind.target), ("actual", ind.actual))
        bad = [(key, q) for key, q in pairs if q.status is Status.TEXT]
        if not bad:
            continue
        labels = {"target": "年度指标值", "actual": "实际完成值"}
        what = "、".join(f"{labels[k]}“{as_text(q.raw)}”" for k, q in bad)
        yield hit(
            (*(cell(m, ind, k) for k, _ in bad), cell(m, ind, "kind")),
            f"{row_name(ind)}填为定量指标，但{what}不是可计算的数值，无法复核得分",
            expected="单个数值，如“≥95%”“10个”",
            found="；".join(as_text(q.raw) for _, q in bad),
            advice="请把指标值和完成值改为带单位的数值；确属定性指标的，请将指标性质改为“定性”并选择完成等次。",
        )


# --- 得分系数 (重庆: 自评得分 = 分值 × 得分系数) ------------------------------------------------------------
def _coefficient_text(q: Quantity) -> str:
    """A coefficient as a number (0.9), the way the form prints it."""
    assert q.value is not None
    return fmt_num(q.value)


@rule(
    "SCORE-013",
    "得分与得分系数不符",
    Severity.ERROR,
    reads=(IND, PIND),
    description=(
        "填写了得分系数的指标（重庆表式），自评得分应等于 分值 × 得分系数（按评分口径的位数四舍五入，"
        "差额超过得分容差即报错）；得分系数应为 0 至 1 之间的数。"
    ),
)
def coefficient_score(m: Model) -> Iterator[Hit]:
    # Forms without the 得分系数 column have nothing to check: not "missing data".
    for ind in (i for i in m.all_indicators() if i.coefficient.present):
        q = ind.coefficient
        if q.status is Status.TEXT:
            yield hit(
                cell(m, ind, "coefficient"),
                f"{row_name(ind)}得分系数“{as_text(q.raw)}”无法识别为数值",
                expected="0 至 1 之间的数，如 0.9 或 90%",
                found=as_text(q.raw),
                advice="请填写得分系数（实际得分占分值的比例），自评得分 = 分值 × 得分系数。",
            )
            continue
        coefficient = num(q)
        if coefficient is None:
            continue  # an Excel error value: PARSE-002
        if not ZERO <= coefficient <= 1:
            yield hit(
                cell(m, ind, "coefficient"),
                f"{row_name(ind)}得分系数为 {_coefficient_text(q)}，不在 0 至 1 之间",
                expected="0 至 1 之间",
                found=_coefficient_text(q),
                advice="得分系数是实际得分占分值的比例，最高为 1（满分）；请改正得分系数。",
            )
            continue
        sw = _typed(ind)
        if sw is None:
            continue  # 分值或得分未填：完整性和数据格式规则报告
        score, weight = sw
        expected = m.profile.quantize(weight * coefficient)
        if abs(score - expected) <= m.profile.score_tolerance or _rounding_only(
            score, weight * coefficient, m
        ):
            continue
        yield hit(
            _cells(m, ind, "score", "coefficient", "weight"),
            f"{row_name(ind)}分值 {fmt_num(weight)}、得分系数 {_coefficient_text(q)}，自评得分应为 "
            f"{fmt_num(weight)} × {_coefficient_text(q)} = {fmt_score(expected)}，填报为 {fmt_score(score)}",
            expected=fmt_score(expected),
            found=fmt_score(score),
            advice="请按“分值 × 得分系数”填写自评得分（保留两位小数），或改正得分系数。",
        )


# --- rounding: a typed value one unit of its last place off the profile's rounding ------------------------
def _rounding_items(m: Model) -> Iterator[tuple[CellRef, str]]:
    """(cell, sentence) for every typed score that is the exact value cut the other way at the profile's
    places (9.68 typed for 9.685 where 四舍五入 gives 9.69)."""
    places = m.profile.score_places
    how = m.profile.rounding_name

    def score_item(ref: CellRef, what: str, typed: Decimal | None, exact: Decimal | None, q: Quantity):
        typed_at = typed_places(q)
        if typed is None or exact is None or typed_at is None or typed_at > places:
            return None
        if not rounding_variant(typed, exact, places, m):
            return None
        return ref, (
            f"{ref} {what}填 {typed:.{places}f}，按{how}应为 {m.profile.quantize(exact):.{places}f}"
            f"（{fmt_num(exact)}）"
        )

    items = []
    rate, weight = m.calc("ua_execution_rate_calc"), m.num("ua_execution_weight")
    if rate is not None and weight is not None:
        exact = exact_execution_score(rate, weight)
        q = m.q["ua_execution_score"]
        items.append(score_item(m.ref("ua_execution_score"), "执行率得分", num(q), exact, q))
    for p in m.projects:
        prate = m.table_computed.get((PROJ, p.index, "execution_rate_calc"))
        who = f"项目“{p.name}”"
        pweight = num(p.execution_weight)
        if isinstance(prate, Decimal) and pweight is not None:
            exact = exact_execution_score(prate, pweight)
            q = p.execution_score
            items.append(
                score_item(m.tref(PROJ, p.index, "execution_score"), f"{who}执行率得分", num(q), exact, q)
            )
    for ind in m.all_indicators():
        if not _in_range(ind):
            continue
        exact = ind.score_exact
        coefficient = num(ind.coefficient) if ind.coefficient.present else None
        if exact is None and coefficient is not None and ZERO <= coefficient <= 1 and ind.weight.ok:
            exact = num(ind.weight) * coefficient  # type: ignore[operator]
        items.append(
            score_item(cell(m, ind, "score"), f"{_short_name(ind)}自评得分", num(ind.score), exact, ind.score)
        )
    yield from (i for i in items if i is not None)


@rule(
    "SCORE-015",
    "取舍方式与评分口径不同",
    Severity.INFO,
    reads=("ua_execution_score", IND, PIND, PROJ),
    description=(
        "填报的执行率得分或指标得分与复核值只差末位一个单位，且正是另一种取舍方式的结果（如 96.85% × 10 "
        "= 9.685，四舍五入为 9.69，截尾为 9.68）：不作为错误（SCORE-001、SCORE-013、RATE-003、RATE-007 "
        "不报），只提示评分口径规定的取舍方式（评分口径 [rounding] method：half_up 四舍五入 / truncate "
        "截尾）。每张工作表提示一次。"
    ),
)
def rounding_differs(m: Model) -> Iterator[Hit]:
    by_sheet: dict[str, list[tuple[CellRef, str]]] = {}
    for ref, text in _rounding_items(m):
        by_sheet.setdefault(ref.sheet, []).append((ref, text))
    how = m.profile.rounding_name
    for items in by_sheet.values():
        yield hit(
            [ref for ref, _ in items],
            f"以下数值与复核值只差末位一个单位，差在取舍方式（评分口径为{how}）："
            + join_labels([t for _, t in items]),
            expected=f"按{how}取舍",
            found="另一种取舍方式",
            advice=(
                f"差额只来自取舍方式，不影响结论：请按{how}改正；所在地区的预算系统统一"
                f"{'截尾' if m.profile.rounding_method == 'half_up' else '四舍五入'}的，可在评分口径 [rounding] "
                f"中把 method 改为 {'truncate' if m.profile.rounding_method == 'half_up' else 'half_up'}。"
            ),
        )
