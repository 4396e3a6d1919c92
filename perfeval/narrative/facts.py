"""The figures the report's sentences are built from, each formatted once and each knowing its cell.

A `Figure` renders as "266.32万元", "68.10%" or "7人"; when the cell is blank or unreadable it renders as
a marker a reviewer cannot miss ("【待补充：附件2!C4 年度资金总额 全年预算数】"), so the text never
invents a number. The templates test `.known` to choose their wording; the switches the issue names
("控制较好", "未进行调整", "全部完成") are properties here, so they are decided in one place and tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.compute import indicator_met, row_score, split_is_spending
from perfeval.core.decimals import round_half_up
from perfeval.core.findings import Severity
from perfeval.core.model import Indicator, Model, Project
from perfeval.core.pipeline import CheckResult
from perfeval.core.snapshot import CellRef
from perfeval.report.titles import table_titles

MISSING = "【待补充：{what}】"


def fmt_decimal(value: Decimal, places: int = 2) -> str:
    return str(round_half_up(value, places))


def fmt_count(value: Decimal) -> str:
    return str(round_half_up(value, 0)) if value == value.to_integral() else str(value)


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    kind: str  # amount / rate / count / score / weight
    what: str  # "附件2!C4 年度资金总额 全年预算数": what the marker names when the value is missing
    unit: str = ""
    # What a sentence of the user's says when it states this figure: textclaims kinds ("initial_budget"),
    # or "named:<line name>" for an amount next to a 项目支出明细 line's name. The report drops a
    # generated clause whose figures the user's paragraph in the same section already states.
    claims: tuple[str, ...] = ()
    claim_value: Decimal | None = None  # the value compared, when it is not the one printed (abs())

    @property
    def known(self) -> bool:
        return self.value is not None

    def bare(self) -> str:
        """The number without unit ("266.32", "68.10%")."""
        if self.value is None:
            return MISSING.format(what=self.what)
        if self.kind == "rate":
            return fmt_decimal(self.value * 100) + "%"
        if self.kind in ("count", "weight"):
            return fmt_count(self.value)
        return fmt_decimal(self.value)

    def __str__(self) -> str:
        if self.value is None:
            return MISSING.format(what=self.what)
        suffix = {"amount": "万元", "score": "分", "weight": "分"}.get(self.kind, self.unit)
        return self.bare() + ("" if self.kind == "rate" else suffix)

    def abs(self) -> Figure:
        value = abs(self.value) if self.value is not None else None
        return Figure(value, self.kind, self.what, self.unit, self.claims, self.stated_value)

    @property
    def stated_value(self) -> Decimal | None:
        """The value a user's sentence must state for this figure to count as already said."""
        return self.value if self.claim_value is None else self.claim_value


def _calc(model: Model, name: str, kind: str, what: str) -> Figure:
    return Figure(model.calc(name), kind, what)


def _typed(model: Model, name: str, kind: str, unit: str = "", claims: tuple[str, ...] = ()) -> Figure:
    return Figure(model.num(name), kind, model.label(name), unit, claims)


@dataclass(frozen=True)
class Control:
    """A budget line with its control and change rates: 三公经费, 公用经费."""

    name: str
    prior: Figure
    budget: Figure
    actual: Figure
    control_rate: Figure
    change_rate: Figure

    @property
    def within_budget(self) -> bool | None:
        """'控制较好' may be said only when this is True: the rate is at or under 100 %."""
        return None if self.control_rate.value is None else self.control_rate.value <= 1

    @property
    def over(self) -> Figure:
        if self.actual.value is None or self.budget.value is None:
            return Figure(None, "amount", f"{self.name}本年决算数或本年预算数")
        return Figure(self.actual.value - self.budget.value, "amount", "")


@dataclass(frozen=True)
class IndicatorLine:
    name: str  # 三级指标
    level1: str
    target: str
    actual: str
    weight: Figure
    score: Figure  # 复核得分
    met: bool | None
    deviation_note: str

    @property
    def below_full(self) -> bool:
        s, w = self.score.value, self.weight.value
        return s is not None and w is not None and s < w


@dataclass
class Scores:
    execution: Figure
    execution_weight: Figure
    levels: list[tuple[str, Figure, Figure]]  # (一级指标, 分值合计, 复核得分合计)
    total: Figure
    grade: str


@dataclass(frozen=True)
class FundLine:
    """A 其中 line of a project's 项目资金: 当年财政拨款, 上年结转资金, 其他资金."""

    label: str
    initial_budget: Figure
    adjusted_budget: Figure
    spent: Figure

    @property
    def rate(self) -> Figure:
        s, a = self.spent.value, self.adjusted_budget.value
        return Figure(s / a if s is not None and a else None, "rate", f"{self.label}执行率")


class _Outcomes:
    """What the report may say about a list of indicator rows and a budget (the unit's, or one project's)."""

    indicators: list[IndicatorLine]
    adjusted_budget: Figure
    initial_budget: Figure

    @property
    def budget_adjusted(self) -> bool | None:
        """'未（进行）调整' may be said only when this is False: 全年预算数 equals 年初预算数."""
        a, b = self.adjusted_budget.value, self.initial_budget.value
        return None if a is None or b is None else a != b

    @property
    def budget_change(self) -> Figure:
        a, b = self.adjusted_budget.value, self.initial_budget.value
        change = None if a is None or b is None else a - b
        return Figure(change, "amount", "全年预算数或年初预算数", claims=("adjustment",))

    @property
    def met(self) -> list[IndicatorLine]:
        return [i for i in self.indicators if i.met is True]

    @property
    def missed(self) -> list[IndicatorLine]:
        return [i for i in self.indicators if i.met is False]

    @property
    def not_comparable(self) -> list[IndicatorLine]:
        return [i for i in self.indicators if i.met is None]

    @property
    def all_met(self) -> bool:
        """'全部完成'/'均达到' may be said only when every target is met (and there is at least one)."""
        return bool(self.indicators) and all(i.met is True for i in self.indicators)


@dataclass
class ProjectLine(_Outcomes):
    """One project of the 项目支出绩效自评表, as the project report tells it (seed 002's order)."""

    name: str
    adjusted_budget: Figure
    spent: Figure
    rate: Figure
    total: Figure
    grade: str
    department: str = ""
    implementer: str = ""
    initial_budget: Figure = field(default_factory=lambda: Figure(None, "amount", "年初预算数"))
    execution_weight: Figure = field(default_factory=lambda: Figure(None, "weight", "执行率分值"))
    execution_score: Figure = field(default_factory=lambda: Figure(None, "score", "执行率得分"))
    funds: list[FundLine] = field(default_factory=list)  # the 其中 lines with any amount typed
    indicators: list[IndicatorLine] = field(default_factory=list)
    levels: list[tuple[str, Figure, Figure]] = field(default_factory=list)  # (一级, 分值, 复核得分)
    # The project's free text, one entry per paragraph typed: goal_expected, goal_actual (年度总体目标),
    # conclusion, problems, improvements.
    texts: dict[str, list[str]] = field(default_factory=dict)
    # What a marker names for each of the project's cells ("项目支出自评!B5 项目“…”主管部门").
    cells: dict[str, str] = field(default_factory=dict)
    text_warnings: dict[str, list[str]] = field(default_factory=dict)  # column key -> contradicting findings

    def missing(self, key: str) -> str:
        return MISSING.format(what=self.cells.get(key, f"项目“{self.name}”{key}"))

    @property
    def unspent(self) -> Figure:
        """全年预算数 − 全年执行数 (negative: spent over the budget)."""
        a, s = self.adjusted_budget.value, self.spent.value
        return Figure(None if a is None or s is None else a - s, "amount", "全年预算数或全年执行数")

    @property
    def unspent_share(self) -> Figure:
        a, s = self.adjusted_budget.value, self.spent.value
        return Figure((a - s) / a if a is not None and s is not None and a else None, "rate", "未执行比例")

    @property
    def deviations(self) -> list[IndicatorLine]:
        """Rows the 偏差 part speaks of: targets missed, scores below full, or a deviation note typed."""
        return [i for i in self.indicators if i.met is False or i.below_full or i.deviation_note]


_SUM_WHAT = {"initial_budget": "年初预算数", "adjusted_budget": "全年预算数", "spent": "全年执行数"}


@dataclass
class Facts(_Outcomes):
    unit: str
    year: str
    unit_type: str
    report_date: str
    staff_authorized: Figure
    staff_actual: Figure
    staff_rate: Figure
    initial_budget: Figure
    adjusted_budget: Figure
    spent: Figure
    execution_rate: Figure
    adjustment_rate: Figure
    income_splits: list[tuple[str, Figure]]
    basic_spent: Figure
    project_spent: Figure
    three_public: Control
    public_funds: Control
    project_items: list[tuple[str, Figure]]
    projects: list[ProjectLine]
    indicators: list[IndicatorLine]
    scores: Scores
    goals: list[tuple[str, str]]
    texts: dict[str, list[str]]  # 基本信息 free text, one entry per paragraph the user wrote
    attachments: list[str]  # the attachment tables' titles, as printed on them
    text_warnings: dict[str, list[str]] = field(default_factory=dict)  # field -> contradicting findings
    # What was checked (Model.forms): the 部门整体 report and/or the project report.
    has_unit: bool = True
    has_projects: bool = False

    @property
    def kind_title(self) -> str:
        """The report's title by what was checked: the 部门整体 report when its forms were, else projects."""
        if self.has_unit:
            return f"{self.year}年度部门整体支出绩效自评报告"
        return f"{self.unit}{self.year}年度项目支出绩效自评报告"

    def _project_sum(self, attr: str) -> Figure:
        figures = [getattr(p, attr) for p in self.projects]
        known = bool(figures) and all(f.known for f in figures)
        total = sum((f.value for f in figures), Decimal(0)) if known else None
        return Figure(total, "amount", f"各项目合计{_SUM_WHAT[attr]}（有项目未填）")

    @property
    def projects_initial_budget(self) -> Figure:
        return self._project_sum("initial_budget")

    @property
    def projects_adjusted_budget(self) -> Figure:
        return self._project_sum("adjusted_budget")

    @property
    def projects_spent(self) -> Figure:
        return self._project_sum("spent")

    @property
    def projects_rate(self) -> Figure:
        s, a = self.projects_spent.value, self.projects_adjusted_budget.value
        return Figure(
            s / a if s is not None and a else None, "rate", "各项目合计执行率（有项目未填预算数或执行数）"
        )

    @property
    def basic_share(self) -> Figure:
        b, s = self.basic_spent.value, self.spent.value
        return Figure(b / s if b is not None and s else None, "rate", "基本支出或全年执行数")

    @property
    def project_share(self) -> Figure:
        p, s = self.project_spent.value, self.spent.value
        return Figure(p / s if p is not None and s else None, "rate", "项目支出或全年执行数")


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


# The textclaims kinds of a control line's columns ("tpc_budget"): what a user's sentence may state.
_CONTROL_CLAIMS = {
    "tpc": {"current_budget": "tpc_budget", "current_actual": "tpc_actual"},
    "public": {"current_budget": "public_funds_budget", "current_actual": "public_funds_actual"},
}


def _control(model: Model, key: str, name: str) -> Control:
    claims = _CONTROL_CLAIMS.get(key, {})
    col = {
        c: _typed(model, f"bd_{key}_{c}", "amount", claims=(claims[c],) if c in claims else ())
        for c in cat.YEAR_COLS
    }
    return Control(
        name,
        col["prior_actual"],
        col["current_budget"],
        col["current_actual"],
        _calc(model, f"bd_{key}_control_rate", "rate", f"{name}控制率（附件1 本年决算数或本年预算数未填）"),
        _calc(model, f"bd_{key}_change_rate", "rate", f"{name}变动率（附件1 本年或上年决算数未填）"),
    )


def _indicator_line(ind: Indicator) -> IndicatorLine:
    return IndicatorLine(
        name=ind.level3 or "（未填三级指标）",
        level1=ind.level1,
        target=str(ind.target.raw or "").strip(),
        actual=str(ind.actual.raw or "").strip(),
        weight=Figure(ind.weight.value if ind.weight.ok else None, "weight", f"“{ind.level3}”的分值"),
        score=Figure(row_score(ind), "score", f"“{ind.level3}”的复核得分"),
        met=indicator_met(ind),
        deviation_note=ind.deviation_note.strip(),
    )


def _scores(result: CheckResult) -> Scores:
    m = result.model
    levels = _levels(m.indicators)
    grade = m.computed.get("ua_grade_calc")
    return Scores(
        execution=_calc(
            m, "ua_execution_score_calc", "score", "预算执行率得分（附件2 执行数、预算数或分值未填）"
        ),
        execution_weight=_typed(m, "ua_execution_weight", "weight"),
        levels=levels,
        total=_calc(m, "ua_total_score_calc", "score", "总分（附件2 缺少执行率和绩效指标）"),
        grade=grade if isinstance(grade, str) else MISSING.format(what="等级（总分无法计算）"),
    )


def _levels(indicators: list[Indicator]) -> list[tuple[str, Figure, Figure]]:
    """Per 一级指标 present: the sum of its 分值 and of its rows' 复核 scores."""
    levels = []
    for level in cat.LEVEL1:
        inds = [i for i in indicators if i.level1 == level]
        if not inds:
            continue
        weight = sum((i.weight.value for i in inds if i.weight.ok and i.weight.value is not None), Decimal(0))
        score = sum((s for s in (row_score(i) for i in inds) if s is not None), Decimal(0))
        levels.append((level, Figure(weight, "weight", ""), Figure(score, "score", "")))
    return levels


def _project_cells(m: Model, p: Project) -> dict[str, str]:
    """Column key -> "项目支出自评!C5 项目“…”主管部门", what a marker names for a blank cell."""
    table = m.snapshot.tables.get(cat.PROJECTS.name)
    out = {}
    for col in cat.PROJECTS.columns:
        where = ""
        if table is not None and col.key in table.columns:
            where = f"{table.ref(p.index, col.key)} "
        out[col.key] = f"{where}项目“{p.name}”{col.header}"
    return out


def _project_warnings(result: CheckResult, p: Project) -> dict[str, list[str]]:
    """For each of the project's text cells the checks found contradicting the tables: the findings."""
    table = result.model.snapshot.tables.get(cat.PROJECTS.name)
    if table is None:
        return {}
    keys = ("goal_expected", "goal_actual", *(k for k, _ in cat.PROJECT_TEXTS))
    refs = {table.ref(p.index, k): k for k in keys if k in table.columns}
    return _warnings_on(result, refs)


# In a project's own text "全年执行46万元" is the project's (weave.Stated reads a project's text so).
_PROJECT_CLAIMS = {
    "initial_budget": ("project:initial_budget", "project:project_initial_budget"),
    "adjusted_budget": ("project:adjusted_budget",),
    "spent": ("project:spent", "project:project_expenditure"),
}


def _projects(result: CheckResult) -> list[ProjectLine]:
    return [_project_line(result, p) for p in result.model.projects]


def _project_line(result: CheckResult, p: Project) -> ProjectLine:
    m = result.model
    cells = _project_cells(m, p)

    def calc(key: str) -> Decimal | None:
        value = m.table_computed.get((cat.PROJECTS.name, p.index, key))
        return value if isinstance(value, Decimal) else None

    def typed(key: str, kind: str) -> Figure:
        qty = p.quantity(key)
        return Figure(qty.value if qty.ok else None, kind, cells[key], claims=_PROJECT_CLAIMS.get(key, ()))

    funds = [
        FundLine(label, *(typed(f"{source}_{col}", "amount") for col in cat.FUND_COLS))
        for source, label in cat.FUND_SOURCES
    ]
    grade = m.table_computed.get((cat.PROJECTS.name, p.index, "grade_calc"))
    return ProjectLine(
        name=p.name,
        adjusted_budget=typed("adjusted_budget", "amount"),
        spent=typed("spent", "amount"),
        rate=Figure(
            calc("execution_rate_calc"), "rate", f"项目“{p.name}”的执行率（全年执行数或全年预算数未填）"
        ),
        total=Figure(calc("total_score_calc"), "score", f"项目“{p.name}”的总分（缺少执行率和绩效指标）"),
        grade=grade if isinstance(grade, str) else "",
        department=p.department,
        implementer=p.implementer,
        initial_budget=typed("initial_budget", "amount"),
        execution_weight=typed("execution_weight", "weight"),
        execution_score=Figure(
            calc("execution_score_calc"), "score", f"项目“{p.name}”的执行率得分（执行数、预算数或分值未填）"
        ),
        funds=[f for f in funds if f.initial_budget.known or f.adjusted_budget.known or f.spent.known],
        indicators=[_indicator_line(i) for i in p.indicators],
        levels=_levels(p.indicators),
        texts={
            "goal_expected": _paragraphs(p.goal_expected),
            "goal_actual": _paragraphs(p.goal_actual),
            **{key: _paragraphs(p.texts.get(key, "")) for key, _ in cat.PROJECT_TEXTS},
        },
        cells=cells,
        text_warnings=_project_warnings(result, p),
    )


def _warnings_on(result: CheckResult, refs: dict[CellRef, str]) -> dict[str, list[str]]:
    """The findings (警告 and 错误) on each of these text cells, keyed by the cell's field name."""
    out: dict[str, list[str]] = {}
    for f in result.findings:
        if f.severity is Severity.INFO:
            continue
        for c in f.cells:
            if c in refs:
                out.setdefault(refs[c], []).append(f"{f.rule_id} {f.title}")
    return out


def _text_warnings(result: CheckResult) -> dict[str, list[str]]:
    """For each 基本信息 text the checks found contradicting the tables: the findings' short form."""
    m = result.model
    refs = {m.ref(name): name for name in cat.TEXT_FIELDS}
    return _warnings_on(result, refs)


def _split_spent(m: Model, name: str, claim: str) -> Figure:
    """A 按支出性质分 line as spending: its one figure, unless the lines add up to a budget instead."""
    if split_is_spending(m, "expense_sum"):
        return _typed(m, name, "amount", claims=(claim,))
    return Figure(None, "amount", f"{m.label(name)}的全年执行数")


def build_facts(result: CheckResult) -> Facts:
    m = result.model
    year = m.num("info_year")
    splits = []
    for key, label in cat.INCOME_SPLITS:
        fig = _typed(m, f"ua_{key}", "amount")
        if fig.known and fig.value:
            splits.append((label.removeprefix("其中："), fig))
    # Items with nothing spent this year (blank 本年决算数) are last year's lines, not missing data.
    items = [
        (it.name, Figure(it.amounts["current_actual"].value, "amount", "", claims=(f"named:{it.name}",)))
        for it in m.project_items
        if it.name and it.amounts["current_actual"].value is not None
    ]
    goals = []
    for i in range(1, cat.GOAL_ROWS + 1):
        expected, actual = m.text(f"ua_goal_expected_{i}"), m.text(f"ua_goal_actual_{i}")
        if expected or actual:
            goals.append((expected, actual))
    return Facts(
        unit=m.text("info_unit_name") or MISSING.format(what=m.label("info_unit_name")),
        year=str(int(year)) if year is not None else MISSING.format(what=m.label("info_year")),
        unit_type=m.text("info_unit_type"),
        report_date=m.text("info_report_date"),
        staff_authorized=_typed(m, "bd_authorized_staff", "count", "人", ("authorized_staff",)),
        staff_actual=_typed(m, "bd_actual_staff", "count", "人", ("actual_staff",)),
        staff_rate=_calc(
            m, "bd_staff_control_rate_calc", "rate", "在职人员控制率（附件1 编制数或实际在职人数未填）"
        ),
        initial_budget=_typed(m, "ua_initial_budget", "amount", claims=("initial_budget",)),
        adjusted_budget=_typed(m, "ua_adjusted_budget", "amount", claims=("adjusted_budget",)),
        spent=_typed(m, "ua_spent", "amount", claims=("spent",)),
        execution_rate=_calc(
            m, "ua_execution_rate_calc", "rate", "预算执行率（附件2 全年执行数或全年预算数未填）"
        ),
        adjustment_rate=_calc(
            m, "ua_adjustment_rate_calc", "rate", "预算调整率（附件2 年初或全年预算数未填）"
        ),
        income_splits=splits,
        basic_spent=_split_spent(m, "ua_basic_expenditure", "basic_expenditure"),
        project_spent=_split_spent(m, "ua_project_expenditure", "project_expenditure"),
        three_public=_control(m, "tpc", "“三公”经费"),
        public_funds=_control(m, "public", "公用经费"),
        project_items=items,
        projects=_projects(result),
        indicators=[_indicator_line(i) for i in m.indicators],
        scores=_scores(result),
        goals=goals,
        texts={name: _paragraphs(m.text(name)) for name in cat.TEXT_FIELDS},
        attachments=table_titles(result),
        text_warnings=_text_warnings(result),
        has_unit=Form.UNIT in m.forms,
        has_projects=Form.PROJECT in m.forms,
    )
