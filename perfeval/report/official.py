"""The official printed attachment tables (附件1 基础数据表, 附件2 自评表, 项目支出绩效自评表) from a check.

The layout follows the Hunan forms as filed in seed 000: the same rows, column headers, merged cells and
line breaks inside cells. The Word writer (and the submission export) only lay the grid out.

Which value is printed in a cell:
- What the user typed, formatted: amounts with 2 decimals (1.3 -> "1.30"), rates as a percent with 2
  decimals ("100%" -> "100.00%"), counts and scores without trailing zeros ("10"); text such as "无"
  exactly as typed; a blank cell stays blank. The printed form is the unit's own declaration, so a typed
  value is never replaced by the tool's, even when the tool disagrees (the findings say so elsewhere).
- Where the user left a cell blank that the tool computes (控制率, 执行率, 执行率得分, a total from its
  parts, an indicator score of a quantitative row, 总分), the computed value, because the form asks for it
  and it follows from the typed inputs. A value that cannot be computed stays blank.
- Cells the forms have but the workbook has no input for are derived from what is printed around them:
  "产出指标 (50分)" is the sum of the 分值 typed on that level's rows; the 分值 of the 总分 row is the sum of
  all printed 分值 (so 桃江 prints 110 where the seed's hand-typed form says 100: the printed total must
  match the rows above it).
- The 总分 and 等级 never contradict the check's result (the report's text, the cover, the terminal): a
  typed 总分 that differs from the computed one is printed with it ("100", "复核", "110"); the 等级 is the
  computed grade ("等级待定" when the weights do not add up), with the typed grade under it when that
  differs ("等级待定" over "填报：优"). Only when the check could not compute a total is the typed grade
  printed alone, else the profile's grade of the printed 总分.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.compute import GRADE_PENDING
from perfeval.core.decimals import round_half_up
from perfeval.core.model import Indicator, Model, Project, as_text
from perfeval.core.parse import Quantity, Status
from perfeval.core.pipeline import CheckResult
from perfeval.report.document import Merge, OfficialTable
from perfeval.report.titles import basic_data_title, project_title, unit_assessment_title
from perfeval.report.titles import report_year as _year

__all__ = ["basic_data_table", "official_tables", "project_table", "unit_assessment_table"]


BASIC_NOTE = (
    "说明：“项目支出”需要填报基本支出以外的所有项目支出情况，“公用经费”填报基本支出中的一般商品和服务支出。"
)

# Printed row labels of the 经费控制 block, as on the Hunan form (the catalogue's labels are for the sheet).
COST_PRINT_LABELS = {
    "tpc": "三公经费：",
    "car": "1、公务用车购置和维护经费",
    "car_purchase": "其中：公车购置",
    "car_operation": "公车运行维护",
    "abroad": "2、出国经费",
    "reception": "3、公务接待",
    "project": "项目支出：",
    "public": "公用经费",
    "office": "其中：办公经费",
    "utilities_travel": "水费、电费、差旅费",
    "meeting_training": "会议费、培训费",
    "procurement": "政府采购金额",
    "basic": "部门基本支出预算调整",
}

# Relative column widths in mm of an A4 portrait text block (156 mm); the writer scales them.
BASIC_WIDTHS = [48.0, 18.0, 18.0, 18.0, 18.0, 18.0, 18.0]
ASSESSMENT_WIDTHS = [10.0, 13.0, 17.0, 26.5, 20.5, 27.0, 10.0, 15.0, 17.0]

_NUMBERED = re.compile(r"^\s*(\d+|[一二三四五六七八九十]+)[.、．)）]")


# --- formatting ------------------------------------------------------------------------------------------


def _two(value: Decimal) -> str:
    return str(round_half_up(value, 2))


def _plain(value: Decimal) -> str:
    """10 -> "10", 9.5 -> "9.50": whole numbers bare, others with 2 decimals."""
    return str(value.to_integral_value()) if value == value.to_integral_value() else _two(value)


def _percent(value: Decimal) -> str:
    return _two(value * 100) + "%"


def _typed(qty: Quantity | None, fmt) -> str | None:
    """The formatted typed value, the raw text when it is not a number, or None when blank."""
    if qty is None or qty.status is Status.BLANK:
        return None
    if qty.ok and qty.value is not None:
        return fmt(qty.value)
    return as_text(qty.raw)


def _computed(value: object, fmt) -> str:
    return fmt(value) if isinstance(value, Decimal) else ""


def _cell(qty: Quantity | None, fmt, computed: object = None) -> str:
    typed = _typed(qty, fmt)
    return typed if typed is not None else _computed(computed, fmt)


def _number(qty: Quantity | None, computed: object = None) -> Decimal | None:
    """The number a cell prints: typed when typed, else computed."""
    if qty is not None and qty.status is not Status.BLANK:
        return qty.value if qty.ok else None
    return computed if isinstance(computed, Decimal) else None


# --- shared pieces ---------------------------------------------------------------------------------------


def _sign_line(m: Model) -> str:
    """The fill-in line under 附件2: the preparer's name, date and phone as typed in 基本信息, blanks
    (full-width spaces for writing by hand) otherwise; the leader always signs by hand."""
    blank = "\u3000" * 5

    def part(label: str, name: str) -> str:
        return f"{label}：{m.text(name) or blank}"

    return "    ".join(
        [
            part("填表人", "info_preparer"),
            part("填报日期", "info_report_date"),
            part("联系电话", "info_phone"),
            f"单位负责人签字：{blank}",
        ]
    )


@dataclass
class _Grid:
    """Rows under construction, with merges and bold (header) cells."""

    width: int
    rows: list[list[str]]
    merges: list[Merge]
    bold: set[tuple[int, int]]

    @classmethod
    def empty(cls, width: int) -> _Grid:
        return cls(width, [], [], set())

    def add(self, cells: Iterable[tuple[int, int, str]], *, bold: bool = False) -> int:
        """Add a row from (first_col, last_col, text) spans; returns its index."""
        r = len(self.rows)
        row = [""] * self.width
        for c1, c2, text in cells:
            row[c1] = text
            if c2 > c1:
                self.merges.append(Merge(r, c1, r, c2))
            if bold and text:
                self.bold.add((r, c1))
        self.rows.append(row)
        return r

    def down(self, first_row: int, last_row: int, c1: int, c2: int | None = None) -> None:
        """Merge a block of rows: the text of first_row stays, the rows below become part of its cell.

        Horizontal merges of the same columns on those rows are replaced by the block."""
        c2 = c1 if c2 is None else c2
        if last_row <= first_row:
            return
        inside = {(r, c1, r, c2) for r in range(first_row, last_row + 1)}
        self.merges = [
            g for g in self.merges if (g.first_row, g.first_col, g.last_row, g.last_col) not in inside
        ]
        self.merges.append(Merge(first_row, c1, last_row, c2))

    def table(self, label: str, title: str, **kw) -> OfficialTable:
        return OfficialTable(
            label=label, title=title, rows=self.rows, merges=self.merges, bold_cells=self.bold, **kw
        )


# --- 附件1 ------------------------------------------------------------------------------------------------


def basic_data_table(result: CheckResult, label: str = "附件1") -> OfficialTable:
    """附件1 部门整体支出绩效评价基础数据表: 7 columns, the three-value rows span two columns each.

    No header row repeats: its blocks carry their own headers and the form fits one page."""
    m = result.model
    c = m.computed
    year = _year(m)
    g = _Grid.empty(7)
    pairs = ((1, 2), (3, 4), (5, 6))

    def three(first: str, texts: tuple[str, str, str], *, bold: bool = False) -> int:
        return g.add([(0, 0, first), *((a, b, t) for (a, b), t in zip(pairs, texts, strict=True))], bold=bold)

    now, prior = (f"{year}年", f"{year - 1}年") if year else ("本年", "上年")
    top = three("财政供养人员情况（人）", ("编制数", f"{now}实际在职人数", "控制率"), bold=True)
    staff = three(
        "",
        (
            _cell(m.q["bd_authorized_staff"], _plain),
            _cell(m.q["bd_actual_staff"], _plain),
            _cell(m.q["bd_staff_control_rate"], _percent, c.get("bd_staff_control_rate_calc")),
        ),
    )
    g.down(top, staff, 0)
    three("经费控制情况（万元）", (f"{prior}决算数", f"{now}预算数", f"{now}决算数"), bold=True)
    for key, _label, parts, _style in cat.COST_ROWS:
        amounts = tuple(
            _cell(m.q[f"bd_{key}_{col}"], _two, c.get(f"bd_{key}_{col}_sum") if parts else None)
            for col in cat.YEAR_COLS
        )
        three(COST_PRINT_LABELS[key], amounts)  # type: ignore[arg-type]
        if key == "project":
            for n, item in enumerate(m.project_items, start=1):
                name = item.name if _NUMBERED.match(item.name) else f"{n}、{item.name}"
                three(name, tuple(_cell(item.amounts[col], _two) for col in cat.YEAR_COLS))  # type: ignore[arg-type]

    completed = f"（{year}年完工项目）" if year else "（本年完工项目）"
    head = g.add(
        [
            (0, 0, f"楼堂馆所控制情况\n{completed}"),
            (1, 1, "批复规模\n（m²）"),
            (2, 2, "实际规模（m²）"),
            (3, 3, "规模\n控制率"),
            (4, 4, "预算投资（万元）"),
            (5, 5, "实际投资\n（万元）"),
            (6, 6, "投资概算\n控制率"),
        ],
        bold=True,
    )
    building = g.add(
        [
            (0, 0, ""),
            (1, 1, _cell(m.q["bd_building_approved_area"], _plain)),
            (2, 2, _cell(m.q["bd_building_actual_area"], _plain)),
            (3, 3, _cell(m.q["bd_building_area_rate"], _percent, c.get("bd_building_area_rate_calc"))),
            (4, 4, _cell(m.q["bd_building_budgeted_investment"], _two)),
            (5, 5, _cell(m.q["bd_building_actual_investment"], _two)),
            (
                6,
                6,
                _cell(
                    m.q["bd_building_investment_rate"], _percent, c.get("bd_building_investment_rate_calc")
                ),
            ),
        ]
    )
    g.down(head, building, 0)
    frugal = g.add([(0, 0, "厉行节约保障措施"), (1, 6, m.text("bd_frugality_measures"))])
    g.bold.add((frugal, 0))
    return g.table(
        label,
        basic_data_title(m),
        header_rows=0,
        widths=list(BASIC_WIDTHS),
        note=BASIC_NOTE,
    )


# --- 附件2 and the project tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Budget:
    initial: str
    adjusted: str
    spent: str
    weight: str
    rate: str
    score: str


def _numbered(texts: list[tuple[str, str]]) -> tuple[str, str]:
    """Goal pairs -> the two cell texts, numbered "1." alike on both sides when there are several."""
    pairs = [(e, a) for e, a in texts if e or a]
    if len(pairs) <= 1:
        return pairs[0] if pairs else ("", "")

    def side(values: list[str]) -> str:
        lines = []
        for n, text in enumerate(values, start=1):
            if text:
                lines.append(text if _NUMBERED.match(text) else f"{n}.{text}")
        return "\n".join(lines)

    return side([e for e, _ in pairs]), side([a for _, a in pairs])


def _level1_text(name: str, weights: list[Decimal]) -> str:
    """ "产出\n指标\n(50分)" as on the form: the column holds three characters a line."""
    if name.endswith("指标") and len(name) > 2:
        name = f"{name[:-2]}\n指标"
    return f"{name}\n({_plain(sum(weights, Decimal(0)))}分)" if name and weights else name


def _level2_text(name: str) -> str:
    """The 二级指标 column holds four characters a line: "服务对象满意度指标" would leave "标" alone."""
    if name.endswith("指标") and len(name) % 4 == 1:
        return f"{name[:-2]}\n指标"
    return name


def _indicator_rows(
    g: _Grid, m: Model, indicators: list[Indicator], score_header: str = "自评\n得分"
) -> None:
    """The 绩效指标 block: a header row, one row per indicator, 一级/二级 merged down over their runs."""
    head = g.add(
        [
            (0, 0, "绩\n效\n指\n标"),
            (1, 1, "一级\n指标"),
            (2, 2, "二级\n指标"),
            (3, 3, "三级指标"),
            (4, 4, "年度指标值"),
            (5, 5, "实际完成值"),
            (6, 6, "分值"),
            (7, 7, score_header),
            (8, 8, "偏差原因\n分析及\n改进措施"),
        ],
        bold=True,
    )
    first = len(g.rows)
    for ind in indicators:
        computed = m.table_computed.get((ind.table, ind.index, "score_calc"))
        g.add(
            [
                (0, 0, ""),
                (1, 1, ind.level1),
                (2, 2, _level2_text(ind.level2 or ind.raw_level2)),
                (3, 3, ind.level3),
                (4, 4, as_text(ind.target.raw)),
                (5, 5, as_text(ind.actual.raw)),
                (6, 6, _cell(ind.weight, _plain)),
                (7, 7, _cell(ind.score, _plain, computed)),
                (8, 8, ind.deviation_note),
            ]
        )
    g.down(head, len(g.rows) - 1, 0)

    # Runs of equal 一级 (and, inside them, equal 二级) share one merged cell, as on the form.
    r = first
    while r < len(g.rows):
        level1 = indicators[r - first].level1
        end = r
        while end + 1 < len(g.rows) and level1 and indicators[end + 1 - first].level1 == level1:
            end += 1
        weights = [i.weight.value for i in indicators[r - first : end - first + 1] if i.weight.ok]
        g.rows[r][1] = _level1_text(level1, weights)  # type: ignore[arg-type]
        g.down(r, end, 1)
        s = r
        while s <= end:
            level2 = g.rows[s][2]
            e = s
            while e + 1 <= end and level2 and g.rows[e + 1][2] == level2:
                g.rows[e + 1][2] = ""
                e += 1
            g.down(s, e, 2)
            s = e + 1
        for k in range(r + 1, end + 1):
            g.rows[k][1] = ""
        r = end + 1


def _assessment(
    result: CheckResult,
    *,
    label: str,
    title: str,
    name_label: str,
    name: str,
    budget_label: str,
    budget: _Budget,
    weight: Decimal | None,
    splits: list[tuple[str, str]],
    goals: tuple[str, str],
    indicators: list[Indicator],
    total: _Total,
    note: str,
    head_rows: Iterable[list[tuple[int, int, str]]] = (),
    lines: Iterable[tuple[str, _Budget]] = (),
    tail_rows: Iterable[tuple[str, str]] = (),
    score_header: str = "自评得分",
) -> OfficialTable:
    """The 自评表 grid shared by 附件2 and each 项目支出绩效自评表 (9 columns).

    A project's table adds `head_rows` under the name (主管部门 and 实施单位: spans, labels bold), its 其中
    `lines` under 年度资金总额 and `tail_rows` under 总分 (评价结论 …: (label, text) rows laid out like the
    name row)."""
    m = result.model
    g = _Grid.empty(9)
    first = g.add([(0, 3, name_label), (4, 8, name)])  # the label on one line
    g.bold.add((first, 0))
    for spans in head_rows:
        r = g.add(spans)
        g.bold.update((r, span[0]) for span in spans[::2])  # label, value, label, value
    top = g.add(
        [
            (0, 0, budget_label),
            (1, 2, ""),
            (3, 3, "年初预算数"),
            (4, 4, "全年预算数"),
            (5, 5, "全年执行数"),
            (6, 6, "分值"),
            (7, 7, "执行率"),
            (8, 8, score_header),
        ],
        bold=True,
    )
    g.bold.discard((top, 1))
    for line_label, line in (("年度资金总额", budget), *lines):
        g.add(
            [
                (0, 0, ""),
                (1, 2, line_label),
                (3, 3, line.initial),
                (4, 4, line.adjusted),
                (5, 5, line.spent),
                (6, 6, line.weight),
                (7, 7, line.rate),
                (8, 8, line.score),
            ]
        )
    for left, right in splits:
        g.add([(0, 0, ""), (1, 4, left), (5, 8, right)])
    g.down(top, len(g.rows) - 1, 0)

    goal_head = g.add([(0, 0, "年度总体\n目标"), (1, 4, "预期目标"), (5, 8, "实际完成情况")], bold=True)
    g.add([(0, 0, ""), (1, 4, goals[0]), (5, 8, goals[1])])
    g.down(goal_head, goal_head + 1, 0)

    _indicator_rows(g, m, indicators, score_header.replace("自评", "自评\n"))

    weights = [weight] if weight is not None else []
    weights += [i.weight.value for i in indicators if i.weight.ok and i.weight.value is not None]
    score_text, grade_text = total.cells(m)
    last = g.add(
        [
            (0, 5, "总分"),
            (6, 6, _plain(sum(weights, Decimal(0))) if weights else ""),
            (7, 7, score_text),
            (8, 8, grade_text),
        ]
    )
    g.bold.add((last, 0))
    for tail_label, text in tail_rows:
        g.bold.add((g.add([(0, 3, tail_label), (4, 8, text)]), 0))
    return g.table(label, title, header_rows=1, widths=list(ASSESSMENT_WIDTHS), note=note)


@dataclass(frozen=True)
class _Total:
    """The 总分 row's inputs: the typed 总分 and 等级, and what the check computed for them."""

    typed: Quantity | None
    computed: object  # Decimal, or Unavailable when it could not be computed
    typed_grade: str
    computed_grade: object  # str (a grade or GRADE_PENDING), or Unavailable

    def cells(self, m: Model) -> tuple[str, str]:
        """(自评得分 cell, 等级 cell) of the 总分 row; see the module docstring."""
        ours = self.computed if isinstance(self.computed, Decimal) else None
        typed = _typed(self.typed, _plain)
        typed_number = self.typed.value if self.typed is not None and self.typed.ok else None
        if typed is None:
            score = _computed(ours, _plain)
        elif ours is not None and (
            typed_number is None or abs(typed_number - ours) > m.profile.score_tolerance
        ):
            # The column is three and a half characters wide: "复核" and the number on lines of their own.
            score = f"{typed}\n复核\n{_plain(ours)}"
        else:
            score = typed
        if isinstance(self.computed_grade, str):
            ours_grade = self.computed_grade
            grade = ours_grade if ours_grade == GRADE_PENDING else f"等级：{ours_grade}"
            if self.typed_grade and ours_grade not in self.typed_grade:  # "优秀" is 优
                grade += f"\n填报：{self.typed_grade}"
            return score, grade
        grade = self.typed_grade
        printed = typed_number if typed is not None else ours
        if not grade and printed is not None:
            grade = m.profile.grade(printed)
        return score, f"等级：{grade}" if grade else ""


def _splits(m: Model) -> list[tuple[str, str]]:
    """The 按收入性质分 / 按支出性质分 block as the form prints it: one figure a line, the sums on top."""

    def amount(key: str) -> str:
        return _cell(m.q[f"ua_{key}"], _two)

    income = [f"{label}：{amount(k)}" for k, label in cat.INCOME_SPLITS]
    expense = [f"{label}：{amount(k)}" for k, label in cat.EXPENSE_SPLITS]
    expense += [""] * (len(income) - len(expense))
    head = (
        f"按收入性质分：{_computed(m.computed.get('ua_income_sum'), _two)}",
        f"按支出性质分：{_computed(m.computed.get('ua_expense_sum'), _two)}",
    )
    return [head, *zip(income, expense, strict=True)]


def unit_assessment_table(result: CheckResult, label: str = "附件2") -> OfficialTable:
    """附件2 部门整体支出绩效自评表, portrait as in seed 000: its 9 columns fit 156 mm at 五号."""
    m = result.model
    c = m.computed
    unit = m.text("info_unit_name")
    budget = _Budget(
        initial=_cell(m.q["ua_initial_budget"], _two),
        adjusted=_cell(m.q["ua_adjusted_budget"], _two),
        spent=_cell(m.q["ua_spent"], _two),
        weight=_cell(m.q["ua_execution_weight"], _plain),
        rate=_cell(m.q["ua_execution_rate"], _percent, c.get("ua_execution_rate_calc")),
        score=_cell(m.q["ua_execution_score"], _plain, c.get("ua_execution_score_calc")),
    )
    goals = _numbered(
        [
            (m.text(f"ua_goal_expected_{i}"), m.text(f"ua_goal_actual_{i}"))
            for i in range(1, cat.GOAL_ROWS + 1)
        ]
    )
    return _assessment(
        result,
        label=label,
        title=unit_assessment_title(m),
        name_label="县级预算部门、单位名称",
        name=unit,
        budget_label="年度预算申请\n(万元)",
        budget=budget,
        weight=_number(m.q["ua_execution_weight"]),
        splits=_splits(m),
        goals=goals,
        indicators=m.indicators,
        total=_Total(
            m.q["ua_total_score"], c.get("ua_total_score_calc"), m.text("ua_grade"), c.get("ua_grade_calc")
        ),
        note=_sign_line(m),
    )


def _fund_lines(project: Project, has_columns: bool) -> list[tuple[str, _Budget]]:
    """The form's 其中 lines under 年度资金总额 (当年财政拨款, 上年结转资金, 其他资金): amounts as typed, the
    line's 执行率 from them (the form has the cell, the workbook no input for it), "—" under 分值 and 得分
    as on the form. Printed always, blanks blank, as the national form has them; none when the workbook's
    table has no such columns (template version 1)."""
    if not has_columns:
        return []
    out = []
    for n, (source, label) in enumerate(cat.FUND_SOURCES):
        amounts = project.funds.get(source, {})
        spent, adjusted = _number(amounts.get("spent")), _number(amounts.get("adjusted_budget"))
        rate = spent / adjusted if spent is not None and adjusted else None
        line = _Budget(
            initial=_cell(amounts.get("initial_budget"), _two),
            adjusted=_cell(amounts.get("adjusted_budget"), _two),
            spent=_cell(amounts.get("spent"), _two),
            weight="—",
            rate=_computed(rate, _percent),
            score="—",
        )
        out.append((f"其中：\n{label}" if n == 0 else label, line))  # "其中：" on a line of its own
    return out


def project_table(result: CheckResult, project: Project, label: str) -> OfficialTable:
    """One 项目支出绩效自评表 (财预〔2020〕10号): the 附件2 grid for one project, the project name in the
    first row, without the income/expense split block. The rows of the national form the workbook holds
    besides: 主管部门 and 实施单位 under the name and the 其中 lines under 年度资金总额 (always, as on the
    form), and the project's 评价结论, 存在问题 and 改进措施 under 总分 when filled."""
    m = result.model
    key = cat.PROJECTS.name
    # One row, as on the national form: 主管部门 | … | 实施单位 | … .
    heads = [(0, 2, "主管部门"), (3, 4, project.department), (5, 5, "实施单位"), (6, 8, project.implementer)]
    texts = [(name, project.texts.get(k, "")) for k, name in cat.PROJECT_TEXTS]
    columns = m.snapshot.tables[key].columns if key in m.snapshot.tables else {}

    def calc(column: str) -> object:
        return m.table_computed.get((key, project.index, column))

    budget = _Budget(
        initial=_cell(project.initial_budget, _two),
        adjusted=_cell(project.adjusted_budget, _two),
        spent=_cell(project.spent, _two),
        weight=_cell(project.execution_weight, _plain),
        rate=_cell(project.execution_rate, _percent, calc("execution_rate_calc")),
        score=_cell(project.execution_score, _plain, calc("execution_score_calc")),
    )
    return _assessment(
        result,
        label=label,
        title=project_title(m, project),
        name_label="项目名称",
        name=project.name,
        budget_label=f"项目资金\n({m.amount_unit})",
        budget=budget,
        weight=_number(project.execution_weight),
        splits=[],
        goals=(project.goal_expected, project.goal_actual),
        indicators=project.indicators,
        total=_Total(project.total_score, calc("total_score_calc"), "", calc("grade_calc")),
        note=_sign_line(m),
        # The national form always has these rows; a version-1 table has no columns for them.
        head_rows=[heads] if "department" in columns or project.department or project.implementer else [],
        lines=_fund_lines(project, f"{cat.FUND_SOURCES[0][0]}_spent" in columns),
        tail_rows=[(name, text) for name, text in texts if text],
        score_header="得分",  # the national project form says 得分 where 附件2 says 自评得分
    )


def official_tables(result: CheckResult) -> list[OfficialTable]:
    """The attachments of what was checked (Model.forms): 附件1 and 附件2 for the 部门整体 forms, then one
    项目支出绩效自评表 per listed project (附件3, 附件4, …; 附件1, 附件2, … when there are only projects)."""
    m = result.model
    tables = [basic_data_table(result), unit_assessment_table(result)] if Form.UNIT in m.forms else []
    if Form.PROJECT in m.forms:
        for project in m.projects:
            tables.append(project_table(result, project, f"附件{len(tables) + 1}"))
    return tables
