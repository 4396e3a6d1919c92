"""Rules: completeness. What the form requires and the workbook leaves blank.

A cell the workbook lacks altogether (its defined name is gone) is reported once by CMP-001, so the other
rules here skip it instead of calling it blank.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.model import Indicator, Model, NotApplicable
from perfeval.core.rules.common import join_labels, missing
from perfeval.core.rules.registry import PROJECT, UNIT, Hit, fmt_amount, hit, rule
from perfeval.core.snapshot import CellRef

_NEW_TEMPLATE = (
    f"请用{cat.TEMPLATE_HOW}生成空白模板，把数据复制到模板对应位置后再校验"
    "（不要删除或改名工作表、定义名称和表格）。"
)


def _blank(m: Model, name: str) -> bool:
    """Nothing typed, or only 无/—/ (not a value where a value is required)."""
    return not missing(m, name) and not m.q[name].present


def _blank_fields(m: Model, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if _blank(m, n)]


def _report_blank(names: list[str], m: Model, what: str, advice: str) -> Iterator[Hit]:
    """One finding for a group of blank cells: one fact (this block is not filled), one finding."""
    if names:
        labels = [m.label(n) for n in names]
        yield hit(
            [m.ref(n) for n in names], f"{what}未填：{join_labels(labels)}", found="（空）", advice=advice
        )


# --- CMP-001 --------------------------------------------------------------------------------------


@rule("CMP-001", "缺少工作表或字段", Severity.ERROR)
def missing_sheets_or_names(m: Model) -> Iterator[Hit]:
    """工作簿缺少模板中的工作表、定义名称或表格（可能被删除或改名），相关数据无法读取。"""
    gone_names = set(m.snapshot.missing_names)
    gone_tables = set(m.snapshot.missing_tables)
    if not gone_names and not gone_tables:
        return
    fields = cat.fields()
    wanted = [f for f in cat.fields_of(m.forms) if f.name not in cat.META_FIELDS]
    for sheet in cat.sheets_of(m.forms):
        names = [f.name for f in wanted if f.sheet == sheet.name]
        tables = [t.name for t in sheet.tables if t.form in m.forms]
        lost_names = [n for n in names if n in gone_names]
        lost_tables = [t for t in tables if t in gone_tables]
        if not lost_names and not lost_tables:
            continue
        cell = CellRef(sheet.name, "A1")
        if len(lost_names) == len(names) and len(lost_tables) == len(tables):
            yield hit(
                cell,
                f"工作簿中没有工作表“{sheet.name}”（或其中的定义名称和表格均已丢失），该表数据无法读取",
                expected=f"工作表“{sheet.name}”",
                found="（缺失）",
                advice=_NEW_TEMPLATE,
            )
            continue
        labels = [f"{fields[n].label}（{n}）" for n in lost_names]
        labels += [f"表格“{cat.TABLES[t].label}”（{t}）" for t in lost_tables]
        yield hit(
            cell,
            f"工作表“{sheet.name}”缺少 {len(labels)} 个模板字段：{join_labels(labels)}",
            expected="模板中的全部字段",
            found=f"缺少 {len(labels)} 个",
            advice=_NEW_TEMPLATE,
        )


# --- single cells ---------------------------------------------------------------------------------


@rule("CMP-002", "单位名称或年度未填", Severity.ERROR, reads=("info_unit_name", "info_year"))
def unit_or_year_blank(m: Model) -> Iterator[Hit]:
    """基本信息的单位名称、年度为必填项。"""
    blank = _blank_fields(m, ("info_unit_name", "info_year"))
    yield from _report_blank(blank, m, "基本信息", "请填写单位全称和评价年度（四位年份，如 2023）。")


_BUDGET_TOTALS = tuple(f"ua_{col}" for col in cat.BUDGET_COLS)


@rule("CMP-003", "年度资金核心数据缺失", Severity.ERROR, reads=_BUDGET_TOTALS, forms=UNIT)
def budget_totals_blank(m: Model) -> Iterator[Hit]:
    """附件2 年度资金总额的年初预算数、全年预算数、全年执行数为必填项，执行率和得分都由它们复核。"""
    blank = _blank_fields(m, _BUDGET_TOTALS)
    advice = "请按部门决算填写年初预算数、全年预算数和全年执行数；没有调整时全年预算数等于年初预算数。"
    yield from _report_blank(blank, m, "附件2 年度资金总额", advice)


_EXECUTION = ("ua_execution_weight", "ua_execution_rate", "ua_execution_score")


@rule("CMP-004", "执行率或自评得分未填", Severity.ERROR, reads=_EXECUTION, forms=UNIT)
def execution_blank(m: Model) -> Iterator[Hit]:
    """附件2 预算执行率一行的分值、执行率、自评得分为必填项（执行率 = 全年执行数 ÷ 全年预算数）。"""
    blank = _blank_fields(m, _EXECUTION)
    advice = (
        "请填写分值（通常 10 分）、执行率（全年执行数 ÷ 全年预算数）和自评得分（执行率 × 分值，不超过分值）。"
    )
    yield from _report_blank(blank, m, "附件2 预算执行率", advice)


@rule("CMP-005", "总分未填", Severity.ERROR, reads=("ua_total_score",), forms=UNIT)
def total_blank(m: Model) -> Iterator[Hit]:
    """附件2 总分为必填项（总分 = 执行率得分 + 各指标自评得分）。"""
    advice = "请填写总分：预算执行率得分加各绩效指标自评得分。"
    yield from _report_blank(_blank_fields(m, ("ua_total_score",)), m, "附件2 总分", advice)


@rule("CMP-006", "等级未填", Severity.WARNING, reads=("ua_grade",), forms=UNIT)
def grade_blank(m: Model) -> Iterator[Hit]:
    """附件2 应按总分填写等级（默认口径：优 ≥ 90，良 80 至 90，中 60 至 80，差 < 60）；表式没有等级栏时不要求。"""
    if not m.profile.grade_on_form:
        raise NotApplicable(f"评分口径“{m.profile.name}”的表式没有等级栏")
    grade = m.computed.get("ua_grade_calc")
    hint = f"按复核总分应为“{grade}”。" if isinstance(grade, str) else ""
    advice = f"请按总分填写等级（优、良、中、差）。{hint}"
    yield from _report_blank(_blank_fields(m, ("ua_grade",)), m, "附件2 等级", advice)


# --- indicators -----------------------------------------------------------------------------------


@rule("CMP-007", "没有绩效指标", Severity.ERROR, forms=UNIT)
def no_indicators(m: Model) -> Iterator[Hit]:
    """附件2 绩效指标表至少应有一行指标（产出、效益、满意度指标）。"""
    if cat.INDICATORS.name in m.snapshot.missing_tables or m.indicators:
        return
    yield hit(
        m.tref(cat.INDICATORS.name, 0, "level1"),
        "附件2 绩效指标表没有填写任何指标",
        expected="产出、效益、满意度指标各至少一行",
        found="0 行",
        advice="请按年度绩效目标填写绩效指标：一级/二级/三级指标、年度指标值、实际完成值、分值和自评得分。",
    )


_REQUIRED_INDICATOR_KEYS = tuple(c.key for c in cat.INDICATOR_COLUMNS if c.required)


def _indicator_blank(ind: Indicator, key: str) -> bool:
    match key:
        case "level1":
            return not ind.raw_level1
        case "level2":
            return not ind.raw_level2
        case "level3":
            return not ind.level3
        case "project":
            return not ind.project
        case _:
            return not getattr(ind, key).present


@rule(
    "CMP-008",
    "绩效指标缺必填项",
    Severity.ERROR,
    description=(
        "附件2 和项目绩效指标的每一行须填写一级/二级/三级指标、年度指标值、实际完成值、分值和自评得分"
        "（项目绩效指标还须填写项目名称）。"
    ),
)
def indicator_fields_blank(m: Model) -> Iterator[Hit]:
    for ind in m.all_indicators():
        keys = _REQUIRED_INDICATOR_KEYS
        if ind.table == cat.PROJECT_INDICATORS.name:
            keys = ("project", *keys)
        blank = [k for k in keys if _indicator_blank(ind, k)]
        if not blank:
            continue
        spec = cat.TABLES[ind.table]
        headers = [spec.column(k).header for k in blank]
        title = ind.level3 or f"第 {ind.index + 1} 行"
        where = f"项目“{ind.project}”的指标“{title}”" if ind.project else f"{spec.label}“{title}”"
        yield hit(
            [m.tref(ind.table, ind.index, k) for k in blank],
            f"{where}缺少：{'、'.join(headers)}",
            expected="必填项均已填写",
            found="（空）：" + "、".join(str(m.tref(ind.table, ind.index, k)) for k in blank),
            advice="请补全该行；多余的行请整行清空。定性指标的指标值和完成值可填文字。",
        )


# --- 附件1 and 附件2 blocks ---------------------------------------------------------------------------


@rule("CMP-009", "人员数据未填", Severity.ERROR, reads=("bd_authorized_staff", "bd_actual_staff"), forms=UNIT)
def staff_blank(m: Model) -> Iterator[Hit]:
    """附件1 财政供养人员的编制数和实际在职人数为必填项（在职人员控制率 = 实际在职人数 ÷ 编制数）。"""
    blank = _blank_fields(m, ("bd_authorized_staff", "bd_actual_staff"))
    yield from _report_blank(blank, m, "附件1 财政供养人员", "请填写编制数和实际在职人数（人）。")


_EXPENSE_NAMES = tuple(f"ua_{k}" for k, _ in cat.EXPENSE_SPLITS)


@rule("CMP-010", "支出结构未填", Severity.WARNING, reads=(*_BUDGET_TOTALS, *_EXPENSE_NAMES), forms=UNIT)
def expense_split_blank(m: Model) -> Iterator[Hit]:
    """附件2 年度资金总额已填，但按支出性质分的基本支出、项目支出均未填（或填“无”）。"""
    filled = [n for n in ("ua_spent", "ua_adjusted_budget", "ua_initial_budget") if m.num(n) is not None]
    if not filled or any(missing(m, s) or m.q[s].present for s in _EXPENSE_NAMES):
        return
    total = filled[0]
    amount = m.num(total)
    yield hit(
        [*(m.ref(s) for s in _EXPENSE_NAMES), m.ref(total)],
        f"{m.label(total)}已填 {fmt_amount(amount)}，但按支出性质分的基本支出和项目支出均未填",
        expected=f"基本支出 + 项目支出 = {fmt_amount(amount)}",
        found="（空）",
        advice="请按支出性质填写基本支出和项目支出，各填一个金额（没有的填 0）。",
    )


_GOALS = tuple((f"ua_goal_expected_{i}", f"ua_goal_actual_{i}") for i in range(1, cat.GOAL_ROWS + 1))


@rule(
    "CMP-011",
    "年度总体目标未填",
    Severity.WARNING,
    reads=tuple(n for pair in _GOALS for n in pair),
    forms=UNIT,
)
def goals_blank(m: Model) -> Iterator[Hit]:
    """附件2 应填写年度总体目标：每条预期目标都要有对应的实际完成情况，反之亦然。"""
    names = [n for pair in _GOALS for n in pair]
    if any(missing(m, n) for n in names):
        return
    if not any(m.text(n) for n in names):
        yield hit(
            [m.ref(_GOALS[0][0]), m.ref(_GOALS[0][1])],
            "附件2 年度总体目标未填写（预期目标和实际完成情况均为空）",
            found="（空）",
            advice="请按年初批复的绩效目标逐条填写预期目标，并在同一行填写实际完成情况。",
        )
        return
    for expected, actual in _GOALS:
        has_expected, has_actual = bool(m.text(expected)), bool(m.text(actual))
        if has_expected == has_actual:
            continue
        blank, other = (actual, expected) if has_expected else (expected, actual)
        yield hit(
            [m.ref(blank), m.ref(other)],
            f"{m.label(other)} 已填，但{m.label(blank)} 未填",
            found="（空）",
            advice="预期目标与实际完成情况应逐条对应，请在同一行补填。",
        )


# --- projects -------------------------------------------------------------------------------------


@rule("CMP-012", "项目缺少绩效指标", Severity.WARNING, forms=PROJECT)
def project_without_indicators(m: Model) -> Iterator[Hit]:
    """项目支出自评表中的每个项目，都应在“项目绩效指标”表中有至少一行指标（按项目名称对应）。"""
    if cat.PROJECT_INDICATORS.name in m.snapshot.missing_tables:
        return
    for p in m.projects:
        if p.indicators:
            continue
        name = f"项目“{p.name}”" if p.name else f"第 {p.index + 1} 行项目（未填名称）"
        yield hit(
            m.tref(cat.PROJECTS.name, p.index, "name"),
            f"{name}在“项目绩效指标”表中没有绩效指标",
            expected="至少一行绩效指标",
            found="0 行",
            advice="请在“项目绩效指标”表中填写该项目的指标，“项目名称”须与“项目支出自评”表完全一致。",
        )


@rule("CMP-013", "项目指标找不到对应项目", Severity.ERROR, forms=PROJECT)
def orphan_project_indicators(m: Model) -> Iterator[Hit]:
    """“项目绩效指标”表中填写的项目名称，必须与“项目支出自评”表中的某个项目名称完全一致。"""
    by_name: dict[str, list[Indicator]] = {}
    for ind in m.orphan_indicators:
        if ind.project:  # a blank 项目名称 is CMP-008's
            by_name.setdefault(ind.project, []).append(ind)
    listed = [p.name for p in m.projects if p.name]
    for name, rows in by_name.items():
        close = difflib.get_close_matches(name, listed, n=1, cutoff=0.6)
        hint = f"是否应为“{close[0]}”？" if close else ""
        expected = join_labels([f"“{n}”" for n in listed], 5) if listed else "（项目支出自评表未列出项目）"
        yield hit(
            [m.tref(ind.table, ind.index, "project") for ind in rows],
            f"项目绩效指标中的项目名称“{name}”（{len(rows)} 行）在“项目支出自评”表中找不到，"
            f"这些指标不计入任何项目。{hint}",
            expected=expected,
            found=f"“{name}”",
            advice="请将项目名称改为与“项目支出自评”表一致，或在“项目支出自评”表中补列该项目。",
        )


# --- text -----------------------------------------------------------------------------------------


@rule("CMP-014", "厉行节约保障措施未填", Severity.INFO, reads=("bd_frugality_measures",), forms=UNIT)
def frugality_blank(m: Model) -> Iterator[Hit]:
    """附件1 应填写厉行节约保障措施。"""
    advice = "请简要填写本单位厉行节约、控制“三公”经费等方面的制度和措施。"
    yield from _report_blank(
        _blank_fields(m, ("bd_frugality_measures",)), m, "附件1 厉行节约保障措施", advice
    )


_REQUIRED_TEXTS = tuple(name for name, _, required in cat.INFO_TEXTS if required)


@rule("CMP-015", "报告文字未填", Severity.WARNING, reads=_REQUIRED_TEXTS, forms=UNIT)
def report_text_blank(m: Model) -> Iterator[Hit]:
    """基本信息中自评报告的必填部分（单位基本情况、主要职责、年度绩效目标、主要工作成效、改进措施）应填写原文。"""
    blank = _blank_fields(m, _REQUIRED_TEXTS)
    advice = "请把自评报告相应部分的原文粘贴到这些单元格，工具将核对其中的数字与表格是否一致。"
    yield from _report_blank(blank, m, "报告文字", advice)
