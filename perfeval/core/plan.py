"""The write plan: everything a check writes, as data. Both adapters (openpyxl, xlwings) apply the same plan."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from perfeval import __version__
from perfeval import catalogue as cat
from perfeval.catalogue import FieldType, Form
from perfeval.core.compute import Unavailable, row_score
from perfeval.core.findings import Severity
from perfeval.core.model import Indicator, Model
from perfeval.core.pipeline import CheckResult
from perfeval.core.rules import REGISTRY
from perfeval.core.sheets import moved_computed, output_names, report_kept_as
from perfeval.core.snapshot import CellRef
from perfeval.narrative.sheet import report_texts, stamp
from perfeval.report.document import Report

NOTE_MARK = "【perfeval】"
# The hidden state sheet: one row per cell the tool marked, with the fill it had before, so the next run
# and 清除标记 put it back. original_fill is the cell's <fill> element as SpreadsheetML writes it in
# styles.xml (namespace left out), e.g. <fill><patternFill patternType="solid"><fgColor theme="4"
# tint="0.4"/></patternFill></fill>; both adapters read and write it. Older runs wrote "none" or RRGGBB.
STATE_HEADER = ("sheet", "address", "original_fill")
SEVERITY_FILLS = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C", Severity.INFO: "DDEBF7"}
FINDINGS_HEADER = (
    "序号",
    "严重程度",
    "规则编号",
    "规则",
    "单元格",
    "问题说明",
    "应为",
    "填报",
    "处理建议",
    "审核说明",
    "指纹",
)
EXPLANATION_COL = FINDINGS_HEADER.index("审核说明")  # 0-based; the user types here
FINGERPRINT_COL = FINDINGS_HEADER.index("指纹")

NUMBER_FORMATS = {
    FieldType.AMOUNT: "#,##0.00",
    FieldType.RATE: "0.00%",
    FieldType.SCORE: "0.00",
    FieldType.COUNT: "0",
    FieldType.AREA: "#,##0.00",
}


@dataclass(frozen=True)
class CellWrite:
    ref: CellRef
    value: object  # float, int, str or None
    number_format: str | None = None


@dataclass(frozen=True)
class Mark:
    ref: CellRef
    severity: Severity
    note: str  # without NOTE_MARK; adapters prefix it so they can find their own notes again


@dataclass
class SheetPlan:
    name: str  # the name it is written under this run (see core/sheets.output_names)
    rows: list[list[object]]
    widths: list[float]
    header_row: int = 1  # 1-based row holding the column titles
    links: dict[tuple[int, int], CellRef] = field(default_factory=dict)  # (row, col) 1-based
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    # (row, col) 1-based -> Excel number format: the value stays exact, the print rounds it
    number_formats: dict[tuple[int, int], str] = field(default_factory=dict)
    wrap: bool = True
    editable_col: int | None = None  # 1-based column the user may type into (审核说明)
    hidden_cols: tuple[int, ...] = ()
    styles: dict[int, str] = field(default_factory=dict)  # 1-based row -> paragraph kind (report sheet)
    portrait: bool = False
    kind: str = ""  # its default name, which keys its mark (cat.OWN_SHEET_MARKS)

    @property
    def mark(self) -> str:
        return cat.OWN_SHEET_MARKS[self.kind or self.name]


@dataclass
class WritePlan:
    """What a run writes, after undoing the last run: the last run's marks (found through the state sheet)
    are restored, `renames` are applied (a sheet of the tool's that became the user's loses its mark and
    is kept), the tool's remaining sheets (`remove`) are deleted, then all of this is written."""

    values: list[CellWrite]
    marks: list[Mark]
    sheets: list[SheetPlan]
    renames: dict[str, str] = field(default_factory=dict)  # the tool's sheet -> the user's name for it
    remove: tuple[str, ...] = ()  # the tool's sheets from the last run, by their current names
    state_sheet: str = cat.SHEET_STATE
    state_sheet_found: str | None = None  # the last run's state sheet, when there is one


def cell_value(value: object) -> object:
    """Decimal -> float for Excel; Unavailable -> its text; everything else unchanged."""
    if isinstance(value, Decimal):
        number = float(value)
        return number if math.isfinite(number) else str(value)  # beyond what a cell holds: as text
    if isinstance(value, Unavailable):
        return value.cell_text()
    return value


def _values(result: CheckResult) -> list[CellWrite]:
    model = result.model
    moved = moved_computed(model.snapshot)
    writes: list[CellWrite] = []
    gone = set(model.snapshot.missing_names)
    for f in cat.computed_fields():
        # A name the workbook lacks (a project-only workbook has no 附件2) has no cell to write.
        if f.name in model.computed and f.name not in moved and f.name not in gone:
            value = model.computed[f.name]
            if f.type is FieldType.AMOUNT and model.amount_unit == "元" and isinstance(value, Decimal):
                value = value * 10000  # the model holds 万元; the form prints 元
            writes.append(CellWrite(model.ref(f.name), cell_value(value), NUMBER_FORMATS.get(f.type)))
    for table_name, spec in cat.TABLES.items():
        table = model.snapshot.tables.get(table_name)
        if table is None:
            continue
        computed_cols = [c for c in spec.columns if c.computed]
        for index in range(len(table.rows)):
            for col in computed_cols:
                value = model.table_computed.get((table_name, index, col.key))
                # Rows the user left blank get their computed cells cleared (a removed row leaves nothing).
                writes.append(
                    CellWrite(table.ref(index, col.key), cell_value(value), NUMBER_FORMATS.get(col.type))
                )
    return writes


def _marks(result: CheckResult) -> list[Mark]:
    by_cell: dict[CellRef, list] = defaultdict(list)
    for f in result.findings:
        for ref in f.cells:
            by_cell[ref].append(f)
    marks = []
    for ref, findings in sorted(by_cell.items()):
        worst = min(findings, key=lambda f: f.severity.rank).severity
        note = "\n".join(f"[{f.severity.value}] {f.rule_id} {f.text()}" for f in findings)
        marks.append(Mark(ref, worst, note))
    return marks


def _findings_sheet(result: CheckResult) -> SheetPlan:
    title = f"校验结果：{result.summary()}（规则集 perfeval {__version__}）"
    rows: list[list[object]] = [[title], list(FINDINGS_HEADER)]
    links: dict[tuple[int, int], CellRef] = {}
    fills: dict[tuple[int, int], str] = {}
    for i, f in enumerate(result.findings, start=1):
        r = len(rows) + 1
        rows.append(
            [
                i,
                f.severity.value,
                f.rule_id,
                f.title,
                f.location,
                f.message,
                f.expected,
                f.found,
                f.advice,
                result.explained(f),
                f.fingerprint,
            ]
        )
        if f.cells:
            links[(r, 5)] = f.cells[0]
        fills[(r, 2)] = SEVERITY_FILLS[f.severity]
    if not result.findings:
        rows.append(["", "", "", "未发现问题", "", "所有已适用的规则均通过。"])
    # Rules of a form the workbook does not hold are not "missing data": they are left out here.
    skipped = {
        rule_id: reason
        for rule_id, reason in result.not_applicable.items()
        if REGISTRY[rule_id].forms <= result.model.forms
    }
    if skipped:
        rows.append([])
        rows.append(["", "", "", "未适用的规则", "", "以下规则未执行（原因见右）："])
        for rule_id, reason in sorted(skipped.items()):
            rows.append(["", "未适用", rule_id, REGISTRY[rule_id].title, "", reason])
    return SheetPlan(
        cat.SHEET_FINDINGS,
        rows,
        widths=[6, 9, 11, 20, 22, 50, 16, 16, 30, 24, 20],
        header_row=2,
        links=links,
        fills=fills,
        editable_col=EXPLANATION_COL + 1,
        hidden_cols=(FINGERPRINT_COL + 1,),
    )


_SCORE_HEADER = ["分值", "自评得分（填报）", "得分（复核）", "说明"]


def _score_rows(
    model: Model,
    *,
    execution: tuple[object, object, object, object],  # 分值, 得分（填报）, 得分（复核）, 执行率（复核）
    indicators: list[Indicator],
    total: tuple[object, object],  # 总分（填报）, 总分（复核）
    grade: object,
) -> list[list[object]]:
    """预算执行率, one row per 一级指标, 总分: the score block of 附件2 or of one project."""
    weight, typed_score, calc_score, rate = execution
    rows: list[list[object]] = [
        [
            "预算执行率",
            cell_value(weight),
            cell_value(typed_score),
            cell_value(calc_score),
            f"执行率（复核）{_fmt_rate(rate)}",
        ]
    ]
    for level in cat.LEVEL1:
        inds = [i for i in indicators if i.level1 == level]
        weights = sum(
            (i.weight.value for i in inds if i.weight.ok and i.weight.value is not None), Decimal(0)
        )
        typed = sum((i.score.value for i in inds if i.score.ok and i.score.value is not None), Decimal(0))
        calc = sum((s for s in (row_score(i) for i in inds) if s is not None), Decimal(0))
        rows.append([level, float(weights), float(typed), float(calc), f"{len(inds)} 项指标"])
    rows.append(
        [
            "总分",
            100,
            cell_value(total[0]),
            cell_value(total[1]),
            f"等级（复核）：{cell_value(grade)}；评分口径：{model.profile.name}",
        ]
    )
    return rows


def _indicator_rows(indicators: list[Indicator]) -> list[list[object]]:
    rows: list[list[object]] = []
    for ind in indicators:
        note = ind.score_reason if ind.score_calc is None else ""
        rows.append(
            [
                f"{ind.level1}/{ind.level2}/{ind.level3}",
                cell_value(ind.weight.value),
                cell_value(ind.score.value),
                cell_value(ind.score_calc),
                note or ("定性" if ind.kind == "定性" else ""),
            ]
        )
    return rows


def _scores_sheet(result: CheckResult) -> SheetPlan:
    """评分汇总: the 部门整体 scores when its forms were checked, each project's when the project forms were.
    A workbook of projects only shows no 部门整体 总分 (it has none): its projects' totals and grades
    come first, then each project's score block and indicators."""
    m = result.model
    rows: list[list[object]] = [["评分汇总（复核值由工具按评分口径计算）"]]
    if Form.UNIT in m.forms:
        rows.append(["项目", *_SCORE_HEADER])
        rows += _score_rows(
            m,
            execution=(
                m.num("ua_execution_weight"),
                m.num("ua_execution_score"),
                m.computed.get("ua_execution_score_calc"),
                m.computed.get("ua_execution_rate_calc"),
            ),
            indicators=m.indicators,
            total=(m.num("ua_total_score"), m.computed.get("ua_total_score_calc")),
            grade=m.computed.get("ua_grade_calc"),
        )
        rows.append([])
        rows.append(["绩效指标明细", *_SCORE_HEADER])
        rows += _indicator_rows(m.indicators)
    projects_only = Form.UNIT not in m.forms
    if m.projects or (projects_only and Form.PROJECT in m.forms):
        if not projects_only:
            rows.append([])
        rows.append(["项目支出", "执行率（复核）", "总分（填报）", "总分（复核）", "等级（复核）"])
        tc = m.table_computed
        for p in m.projects:
            rows.append(
                [
                    p.name,
                    cell_value(tc.get((cat.PROJECTS.name, p.index, "execution_rate_calc"))),
                    cell_value(p.total_score.value),
                    cell_value(tc.get((cat.PROJECTS.name, p.index, "total_score_calc"))),
                    cell_value(tc.get((cat.PROJECTS.name, p.index, "grade_calc"))),
                ]
            )
        if not m.projects:
            rows.append(["（未填写任何项目）"])
    if projects_only:
        # Without 附件2 above, each project's own block: where its points come from.
        tc = m.table_computed
        for p in m.projects:
            key = (cat.PROJECTS.name, p.index)
            rows.append([])
            rows.append([f"项目：{p.name}", *_SCORE_HEADER])
            rows += _score_rows(
                m,
                execution=(
                    p.execution_weight.value,
                    p.execution_score.value,
                    tc.get((*key, "execution_score_calc")),
                    tc.get((*key, "execution_rate_calc")),
                ),
                indicators=p.indicators,
                total=(p.total_score.value, tc.get((*key, "total_score_calc"))),
                grade=tc.get((*key, "grade_calc")),
            )
            rows += _indicator_rows(p.indicators)
    return SheetPlan(
        cat.SHEET_SCORES,
        rows,
        widths=[48, 10, 12, 12, 40],
        header_row=2,
        number_formats=_score_formats(rows),
    )


SCORE_FORMAT = NUMBER_FORMATS[FieldType.SCORE]
RATE_FORMAT = NUMBER_FORMATS[FieldType.RATE]


def _score_formats(rows: list[list[object]]) -> dict[tuple[int, int], str]:
    """Number formats of 评分汇总: scores with two decimals; under the 项目支出 header, column 2 is a rate."""
    formats: dict[tuple[int, int], str] = {}
    rate_col = False
    for r, row in enumerate(rows, start=1):
        if row and isinstance(row[0], str) and len(row) > 1 and isinstance(row[1], str):
            rate_col = row[1] == "执行率（复核）"  # a header row: it decides what the rows below hold
            continue
        for c, value in enumerate(row[1:4], start=2):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                formats[(r, c)] = RATE_FORMAT if rate_col and c == 2 else SCORE_FORMAT
    return formats


def _fmt_rate(value: object) -> str:
    return f"{value * 100:.2f}%" if isinstance(value, Decimal) else (value.cell_text() if value else "")


def _read_label(name: str) -> str:
    if name in cat.fields():
        return cat.field(name).label
    if name in cat.TABLES:
        return cat.TABLES[name].label + "表"
    return name


def rules_sheet(result: CheckResult | None = None) -> SheetPlan:
    profile = result.model.profile if result else None
    rows: list[list[object]] = [
        ["审核公式（本工具执行的全部校验规则）"],
        ["规则编号", "类别", "严重程度", "规则", "说明", "读取字段"],
    ]
    for rule_id, r in sorted(REGISTRY.items()):
        severity = profile.severity_overrides.get(rule_id, r.severity) if profile else r.severity
        state = "（已关闭）" if profile and rule_id in profile.disabled else ""
        reads = "、".join(_read_label(n) for n in r.reads)
        rows.append([rule_id, r.category, severity.value + state, r.title, r.description, reads])
    return SheetPlan(cat.SHEET_RULES, rows, widths=[11, 12, 9, 30, 70, 40], header_row=2)


def report_sheet(report: Report) -> SheetPlan:
    """自评报告: one paragraph a row in column A, print-ready A4 portrait; B1 (hidden) holds the stamp."""
    texts = report_texts(report)
    rows: list[list[object]] = [[text] for text in texts]
    rows[0].append(stamp(texts))
    kinds = ["title", *(p.kind for p in report.paragraphs if p.text.strip())]
    return SheetPlan(
        cat.SHEET_REPORT,
        rows,
        widths=[80, 12],  # A4 portrait at 100 %: LibreOffice does not always scale a print area to fit
        header_row=0,
        hidden_cols=(2,),
        styles={r: kind for r, kind in enumerate(kinds, start=1) if kind != "body"},
        portrait=True,
    )


def build_plan(result: CheckResult, report: Report | None = None) -> WritePlan:
    # Imported here, not at the top: only a plan needs the narrative, and the modules that import this one
    # for its constants alone (the readers; the ribbon, whose 帮助 builds no plan) need not pay for it.
    from perfeval.narrative.render import render_report

    snapshot = result.model.snapshot
    own = dict(snapshot.own_sheets)
    kept = report_kept_as(snapshot)
    renames = {own.pop(cat.SHEET_REPORT): kept} if kept is not None else {}
    state_found = own.pop(cat.SHEET_STATE, None)
    names = output_names(snapshot)
    sheets = [
        _findings_sheet(result),
        _scores_sheet(result),
        report_sheet(report or render_report(result)),
        rules_sheet(result),
    ]
    for sp in sheets:
        sp.kind, sp.name = sp.name, names[sp.name]
    return WritePlan(
        values=_values(result),
        marks=_marks(result),
        sheets=sheets,
        renames=renames,
        remove=tuple(own.values()),
        state_sheet=names[cat.SHEET_STATE],
        state_sheet_found=state_found,
    )
