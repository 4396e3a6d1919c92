"""Rules of the 项目支出绩效自评表 (财预〔2020〕10号), one project per row of tbl_projects.

The project form is often the only one a unit publishes, so a project-only workbook must be checked as
thoroughly as the 部门整体 form: each row complete, its 项目资金 lines adding up, its 分值 as the profile
sets them for projects, and its typed 总分 the sum of its typed scores. Amounts are 万元 in the model and
shown in the unit the form prints (fmt_amount).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.findings import Severity
from perfeval.core.model import Indicator, Model, NotApplicable, Project
from perfeval.core.parse import Quantity
from perfeval.core.profile import LEVEL_KEYS
from perfeval.core.rules.common import PROJECTS, ZERO, join_labels, q_value, score_matches
from perfeval.core.rules.registry import PROJECT, Hit, fmt_amount, fmt_num, fmt_score, hit, rule
from perfeval.core.rules.weights import _points, _weight, _weight_cell
from perfeval.core.snapshot import CellRef

PIND = cat.PROJECT_INDICATORS.name


def _who(p: Project) -> str:
    return f"项目“{p.name}”" if p.name else f"第 {p.index + 1} 行项目（未填名称）"


def _cell(m: Model, p: Project, key: str) -> CellRef:
    return m.tref(PROJECTS, p.index, key)


def _need_projects(m: Model) -> list[Project]:
    if not m.projects:
        raise NotApplicable("项目支出自评表没有填写项目")
    return m.projects


def _bare(v: Decimal) -> str:
    """An amount inside a formula, in the form's unit without the unit: 13.00 (万元) or 130,000.00 (元)."""
    return fmt_amount(v).rsplit(" ", 1)[0]


# --- CMP-016 no project ------------------------------------------------------------------------------------
@rule("CMP-016", "没有填写项目", Severity.ERROR, reads=(PROJECTS,), forms=PROJECT)
def no_projects(m: Model) -> Iterator[Hit]:
    """本工作簿包含项目支出绩效自评表，但“项目支出自评”表中没有填写任何项目（每个项目一行）。"""
    if PROJECTS in m.snapshot.missing_tables or m.projects:
        return  # 表格本身缺失由 CMP-001 报告
    yield hit(
        m.tref(PROJECTS, 0, "name"),
        "项目支出自评表没有填写任何项目",
        expected="至少一个项目",
        found="0 个",
        advice=(
            "请在“项目支出自评”表中每个项目填一行：项目名称、项目资金、分值、执行率、得分和总分，"
            "并在“项目绩效指标”表中按项目名称填写它的绩效指标。"
        ),
    )


# --- CMP-017 a project row's required cells -------------------------------------------------------------
_REQUIRED = ("name", "initial_budget", "adjusted_budget", "spent", "execution_weight", "total_score")
_SHOWN = {"execution_weight": "分值（预算执行率）"}


def _blank(p: Project, key: str) -> bool:
    """Nothing typed, or only 无/—/: the form needs a value there."""
    if key == "name":
        return not p.name
    return not p.quantity(key).present


@rule("CMP-017", "项目缺必填项", Severity.ERROR, reads=(PROJECTS,), forms=PROJECT)
def project_fields_blank(m: Model) -> Iterator[Hit]:
    """项目支出自评表的每个项目须填写项目名称、年初预算数、全年预算数、全年执行数、分值（预算执行率）和总分（填报）。"""
    for p in m.projects:
        blank = [k for k in _REQUIRED if _blank(p, k)]
        if not blank:
            continue
        labels = [_SHOWN.get(k, cat.PROJECTS.column(k).header) for k in blank]
        yield hit(
            [_cell(m, p, k) for k in blank],
            f"{_who(p)}缺少：{join_labels(labels)}",
            expected="必填项均已填写",
            found="（空）：" + "、".join(str(_cell(m, p, k)) for k in blank),
            advice=(
                "请补全该项目：没有年中调整的，全年预算数等于年初预算数；分值通常为 10 分；"
                "总分为执行率得分与各绩效指标得分之和。多余的行请整行清空。"
            ),
        )


# --- SUM-008 funding lines -------------------------------------------------------------------------------
def _fund_lines(p: Project, col: str) -> list[tuple[str, str, Quantity]]:
    return [(f"{source}_{col}", label, p.funds[source][col]) for source, label in cat.FUND_SOURCES]


@rule(
    "SUM-008",
    "项目资金来源之和与资金总额不符",
    Severity.ERROR,
    reads=(PROJECTS,),
    forms=PROJECT,
)
def project_funding_lines(m: Model) -> Iterator[Hit]:
    """项目支出自评表各列（年初预算数、全年预算数、全年执行数）：填写了“其中”资金来源的，当年财政拨款 + 上年结转资金 + 其他资金应等于年度资金总额（未填的来源按 0 计）。"""
    compared = False
    for p in _need_projects(m):
        for col, header in zip(cat.FUND_COLS, cat.BUDGET_HEADERS, strict=True):
            total = q_value(p.quantity(col))
            lines = _fund_lines(p, col)
            typed = [(label, q.value) for _, label, q in lines if q.ok and q.value is not None]
            if total is None or not typed or any(q.present and not q.ok for _, _, q in lines):
                continue  # 总额未填见 CMP-017；无法识别的金额见 PARSE-001
            compared = True
            lines_sum = sum((v for _, v in typed), ZERO)
            if abs(total - lines_sum) <= m.profile.amount_tolerance:
                continue
            if len(typed) == 1:
                formula = f"{typed[0][0]} {fmt_amount(lines_sum)}"
            else:
                terms = " + ".join(f"{label} {_bare(v)}" for label, v in typed)
                formula = f"{terms} = {fmt_amount(lines_sum)}"
            yield hit(
                [_cell(m, p, col), *(_cell(m, p, key) for key, _, _ in lines)],
                f"{_who(p)}{header}：年度资金总额填 {fmt_amount(total)}，其中各资金来源之和为 "
                f"{formula}，相差 {fmt_amount(abs(total - lines_sum))}",
                expected=fmt_amount(lines_sum),
                found=fmt_amount(total),
                advice=(
                    "年度资金总额应等于当年财政拨款、上年结转资金和其他资金之和：请核对各资金来源（没有的填 0），"
                    "或修改年度资金总额。"
                ),
            )
    if not compared:
        raise NotApplicable("项目未填写资金来源（其中：当年财政拨款、上年结转资金、其他资金）")


# --- SUM-009 typed total ---------------------------------------------------------------------------------
@rule("SUM-009", "项目填报总分与各项填报得分之和不符", Severity.ERROR, reads=(PROJECTS, PIND), forms=PROJECT)
def project_typed_total(m: Model) -> Iterator[Hit]:
    """每个项目填报的总分应等于填报的执行率得分加该项目各绩效指标得分（表内自身的加总，不涉及复核得分；与复核总分的比较见 SCORE-010）。"""
    compared = False
    for p in _need_projects(m):
        total, execution = q_value(p.total_score), q_value(p.execution_score)
        scores = [v for v in (q_value(i.score) for i in p.indicators) if v is not None]
        if total is None or execution is None or not scores or len(scores) < len(p.indicators):
            continue  # 空白或无法识别的得分由完整性、数据格式规则报告；没有指标见 CMP-012
        compared = True
        indicator_sum = sum(scores, ZERO)
        parts_sum = execution + indicator_sum
        if score_matches(total, parts_sum, m):
            continue
        yield hit(
            [
                _cell(m, p, "total_score"),
                _cell(m, p, "execution_score"),
                *(m.tref(i.table, i.index, "score") for i in p.indicators),
            ],
            f"{_who(p)}总分填 {fmt_score(total)}，而执行率得分 {fmt_num(execution)} + "
            f"{len(scores)} 个指标得分之和 {fmt_num(indicator_sum)} = {fmt_num(parts_sum)} 分，"
            f"相差 {fmt_num(abs(total - parts_sum))} 分",
            expected=fmt_score(parts_sum),
            found=fmt_score(total),
            advice="项目总分应为执行率得分与该项目各绩效指标得分之和，请核对各项得分或修改总分。",
        )
    if not compared:
        raise NotApplicable("没有项目同时填写了总分、执行率得分和绩效指标得分")


# --- WT-011/012 weights as the profile sets them for projects ----------------------------------------------
_VARY = "各地对项目分值的规定不尽相同：本地口径不同的，请选用相应的评分口径文件，或在审核说明中注明依据。"


@rule("WT-011", "项目执行率分值与评分口径不符", Severity.WARNING, reads=(PROJECTS,), forms=PROJECT)
def project_execution_weight(m: Model) -> Iterator[Hit]:
    """每个项目预算执行率的分值应等于评分口径规定的项目执行率分值（默认 10 分）。"""
    expected = m.profile.weights_of(Form.PROJECT)["execution"]
    for p in _need_projects(m):
        weight = q_value(p.execution_weight)
        if weight is None or score_matches(weight, expected, m):
            continue
        yield hit(
            _cell(m, p, "execution_weight"),
            f"{_who(p)}预算执行率分值填报为 {_points(weight)}，评分口径（{m.profile.name}）"
            f"规定项目执行率为 {_points(expected)}",
            expected=_points(expected),
            found=_points(weight),
            advice=f"请按评分口径填写该项目的执行率分值。{_VARY}",
        )


def _level_rows(p: Project) -> dict[str, list[Indicator]]:
    rows: dict[str, list[Indicator]] = {level: [] for level in cat.LEVEL1}
    for ind in p.indicators:
        if ind.level1 in rows:  # 不规范的一级指标由 WT-006 报告
            rows[ind.level1].append(ind)
    return rows


def _level_said(level: str, total: Decimal, expected: Decimal, rows: list[Indicator]) -> str:
    """'产出指标 50 分（20 + 30），应为 60 分' or '满意度指标没有指标（0 分），应为 10 分'."""
    if not rows:
        return f"{level}没有指标（0 分），应为 {_points(expected)}"
    terms = f"（{' + '.join(fmt_num(_weight(i)) for i in rows)}）" if len(rows) > 1 else ""
    return f"{level} {_points(total)}{terms}，应为 {_points(expected)}"


@rule("WT-012", "项目各级指标分值与评分口径不符", Severity.WARNING, reads=(PROJECTS, PIND), forms=PROJECT)
def project_level_weights(m: Model) -> Iterator[Hit]:
    """每个项目：产出、效益、满意度指标各自的三级指标分值之和应等于评分口径规定的项目分值（默认产出 50、效益 30、满意度 10）；某一级没有指标按 0 分计。"""
    weights = m.profile.weights_of(Form.PROJECT)
    for p in _need_projects(m):
        if not p.indicators or not all(i.weight.ok for i in p.indicators):
            continue  # 没有指标见 CMP-012；分值未填或无法识别见 CMP-008、PARSE-001
        off: list[tuple[str, Decimal, Decimal, list[Indicator]]] = []
        for level, rows in _level_rows(p).items():
            total = sum((_weight(i) for i in rows), ZERO)
            expected = weights[LEVEL_KEYS[level]]
            if not score_matches(total, expected, m):
                off.append((level, total, expected, rows))
        if not off:
            continue
        said = "；".join(_level_said(level, total, expected, rows) for level, total, expected, rows in off)
        cells = [_weight_cell(m, i) for _, _, _, rows in off for i in rows] or [_cell(m, p, "name")]
        yield hit(
            cells,
            f"{_who(p)}的指标分值与评分口径（{m.profile.name}）不符：{said}",
            expected="、".join(f"{level} {_points(weights[LEVEL_KEYS[level]])}" for level in cat.LEVEL1),
            found="、".join(f"{level} {_points(total)}" for level, total, _, _ in off),
            advice=f"请按评分口径调整该项目各级指标的分值。{_VARY}",
        )
